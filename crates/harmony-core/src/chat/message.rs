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

/// The wire shape of a message (author flattened), read directly: no serde `flatten` buffering.
#[derive(Deserialize)]
struct MessageWire {
    role: Role,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    recipient: Option<String>,
    content: ContentList,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = MessageWire::deserialize(deserializer)?;
        Ok(Message {
            author: Author { role: wire.role, name: wire.name },
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
