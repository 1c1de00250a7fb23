//! `BindingStreamParser`: the core streaming parser as a JS class. One call per token
//! (`process`, which says what content the token added, so a per-token loop needs a single
//! crossing and, for most tokens, no new string) or per batch (`processMany`, which returns the
//! batch's events as an [`EventBatch`]: one string, and an outline written into the caller's
//! buffer). The parser is the only long-lived native object; it holds no JS values.

use harmony_core::{HarmonyEncoding, ParseEvent, ParseOptions, StreamableParser};
use napi::bindgen_prelude::{Env, Uint32ArraySlice};
use napi::{JsString, Result};
use napi_derive::napi;

use crate::encoding::{tokens_to_js, BindingEncoding};
use crate::error::{guard_js, invalid_argument, HarmonyStatus};
use crate::event::{internal, EventBatch};
use crate::tasks::optional_role;

/// What one token did to the content of the message in progress (`BindingStreamParser.process`),
/// and which tokens the caller may then answer itself (see [`FastMode`]).
#[napi]
pub enum TokenEffect {
    /// It added no content (`FastMode.Off`).
    NoContent,
    /// It added no content and opened a message's content (`FastMode.OwnText`).
    NoContentOwnText,
    /// It added no content: the parser reads a header (`FastMode.HeaderTokens`).
    HeaderToken,
    /// It added exactly its own text (`FastMode.OwnText`).
    OwnText,
    /// It added other text (read it with `lastContentDelta`; `FastMode.Off`).
    OtherText,
}

/// Which tokens the caller may answer itself, hand over later with `feed`, until its next other
/// call: the core's contracts, each checked by its own test.
#[napi]
pub enum FastMode {
    /// None.
    Off,
    /// Ordinary tokens whose bytes are valid UTF-8: each adds exactly its own text
    /// (`StreamableParser::appends_whole_tokens`).
    OwnText,
    /// Every token but `HEADER_END_TOKEN`: each is only recorded in the header
    /// (`StreamableParser::records_header_tokens`).
    HeaderTokens,
    /// Ordinary tokens: each only extends the text the recovering parser holds back outside a
    /// message's body (`RecoveringParser::holds_ordinary_tokens`).
    HeldText,
}

/// The token that ends a header (`<|message|>`).
#[napi]
pub const HEADER_END_TOKEN: u32 = StreamableParser::HEADER_END_TOKEN;

/// Ids below this are ordinary (byte-pair) tokens; the rest are special tokens.
#[napi]
pub const ORDINARY_TOKEN_COUNT: u32 = harmony_core::tokenizer::FIRST_SPECIAL;

/// The streaming parser.
#[napi]
pub struct BindingStreamParser {
    encoding: HarmonyEncoding,
    inner: StreamableParser,
    /// Reused event buffer of the core's calls.
    events: Vec<ParseEvent>,
    /// The events of the last batch as they cross (after a failure: those of the tokens before
    /// the failing one, kept for `take_pending_events`).
    batch: EventBatch,
}

#[napi]
impl BindingStreamParser {
    /// A parser for `encoding`; `role` is the role of the first message when the tokens start
    /// right after `<|start|>{role}` (`null` when unknown).
    #[napi(constructor)]
    pub fn new(encoding: &BindingEncoding, role: Option<String>, strict: bool) -> Result<Self, HarmonyStatus> {
        guard_js(|| {
            let role = optional_role(role.as_deref())?;
            Ok(Self {
                encoding: encoding.enc,
                inner: StreamableParser::new(encoding.enc, role, ParseOptions { strict }),
                events: Vec::new(),
                batch: EventBatch::default(),
            })
        })
    }

    /// Feeds `tokens`: first those the caller answered itself in a [`FastMode`] since its last
    /// call (as `feed` would), then the last one, and says what that one did to the content (see
    /// [`TokenEffect`]). One call per token read, however many were answered before it.
    #[napi]
    pub fn process(&mut self, tokens: &[u32]) -> Result<TokenEffect, HarmonyStatus> {
        guard_js(|| {
            let Some((&token, answered)) = tokens.split_last() else {
                return Err(invalid_argument("process needs a token", "tokens"));
            };
            for &answered in answered {
                self.inner.process(answered)?;
            }
            self.inner.process(token)?;
            Ok(if self.inner.last_content_delta().is_some() {
                if self.inner.last_delta_is_token_text() && self.inner.appends_whole_tokens() {
                    TokenEffect::OwnText
                } else {
                    TokenEffect::OtherText
                }
            } else {
                match self.fast_mode() {
                    FastMode::OwnText => TokenEffect::NoContentOwnText,
                    FastMode::HeaderTokens => TokenEffect::HeaderToken,
                    FastMode::Off | FastMode::HeldText => TokenEffect::NoContent,
                }
            })
        })
    }

    /// Feeds, without events, tokens the caller answered itself (see [`FastMode`]).
    #[napi]
    pub fn feed(&mut self, tokens: &[u32]) -> Result<(), HarmonyStatus> {
        guard_js(|| {
            for &token in tokens {
                self.inner.process(token)?;
            }
            Ok(())
        })
    }

