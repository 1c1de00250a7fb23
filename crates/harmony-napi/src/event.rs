//! How a batch's events cross to JS: [`EventBatch`], every string of the events joined into one
//! `text` plus an outline of numbers ([`OutlineEntry`]) that says how to cut it into events. One
//! string and a few numbers written into a buffer the caller keeps cost far less than an object
//! per event with a property per field (most of a `processMany` call went into building those).
//! The TS layer (`src-ts/native/events.ts`) reads the outline into the public event objects.
//! Also the string enums that type the values the outline carries (roles, stop tokens).

use harmony_core::{Content, Message, ParseEvent, Role, StopKind};
use napi::bindgen_prelude::{Env, JsValue, Uint32ArraySlice};
use napi::JsString;
use napi_derive::napi;

use crate::error::{to_js_error, HarmonyStatus};
use crate::js_memory::publish_write;

/// A message author's role, as the outline's `Role` field spells it (`Role::as_str`; the TS
/// layer's `Role` is checked against this).
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

/// What ended a message, as the outline's `StopToken` field spells it (`StopKind::as_str`; the
/// TS layer's `StopToken` is checked against this).
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

/// The outline of an [`EventBatch`]: pairs `(entry, value)` of `u32`, in event order. An event
/// entry's value is the number of field pairs that follow it (its fields), except for
/// `ContentDelta`, whose value is the length of its text. A text field's value is the length of
/// its text; texts are consecutive slices of the batch's `text`, in outline order, and lengths
/// count UTF-16 code units (JS string indices). An absent optional field has no pair.
#[napi]
pub enum OutlineEntry {
    /// A `content-delta` event; the value is the length of its text.
    ContentDelta,
    /// A `message-start` event: `Role`, then `Name`, `Channel`, `Recipient`, `ContentType` when
    /// present (and `Kind` from the recovering parser).
    MessageStart,
    /// A `message-end` event: the message's `Role`, `Name`, `Channel`, `Recipient`,
    /// `ContentType` as for `MessageStart`, its `Text` and `StopToken` (and `Kind`).
    MessageEnd,
    /// A `tool-call` event: `Recipient`, `ContentType` when present, and the arguments as `Text`.
    ToolCall,
    /// A `recovered` event (the recovering parser): `Kind`, `TokenIndex`, `Detail`.
    Recovered,
    /// Text field: the author's role (a `BindingRole`).
    Role,
    /// Text field: the author's name.
    Name,
    /// Text field: the channel.
    Channel,
    /// Text field: the recipient.
    Recipient,
    /// Text field: the content type.
    ContentType,
    /// Text field: a message's text, a tool call's arguments.
    Text,
    /// Text field: what ended a message (a `BindingStopToken`).
    StopToken,
    /// Text field: a message's `BindingMessageKind`, or a recovery's `BindingRecoveryKind`.
    Kind,
    /// Text field: a recovery's explanation.
    Detail,
    /// Number field: the index of the token where a recovery was noticed.
    TokenIndex,
}

/// Length of `text` in UTF-16 code units: one per char, two for chars outside the BMP (those
/// take four UTF-8 bytes).
fn utf16_len(text: &str) -> u32 {
    let units: usize = text.bytes().map(|b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0)).sum();
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// The events of one call, as they cross: `text` and its outline (see [`OutlineEntry`]). A parser
/// keeps one and reuses its buffers.
#[derive(Default)]
pub struct EventBatch {
    text: String,
    outline: Vec<u32>,
    /// Index in `outline` of the value of the event being written (its field count).
    open: usize,
}

impl EventBatch {
    /// Forgets the previous batch.
    pub fn clear(&mut self) {
        self.text.clear();
        self.outline.clear();
    }

    /// Starts an event with fields.
    pub fn event(&mut self, entry: OutlineEntry) {
        self.outline.extend([entry as u32, 0]);
        self.open = self.outline.len() - 1;
    }

    fn pair(&mut self, entry: OutlineEntry, value: u32) {
        self.outline.extend([entry as u32, value]);
        self.outline[self.open] += 1;
    }

    /// A text field of the open event.
    pub fn text(&mut self, field: OutlineEntry, text: &str) {
        self.pair(field, utf16_len(text));
        self.text.push_str(text);
    }

    /// A text field of the open event, when present.
    pub fn optional(&mut self, field: OutlineEntry, text: Option<&str>) {
        if let Some(text) = text {
            self.text(field, text);
        }
    }

    /// A number field of the open event.
    pub fn number(&mut self, field: OutlineEntry, value: u32) {
        self.pair(field, value);
    }

    /// A content delta.
    pub fn delta(&mut self, text: &str) {
        self.outline.extend([OutlineEntry::ContentDelta as u32, utf16_len(text)]);
        self.text.push_str(text);
    }

    /// The header fields of a message (`Role`, then the optional ones).
    pub fn header(
        &mut self,
        role: Role,
        name: Option<&str>,
        channel: Option<&str>,
        recipient: Option<&str>,
        content_type: Option<&str>,
    ) {
        self.text(OutlineEntry::Role, role.as_str());
        self.optional(OutlineEntry::Name, name);
        self.optional(OutlineEntry::Channel, channel);
        self.optional(OutlineEntry::Recipient, recipient);
        self.optional(OutlineEntry::ContentType, content_type);
    }

    /// A finished message: its header fields and `Text`.
    pub fn message(&mut self, message: &Message) {
        let author = &message.author;
        self.header(
            author.role,
            author.name.as_deref(),
            message.channel.as_deref(),
            message.recipient.as_deref(),
            message.content_type.as_deref(),
        );
        // The parsers' messages hold one text item; writing every text item keeps this total.
        self.pair(OutlineEntry::Text, 0);
        let length = self.outline.len() - 1;
        for content in &message.content {
            if let Content::Text(t) = content {
                self.outline[length] += utf16_len(&t.text);
                self.text.push_str(&t.text);
            }
        }
    }

