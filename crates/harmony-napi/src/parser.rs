//! `BindingStreamParser`: the core streaming parser as a JS class. One call per token
//! (`process`, which says what content the token added, so a per-token loop needs a single
//! crossing and, for most tokens, no new string) or per batch (`processMany`, which returns the
//! batch's events). The parser is the only long-lived native object; it holds no JS values.

use harmony_core::{HarmonyEncoding, ParseEvent, ParseOptions, StreamableParser};
use napi::bindgen_prelude::{Either, Env, Uint32ArraySlice};
use napi::Result;
use napi_derive::napi;

use crate::encoding::{tokens_to_js, BindingEncoding};
use crate::error::{guard_js, to_js_error, HarmonyStatus};
use crate::event::BindingEvent;
use crate::tasks::optional_role;

/// One event as it crosses to JS: a content delta is just its text (the most frequent event,
/// sent as a bare string: one JS value instead of an object with two properties); the rest are
/// `BindingEvent` objects. The TS layer expands both into the public event objects.
pub type WireEvent = Either<String, BindingEvent>;

fn to_wire(event: ParseEvent) -> WireEvent {
    match event {
        ParseEvent::ContentDelta { delta } => Either::A(delta),
        other => Either::B(BindingEvent::from(other)),
    }
}

/// What one token did to the content of the message in progress (`BindingStreamParser.process`).
#[napi]
pub enum TokenEffect {
    /// It added no content.
    NoContent,
    /// It added exactly its own text, and the parser is left where every ordinary token whose
    /// bytes are valid UTF-8 will do the same (`StreamableParser::appends_whole_tokens`): the
    /// caller may answer such tokens itself and hand them over later with `feed`.
    OwnText,
    /// It added other text (read it with `lastContentDelta`).
    OtherText,
}

/// Ids below this are ordinary (byte-pair) tokens; the rest are special tokens.
#[napi]
pub const ORDINARY_TOKEN_COUNT: u32 = harmony_core::tokenizer::FIRST_SPECIAL;

/// The streaming parser.
#[napi]
pub struct BindingStreamParser {
    encoding: HarmonyEncoding,
    inner: StreamableParser,
    /// Reused event buffer of `process_many`.
    events: Vec<ParseEvent>,
    /// Events of the tokens before a failing one, kept for `take_pending_events`.
    pending: Vec<ParseEvent>,
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
                pending: Vec::new(),
            })
        })
    }

    /// Feeds one token and says what it did to the content (see [`TokenEffect`]).
    #[napi]
    pub fn process(&mut self, token: u32) -> Result<TokenEffect, HarmonyStatus> {
        guard_js(|| {
            self.inner.process(token)?;
            Ok(if self.inner.last_content_delta().is_none() {
                TokenEffect::NoContent
            } else if self.inner.last_delta_is_token_text() && self.inner.appends_whole_tokens() {
                TokenEffect::OwnText
            } else {
                TokenEffect::OtherText
            })
        })
    }

    /// Feeds, without events, tokens the caller answered itself after a `TokenEffect.OwnText`
    /// (ordinary tokens with valid UTF-8 bytes, which only append their text).
    #[napi]
    pub fn feed(&mut self, tokens: &[u32]) -> Result<(), HarmonyStatus> {
        guard_js(|| {
            for &token in tokens {
                self.inner.process(token)?;
            }
            Ok(())
        })
    }

    /// Feeds a batch and returns its events (content deltas as bare strings). On failure the
    /// tokens before the failing one are processed, the failing one is recorded in `tokens()`
    /// (as the reference does) and the error's `tokenIndex` is its position there; the events of
    /// the tokens before it can be fetched with `takePendingEvents`.
    #[napi(ts_return_type = "Array<string | BindingEvent>")]
    pub fn process_many(&mut self, tokens: &[u32]) -> Result<Vec<WireEvent>, HarmonyStatus> {
        self.events.clear();
        self.pending.clear();
        let events = &mut self.events;
        let inner = &mut self.inner;
        match guard_js(|| inner.process_many(tokens, events).map(|_| ())) {
            Ok(()) => Ok(self.events.drain(..).map(to_wire).collect()),
            Err(err) => {
                std::mem::swap(&mut self.pending, &mut self.events);
                Err(err)
            }
        }
    }

    /// Whether the parser is where an ordinary token whose bytes are valid UTF-8 only appends its
    /// own text (`StreamableParser::appends_whole_tokens`; after `process`, `TokenEffect.OwnText`
    /// says the same).
    #[napi]
    pub fn appends_own_text(&self) -> bool {
        self.inner.appends_whole_tokens()
    }

    /// For each token, its text when its bytes are valid UTF-8 on their own (what it appends in
    /// content where `appendsOwnText` holds), else `null`.
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
        self.pending = Vec::new();
    }

    /// Signals the end of the stream; returns the events it caused (the pending message's end).
    #[napi(ts_return_type = "Array<string | BindingEvent>")]
    pub fn process_eos(&mut self) -> Result<Vec<WireEvent>, HarmonyStatus> {
        self.events.clear();
        self.pending.clear();
        let events = &mut self.events;
        let inner = &mut self.inner;
        match guard_js(|| inner.process_eos_with_events(events).map(|_| ())) {
            Ok(()) => Ok(self.events.drain(..).map(to_wire).collect()),
            Err(err) => {
                std::mem::swap(&mut self.pending, &mut self.events);
                Err(err)
            }
        }
    }

    /// The events produced before the last `processMany`/`processEos` failure (emptied on read).
    #[napi(ts_return_type = "Array<string | BindingEvent>")]
    pub fn take_pending_events(&mut self) -> Vec<WireEvent> {
        self.pending.drain(..).map(to_wire).collect()
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
        tokens_to_js(env, self.inner.tokens().to_vec()).map_err(|e| {
            to_js_error(harmony_core::HarmonyError::new(
                harmony_core::ErrorCode::Internal,
                format!("internal error (napi): {}", e.reason),
            ))
        })
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
}
