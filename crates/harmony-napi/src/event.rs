//! `BindingEvent`: the JS shape of a core [`ParseEvent`] (a plain object discriminated on
//! `type`). `From` conversion only; the TS layer adds the current channel/recipient to deltas and
//! builds the `Message` of a `message-end` from its fields (no JSON round trip: a message ends
//! every few dozen tokens, and parsing JSON for each was a large part of a batch's cost).

use harmony_core::{Content, Message, ParseEvent, Role, StopKind};
use napi_derive::napi;

/// A message author's role (the TS layer's `Role` is checked against this).
#[napi(string_enum = "lowercase")]
pub enum BindingRole {
    /// `user`
    User,
    /// `assistant`
    Assistant,
    /// `system`
    System,
    /// `developer`
    Developer,
    /// `tool`
    Tool,
}

impl From<Role> for BindingRole {
    fn from(role: Role) -> Self {
        match role {
            Role::User => Self::User,
            Role::Assistant => Self::Assistant,
            Role::System => Self::System,
            Role::Developer => Self::Developer,
            Role::Tool => Self::Tool,
        }
    }
}

/// What ended a message (the TS layer's `StopToken` is checked against this).
#[napi(string_enum = "lowercase")]
pub enum BindingStopToken {
    /// `<|end|>`
    End,
    /// `<|call|>`
    Call,
    /// `<|return|>`
    Return,
    /// The end of the stream.
    Eos,
}

impl From<StopKind> for BindingStopToken {
    fn from(stop: StopKind) -> Self {
        match stop {
            StopKind::End => Self::End,
            StopKind::Call => Self::Call,
            StopKind::Return => Self::Return,
            StopKind::Eos => Self::Eos,
        }
    }
}

/// One parser event.
#[napi(discriminant = "type", discriminant_case = "kebab-case", object_from_js = false)]
pub enum BindingEvent {
    /// A message header is complete.
    MessageStart {
        /// The author's role.
        role: BindingRole,
        /// The author's name (tool messages).
        name: Option<String>,
        /// The channel, if any.
        channel: Option<String>,
        /// The recipient, if any.
        recipient: Option<String>,
        /// The content type, if any.
        content_type: Option<String>,
    },
    /// Text added to the current message (never a split UTF-8 character).
    ContentDelta {
        /// The text.
        delta: String,
    },
    /// A message is complete. The streaming parser's messages hold one text item.
    MessageEnd {
        /// The author's role.
        role: BindingRole,
        /// The author's name (tool messages).
        name: Option<String>,
        /// The channel, if any.
        channel: Option<String>,
        /// The recipient, if any.
        recipient: Option<String>,
        /// The content type, if any.
        content_type: Option<String>,
        /// The text.
        text: String,
        /// What ended it: `end`, `call`, `return` or `eos`.
        stop_token: BindingStopToken,
    },
    /// A message addressed to a tool ended with `<|call|>`.
    ToolCall {
        /// The tool (`functions.get_weather`).
        recipient: String,
        /// The content type of the arguments, if any.
        content_type: Option<String>,
        /// The arguments, exactly as the model wrote them.
        arguments: String,
    },
}

impl From<ParseEvent> for BindingEvent {
    fn from(event: ParseEvent) -> Self {
        match event {
            ParseEvent::MessageStart { role, name, channel, recipient, content_type } => {
                BindingEvent::MessageStart { role: role.into(), name, channel, recipient, content_type }
            }
            ParseEvent::ContentDelta { delta } => BindingEvent::ContentDelta { delta },
            ParseEvent::MessageEnd { message, stop } => {
                let Message { author, recipient, content, channel, content_type } = message;
                // One text item from the parser; joining the text items keeps this total.
                let text = content
                    .into_iter()
                    .filter_map(|c| match c {
                        Content::Text(t) => Some(t.text),
                        _ => None,
                    })
                    .collect();
                BindingEvent::MessageEnd {
                    role: author.role.into(),
                    name: author.name,
                    channel,
                    recipient,
                    content_type,
                    text,
                    stop_token: stop.into(),
                }
            }
            ParseEvent::ToolCall { recipient, content_type, arguments } => {
                BindingEvent::ToolCall { recipient, content_type, arguments }
            }
        }
    }
}
