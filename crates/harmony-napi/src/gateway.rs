//! The core's never-failing parser for gateways: the `BindingRecoveringParser` class (batches in,
//! events out) and the one-shot `recoverCompletion` (a whole completion in, all events out, no
//! long-lived native object). The core decides what each message is (`kind`); this only converts.

use harmony_core::{Content, Message, MessageKind, RecoverOptions, RecoveringEvent, RecoveringParser, RecoveryKind};
use napi::bindgen_prelude::{Either, Uint32ArraySlice};
use napi::Result;
use napi_derive::napi;

use crate::encoding::BindingEncoding;
use crate::error::{guard_js, HarmonyStatus};
use crate::tasks::optional_role;

/// Where the text of a message goes, as the core decided.
#[napi(string_enum = "kebab-case")]
pub enum BindingMessageKind {
    /// Chain of thought (`reasoning_content`, a `reasoning` item).
    Reasoning,
    /// Text for the user (`content`, `output_text`).
    Text,
    /// A tool call: `recipient` names the tool, the text is its arguments.
    Call,
}

impl From<MessageKind> for BindingMessageKind {
    fn from(kind: MessageKind) -> Self {
        match kind {
            MessageKind::Reasoning => BindingMessageKind::Reasoning,
            MessageKind::Text => BindingMessageKind::Text,
            MessageKind::Call => BindingMessageKind::Call,
        }
    }
}

/// What the recovering parser stepped in for (one row each in the recovery table of
/// `docs/gateway.md`).
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

impl From<RecoveryKind> for BindingRecoveryKind {
    fn from(kind: RecoveryKind) -> Self {
        use BindingRecoveryKind as B;
        match kind {
            RecoveryKind::StrayStopToken => B::StrayStopToken,
            RecoveryKind::MissingStart => B::MissingStart,
            RecoveryKind::RepeatedStart => B::RepeatedStart,
            RecoveryKind::MissingRole => B::MissingRole,
            RecoveryKind::LeadingText => B::LeadingText,
            RecoveryKind::FillerText => B::FillerText,
            RecoveryKind::MissingHeader => B::MissingHeader,
            RecoveryKind::UnclosedMessage => B::UnclosedMessage,
            RecoveryKind::ChannelSpelling => B::ChannelSpelling,
            RecoveryKind::RepeatedChannel => B::RepeatedChannel,
            RecoveryKind::DamagedMarker => B::DamagedMarker,
            RecoveryKind::MissingChannelMarker => B::MissingChannelMarker,
            RecoveryKind::UnknownChannel => B::UnknownChannel,
            RecoveryKind::StrayRecipient => B::StrayRecipient,
            RecoveryKind::CallInAnalysis => B::CallInAnalysis,
            RecoveryKind::ExtraHeaderWords => B::ExtraHeaderWords,
            RecoveryKind::ForeignAuthor => B::ForeignAuthor,
            RecoveryKind::ControlTokenInRecipient => B::ControlTokenInRecipient,
            RecoveryKind::StrayControlToken => B::StrayControlToken,
            RecoveryKind::InterruptedHeader => B::InterruptedHeader,
            RecoveryKind::BrokenHeader => B::BrokenHeader,
            RecoveryKind::HeaderEos => B::HeaderEos,
        }
    }
}

