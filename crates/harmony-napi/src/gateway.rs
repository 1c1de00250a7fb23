//! The core's never-failing parser for gateways: the `BindingRecoveringParser` class (batches in,
//! events out, as an `EventBatch`) and the one-shot `recoverCompletion` (a whole completion in,
//! all events out, no long-lived native object). The core decides what each message is
//! (`kind`); this only converts.

use harmony_core::{RecoverOptions, RecoveringEvent, RecoveringParser};
use napi::bindgen_prelude::{Either, Env, Uint32Array, Uint32ArraySlice};
use napi::{JsString, Result};
use napi_derive::napi;

use crate::encoding::BindingEncoding;
use crate::error::{guard_js, invalid_argument, to_js_error, HarmonyStatus};
use crate::event::{EventBatch, OutlineEntry};
use crate::parser::FastMode;
use crate::tasks::optional_role;

/// Where the text of a message goes, as the core decided (`MessageKind::as_str`: the outline's
/// `Kind` field of a message).
#[napi(string_enum = "kebab-case")]
pub enum BindingMessageKind {
    /// Chain of thought (`reasoning_content`, a `reasoning` item).
    Reasoning,
    /// Text for the user (`content`, `output_text`).
    Text,
    /// A tool call: `recipient` names the tool, the text is its arguments.
    Call,
}

