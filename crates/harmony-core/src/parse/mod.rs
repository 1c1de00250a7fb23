//! Parsing: completion tokens → messages, in one call or token by token.
//!
//! The batch parser *is* the streaming parser run to the end of the stream, so the two cannot
//! disagree.

mod event;
mod header;
mod recover;
mod stream;

pub use event::{ParseEvent, StopKind};
pub use recover::{MessageKind, RecoverOptions, RecoveringEvent, RecoveringParser, Recovery, RecoveryKind};
pub use stream::{StreamState, StreamableParser};

use crate::chat::{Message, Role};
use crate::encoding::HarmonyEncoding;
use crate::error::Result;

/// Options of a parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// `false` turns a stop token met inside a header into a recovery instead of header text
    /// (SPEC §4.4).
    pub strict: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self { strict: true }
    }
}

impl HarmonyEncoding {
    /// Parses the completion `tokens` into messages. With `role`, the tokens start right after
    /// `<|start|>{role}` (as sampled after `render_conversation_for_completion`).
    pub fn parse_messages_from_completion_tokens(
        &self,
        tokens: &[u32],
        role: Option<Role>,
        options: ParseOptions,
    ) -> Result<Vec<Message>> {
        let mut parser = StreamableParser::new(*self, role, options);
        for &token in tokens {
            parser.process(token)?;
        }
        parser.process_eos()?;
        Ok(parser.into_messages())
    }
}
