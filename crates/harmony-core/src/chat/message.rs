use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::content::{Content, TextContent};
use super::role::Role;
use crate::error::{HarmonyError, Result};

/// The author of a message: a role and, optionally, a name (required for tool messages).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Author {
    /// The role.
    pub role: Role,
    /// The name; for tool messages the tool's identity (`functions.get_weather`).
    pub name: Option<String>,
}

impl Author {
    /// An author with a name.
    pub fn new(role: Role, name: impl Into<String>) -> Self {
        Self { role, name: Some(name.into()) }
    }
}

impl From<Role> for Author {
    fn from(role: Role) -> Self {
        Self { role, name: None }
    }
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Who wrote it (serialised flattened as `role` and `name`).
    pub author: Author,
    /// The addressee, e.g. a tool name for a tool call; `all` is rendered as no recipient.
    pub recipient: Option<String>,
    /// The content items, rendered back to back.
    pub content: Vec<Content>,
    /// The channel (`analysis`, `commentary`, `final`, …).
    pub channel: Option<String>,
    /// The content type, e.g. `<|constrain|>json`.
    pub content_type: Option<String>,
}

impl Message {
    /// A message with one content item.
    pub fn from_author_and_content(author: Author, content: impl Into<Content>) -> Self {
        Self { author, recipient: None, content: vec![content.into()], channel: None, content_type: None }
    }

    /// A message from a role with one content item.
    pub fn from_role_and_content(role: Role, content: impl Into<Content>) -> Self {
        Self::from_author_and_content(role.into(), content)
    }

    /// A message from a role with several content items.
    pub fn from_role_and_contents<I>(role: Role, contents: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Content>,
    {
        Self {
            author: role.into(),
            recipient: None,
            content: contents.into_iter().map(Into::into).collect(),
            channel: None,
            content_type: None,
        }
    }

    /// Appends a content item.
    #[must_use]
    pub fn adding_content(mut self, content: impl Into<Content>) -> Self {
        self.content.push(content.into());
        self
    }

    /// Sets the channel.
    #[must_use]
    pub fn with_channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }

    /// Sets the recipient.
    #[must_use]
    pub fn with_recipient(mut self, recipient: impl Into<String>) -> Self {
        self.recipient = Some(recipient.into());
        self
    }

    /// Sets the content type.
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Parses the reference JSON shape of one message.
    pub fn from_json_str(json: &str) -> Result<Message> {
        serde_json::from_str(json)
            .map_err(|e| HarmonyError::invalid_argument(format!("invalid message JSON: {e}")).in_field("message"))
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Message", 6)?;
        s.serialize_field("role", &self.author.role)?;
        if let Some(name) = &self.author.name {
            s.serialize_field("name", name)?;
        }
        if let Some(recipient) = &self.recipient {
            s.serialize_field("recipient", recipient)?;
        }
        match self.content.as_slice() {
            [Content::Text(TextContent { text })] => s.serialize_field("content", text)?,
            items => s.serialize_field("content", items)?,
        }
        if let Some(channel) = &self.channel {
            s.serialize_field("channel", channel)?;
        }
        if let Some(content_type) = &self.content_type {
            s.serialize_field("content_type", content_type)?;
        }
        s.end()
    }
}

/// `content` in JSON: a plain string (one text item) or a list of tagged content objects.
struct ContentList(Vec<Content>);

impl<'de> Deserialize<'de> for ContentList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ContentListVisitor;

        impl<'de> Visitor<'de> for ContentListVisitor {
            type Value = ContentList;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("string or list of content")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<ContentList, E> {
                Ok(ContentList(vec![Content::Text(TextContent { text: text.to_owned() })]))
            }

            fn visit_string<E: de::Error>(self, text: String) -> Result<ContentList, E> {
                Ok(ContentList(vec![Content::Text(TextContent { text })]))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ContentList, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(64));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(ContentList(items))
            }
        }

        deserializer.deserialize_any(ContentListVisitor)
    }
}