/// One event of the recovering parser, with the core's classification of each message.
#[napi(discriminant = "type", discriminant_case = "kebab-case", object_from_js = false)]
pub enum BindingGatewayEvent {
    /// A message begins; its header is normalised (canonical channel, recipient on calls only).
    MessageStart {
        /// Where its text goes.
        kind: BindingMessageKind,
        /// The author's role (`assistant`).
        role: String,
        /// The author's name.
        name: Option<String>,
        /// The canonical channel.
        channel: Option<String>,
        /// The tool called (calls only).
        recipient: Option<String>,
        /// The content type.
        content_type: Option<String>,
    },
    /// Text added to the current message.
    ContentDelta {
        /// The text.
        delta: String,
    },
    /// A message is complete.
    MessageEnd {
        /// Where its text went.
        kind: BindingMessageKind,
        /// The author's role.
        role: String,
        /// The author's name.
        name: Option<String>,
        /// The canonical channel.
        channel: Option<String>,
        /// The tool called (calls only).
        recipient: Option<String>,
        /// The content type.
        content_type: Option<String>,
        /// The whole text.
        text: String,
        /// What ended it: `end`, `call`, `return` or `eos`.
        stop_token: String,
    },
    /// A call ended with `<|call|>`.
    ToolCall {
        /// The tool (`functions.get_weather`).
        recipient: String,
        /// The content type.
        content_type: Option<String>,
        /// The arguments, verbatim.
        arguments: String,
    },
    /// An intervention, before the events it explains.
    Recovered {
        /// What was recovered.
        kind: BindingRecoveryKind,
        /// Index of the token among all tokens fed.
        token_index: u32,
        /// A human-readable explanation (never quotes reasoning or dropped text).
        detail: String,
    },
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn message_text(message: &Message) -> String {
    message
        .content
        .iter()
        .filter_map(|c| match c {
            Content::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect()
}

impl From<RecoveringEvent> for BindingGatewayEvent {
    fn from(event: RecoveringEvent) -> Self {
        match event {
            RecoveringEvent::MessageStart { kind, role, name, channel, recipient, content_type } => {
                BindingGatewayEvent::MessageStart {
                    kind: kind.into(),
                    role: role.as_str().to_owned(),
                    name,
                    channel,
                    recipient,
                    content_type,
                }
            }
            RecoveringEvent::ContentDelta { delta } => BindingGatewayEvent::ContentDelta { delta },
            RecoveringEvent::MessageEnd { kind, message, stop } => {
                let text = message_text(&message);
                let Message { author, recipient, channel, content_type, .. } = message;
                BindingGatewayEvent::MessageEnd {
                    kind: kind.into(),
                    role: author.role.as_str().to_owned(),
                    name: author.name,
                    channel,
                    recipient,
                    content_type,
                    text,
                    stop_token: stop.as_str().to_owned(),
                }
            }
            RecoveringEvent::ToolCall { recipient, content_type, arguments } => {
                BindingGatewayEvent::ToolCall { recipient, content_type, arguments }
            }
            RecoveringEvent::Recovered(r) => BindingGatewayEvent::Recovered {
                kind: r.kind.into(),
                token_index: index(r.token_index),
                detail: r.detail,
            },
        }
    }
}

/// A whole completion, parsed by the recovering parser.
#[napi(object, object_from_js = false)]
pub struct BindingRecoveredCompletion {
    /// Every event, in stream order.
    pub events: Vec<BindingGatewayEvent>,
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
    guard_js(|| {
        let role = optional_role(role.as_deref())?;
        let options = RecoverOptions { strict: strict.unwrap_or(false) };
        let mut parser = RecoveringParser::with_options(encoding.enc, role, options);
        let mut events = Vec::new();
        match &completion {
            Either::A(tokens) => parser.process_many(tokens, &mut events)?,
            Either::B(text) => parser.process_text(text, &mut events)?,
        }
        parser.process_eos(&mut events)?;
        Ok(BindingRecoveredCompletion {
            events: events.into_iter().map(BindingGatewayEvent::from).collect(),
            truncated: parser.truncated(),
            token_count: index(parser.token_count()),
            reasoning_token_count: index(parser.reasoning_token_count()),
        })
    })
}

/// What one token did (`BindingRecoveringParser.step`): whether it caused events (read them with
/// `takeEvents`), and whether the parser is now where every ordinary token with valid UTF-8
/// bytes only adds its own text (`appendsWholeTokens`).
#[napi]
pub enum StepOutcome {
    /// No events.
    Quiet,
    /// No events; own-text mode.
    QuietOwnText,
    /// Events to take.
    Events,
    /// Events to take; own-text mode.
    EventsOwnText,
}

/// The recovering parser.
#[napi]
pub struct BindingRecoveringParser {
    inner: RecoveringParser,
    events: Vec<RecoveringEvent>,
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
            Ok(Self { inner: RecoveringParser::with_options(encoding.enc, role, options), events: Vec::new() })
        })
    }

