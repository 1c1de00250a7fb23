//! `BindingEvent`: the JS shape of a core [`ParseEvent`] (a plain object discriminated on
//! `type`). `From` conversion only; the TS layer adds the current channel/recipient to deltas and
//! turns the message JSON into a `Message`.

use harmony_core::ParseEvent;
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
    /// A message is complete.
    MessageEnd {
        /// The message as JSON (Rust serde shape).
        message: String,
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
            ParseEvent::MessageEnd { message, stop } => BindingEvent::MessageEnd {
                // Serialising a Message cannot fail (plain strings and maps); an empty object
                // would be caught by the TS layer's validation rather than crash here.
                message: serde_json::to_string(&message).unwrap_or_else(|_| String::from("{}")),
                stop_token: stop.as_str().to_owned(),
            },
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
