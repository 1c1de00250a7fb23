//! `BindingEncoding`: the encoding as a JS class. Text and JSON documents in, `Uint32Array` out.
//! Conversions only; the TS wrapper (`src-ts/encoding.ts`) normalises arguments and options.
//!
//! Performance notes (the return path of short encodes):
//! - Creating a `Uint32Array` per call costs more than encoding ~90 bytes of text, so the TS
//!   wrapper keeps one scratch `Uint32Array` and calls [`BindingEncoding::encode_into`], which
//!   writes into the caller's memory (`&mut [u32]`, no copy in) and returns only the count; JS
//!   then copies out the used part with `slice`. Large results take [`BindingEncoding::encode`].
//! - Results are returned by copying into a fresh JS-owned `ArrayBuffer` when small (one
//!   `memcpy`, cheaper than registering a finaliser) and as an external buffer over the Rust
//!   `Vec` when large (no copy at all). See [`tokens_to_js`].
//! - Token inputs are borrowed `&[u32]` views of the caller's `Uint32Array`: no copy in.

use std::cell::RefCell;
use std::ffi::c_void;
use std::ptr;

use harmony_core::{load_harmony_encoding, HarmonyEncoding, HarmonyEncodingName, SpecialTokenSet};
use napi::bindgen_prelude::{
    AsyncTask, Env, FromNapiValue, JsValue, TypeName, Uint32ArraySlice, Uint8ArraySlice, ValidateNapiValue, ValueType,
};
use napi::JsString;
use napi::Result;
use napi::{check_status, sys};
use napi_derive::napi;

use crate::columns::ConversationArg;
use crate::error::{guard_js, invalid_argument, HarmonyStatus};
use crate::js_memory::publish_write;
use crate::tasks::{self, optional_role, parse_role, EncodeTask, ParseTask, RenderJob, RenderKind, RenderTask};
use crate::text::{type_of, Utf8Text};

/// Results shorter than this are copied into a JS-allocated buffer; longer ones are handed over
/// as external memory (no copy). Measured crossover is in the low thousands of elements.
const EXTERNAL_THRESHOLD: usize = 4096;

/// Converts a token vector into a JS `Uint32Array` (copy when small, zero-copy when large).
pub fn tokens_to_js(env: &Env, tokens: Vec<u32>) -> napi::Result<Uint32ArraySlice<'_>> {
    if tokens.len() < EXTERNAL_THRESHOLD {
        copy_tokens_to_js(env, &tokens)
    } else {
        Uint32ArraySlice::from_data(env, tokens)
    }
}

/// A new JS-owned `Uint32Array` holding a copy of `tokens`: one `ArrayBuffer` allocation and one
/// `memcpy`. (napi 3.12's `Uint32ArraySlice::copy_from` sizes the buffer in elements instead of
/// bytes and does not copy, so it is not used.)
fn copy_tokens_to_js<'env>(env: &'env Env, tokens: &[u32]) -> napi::Result<Uint32ArraySlice<'env>> {
    let raw_env = env.raw();
    let bytes = std::mem::size_of_val(tokens);
    let mut data: *mut c_void = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    // SAFETY: plain Node-API calls on the current env; `data` is the new buffer's `bytes`-long
    // backing store, written once below before any JS can see it.
    let status = unsafe { sys::napi_create_arraybuffer(raw_env, bytes, &mut data, &mut buffer) };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::new(napi::Status::from(status), "cannot create an ArrayBuffer"));
    }
    if bytes > 0 {
        // SAFETY: `data` points to `bytes` writable bytes (just allocated) that do not overlap `tokens`.
        unsafe { ptr::copy_nonoverlapping(tokens.as_ptr().cast::<u8>(), data.cast::<u8>(), bytes) };
    }
    publish_write(raw_env, buffer, 0, bytes)?;
    let mut array = ptr::null_mut();
    // SAFETY: `buffer` is the ArrayBuffer created above, exactly `tokens.len()` u32s long.
    let status = unsafe {
        sys::napi_create_typedarray(raw_env, sys::TypedarrayType::uint32_array, tokens.len(), buffer, 0, &mut array)
    };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::new(napi::Status::from(status), "cannot create a Uint32Array"));
    }
    // SAFETY: `array` is a valid Uint32Array of this env.
    unsafe { Uint32ArraySlice::from_napi_value(raw_env, array) }
}

