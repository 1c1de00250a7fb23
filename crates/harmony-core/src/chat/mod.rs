//! The chat data model. The serde shape of these types *is* the JSON interchange format of the
//! reference (`openai-harmony` 0.0.8, Rust serde): author flattened into `role`/`name`, `content`
//! a plain string when it is one text item, unset fields omitted on messages.

mod content;
mod message;
mod role;
mod tools;

pub use content::{Content, DeveloperContent, ReasoningEffort, SystemContent, TextContent};
pub use message::{Author, Conversation, Message};
pub use role::Role;
pub use tools::{ChannelConfig, ToolDescription, ToolNamespaceConfig};
