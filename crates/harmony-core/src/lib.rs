//! Token-exact implementation of the Harmony chat format used by the gpt-oss models.
//!
//! Everything the format needs lives here, free of any binding concern: the `o200k_harmony`
//! tokenizer with an embedded vocabulary, the chat data model (whose serde shape is the JSON
//! interchange format of the reference `openai-harmony` 0.0.8), rendering of conversations to
//! tokens, parsing of completion tokens, and the streaming parser. Bindings only convert.
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod chat;
mod encoding;
mod error;
pub mod parse;
pub mod render;
pub mod schema_ts;
pub mod tokenizer;

pub use chat::{
    Author, ChannelConfig, Content, Conversation, DeveloperContent, Message, ReasoningEffort, Role, SystemContent,
    TextContent, ToolDescription, ToolNamespaceConfig,
};
pub use encoding::{load_harmony_encoding, HarmonyEncoding, HarmonyEncodingName};
pub use error::{ErrorCode, ErrorContext, HarmonyError, Result};
pub use parse::{MessageKind, RecoverOptions, RecoveringEvent, RecoveringParser, Recovery, RecoveryKind};
pub use parse::{ParseEvent, ParseOptions, StopKind, StreamState, StreamableParser};
pub use render::{MaskTurns, RenderConversationConfig, RenderOptions, TrainingExample, UnmaskedReason, UnmaskedTurn};
pub use tokenizer::{SpecialTokenSet, Tokenizer};