    /// A `tool-call` event.
    pub fn tool_call(&mut self, recipient: &str, content_type: Option<&str>, arguments: &str) {
        self.event(OutlineEntry::ToolCall);
        self.text(OutlineEntry::Recipient, recipient);
        self.optional(OutlineEntry::ContentType, content_type);
        self.text(OutlineEntry::Text, arguments);
    }

    /// A streaming parser's event.
    pub fn parse_event(&mut self, event: &ParseEvent) {
        match event {
            ParseEvent::ContentDelta { delta } => self.delta(delta),
            ParseEvent::MessageStart { role, name, channel, recipient, content_type } => {
                self.event(OutlineEntry::MessageStart);
                self.header(*role, name.as_deref(), channel.as_deref(), recipient.as_deref(), content_type.as_deref());
            }
            ParseEvent::MessageEnd { message, stop } => {
                self.event(OutlineEntry::MessageEnd);
                self.message(message);
                self.stop(*stop);
            }
            ParseEvent::ToolCall { recipient, content_type, arguments } => {
                self.tool_call(recipient, content_type.as_deref(), arguments);
            }
        }
    }

    /// The `StopToken` field.
    pub fn stop(&mut self, stop: StopKind) {
        self.text(OutlineEntry::StopToken, stop.as_str());
    }

    /// Hands the batch to JS: writes the outline into `out` — its length (in `u32`s) at index 0,
    /// then the pairs when they fit; otherwise only the length, and the caller gets the pairs
    /// with [`EventBatch::copy_outline`] into a larger buffer — and returns the text (made from
    /// the kept buffer, so its capacity serves the next batch).
    pub fn hand_over<'env>(
        &self,
        env: &'env Env,
        out: Uint32ArraySlice<'_>,
    ) -> napi::Result<JsString<'env>, HarmonyStatus> {
        self.copy_outline(out)?;
        self.text_to_js(env)
    }

    /// The text, as a JS string.
    pub fn text_to_js<'env>(&self, env: &'env Env) -> napi::Result<JsString<'env>, HarmonyStatus> {
        env.create_string(&self.text).map_err(|e| internal(&format!("napi: {}", e.reason)))
    }

    /// Drops the text buffer (after the last batch of a parser: it can hold a whole message).
    pub fn release_text(&mut self) {
        self.text = String::new();
    }

    /// The text and the outline (its length at index 0, then the pairs), for a result that
    /// carries its own outline.
    pub fn into_parts(self) -> napi::Result<(String, Vec<u32>), HarmonyStatus> {
        let length = u32::try_from(self.outline.len()).map_err(|_| internal("an outline of over 2^32 entries"))?;
        let mut outline = Vec::with_capacity(self.outline.len() + 1);
        outline.push(length);
        outline.extend_from_slice(&self.outline);
        Ok((self.text, outline))
    }

    /// Writes the outline into `out` as [`EventBatch::hand_over`] does.
    pub fn copy_outline(&self, mut out: Uint32ArraySlice<'_>) -> napi::Result<(), HarmonyStatus> {
        let length = u32::try_from(self.outline.len()).map_err(|_| internal("an outline of over 2^32 entries"))?;
        // SAFETY: `out` views the caller's `Uint32Array`. JS is blocked for the duration of this
        // synchronous call and no other Rust reference to that memory exists, so the mutable
        // slice is unique while it lives (it does not escape this function).
        let dst = unsafe { out.as_mut() };
        let Some((first, rest)) = dst.split_first_mut() else {
            return Err(internal("an outline buffer must have room for its length"));
        };
        *first = length;
        let mut written = 1;
        if let Some(room) = rest.get_mut(..self.outline.len()) {
            room.copy_from_slice(&self.outline);
            written += self.outline.len();
        }
        let js = out.value();
        publish_write(js.env, js.value, 0, written * std::mem::size_of::<u32>())
            .map_err(|e| internal(&format!("napi: {}", e.reason)))
    }
}

/// An `ERR_HARMONY_INTERNAL` error of the binding itself.
pub fn internal(what: &str) -> napi::Error<HarmonyStatus> {
    to_js_error(harmony_core::HarmonyError::new(harmony_core::ErrorCode::Internal, format!("internal error: {what}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_lengths_count_surrogate_pairs() {
        for text in ["", "abc", "é", "日本語", "😀", "a😀é\u{ffff}\u{10000}"] {
            assert_eq!(utf16_len(text) as usize, text.encode_utf16().count(), "{text:?}");
        }
    }

    #[test]
    fn fields_count_towards_their_event_and_texts_follow_in_order() {
        let mut batch = EventBatch::default();
        batch.delta("hé");
        batch.event(OutlineEntry::MessageStart);
        batch.header(Role::Assistant, None, Some("final"), None, None);
        batch.tool_call("functions.f", None, "{}");
        let e = |entry: OutlineEntry| entry as u32;
        assert_eq!(
            batch.outline,
            [
                e(OutlineEntry::ContentDelta),
                2,
                e(OutlineEntry::MessageStart),
                2,
                e(OutlineEntry::Role),
                9,
                e(OutlineEntry::Channel),
                5,
                e(OutlineEntry::ToolCall),
                2,
                e(OutlineEntry::Recipient),
                11,
                e(OutlineEntry::Text),
                2,
            ]
        );
        assert_eq!(batch.text, "héassistantfinalfunctions.f{}");
    }
}