/// The Harmony encoding (`HarmonyGptOss`): tokenizer, renderer and parser entry points.
#[napi]
pub struct BindingEncoding {
    pub(crate) enc: HarmonyEncoding,
}

#[napi]
impl BindingEncoding {
    /// Loads an encoding by name (`"HarmonyGptOss"`). Offline: the vocabulary is embedded.
    #[napi(factory)]
    pub fn load(name: String) -> Result<Self, HarmonyStatus> {
        guard_js(|| {
            let name: HarmonyEncodingName = name.parse()?;
            Ok(Self { enc: load_harmony_encoding(name)? })
        })
    }

    /// The encoding's name.
    #[napi]
    pub fn name(&self) -> String {
        self.enc.name().to_owned()
    }

    /// The tokenizer's name (`o200k_harmony`).
    #[napi]
    pub fn tokenizer_name(&self) -> String {
        self.enc.tokenizer_name().to_owned()
    }

    /// The largest message the model accepts, in tokens.
    #[napi]
    pub fn max_message_tokens(&self) -> Result<u32, HarmonyStatus> {
        guard_js(|| tasks::to_u32(self.enc.max_message_tokens(), "maxMessageTokens"))
    }

    /// Encodes `text` (tiktoken semantics: see [`SpecialTokens`]).
    #[napi]
    pub fn encode<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] text: Utf8Text,
        #[napi(ts_arg_type = "'all' | readonly string[] | null | undefined")] allowed_special: SpecialTokens,
        #[napi(ts_arg_type = "'all' | readonly string[] | null | undefined")] disallowed_special: SpecialTokens,
    ) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        let (allowed, disallowed) = special_sets(allowed_special, disallowed_special);
        let tokens = guard_js(|| tasks::encode(&self.enc, &text, &allowed, &disallowed))?;
        tokens_to_js(env, tokens).map_err(internal)
    }

    /// Encodes `text` into the start of `out` and returns the number of tokens written. Fails
    /// with `ERR_HARMONY_INVALID_ARGUMENT` (and leaves `out` untouched) when `out` is too short;
    /// `text.length * 3` elements always suffice.
    #[napi]
    pub fn encode_into(
        &self,
        #[napi(ts_arg_type = "string")] text: Utf8Text,
        mut out: Uint32ArraySlice<'_>,
        #[napi(ts_arg_type = "'all' | readonly string[] | null | undefined")] allowed_special: SpecialTokens,
        #[napi(ts_arg_type = "'all' | readonly string[] | null | undefined")] disallowed_special: SpecialTokens,
    ) -> Result<u32, HarmonyStatus> {
        let (allowed, disallowed) = special_sets(allowed_special, disallowed_special);
        // SAFETY: `out` views the caller's `Uint32Array`. JS is blocked for the duration of this
        // synchronous call and no other Rust reference to that memory exists, so the mutable
        // slice is unique while it lives (it does not escape this function).
        let dst = unsafe { out.as_mut() };
        let count = guard_js(|| {
            with_token_buffer(|tokens| {
                self.enc.tokenizer().encode_checked_into(&text, &allowed, &disallowed, tokens)?;
                copy_into(tokens, dst)
            })
        })?;
        let js = out.value();
        let written = count as usize * std::mem::size_of::<u32>();
        publish_write(js.env, js.value, 0, written).map_err(internal)?;
        Ok(count)
    }

    /// Number of tokens of `text` encoded as ordinary text, without materialising them.
    #[napi]
    pub fn count_tokens(&self, #[napi(ts_arg_type = "string")] text: Utf8Text) -> Result<u32, HarmonyStatus> {
        guard_js(|| tasks::to_u32(self.enc.tokenizer().count_ordinary(&text), "count"))
    }

    /// Empties the calling thread's merge caches (see `Tokenizer::clear_thread_caches`).
    #[napi]
    pub fn clear_merge_caches(&self) {
        self.enc.tokenizer().clear_thread_caches();
    }

    /// `encode` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Uint32Array>")]
    pub fn encode_async(
        &self,
        #[napi(ts_arg_type = "string")] text: Utf8Text,
        #[napi(ts_arg_type = "'all' | readonly string[] | null | undefined")] allowed_special: SpecialTokens,
        #[napi(ts_arg_type = "'all' | readonly string[] | null | undefined")] disallowed_special: SpecialTokens,
    ) -> AsyncTask<EncodeTask> {
        let (allowed, disallowed) = special_sets(allowed_special, disallowed_special);
        tasks::spawn(EncodeTask { enc: self.enc, text: text.into(), allowed, disallowed })
    }

    /// Lossy decode: invalid UTF-8 becomes U+FFFD. Fails only on unknown ids.
    #[napi(ts_return_type = "string")]
    pub fn decode<'env>(&self, env: &'env Env, tokens: &[u32]) -> Result<JsString<'env>, HarmonyStatus> {
        let text = guard_js(|| self.enc.tokenizer().decode_lossy(tokens))?;
        js_string(env, &text).map_err(internal)
    }

    /// Strict UTF-8 decode.
    #[napi(ts_return_type = "string")]
    pub fn decode_utf8<'env>(&self, env: &'env Env, tokens: &[u32]) -> Result<JsString<'env>, HarmonyStatus> {
        let text = guard_js(|| self.enc.tokenizer().decode_utf8(tokens))?;
        js_string(env, &text).map_err(internal)
    }

    /// The raw bytes of `tokens`.
    #[napi]
    pub fn decode_bytes<'env>(&self, env: &'env Env, tokens: &[u32]) -> Result<Uint8ArraySlice<'env>, HarmonyStatus> {
        let bytes = guard_js(|| self.enc.tokenizer().decode_bytes(tokens))?;
        Uint8ArraySlice::from_data(env, bytes).map_err(internal)
    }

    /// Whether `token` is a special token.
    #[napi]
    pub fn is_special_token(&self, token: u32) -> bool {
        self.enc.tokenizer().is_special_token(token)
    }

    /// The texts of all special tokens, by ascending id.
    #[napi]
    pub fn special_tokens(&self) -> Vec<String> {
        let mut all: Vec<(&str, u32)> = self.enc.tokenizer().special_tokens().collect();
        all.sort_by_key(|&(_, id)| id);
        all.into_iter().map(|(text, _)| text.to_owned()).collect()
    }

    /// The id of a special token's text, or `null`.
    #[napi]
    pub fn special_token_id(&self, text: String) -> Option<u32> {
        self.enc.tokenizer().special_token_id(&text)
    }

    /// `<|return|>`, `<|end|>`, `<|call|>`.
    #[napi]
    pub fn stop_tokens(&self) -> Vec<u32> {
        self.enc.stop_tokens().to_vec()
    }

    /// `<|return|>`, `<|call|>`.
    #[napi]
    pub fn stop_tokens_for_assistant_actions(&self) -> Vec<u32> {
        self.enc.stop_tokens_for_assistant_actions().to_vec()
    }

    /// Renders a conversation (JSON text or columns, see [`ConversationArg`]).
    #[napi]
    pub fn render_conversation<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string | unknown[]")] conversation: ConversationArg,
        auto_drop_analysis: bool,
    ) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        let job = RenderJob { conversation, kind: RenderKind::Conversation, auto_drop_analysis };
        self.render_sync(env, job)
    }

    /// Renders a conversation followed by `<|start|>{nextTurnRole}`.
    #[napi]
    pub fn render_conversation_for_completion<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string | unknown[]")] conversation: ConversationArg,
        next_turn_role: String,
        auto_drop_analysis: bool,
    ) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        let role = guard_js(|| parse_role(&next_turn_role))?;
        let job = RenderJob { conversation, kind: RenderKind::Completion(role), auto_drop_analysis };
        self.render_sync(env, job)
    }

    /// Renders a conversation for training (final `<|end|>` of an assistant `final` → `<|return|>`).
    #[napi]
    pub fn render_conversation_for_training<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string | unknown[]")] conversation: ConversationArg,
        auto_drop_analysis: bool,
    ) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        let job = RenderJob { conversation, kind: RenderKind::Training, auto_drop_analysis };
        self.render_sync(env, job)
    }

    /// Renders one message (JSON).
    #[napi]
    pub fn render<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] message_json: Utf8Text,
        conversation_has_function_tools: bool,
    ) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        let tokens = guard_js(|| tasks::render_message(&self.enc, &message_json, conversation_has_function_tools))?;
        tokens_to_js(env, tokens).map_err(internal)
    }

    /// `renderConversation` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Uint32Array>")]
    pub fn render_conversation_async(
        &self,
        #[napi(ts_arg_type = "string | unknown[]")] conversation: ConversationArg,
        auto_drop_analysis: bool,
    ) -> AsyncTask<RenderTask> {
        let job = RenderJob { conversation, kind: RenderKind::Conversation, auto_drop_analysis };
        tasks::spawn(RenderTask { enc: self.enc, job: Some(job) })
    }

    /// `renderConversationForCompletion` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Uint32Array>")]
    pub fn render_conversation_for_completion_async(
        &self,
        #[napi(ts_arg_type = "string | unknown[]")] conversation: ConversationArg,
        next_turn_role: String,
        auto_drop_analysis: bool,
    ) -> Result<AsyncTask<RenderTask>, HarmonyStatus> {
        let role = guard_js(|| parse_role(&next_turn_role))?;
        let job = RenderJob { conversation, kind: RenderKind::Completion(role), auto_drop_analysis };
        Ok(tasks::spawn(RenderTask { enc: self.enc, job: Some(job) }))
    }

    /// `renderConversationForTraining` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Uint32Array>")]
    pub fn render_conversation_for_training_async(
        &self,
        #[napi(ts_arg_type = "string | unknown[]")] conversation: ConversationArg,
        auto_drop_analysis: bool,
    ) -> AsyncTask<RenderTask> {
        let job = RenderJob { conversation, kind: RenderKind::Training, auto_drop_analysis };
        tasks::spawn(RenderTask { enc: self.enc, job: Some(job) })
    }

    /// Parses completion tokens; returns the messages as a JSON array (Rust serde shape).
    #[napi(ts_return_type = "string")]
    pub fn parse_messages_from_completion_tokens<'env>(
        &self,
        env: &'env Env,
        tokens: &[u32],
        role: Option<String>,
        strict: bool,
    ) -> Result<JsString<'env>, HarmonyStatus> {
        let json = guard_js(|| {
            let role = optional_role(role.as_deref())?;
            tasks::parse_messages(&self.enc, tokens, role, strict)
        })?;
        js_string(env, &json).map_err(internal)
    }

    /// `parseMessagesFromCompletionTokens` on the libuv thread pool (the tokens are copied once).
    #[napi(ts_return_type = "Promise<string>")]
    pub fn parse_messages_from_completion_tokens_async(
        &self,
        tokens: &[u32],
        role: Option<String>,
        strict: bool,
    ) -> Result<AsyncTask<ParseTask>, HarmonyStatus> {
        let role = guard_js(|| optional_role(role.as_deref()))?;
        Ok(tasks::spawn(ParseTask { enc: self.enc, tokens: tokens.to_vec(), role, strict }))
    }
}