/// The wire shapes, named like the reference's types because serde names the Rust type in its
/// errors (`invalid type: sequence, expected struct Message`).
mod wire {
    use serde::Deserialize;

    use super::ContentList;
    use crate::chat::Role;

    #[derive(Deserialize)]
    pub(super) struct Author {
        pub role: Role,
        pub name: Option<String>,
    }

    /// The author is a serde `flatten`, exactly as in the reference: that makes a message a map
    /// only (no sequence form) and reports errors in `role`/`name` at the end of the object, so
    /// acceptance and error messages match the reference's. Only `role`, `name` and unknown keys
    /// are buffered; `content` is read in place.
    #[derive(Deserialize)]
    pub(super) struct Message {
        #[serde(flatten)]
        pub author: Author,
        pub recipient: Option<String>,
        pub content: ContentList,
        pub channel: Option<String>,
        pub content_type: Option<String>,
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = wire::Message::deserialize(deserializer)?;
        Ok(Message {
            author: Author { role: wire.author.role, name: wire.author.name },
            recipient: wire.recipient,
            content: wire.content.0,
            channel: wire.channel,
            content_type: wire.content_type,
        })
    }
}

/// A list of messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// The messages, in order.
    pub messages: Vec<Message>,
}

impl Conversation {
    /// A conversation of these messages.
    pub fn from_messages<I: IntoIterator<Item = Message>>(messages: I) -> Self {
        Self { messages: messages.into_iter().collect() }
    }

    /// Parses the reference JSON shape of a conversation.
    pub fn from_json_str(json: &str) -> Result<Conversation> {
        serde_json::from_str(json).map_err(|e| {
            HarmonyError::invalid_argument(format!("invalid conversation JSON: {e}")).in_field("conversation")
        })
    }
}

impl<'a> IntoIterator for &'a Conversation {
    type Item = &'a Message;
    type IntoIter = std::slice::Iter<'a, Message>;

    fn into_iter(self) -> Self::IntoIter {
        self.messages.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message_error(json: &str) -> String {
        match Message::from_json_str(json) {
            Ok(m) => panic!("{json} was accepted as {m:?}"),
            Err(e) => e.message,
        }
    }

    /// The reference's flattened author makes a message a map only.
    #[test]
    fn message_in_sequence_form_is_rejected() {
        assert_eq!(
            message_error(r#"["user",null,null,"hi",null,null]"#),
            "invalid message JSON: invalid type: sequence, expected struct Message at line 1 column 0"
        );
    }

    /// Errors in `role`/`name` surface at the end of the object, as with the reference's flatten.
    #[test]
    fn author_errors_are_reported_at_the_end_of_the_message() {
        let unknown_role = message_error(r#"{"role":"User","content":"hi"}"#);
        assert!(
            unknown_role
                .ends_with("expected one of `user`, `assistant`, `system`, `developer`, `tool` at line 1 column 30"),
            "{unknown_role}"
        );
        let duplicate = message_error(r#"{"role":"user","role":"tool","content":"hi"}"#);
        assert_eq!(duplicate, "invalid message JSON: duplicate field `role` at line 1 column 44");
    }

    /// Optional fields have no serde default, so the sequence form of a content object must
    /// list every field, as in the reference.
    #[test]
    fn content_in_sequence_form_needs_every_field() {
        assert!(serde_json::from_str::<Content>(r#"["system_content"]"#).is_err());
        assert!(serde_json::from_str::<Content>(r#"["developer_content", null]"#).is_err());
        let all = serde_json::from_str::<Content>(r#"["system_content",null,null,null,null,null,null]"#);
        assert!(matches!(all, Ok(Content::SystemContent(_))), "{all:?}");
        let tool = serde_json::from_str::<crate::chat::ToolDescription>(r#"["f","d"]"#);
        assert!(tool.is_err(), "{tool:?}");
    }
}