/// What the recovering parser stepped in for (one row each in the recovery table of
/// `docs/gateway.md`; `RecoveryKind::as_str`: the outline's `Kind` field of a recovery).
#[napi(string_enum = "kebab-case")]
pub enum BindingRecoveryKind {
    /// A stop token between messages: ignored.
    StrayStopToken,
    /// A message began without `<|start|>`.
    MissingStart,
    /// `<|start|>` again before the header was written.
    RepeatedStart,
    /// A header without a role.
    MissingRole,
    /// Words before the first header: opening text.
    LeadingText,
    /// Text between a stop token and the next header: dropped.
    FillerText,
    /// Text after a message with no header: reasoning.
    MissingHeader,
    /// `<|start|>` or `<|channel|>` inside an unclosed message: closes it.
    UnclosedMessage,
    /// A channel spelled out of the canonical form.
    ChannelSpelling,
    /// Several channels in one header.
    RepeatedChannel,
    /// A marker with a pipe missing (`<message|>`).
    DamagedMarker,
    /// A channel name without `<|channel|>`, or output whose markers were stripped.
    MissingChannelMarker,
    /// An unknown channel: reasoning.
    UnknownChannel,
    /// A recipient that is no tool: ignored.
    StrayRecipient,
    /// A function call on the analysis channel: reasoning.
    CallInAnalysis,
    /// Header words that fit nowhere: dropped.
    ExtraHeaderWords,
    /// A message by another author: dropped.
    ForeignAuthor,
    /// A recipient with control-token text: cut.
    ControlTokenInRecipient,
    /// A control token where it means nothing: dropped.
    StrayControlToken,
    /// A stop token inside a header: the header is dropped.
    InterruptedHeader,
    /// `<|start|>` inside an unfinished header: the header is dropped.
    BrokenHeader,
    /// The stream ended inside a header: dropped.
    HeaderEos,
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl EventBatch {
    /// A recovering parser's event: as the streaming parser's, with each message's `Kind`; and
    /// `Recovered` events.
    fn recovering_event(&mut self, event: &RecoveringEvent) {
        match event {
            RecoveringEvent::ContentDelta { delta } => self.delta(delta),
            RecoveringEvent::MessageStart { kind, role, name, channel, recipient, content_type } => {
                self.event(OutlineEntry::MessageStart);
                self.header(*role, name.as_deref(), channel.as_deref(), recipient.as_deref(), content_type.as_deref());
                self.text(OutlineEntry::Kind, kind.as_str());
            }
            RecoveringEvent::MessageEnd { kind, message, stop } => {
                self.event(OutlineEntry::MessageEnd);
                self.message(message);
                self.stop(*stop);
                self.text(OutlineEntry::Kind, kind.as_str());
            }
            RecoveringEvent::ToolCall { recipient, content_type, arguments } => {
                self.tool_call(recipient, content_type.as_deref(), arguments);
            }
            RecoveringEvent::Recovered(r) => {
                self.event(OutlineEntry::Recovered);
                self.text(OutlineEntry::Kind, r.kind.as_str());
                self.number(OutlineEntry::TokenIndex, index(r.token_index));
                self.text(OutlineEntry::Detail, &r.detail);
            }
        }
    }
}

/// A whole completion, parsed by the recovering parser.
#[napi(object, object_from_js = false)]
pub struct BindingRecoveredCompletion {
    /// The text of every event, in stream order (see `OutlineEntry`).
    pub text: String,
    /// The outline of the events: its length at index 0, then the pairs.
    pub outline: Uint32Array,
    /// The stream ended inside a message or a header (the `length` finish reason).
    pub truncated: bool,
    /// Number of tokens parsed (in text mode: of the tokenised text).
    pub token_count: u32,
    /// Number of those that are reasoning (the `reasoning_tokens` of `usage`).
    pub reasoning_token_count: u32,
}

/// Parses a whole completion (tokens, or decoded text with literal `<|…|>` markers) with the
/// recovering parser, end of stream included. `role` as for the class; `strict` turns the first
/// recovery into an `ERR_HARMONY_PARSE` error.
#[napi]
pub fn recover_completion(
    encoding: &BindingEncoding,
    completion: Either<Uint32ArraySlice, String>,
    role: Option<String>,
    strict: Option<bool>,
) -> Result<BindingRecoveredCompletion, HarmonyStatus> {
    let (parser, events) = guard_js(|| {
        let role = optional_role(role.as_deref())?;
        let options = RecoverOptions { strict: strict.unwrap_or(false) };
        let mut parser = RecoveringParser::with_options(encoding.enc, role, options);
        let mut events = Vec::new();
        match &completion {
            Either::A(tokens) => parser.process_many(tokens, &mut events)?,
            Either::B(text) => parser.process_text(text, &mut events)?,
        }
        parser.process_eos(&mut events)?;
        Ok((parser, events))
    })?;
    let mut batch = EventBatch::default();
    for event in &events {
        batch.recovering_event(event);
    }
    let (text, outline) = batch.into_parts()?;
    Ok(BindingRecoveredCompletion {
        text,
        outline: Uint32Array::new(outline),
        truncated: parser.truncated(),
        token_count: index(parser.token_count()),
        reasoning_token_count: index(parser.reasoning_token_count()),
    })
}

/// The recovering parser.
#[napi]
pub struct BindingRecoveringParser {
    inner: RecoveringParser,
    events: Vec<RecoveringEvent>,
    /// The events of the last call as they cross.
    batch: EventBatch,
}

#[napi]
impl BindingRecoveringParser {
    /// A parser for `encoding`; `role` is the role of the first message when the tokens start
    /// right after `<|start|>{role}` (`null` when they start with `<|start|>`); `strict` turns
    /// the first recovery into an `ERR_HARMONY_PARSE` error.
    #[napi(constructor)]
    pub fn new(encoding: &BindingEncoding, role: Option<String>, strict: Option<bool>) -> Result<Self, HarmonyStatus> {
        guard_js(|| {
            let role = optional_role(role.as_deref())?;
            let options = RecoverOptions { strict: strict.unwrap_or(false) };
            Ok(Self {
                inner: RecoveringParser::with_options(encoding.enc, role, options),
                events: Vec::new(),
                batch: EventBatch::default(),
            })
        })
    }