impl BindingEncoding {
    fn render_sync<'env>(&self, env: &'env Env, job: RenderJob) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        let tokens = guard_js(|| job.run(&self.enc))?;
        tokens_to_js(env, tokens).map_err(internal)
    }
}

/// A special-token set argument of the encode calls, as in tiktoken: `'all'`, the texts of
/// special tokens, or `null`/`undefined` for the default (which depends on the argument).
///
/// Read with a few Node-API calls: an options object of two `Either<'all', string[]>` fields
/// (napi-rs's conversion) cost ~700 ns per call when measured, more than encoding a short text,
/// because each field is looked up by name and the rejected variant formats an error.
pub struct SpecialTokens(Option<SpecialTokenSet>);

impl SpecialTokens {
    fn or(self, default: SpecialTokenSet) -> SpecialTokenSet {
        self.0.unwrap_or(default)
    }
}

impl TypeName for SpecialTokens {
    fn type_name() -> &'static str {
        "'all' | string[] | null"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ValidateNapiValue for SpecialTokens {}

impl FromNapiValue for SpecialTokens {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        let not_special_tokens =
            || napi::Error::new(napi::Status::InvalidArg, "expected 'all' or a list of special-token texts");
        // SAFETY (whole body): plain Node-API calls on the current env with handles of this call.
        match unsafe { type_of(env, value)? } {
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => Ok(SpecialTokens(None)),
            sys::ValueType::napi_string if &*unsafe { Utf8Text::from_napi_value(env, value)? } == "all" => {
                Ok(SpecialTokens(Some(SpecialTokenSet::All)))
            }
            sys::ValueType::napi_object => {
                let mut is_array = false;
                check_status!(unsafe { sys::napi_is_array(env, value, &mut is_array) })?;
                if !is_array {
                    return Err(not_special_tokens());
                }
                let mut len = 0u32;
                check_status!(unsafe { sys::napi_get_array_length(env, value, &mut len) })?;
                let mut texts = Vec::with_capacity(len as usize);
                for i in 0..len {
                    let mut item = ptr::null_mut();
                    check_status!(unsafe { sys::napi_get_element(env, value, i, &mut item) })?;
                    texts.push(unsafe { Utf8Text::from_napi_value(env, item)? }.into());
                }
                Ok(SpecialTokens(Some(SpecialTokenSet::Listed(texts))))
            }
            _ => Err(not_special_tokens()),
        }
    }
}