    /// Feeds a batch of tokens; returns its events with each message's kind.
    #[napi]
    pub fn push(&mut self, tokens: &[u32]) -> Result<Vec<BindingGatewayEvent>, HarmonyStatus> {
        self.run(|inner, events| inner.process_many(tokens, events))?;
        Ok(self.events.drain(..).map(BindingGatewayEvent::from).collect())
    }

    /// Feeds one token and says what it did; its events wait for `takeEvents` (a token per call
    /// is the common case when streaming, and most cause no event: no array crosses for them).
    #[napi]
    pub fn step(&mut self, token: u32) -> Result<StepOutcome, HarmonyStatus> {
        self.run(|inner, events| inner.process_many(&[token], events))?;
        Ok(match (self.events.is_empty(), self.inner.appends_whole_tokens()) {
            (true, false) => StepOutcome::Quiet,
            (true, true) => StepOutcome::QuietOwnText,
            (false, false) => StepOutcome::Events,
            (false, true) => StepOutcome::EventsOwnText,
        })
    }

    /// The events of the last `step`.
    #[napi]
    pub fn take_events(&mut self) -> Vec<BindingGatewayEvent> {
        self.events.drain(..).map(BindingGatewayEvent::from).collect()
    }

    /// Feeds decoded text (literal `<|…|>` markers); returns its events with each message's kind.
    #[napi]
    pub fn push_text(&mut self, text: String) -> Result<Vec<BindingGatewayEvent>, HarmonyStatus> {
        self.run(|inner, events| inner.process_text(&text, events))?;
        Ok(self.events.drain(..).map(BindingGatewayEvent::from).collect())
    }

    /// Signals the end of the stream; returns the events it caused (then see `truncated`).
    #[napi]
    pub fn end(&mut self) -> Result<Vec<BindingGatewayEvent>, HarmonyStatus> {
        self.run(RecoveringParser::process_eos)?;
        let events = self.events.drain(..).map(BindingGatewayEvent::from).collect();
        // The events carried every message and recovery: a finished parser keeps only its counts.
        self.free();
        Ok(events)
    }

    /// Releases the parser's memory now instead of when the garbage collector runs its finaliser
    /// (which Node defers until the event loop turns); only the counts and `truncated` remain.
    #[napi]
    pub fn free(&mut self) {
        self.inner.release_memory();
        self.events = Vec::new();
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

    /// Whether the next ordinary token with valid UTF-8 bytes would only add its own text (see
    /// `RecoveringParser::appends_whole_tokens`): then the caller may answer such tokens itself
    /// and hand them over later with `feed`.
    #[napi]
    pub fn appends_whole_tokens(&self) -> bool {
        self.inner.appends_whole_tokens()
    }

    /// Feeds tokens the caller answered itself while `appendsWholeTokens()` held (their events,
    /// one content delta each, are known and not returned).
    #[napi]
    pub fn feed(&mut self, tokens: &[u32]) -> Result<(), HarmonyStatus> {
        self.run(|inner, events| inner.process_many(tokens, events))
    }

    fn run(
        &mut self,
        f: impl FnOnce(&mut RecoveringParser, &mut Vec<RecoveringEvent>) -> harmony_core::Result<()>,
    ) -> Result<(), HarmonyStatus> {
        self.events.clear();
        let (inner, events) = (&mut self.inner, &mut self.events);
        guard_js(|| f(inner, events))
    }
}
