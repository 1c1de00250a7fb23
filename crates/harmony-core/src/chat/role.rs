use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{HarmonyError, Result};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The end user.
    User,
    /// The model.
    Assistant,
    /// The system prompt.
    System,
    /// The developer (instructions and function tools).
    Developer,
    /// A tool's output; the author name says which tool.
    Tool,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 5] = [Role::User, Role::Assistant, Role::System, Role::Developer, Role::Tool];

    /// The wire string (`user`, `assistant`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::System => "system",
            Role::Developer => "developer",
            Role::Tool => "tool",
        }
    }

    /// The role for an exact, case-sensitive wire string.
    pub fn from_wire(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The capitalised variant name the reference uses in error messages (`User`, …).
    pub(crate) const fn variant_name(self) -> &'static str {
        match self {
            Role::User => "User",
            Role::Assistant => "Assistant",
            Role::System => "System",
            Role::Developer => "Developer",
            Role::Tool => "Tool",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = HarmonyError;

    /// Parses a role argument; unknown strings are an [`crate::ErrorCode::InvalidArgument`].
    fn from_str(s: &str) -> Result<Role> {
        Role::from_wire(s).ok_or_else(|| HarmonyError::invalid_argument(format!("unknown role: {s}")).in_field("role"))
    }
}
