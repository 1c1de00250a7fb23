//! The one conversion of a core [`HarmonyError`] into a JS-facing napi error, and the guard that
//! turns a Rust panic into an `ERR_HARMONY_INTERNAL` error instead of a crashed process.
//!
//! The JS error's `code` is the stable `ERR_HARMONY_*` string (a custom napi status) and its
//! message ("reason") is compact JSON `{"code","message","context"}`: only the TS choke point
//! (`fromNativeError`) decodes it. Async tasks reject through napi's fixed `Status` type, so the
//! code travels inside the JSON as well; the TS side reads it from there in both cases.
//! Nothing here runs on the success path.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use harmony_core::{ErrorCode, HarmonyError};
use napi_derive::napi;

/// The stable `code` of every `HarmonyError` (the TS layer's `ErrorCode` is generated from this).
#[napi(string_enum)]
pub enum HarmonyErrorCode {
    /// Wrong argument types or shapes.
    #[napi(value = "ERR_HARMONY_INVALID_ARGUMENT")]
    InvalidArgument,
    /// A negative, fractional or out-of-vocabulary token id.
    #[napi(value = "ERR_HARMONY_INVALID_TOKEN")]
    InvalidToken,
    /// `encode` met the text of a special token that is not allowed.
    #[napi(value = "ERR_HARMONY_DISALLOWED_SPECIAL")]
    DisallowedSpecial,
    /// Bytes that are not valid UTF-8 where text was required.
    #[napi(value = "ERR_HARMONY_UTF8")]
    Utf8,
    /// A message the format cannot express.
    #[napi(value = "ERR_HARMONY_RENDER")]
    Render,
    /// Tokens that do not follow the format.
    #[napi(value = "ERR_HARMONY_PARSE")]
    Parse,
    /// A bug: a caught panic or a broken invariant.
    #[napi(value = "ERR_HARMONY_INTERNAL")]
    Internal,
}

impl From<ErrorCode> for HarmonyErrorCode {
    fn from(code: ErrorCode) -> Self {
        match code {
            ErrorCode::InvalidArgument => Self::InvalidArgument,
            ErrorCode::InvalidToken => Self::InvalidToken,
            ErrorCode::DisallowedSpecial => Self::DisallowedSpecial,
            ErrorCode::Utf8 => Self::Utf8,
            ErrorCode::Render => Self::Render,
            ErrorCode::Parse => Self::Parse,
            ErrorCode::Internal => Self::Internal,
        }
    }
}

/// Custom napi status: the `ERR_HARMONY_*` code, which napi sets as the JS error's `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HarmonyStatus(&'static str);

impl AsRef<str> for HarmonyStatus {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// Result of a binding function: a JS error with `code` = `ERR_HARMONY_*` on failure.
pub type BindingResult<T> = std::result::Result<T, napi::Error<HarmonyStatus>>;

/// The compact JSON reason `{"code","message","context":{"tokenIndex","messageIndex","field"}}`.
pub fn reason_json(err: &HarmonyError) -> String {
    let ctx = &err.context;
    serde_json::json!({
        "code": err.code.as_str(),
        "message": err.message,
        "context": {
            "tokenIndex": ctx.token_index,
            "messageIndex": ctx.message_index,
            "field": ctx.field.as_deref(),
        },
    })
    .to_string()
}

/// The error thrown by synchronous binding calls.
pub fn to_js_error(err: HarmonyError) -> napi::Error<HarmonyStatus> {
    napi::Error::new(HarmonyStatus(err.code.as_str()), reason_json(&err))
}

/// The error an async task rejects with (napi's `Task` trait fixes the status type).
pub fn to_task_error(err: HarmonyError) -> napi::Error {
    napi::Error::new(napi::Status::GenericFailure, reason_json(&err))
}

/// A caught panic as an internal error (always a bug in the library).
fn panic_error(payload: Box<dyn Any + Send>) -> HarmonyError {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_owned());
    HarmonyError::new(ErrorCode::Internal, format!("internal error (panic in native code): {what}"))
}

/// Runs `f`, turning a panic into an [`ErrorCode::Internal`] error. Every binding entry point
/// goes through this (or [`guard_js`]) so that no panic unwinds into Node.
pub fn guard<T>(f: impl FnOnce() -> harmony_core::Result<T>) -> harmony_core::Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(panic_error(payload)))
}

/// [`guard`] plus the conversion to the thrown JS error.
pub fn guard_js<T>(f: impl FnOnce() -> harmony_core::Result<T>) -> BindingResult<T> {
    guard(f).map_err(to_js_error)
}

/// An `ERR_HARMONY_INVALID_ARGUMENT` error naming the offending argument.
pub fn invalid_argument(message: impl Into<String>, field: &'static str) -> HarmonyError {
    HarmonyError::invalid_argument(message).in_field(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_is_compact_json_with_code_and_context() {
        let err = HarmonyError::parse("bad header").at_token(3).in_field("header");
        let v: serde_json::Value = serde_json::from_str(&reason_json(&err)).unwrap();
        assert_eq!(v["code"], "ERR_HARMONY_PARSE");
        assert_eq!(v["message"], "bad header");
        assert_eq!(v["context"]["tokenIndex"], 3);
        assert!(v["context"]["messageIndex"].is_null());
        assert_eq!(v["context"]["field"], "header");
        assert!(!reason_json(&err).contains('\n'));
    }

    #[test]
    fn sync_error_carries_the_code_as_status() {
        let err = to_js_error(HarmonyError::render("nope"));
        assert_eq!(err.status.as_ref(), "ERR_HARMONY_RENDER");
    }

    #[test]
    fn panics_become_internal_errors() {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r: harmony_core::Result<()> = guard(|| panic!("boom {}", 1));
        let s: harmony_core::Result<()> = guard(|| std::panic::panic_any("static"));
        std::panic::set_hook(prev);
        let e = r.unwrap_err();
        assert_eq!(e.code, ErrorCode::Internal);
        assert!(e.message.contains("boom 1"), "{}", e.message);
        assert!(s.unwrap_err().message.contains("static"));
    }
}
