//! The one error type of the crate. Each [`ErrorCode`] maps one-to-one onto a stable string code
//! that bindings expose (`ERR_HARMONY_*`); the message says what went wrong, the context where.

use std::borrow::Cow;
use std::fmt;

/// Result alias used by every fallible function of the crate.
pub type Result<T, E = HarmonyError> = std::result::Result<T, E>;

/// Category of an error; stable across releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Wrong argument shape: malformed JSON, unknown role, unknown encoding name, bad option.
    InvalidArgument,
    /// A token id that is not in the vocabulary (or not representable).
    InvalidToken,
    /// Text contains the literal text of a special token that is not allowed.
    DisallowedSpecial,
    /// Bytes that are not valid UTF-8 where a strict decode was asked for.
    Utf8,
    /// A message that cannot be rendered (e.g. a tool message without a name).
    Render,
    /// Completion tokens that do not follow the format (strict-mode violations, bad headers).
    Parse,
    /// A broken invariant or a caught panic: always a bug.
    Internal,
}

impl ErrorCode {
    /// The stable string form, e.g. `ERR_HARMONY_PARSE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "ERR_HARMONY_INVALID_ARGUMENT",
            ErrorCode::InvalidToken => "ERR_HARMONY_INVALID_TOKEN",
            ErrorCode::DisallowedSpecial => "ERR_HARMONY_DISALLOWED_SPECIAL",
            ErrorCode::Utf8 => "ERR_HARMONY_UTF8",
            ErrorCode::Render => "ERR_HARMONY_RENDER",
            ErrorCode::Parse => "ERR_HARMONY_PARSE",
            ErrorCode::Internal => "ERR_HARMONY_INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an error happened, as far as it is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorContext {
    /// Index of the offending token in the input sequence.
    pub token_index: Option<usize>,
    /// Index of the offending message in the conversation.
    pub message_index: Option<usize>,
    /// Name of the offending field, or the offending special-token text.
    pub field: Option<Cow<'static, str>>,
}

/// An error of the Harmony library: a code, a message and a location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HarmonyError {
    /// The category.
    pub code: ErrorCode,
    /// What went wrong; where the reference fails, this starts with the reference's message.
    pub message: String,
    /// Where it went wrong.
    pub context: ErrorContext,
}

impl HarmonyError {
    /// An error with the given code and message and no context.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), context: ErrorContext::default() }
    }

    /// Shorthand for [`ErrorCode::InvalidArgument`].
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    /// Shorthand for [`ErrorCode::Parse`].
    pub fn parse(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Parse, message)
    }

    /// Shorthand for [`ErrorCode::Render`].
    pub fn render(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Render, message)
    }

    /// Records the token index (keeps an index already set closer to the cause).
    #[must_use]
    pub fn at_token(mut self, index: usize) -> Self {
        self.context.token_index.get_or_insert(index);
        self
    }

    /// Records the message index (keeps an index already set closer to the cause).
    #[must_use]
    pub fn at_message(mut self, index: usize) -> Self {
        self.context.message_index.get_or_insert(index);
        self
    }

    /// Records the field name (keeps a field already set closer to the cause).
    #[must_use]
    pub fn in_field(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        if self.context.field.is_none() {
            self.context.field = Some(field.into());
        }
        self
    }
}
