//! `Utf8Text`: a JS string argument read as UTF-8 in one pass.
//!
//! napi-rs reads a `String` argument with two calls of `napi_get_value_string_utf8`: one to learn
//! the UTF-8 length (V8 walks the whole string), one to copy. The UTF-16 length is known without a
//! walk and bounds the UTF-8 length (at most 3 bytes per UTF-16 unit; a surrogate pair is 4 bytes
//! for 2 units), so one buffer of that bound and one copying call suffice. On ~1 MB of CJK text
//! the walk is about 4% of an `encode` call.

use std::ops::Deref;
use std::ptr;

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue, ValueType};
use napi::{check_status, sys};

/// Strings up to this many UTF-16 units get a buffer of the 3-bytes-per-unit bound (at most
/// 12 MiB); longer ones are measured first, so a 500 MB string does not ask for 1.5 GB.
#[cfg(not(target_family = "wasm"))]
const ONE_PASS_UNITS: usize = 1 << 22;

/// A JS string as an owned Rust `String` (lone surrogates become U+FFFD, as napi-rs's `String`).
pub struct Utf8Text(String);

impl Deref for Utf8Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<Utf8Text> for String {
    fn from(text: Utf8Text) -> String {
        text.0
    }
}

impl TypeName for Utf8Text {
    fn type_name() -> &'static str {
        "String"
    }

    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ValidateNapiValue for Utf8Text {}

impl FromNapiValue for Utf8Text {
    #[cfg(not(target_family = "wasm"))]
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        let mut units = 0usize;
        // SAFETY: a null buffer asks only for the length in UTF-16 units (fails on a non-string).
        check_status!(unsafe { sys::napi_get_value_string_utf16(env, value, ptr::null_mut(), 0, &mut units) })?;
        let capacity = if units <= ONE_PASS_UNITS {
            units * 3 + 1
        } else {
            // A huge string: the exact length (one more walk) rather than a buffer of up to 3×.
            let mut bytes = 0usize;
            // SAFETY: a null buffer asks only for the UTF-8 length.
            check_status!(unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut bytes) })?;
            bytes + 1
        };
        let mut bytes = Vec::<u8>::with_capacity(capacity);
        let mut written = 0usize;
        // SAFETY: `bytes` has room for `capacity` bytes; Node writes at most `capacity - 1` bytes
        // of UTF-8 plus a terminating NUL and reports the count without the NUL. Either bound
        // above fits the whole string, so nothing is cut.
        check_status!(unsafe {
            sys::napi_get_value_string_utf8(env, value, bytes.as_mut_ptr().cast(), capacity, &mut written)
        })?;
        // SAFETY: Node wrote `written <= capacity - 1` initialised bytes of UTF-8: it converts with
        // V8's REPLACE_INVALID_UTF8, so lone surrogates come out as U+FFFD (napi-rs's `String`
        // relies on the same contract).
        unsafe {
            bytes.set_len(written.min(capacity - 1));
            Ok(Utf8Text(String::from_utf8_unchecked(bytes)))
        }
    }

    /// Under emnapi (wasm32), `napi_get_value_string_utf8` pairs a lone surrogate with the unit
    /// after it instead of replacing it, so the UTF-16 units are read and converted here, with
    /// lone surrogates as U+FFFD like Node's conversion.
    #[cfg(target_family = "wasm")]
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        let mut len = 0usize;
        // SAFETY: a null buffer asks only for the length in UTF-16 units (fails on a non-string).
        check_status!(unsafe { sys::napi_get_value_string_utf16(env, value, ptr::null_mut(), 0, &mut len) })?;
        let mut units = vec![0u16; len + 1];
        let mut written = 0usize;
        // SAFETY: `units` has room for the string's `len` units plus the terminating NUL.
        check_status!(unsafe {
            sys::napi_get_value_string_utf16(env, value, units.as_mut_ptr(), len + 1, &mut written)
        })?;
        Ok(Utf8Text(String::from_utf16_lossy(&units[..written.min(len)])))
    }
}

/// The JS type of `value` (`napi_typeof`).
///
/// # Safety
/// `value` must be a live handle of `env`'s current scope.
pub unsafe fn type_of(env: sys::napi_env, value: sys::napi_value) -> napi::Result<sys::napi_valuetype> {
    let mut ty = 0;
    // SAFETY: see the function's contract.
    check_status!(unsafe { sys::napi_typeof(env, value, &mut ty) })?;
    Ok(ty)
}
