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
use napi::bindgen_prelude::{AsyncTask, Env, FromNapiValue, Uint32ArraySlice, Uint8ArraySlice};
use napi::JsString;
use napi::sys;
use napi::Result;
use napi_derive::napi;

use crate::text::Utf8Text;
use crate::error::{guard_js, invalid_argument, HarmonyStatus};
use crate::tasks::{
    self, optional_role, parse_role, special_set, EncodeTask, ParseTask, RenderJob, RenderKind,
    RenderTask,
};

/// Results shorter than this are copied into a JS-allocated buffer; longer ones are handed over
/// as external memory (no copy). Measured crossover is in the low thousands of elements.
const EXTERNAL_THRESHOLD: usize = 4096;

thread_local! {
    /// Reused output buffer of `encode_into`: short encodes allocate nothing.
    static SCRATCH: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

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
        return Err(napi::Error::new(
            napi::Status::from(status),
            "cannot create an ArrayBuffer",
        ));
    }
    if bytes > 0 {
        // SAFETY: `data` points to `bytes` writable bytes (just allocated) that do not overlap `tokens`.
        unsafe { ptr::copy_nonoverlapping(tokens.as_ptr().cast::<u8>(), data.cast::<u8>(), bytes) };
    }
    let mut array = ptr::null_mut();
    // SAFETY: `buffer` is the ArrayBuffer created above, exactly `tokens.len()` u32s long.
    let status = unsafe {
        sys::napi_create_typedarray(
            raw_env,
            sys::TypedarrayType::uint32_array,
            tokens.len(),
            buffer,
            0,
            &mut array,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::new(
            napi::Status::from(status),
            "cannot create a Uint32Array",
        ));
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
            Ok(Self {
                enc: load_harmony_encoding(name)?,
            })
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

    /// Encodes `text` (tiktoken semantics). `allowed`/`disallowed` list special-token texts;
    /// `flags` bit 0 = all special tokens allowed, bit 1 = every non-allowed one disallowed.
    #[napi]
    pub fn encode<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] text: Utf8Text,
        allowed: Option<Vec<String>>,
        disallowed: Option<Vec<String>>,
        flags: u32,
    ) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        let (allowed, disallowed) = special_sets(allowed, disallowed, flags);
        let tokens = guard_js(|| tasks::encode(&self.enc, &text, &allowed, &disallowed))?;
        tokens_to_js(env, tokens).map_err(internal)
    }

    /// Encodes `text` into `out` from element `offset` on and returns the number of tokens
    /// written. Fails with `ERR_HARMONY_INVALID_ARGUMENT` (and leaves `out` untouched) when the
    /// room after `offset` is too small.
    #[napi]
    pub fn encode_into(
        &self,
        #[napi(ts_arg_type = "string")] text: Utf8Text,
        mut out: Uint32ArraySlice<'_>,
        offset: u32,
        allowed: Option<Vec<String>>,
        disallowed: Option<Vec<String>>,
        flags: u32,
    ) -> Result<u32, HarmonyStatus> {
        let (allowed, disallowed) = special_sets(allowed, disallowed, flags);
        self.encode_with_sets_into(&text, &allowed, &disallowed, &mut out, offset)
    }

    /// `encode_into` with the default options (no special token allowed, all disallowed): the
    /// short-text fast path, with the fewest arguments to convert.
    #[napi]
    pub fn encode_default_into(
        &self,
        #[napi(ts_arg_type = "string")] text: Utf8Text,
        mut out: Uint32ArraySlice<'_>,
        offset: u32,
    ) -> Result<u32, HarmonyStatus> {
        let none = SpecialTokenSet::Listed(Vec::new());
        self.encode_with_sets_into(&text, &none, &SpecialTokenSet::All, &mut out, offset)
    }

    /// The body shared by the `encode…_into` calls (not exported).
    fn encode_with_sets_into(
        &self,
        text: &str,
        allowed: &SpecialTokenSet,
        disallowed: &SpecialTokenSet,
        out: &mut Uint32ArraySlice<'_>,
        offset: u32,
    ) -> Result<u32, HarmonyStatus> {
        // SAFETY: `out` views the caller's `Uint32Array`. JS is blocked for the duration of this
        // synchronous call and no other Rust reference to that memory exists, so the mutable
        // slice is unique while it lives (it does not escape this function).
        let out = unsafe { out.as_mut() };
        guard_js(|| {
            let tokens = tasks::encode(&self.enc, text, allowed, disallowed)?;
            copy_into(&tokens, out, offset)
        })
    }

    /// Encodes `text` as ordinary text (special-token text is not recognised) into `out`;
    /// returns the count. Same buffer contract as [`BindingEncoding::encode_into`].
    #[napi]
    pub fn encode_ordinary_into(
        &self,
        #[napi(ts_arg_type = "string")] text: Utf8Text,
        mut out: Uint32ArraySlice<'_>,
        offset: u32,
    ) -> Result<u32, HarmonyStatus> {
        // SAFETY: as in `encode_into`: a unique view of the caller's buffer for this call only.
        let out = unsafe { out.as_mut() };
        guard_js(|| {
            SCRATCH.with(|cell| {
                let mut scratch = cell.borrow_mut();
                scratch.clear();
                self.enc
                    .tokenizer()
                    .encode_ordinary_into(&text, &mut scratch);
                copy_into(&scratch, out, offset)
            })
        })
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
        allowed: Option<Vec<String>>,
        disallowed: Option<Vec<String>>,
        flags: u32,
    ) -> AsyncTask<EncodeTask> {
        let (allowed, disallowed) = special_sets(allowed, disallowed, flags);
        tasks::spawn(EncodeTask {
            enc: self.enc,
            text: text.into(),
            allowed,
            disallowed,
        })
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
    pub fn decode_bytes<'env>(
        &self,
        env: &'env Env,
        tokens: &[u32],
    ) -> Result<Uint8ArraySlice<'env>, HarmonyStatus> {
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

    /// Renders a conversation (`{"messages": [...]}` JSON).
    #[napi]
    pub fn render_conversation<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] conversation_json: Utf8Text,
        auto_drop_analysis: bool,
    ) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        let job = RenderJob {
            json: conversation_json.into(),
            kind: RenderKind::Conversation,
            auto_drop_analysis,
        };
        self.render_sync(env, &job)
    }

    /// Renders a conversation followed by `<|start|>{nextTurnRole}`.
    #[napi]
    pub fn render_conversation_for_completion<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] conversation_json: Utf8Text,
        next_turn_role: String,
        auto_drop_analysis: bool,
    ) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        let role = guard_js(|| parse_role(&next_turn_role))?;
        let job = RenderJob {
            json: conversation_json.into(),
            kind: RenderKind::Completion(role),
            auto_drop_analysis,
        };
        self.render_sync(env, &job)
    }

    /// Renders a conversation for training (final `<|end|>` of an assistant `final` → `<|return|>`).
    #[napi]
    pub fn render_conversation_for_training<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] conversation_json: Utf8Text,
        auto_drop_analysis: bool,
    ) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        let job = RenderJob {
            json: conversation_json.into(),
            kind: RenderKind::Training,
            auto_drop_analysis,
        };
        self.render_sync(env, &job)
    }

    /// Renders one message (JSON).
    #[napi]
    pub fn render<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] message_json: Utf8Text,
        conversation_has_function_tools: bool,
    ) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        let kind = RenderKind::Message {
            has_function_tools: conversation_has_function_tools,
        };
        let job = RenderJob {
            json: message_json.into(),
            kind,
            auto_drop_analysis: false,
        };
        self.render_sync(env, &job)
    }

    /// `renderConversation` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Uint32Array>")]
    pub fn render_conversation_async(
        &self,
        #[napi(ts_arg_type = "string")] conversation_json: Utf8Text,
        auto_drop_analysis: bool,
    ) -> AsyncTask<RenderTask> {
        let job = RenderJob {
            json: conversation_json.into(),
            kind: RenderKind::Conversation,
            auto_drop_analysis,
        };
        tasks::spawn(RenderTask { enc: self.enc, job })
    }

    /// `renderConversationForCompletion` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Uint32Array>")]
    pub fn render_conversation_for_completion_async(
        &self,
        #[napi(ts_arg_type = "string")] conversation_json: Utf8Text,
        next_turn_role: String,
        auto_drop_analysis: bool,
    ) -> Result<AsyncTask<RenderTask>, HarmonyStatus> {
        let role = guard_js(|| parse_role(&next_turn_role))?;
        let job = RenderJob {
            json: conversation_json.into(),
            kind: RenderKind::Completion(role),
            auto_drop_analysis,
        };
        Ok(tasks::spawn(RenderTask { enc: self.enc, job }))
    }

    /// `renderConversationForTraining` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Uint32Array>")]
    pub fn render_conversation_for_training_async(
        &self,
        #[napi(ts_arg_type = "string")] conversation_json: Utf8Text,
        auto_drop_analysis: bool,
    ) -> AsyncTask<RenderTask> {
        let job = RenderJob {
            json: conversation_json.into(),
            kind: RenderKind::Training,
            auto_drop_analysis,
        };
        tasks::spawn(RenderTask { enc: self.enc, job })
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
        Ok(tasks::spawn(ParseTask {
            enc: self.enc,
            tokens: tokens.to_vec(),
            role,
            strict,
        }))
    }
}

