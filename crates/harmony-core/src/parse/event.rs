use crate::chat::{Message, Role};
use crate::encoding::{CALL, END, RETURN};

/// What ended a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StopKind {
    /// `<|end|>`
    End,
    /// `<|call|>`
    Call,
    /// `<|return|>`
    Return,
    /// The end of the stream.
    Eos,
}

impl StopKind {
    /// `end`, `call`, `return` or `eos`.
    pub const fn as_str(self) -> &'static str {
        match self {
            StopKind::End => "end",
            StopKind::Call => "call",
            StopKind::Return => "return",
            StopKind::Eos => "eos",
        }
    }

    /// The kind of a stop token; `None` for other tokens.
    pub(crate) const fn of_token(token: u32) -> Option<StopKind> {
        match token {
            END => Some(StopKind::End),
            CALL => Some(StopKind::Call),
            RETURN => Some(StopKind::Return),
            _ => None,
        }
    }
}

/// What the streaming parser reports as tokens arrive.
///
/// Per message: one `MessageStart`, `ContentDelta`s whose concatenation is exactly the final
/// content (including text only known at the end, such as a U+FFFD for a truncated character),
/// one `MessageEnd`, then a `ToolCall` if the message was addressed to a tool and ended with
/// `<|call|>`.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseEvent {
    /// A header is complete.
    MessageStart {
        /// The author's role.
        role: Role,
        /// The author's name (tool messages).
        name: Option<String>,
        /// The channel.
        channel: Option<String>,
        /// The recipient.
        recipient: Option<String>,
        /// The content type.
        content_type: Option<String>,
    },
    /// Text added to the current message; never splits a character.
    ContentDelta {
        /// The text.
        delta: String,
    },
    /// A message is complete.
    MessageEnd {
        /// The message, as it appears in `messages()`.
        message: Message,
        /// What ended it.
        stop: StopKind,
    },
    /// A message addressed to a tool ended with `<|call|>`.
    ToolCall {
        /// The tool (`functions.get_weather`).
        recipient: String,
        /// The content type (`<|constrain|>json`).
        content_type: Option<String>,
        /// The message text, verbatim.
        arguments: String,
    },
}
