//! The encoding facade: the tokenizer plus the format's constants. Rendering and parsing are
//! implemented on it in `render` and `parse`.

use std::fmt;
use std::str::FromStr;

use crate::error::{HarmonyError, Result};
use crate::tokenizer::Tokenizer;

/// `<|return|>`: end of message, sampling done.
pub(crate) const RETURN: u32 = 200_002;
/// `<|constrain|>`: constrained-format marker in content types.
pub(crate) const CONSTRAIN: u32 = 200_003;
/// `<|channel|>`: introduces the channel in a header.
pub(crate) const CHANNEL: u32 = 200_005;
/// `<|start|>`: start of a message.
pub(crate) const START: u32 = 200_006;
/// `<|end|>`: end of a message.
pub(crate) const END: u32 = 200_007;
/// `<|message|>`: end of header, start of body.
pub(crate) const MESSAGE: u32 = 200_008;
/// `<|call|>`: end of an assistant message addressed to a tool.
pub(crate) const CALL: u32 = 200_012;

/// Context length of the model (2^20).
const N_CTX: usize = 1 << 20;
/// Longest action the model may take (2^19).
const MAX_ACTION_LENGTH: usize = 1 << 19;

/// The names of the available encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HarmonyEncodingName {
    /// The gpt-oss encoding (`o200k_harmony`).
    HarmonyGptOss,
}

impl HarmonyEncodingName {
    /// The name as the reference spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            HarmonyEncodingName::HarmonyGptOss => "HarmonyGptOss",
        }
    }
}

impl fmt::Display for HarmonyEncodingName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HarmonyEncodingName {
    type Err = HarmonyError;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "HarmonyGptOss" => Ok(HarmonyEncodingName::HarmonyGptOss),
            _ => Err(HarmonyError::invalid_argument(format!("Invalid HarmonyEncodingName: {s}")).in_field("name")),
        }
    }
}

/// A Harmony encoding: cheap to copy, shares the process-wide tokenizer.
#[derive(Debug, Clone, Copy)]
pub struct HarmonyEncoding {
    name: HarmonyEncodingName,
    tokenizer: &'static Tokenizer,
}

/// Loads an encoding. The vocabulary is embedded, so this does no I/O and cannot fail for a
/// known name; it returns a `Result` to mirror the reference.
pub fn load_harmony_encoding(name: HarmonyEncodingName) -> Result<HarmonyEncoding> {
    Ok(HarmonyEncoding { name, tokenizer: Tokenizer::get() })
}

impl HarmonyEncoding {
    /// The encoding's name (`HarmonyGptOss`).
    pub fn name(&self) -> &'static str {
        self.name.as_str()
    }

    /// The tokenizer's name (`o200k_harmony`).
    pub fn tokenizer_name(&self) -> &'static str {
        Tokenizer::NAME
    }

    /// The largest message the model accepts: context length minus the longest action.
    pub fn max_message_tokens(&self) -> usize {
        N_CTX - MAX_ACTION_LENGTH
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &'static Tokenizer {
        self.tokenizer
    }

    /// Tokens that end sampling: `<|return|>`, `<|end|>`, `<|call|>` (ascending).
    pub fn stop_tokens(&self) -> [u32; 3] {
        [RETURN, END, CALL]
    }

    /// Tokens that end an assistant action: `<|return|>`, `<|call|>` (ascending).
    pub fn stop_tokens_for_assistant_actions(&self) -> [u32; 2] {
        [RETURN, CALL]
    }
}

impl fmt::Display for HarmonyEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Renderer({})", self.name)
    }
}