/// The two special-token sets: nothing allowed, and every special token not allowed
/// disallowed, unless given.
fn special_sets(allowed: SpecialTokens, disallowed: SpecialTokens) -> (SpecialTokenSet, SpecialTokenSet) {
    (allowed.or(SpecialTokenSet::Listed(Vec::new())), disallowed.or(SpecialTokenSet::All))
}

thread_local! {
    /// The tokens of this thread's synchronous `encodeInto` calls, copied out before the call
    /// returns: one buffer reused instead of a vector allocated and freed per call.
    static TOKENS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// [`TOKENS`] keeps at most this capacity between calls (256 KiB); a larger one is released.
const KEPT_TOKEN_CAPACITY: usize = 1 << 16;

/// Runs `f` with this thread's empty token buffer.
fn with_token_buffer<T>(f: impl FnOnce(&mut Vec<u32>) -> T) -> T {
    TOKENS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut tokens) => {
            tokens.clear();
            let result = f(&mut tokens);
            if tokens.capacity() > KEPT_TOKEN_CAPACITY {
                *tokens = Vec::new();
            }
            result
        }
        // Only a nested call could hold it; it gets a buffer of its own.
        Err(_) => f(&mut Vec::new()),
    })
}

/// Copies `tokens` into the start of `out`; an invalid argument if they do not fit.
fn copy_into(tokens: &[u32], out: &mut [u32]) -> harmony_core::Result<u32> {
    let n = tokens.len();
    let Some(dst) = out.get_mut(..n) else {
        return Err(invalid_argument(
            format!("output buffer too small: {n} tokens needed, {} available", out.len()),
            "out",
        ));
    };
    dst.copy_from_slice(tokens);
    tasks::to_u32(n, "count")
}

