//! `ConversationArg`: the conversation argument of the render entry points, as its JSON text or
//! in column form.
//!
//! Why a second form: for a conversation given as plain JS objects, `JSON.stringify` in JS,
//! the UTF-8 copy of that text and serde's parse here cost about as much together as rendering
//! it (ARCHITECTURE.md has the figures). The column form hands over the message fields themselves: one flat JS array that `src-ts/native/encoding.ts` fills by
//! walking the plain objects, read here slot by slot. Per message, either
//!
//! - a string: that message's JSON (any shape the JSON form accepts, e.g. system or developer
//!   content), or
//! - a number `n`, then `role`, `name`, `recipient`, `channel`, `content_type` (each a string or
//!   `null`, the role a string) and `n` strings: a message whose content is `n` text items.
//!
//! The column form only ever describes what the caller's JSON would: the TS side uses it for
//! plain data of exactly that shape. It reports no errors of its own: when reading or rendering
//! it fails, the TS side renders the JSON form, whose errors (serde's messages, with positions)
//! are the contract.

use std::ptr;

use harmony_core::{Author, Content, Conversation, Message, Result, Role, TextContent};
use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue, ValueType};
use napi::{check_status, sys};

use crate::error::invalid_argument;
use crate::text::{type_of, Utf8Text};

/// A conversation argument.
pub enum ConversationArg {
    /// `{"messages": [...]}` JSON text.
    Json(String),
    /// The column form, read.
    Columns(Vec<Column>),
}

/// One message of the column form.
pub enum Column {
    /// The message's JSON text.
    Json(String),
    /// A message read field by field.
    Message(Message),
}

impl ConversationArg {
    /// The messages (parsing whatever JSON the argument holds).
    pub fn into_messages(self) -> Result<Vec<Message>> {
        match self {
            ConversationArg::Json(json) => Conversation::from_json_str(&json).map(|c| c.messages),
            ConversationArg::Columns(columns) => columns
                .into_iter()
                .map(|column| match column {
                    Column::Json(json) => Message::from_json_str(&json),
                    Column::Message(message) => Ok(message),
                })
                .collect(),
        }
    }
}

impl TypeName for ConversationArg {
    fn type_name() -> &'static str {
        "string | Array"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ValidateNapiValue for ConversationArg {}

impl FromNapiValue for ConversationArg {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY (whole body): plain Node-API calls on the current env with handles of this call.
        if unsafe { type_of(env, value)? } == sys::ValueType::napi_string {
            return Ok(ConversationArg::Json(unsafe { Utf8Text::from_napi_value(env, value)? }.into()));
        }
        let mut len = 0u32;
        check_status!(unsafe { sys::napi_get_array_length(env, value, &mut len) })?;
        let mut slots = Slots { env, array: value, next: 0, len };
        let mut columns = Vec::new();
        while slots.next < len {
            let head = slots.next()?;
            // SAFETY: `head` is a value of this call's scope.
            columns.push(match unsafe { type_of(env, head)? } {
                sys::ValueType::napi_string => Column::Json(unsafe { Utf8Text::from_napi_value(env, head)? }.into()),
                sys::ValueType::napi_number => {
                    Column::Message(slots.message(unsafe { u32::from_napi_value(env, head)? })?)
                }
                _ => return Err(not_columns()),
            });
        }
        Ok(ConversationArg::Columns(columns))
    }
}

/// The slots of the column array, read in order.
struct Slots {
    env: sys::napi_env,
    array: sys::napi_value,
    next: u32,
    len: u32,
}

impl Slots {
    fn next(&mut self) -> napi::Result<sys::napi_value> {
        if self.next >= self.len {
            return Err(not_columns());
        }
        let mut value = ptr::null_mut();
        // SAFETY: `array` is the argument array of this call; the index is within its length.
        check_status!(unsafe { sys::napi_get_element(self.env, self.array, self.next, &mut value) })?;
        self.next += 1;
        Ok(value)
    }

    fn string(&mut self) -> napi::Result<String> {
        let value = self.next()?;
        // SAFETY: a value of this call's scope; a non-string fails.
        Ok(unsafe { Utf8Text::from_napi_value(self.env, value)? }.into())
    }

    fn optional_string(&mut self) -> napi::Result<Option<String>> {
        let value = self.next()?;
        // SAFETY: a value of this call's scope.
        match unsafe { type_of(self.env, value)? } {
            sys::ValueType::napi_null => Ok(None),
            // SAFETY: as above, and a string.
            sys::ValueType::napi_string => Ok(Some(unsafe { Utf8Text::from_napi_value(self.env, value)? }.into())),
            _ => Err(not_columns()),
        }
    }

    /// A message of `texts` text items (the slots after its count).
    fn message(&mut self, texts: u32) -> napi::Result<Message> {
        let role = Role::from_wire(&self.string()?).ok_or_else(not_columns)?;
        let name = self.optional_string()?;
        let recipient = self.optional_string()?;
        let channel = self.optional_string()?;
        let content_type = self.optional_string()?;
        let content = (0..texts)
            .map(|_| self.string().map(|text| Content::Text(TextContent { text })))
            .collect::<napi::Result<Vec<_>>>()?;
        Ok(Message { author: Author { role, name }, recipient, content, channel, content_type })
    }
}

/// The column array is malformed (a bug of the TS side, which then renders the JSON form).
fn not_columns() -> napi::Error {
    let err = invalid_argument("malformed conversation columns", "conversation");
    napi::Error::new(napi::Status::InvalidArg, err.message)
}