    /// Feeds a batch of tokens; returns the text of its events (with each message's kind) and
    /// writes their outline into `outline` (see `OutlineEntry`; when it does not fit, only its
    /// length, and `copyOutline` gives it).
    #[napi]
    pub fn push<'env>(
        &mut self,
        env: &'env Env,
        tokens: &[u32],
        outline: Uint32ArraySlice<'_>,
    ) -> Result<JsString<'env>, HarmonyStatus> {
        self.run(|inner, events| inner.process_many(tokens, events))?;
        self.batch.hand_over(env, outline)
    }

    /// Feeds `tokens`: first those the caller answered itself in a [`FastMode`] since its last
    /// call (as `feed` would: their events are known), then the last one, one token read as it
    /// arrives (the common case when streaming). Writes the outline of that token's events into
    /// `outline` as `push` does (most tokens have none), keeps their text for `eventText`, and
    /// says which tokens the caller may answer itself now.
    #[napi]
    pub fn step(&mut self, tokens: &[u32], outline: Uint32ArraySlice<'_>) -> Result<FastMode, HarmonyStatus> {
        let Some((&token, answered)) = tokens.split_last() else {
            return Err(to_js_error(invalid_argument("step needs a token", "tokens")));
        };
        self.run(|inner, events| {
            inner.process_many(answered, events)?;
            events.clear();
            inner.process_many(&[token], events)
        })?;
        self.batch.copy_outline(outline)?;
        Ok(self.fast_mode())
    }

    /// The text of the events of the last `step`.
    #[napi]
    pub fn event_text<'env>(&self, env: &'env Env) -> Result<JsString<'env>, HarmonyStatus> {
        self.batch.text_to_js(env)
    }

    /// Writes the outline of the last call again (into a larger buffer, after a call reported
    /// one that did not fit).
    #[napi]
    pub fn copy_outline(&self, outline: Uint32ArraySlice<'_>) -> Result<(), HarmonyStatus> {
        self.batch.copy_outline(outline)
    }

    /// Feeds decoded text (literal `<|…|>` markers); returns its events as `push` does.
    #[napi]
    pub fn push_text<'env>(
        &mut self,
        env: &'env Env,
        text: String,
        outline: Uint32ArraySlice<'_>,
    ) -> Result<JsString<'env>, HarmonyStatus> {
        self.run(|inner, events| inner.process_text(&text, events))?;
        self.batch.hand_over(env, outline)
    }

    /// Signals the end of the stream; returns the events it caused as `push` does (then see
    /// `truncated`).
    #[napi]
    pub fn end<'env>(
        &mut self,
        env: &'env Env,
        outline: Uint32ArraySlice<'_>,
    ) -> Result<JsString<'env>, HarmonyStatus> {
        self.run(RecoveringParser::process_eos)?;
        let text = self.batch.hand_over(env, outline)?;
        // The events carried every message and recovery: a finished parser keeps only its counts
        // (and the outline, for `copyOutline`).
        self.inner.release_memory();
        self.events = Vec::new();
        self.batch.release_text();
        Ok(text)
    }

    /// Releases the parser's memory now instead of when the garbage collector runs its finaliser
    /// (which Node defers until the event loop turns); only the counts and `truncated` remain.
    #[napi]
    pub fn free(&mut self) {
        self.inner.release_memory();
        self.events = Vec::new();
        self.batch = EventBatch::default();
    }

    /// Number of tokens fed so far.
    #[napi]
    pub fn token_count(&self) -> u32 {
        index(self.inner.token_count())
    }

    /// Whether the stream ended inside a message or a header (the `length` finish reason).
    #[napi]
    pub fn truncated(&self) -> bool {
        self.inner.truncated()
    }

    /// Number of tokens fed so far that are reasoning (the `reasoning_tokens` of `usage`).
    #[napi]
    pub fn reasoning_token_count(&self) -> u32 {
        index(self.inner.reasoning_token_count())
    }

    /// Which tokens the caller may answer itself now (see [`FastMode`]).
    #[napi]
    pub fn fast_mode(&self) -> FastMode {
        if self.inner.appends_whole_tokens() {
            FastMode::OwnText
        } else if self.inner.holds_ordinary_tokens() {
            FastMode::HeldText
        } else {
            FastMode::Off
        }
    }

    /// Feeds tokens the caller answered itself in a `FastMode` (their events, one content delta
    /// each in `OwnText` and none in `HeldText`, are known and not returned).
    #[napi]
    pub fn feed(&mut self, tokens: &[u32]) -> Result<(), HarmonyStatus> {
        self.events.clear();
        let (inner, events) = (&mut self.inner, &mut self.events);
        guard_js(|| inner.process_many(tokens, events))
    }

    fn run(
        &mut self,
        f: impl FnOnce(&mut RecoveringParser, &mut Vec<RecoveringEvent>) -> harmony_core::Result<()>,
    ) -> Result<(), HarmonyStatus> {
        self.events.clear();
        self.batch.clear();
        let (inner, events) = (&mut self.inner, &mut self.events);
        guard_js(|| f(inner, events))?;
        for event in &self.events {
            self.batch.recovering_event(event);
        }
        Ok(())
    }
}
