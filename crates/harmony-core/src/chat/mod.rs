//! The chat data model. The serde shape of these types *is* the JSON interchange format of the
//! reference (`openai-harmony` 0.0.8, Rust serde): author flattened into `role`/`name`, `content`
//! a plain string when it is one text item, unset fields omitted on messages.
//!
//! Deserialisation accepts exactly what the reference's does, so its derive attributes are
//! mirrored: optional fields carry no `#[serde(default)]` (an absent key is still `None`, but
//! serde's sequence form of a struct must then list every field) and a message's author is a
//! `flatten` (see `message::wire`).

mod content;
mod message;
mod role;
mod tools;

pub use content::{Content, DeveloperContent, ReasoningEffort, SystemContent, TextContent};
pub use message::{Author, Conversation, Message};
pub use role::Role;
pub use tools::{ChannelConfig, ToolDescription, ToolNamespaceConfig};