/// A JS string of `text`. V8's UTF-8 decoder is slow on text that is not ASCII (about 4 ms per
/// MB of Cyrillic or CJK in Node 20), so such text goes in as UTF-16 transcoded here (about half
/// the time); ASCII is faster as UTF-8 (and than as Latin-1). Either way gives the same string,
/// so the choice only looks at the start of the text: scanning all of it cost more than it saved.
pub fn js_string<'env>(env: &'env Env, text: &str) -> Result<JsString<'env>> {
    if text.as_bytes()[..text.len().min(4096)].is_ascii() {
        env.create_string(text)
    } else {
        let units: Vec<u16> = text.encode_utf16().collect();
        env.create_string_utf16(&units)
    }
}

/// A napi failure while building a JS value (out of memory, env shutting down) as an internal
/// error with the usual JSON reason.
fn internal(err: napi::Error) -> napi::Error<crate::error::HarmonyStatus> {
    crate::error::to_js_error(harmony_core::HarmonyError::new(
        harmony_core::ErrorCode::Internal,
        format!("internal error (napi): {}", err.reason),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_into_checks_the_room() {
        let mut out = [0u32; 3];
        assert_eq!(copy_into(&[1, 2], &mut out).unwrap(), 2);
        assert_eq!(out, [1, 2, 0]);
        let err = copy_into(&[1, 2, 3, 4], &mut out).unwrap_err();
        assert_eq!(err.code, harmony_core::ErrorCode::InvalidArgument);
        assert_eq!(out, [1, 2, 0], "untouched on failure");
        assert_eq!(copy_into(&[], &mut out).unwrap(), 0);
    }

    #[test]
    fn special_sets_default_to_nothing_allowed_everything_disallowed() {
        let (a, d) = special_sets(SpecialTokens(None), SpecialTokens(None));
        assert_eq!(a, SpecialTokenSet::Listed(vec![]));
        assert_eq!(d, SpecialTokenSet::All);
        let (a, d) = special_sets(
            SpecialTokens(Some(SpecialTokenSet::All)),
            SpecialTokens(Some(SpecialTokenSet::Listed(vec![]))),
        );
        assert_eq!(a, SpecialTokenSet::All);
        assert_eq!(d, SpecialTokenSet::Listed(vec![]));
    }
}