    /// Feeds a batch; returns the text of its events and writes their outline into `outline`
    /// (see `OutlineEntry`; when it does not fit, only its length, and `copyOutline` gives it).
    /// On failure the tokens before the failing one are processed, the failing one is recorded in
    /// `tokens()` (as the reference does) and the error's `tokenIndex` is its position there; the
    /// events of the tokens before it can be fetched with `takePendingEvents`.
    #[napi]
    pub fn process_many<'env>(
        &mut self,
        env: &'env Env,
        tokens: &[u32],
        outline: Uint32ArraySlice<'_>,
    ) -> Result<JsString<'env>, HarmonyStatus> {
        self.run(|inner, events| inner.process_many(tokens, events).map(|_| ()))?;
        self.batch.hand_over(env, outline)
    }

    /// Which tokens the caller may answer itself now (after `process`, its `TokenEffect` says
    /// the same).
    #[napi]
    pub fn fast_mode(&self) -> FastMode {
        if self.inner.appends_whole_tokens() {
            FastMode::OwnText
        } else if self.inner.records_header_tokens() {
            FastMode::HeaderTokens
        } else {
            FastMode::Off
        }
    }

    /// For each token, its text when its bytes are valid UTF-8 on their own (what it appends in
    /// content in `FastMode.OwnText`), else `null`.
    #[napi]
    pub fn own_texts(tokens: &[u32]) -> Vec<Option<String>> {
        let tokenizer = harmony_core::tokenizer::Tokenizer::get();
        tokens.iter().map(|&t| tokenizer.ordinary_token_text(t).map(str::to_owned)).collect()
    }

    /// Releases the parser's memory now instead of when the garbage collector runs its
    /// finaliser (which Node defers until the event loop turns). The parser is empty afterwards.
    #[napi]
    pub fn free(&mut self) {
        self.inner = StreamableParser::new(self.encoding, None, ParseOptions { strict: true });
        self.events = Vec::new();
        self.batch = EventBatch::default();
    }

    /// Signals the end of the stream; returns the events it caused (the pending message's end),
    /// as `processMany` does.
    #[napi]
    pub fn process_eos<'env>(
        &mut self,
        env: &'env Env,
        outline: Uint32ArraySlice<'_>,
    ) -> Result<JsString<'env>, HarmonyStatus> {
        self.run(|inner, events| inner.process_eos_with_events(events).map(|_| ()))?;
        self.batch.hand_over(env, outline)
    }

    /// The events produced before the last `processMany`/`processEos` failure, as `processMany`
    /// returns events.
    #[napi]
    pub fn take_pending_events<'env>(
        &mut self,
        env: &'env Env,
        outline: Uint32ArraySlice<'_>,
    ) -> Result<JsString<'env>, HarmonyStatus> {
        self.batch.hand_over(env, outline)
    }

    /// Writes the outline of the last batch again (into a larger buffer, after `processMany`,
    /// `processEos` or `takePendingEvents` reported one that did not fit).
    #[napi]
    pub fn copy_outline(&self, outline: Uint32ArraySlice<'_>) -> Result<(), HarmonyStatus> {
        self.batch.copy_outline(outline)
    }

    /// `ExpectStart`, `Header` or `Content`.
    #[napi]
    pub fn state(&self) -> String {
        self.inner.state().as_str().to_owned()
    }

    /// The role of the message in progress (or the role given for the first message).
    #[napi]
    pub fn current_role(&self) -> Option<String> {
        self.inner.current_role().map(|r| r.as_str().to_owned())
    }

    /// The channel of the message in progress.
    #[napi]
    pub fn current_channel(&self) -> Option<String> {
        self.inner.current_channel().map(str::to_owned)
    }

    /// The recipient of the message in progress.
    #[napi]
    pub fn current_recipient(&self) -> Option<String> {
        self.inner.current_recipient().map(str::to_owned)
    }

    /// The content type of the message in progress.
    #[napi]
    pub fn current_content_type(&self) -> Option<String> {
        self.inner.current_content_type().map(str::to_owned)
    }

    /// The decoded content of the message in progress (`""` outside content).
    #[napi]
    pub fn current_content(&self) -> String {
        self.inner.current_content().to_owned()
    }

    /// The text added by the last token (`null` when none).
    #[napi]
    pub fn last_content_delta(&self) -> Option<String> {
        self.inner.last_content_delta().map(str::to_owned)
    }

    /// Number of completed messages.
    #[napi]
    pub fn message_count(&self) -> u32 {
        u32::try_from(self.inner.messages().len()).unwrap_or(u32::MAX)
    }

    /// Completed messages from index `start` on, as a JSON array (Rust serde shape).
    #[napi]
    pub fn messages_json(&self, start: u32) -> Result<String, HarmonyStatus> {
        guard_js(|| {
            let all = self.inner.messages();
            let from = usize::try_from(start).unwrap_or(usize::MAX).min(all.len());
            serde_json::to_string(&all[from..]).map_err(|e| {
                harmony_core::HarmonyError::new(
                    harmony_core::ErrorCode::Internal,
                    format!("cannot serialise messages: {e}"),
                )
            })
        })
    }

    /// Every token given to `process`/`processMany` so far (a copy).
    #[napi]
    pub fn tokens<'env>(&self, env: &'env Env) -> Result<Uint32ArraySlice<'env>, HarmonyStatus> {
        tokens_to_js(env, self.inner.tokens().to_vec()).map_err(|e| internal(&format!("napi: {}", e.reason)))
    }

    /// Number of tokens processed so far.
    #[napi]
    pub fn token_count(&self) -> u32 {
        u32::try_from(self.inner.tokens().len()).unwrap_or(u32::MAX)
    }

    /// The parser state as JSON (the reference's `state_json`).
    #[napi]
    pub fn state_json(&self) -> String {
        self.inner.state_json()
    }

    /// Runs a core call that reports events, and writes them (those before a failure too) into
    /// the batch.
    fn run(
        &mut self,
        f: impl FnOnce(&mut StreamableParser, &mut Vec<ParseEvent>) -> harmony_core::Result<()>,
    ) -> Result<(), HarmonyStatus> {
        self.events.clear();
        self.batch.clear();
        let (inner, events) = (&mut self.inner, &mut self.events);
        let result = guard_js(|| f(inner, events));
        for event in &self.events {
            self.batch.parse_event(event);
        }
        result
    }
}