impl BindingEncoding {
    fn render_sync<'env>(
        &self,
        env: &'env Env,
        job: &RenderJob,
    ) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        let tokens = guard_js(|| job.run(&self.enc))?;
        tokens_to_js(env, tokens).map_err(internal)
    }
}

/// The two special-token sets from the JS arguments (see [`BindingEncoding::encode`]).
fn special_sets(
    allowed: Option<Vec<String>>,
    disallowed: Option<Vec<String>>,
    flags: u32,
) -> (SpecialTokenSet, SpecialTokenSet) {
    (
        special_set(flags & 1 != 0, allowed),
        special_set(flags & 2 != 0, disallowed),
    )
}

/// Copies `tokens` into `out` from `offset` on; an invalid argument if they do not fit.
fn copy_into(tokens: &[u32], out: &mut [u32], offset: u32) -> harmony_core::Result<u32> {
    let n = tokens.len();
    let start = usize::try_from(offset).unwrap_or(usize::MAX);
    let room = out.len().saturating_sub(start);
    let Some(dst) = start.checked_add(n).and_then(|end| out.get_mut(start..end)) else {
        return Err(invalid_argument(
            format!("output buffer too small: {n} tokens needed, {room} available"),
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
        assert_eq!(copy_into(&[1, 2], &mut out, 0).unwrap(), 2);
        assert_eq!(out, [1, 2, 0]);
        let err = copy_into(&[1, 2, 3, 4], &mut out, 0).unwrap_err();
        assert_eq!(err.code, harmony_core::ErrorCode::InvalidArgument);
        assert_eq!(out, [1, 2, 0], "untouched on failure");
        assert_eq!(copy_into(&[9], &mut out, 2).unwrap(), 1);
        assert_eq!(out, [1, 2, 9]);
        assert!(copy_into(&[9], &mut out, 3).is_err());
        assert!(copy_into(&[9], &mut out, u32::MAX).is_err());
        assert_eq!(copy_into(&[], &mut out, 3).unwrap(), 0);
    }

    #[test]
    fn flags_select_all() {
        let (a, d) = special_sets(None, None, 2);
        assert_eq!(a, SpecialTokenSet::Listed(vec![]));
        assert_eq!(d, SpecialTokenSet::All);
        let (a, _) = special_sets(Some(vec!["<|start|>".into()]), None, 0);
        assert_eq!(a, SpecialTokenSet::Listed(vec!["<|start|>".into()]));
        let (a, _) = special_sets(Some(vec!["x".into()]), None, 1);
        assert_eq!(a, SpecialTokenSet::All);
    }
}
