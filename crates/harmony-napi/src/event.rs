//! `BindingEvent`: the JS shape of a core [`ParseEvent`] (a plain object discriminated on
//! `type`). `From` conversion only; the TS layer adds the current channel/recipient to deltas and
//! builds the `Message` of a `message-end` from its fields (no JSON round trip: a message ends
//! every few dozen tokens, and parsing JSON for each was a large part of a batch's cost).

use harmony_core::{Content, Message, ParseEvent};
use napi_derive::napi;

/// One parser event.
#[napi(
    discriminant = "type",
    discriminant_case = "kebab-case",
    object_from_js = false
)]
pub enum BindingEvent {
    /// A message header is complete.
    MessageStart {
        /// The author's role.
        role: String,
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
        role: String,
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
        stop_token: String,
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
            ParseEvent::MessageStart {
                role,
                name,
                channel,
                recipient,
                content_type,
            } => BindingEvent::MessageStart {
                role: role.as_str().to_owned(),
                name,
                channel,
                recipient,
                content_type,
            },
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
                    role: author.role.as_str().to_owned(),
                    name: author.name,
                    channel,
                    recipient,
                    content_type,
                    text,
                    stop_token: stop.as_str().to_owned(),
                }
            }
            ParseEvent::ToolCall {
                recipient,
                content_type,
                arguments,
            } => BindingEvent::ToolCall {
                recipient,
                content_type,
                arguments,
            },
        }
    }
}
