//! A parser for gateways that never fails on model output and decides where each piece of it goes.
//!
//! # The privacy invariant
//!
//! Text the model wrote under an analysis header, in any spelling (case, surrounding spaces,
//! trailing punctuation, a stray `<|constrain|>`, `analysis` among several channels of one
//! header), or inside a header that never completed, is never classified as user-visible text
//! ([`MessageKind::Text`]) nor as a tool call's recipient or arguments ([`MessageKind::Call`]),
//! whether the tokens come whole or in batches split anywhere, and in text mode. It is
//! [`MessageKind::Reasoning`], or, where nothing safe can be said, dropped; each such decision is a
//! [`Recovery`]. Raw Harmony markup (`<|channel|>`, `<|message|>`, …) never appears in any
//! message text. A final answer whose own header is intact is never lost. The one exception to
//! "analysis is never a call" is Harmony's own form for built-in tools: a call to `browser.*`,
//! `python` or `container.*` with an intact analysis header is a call (OpenAI's API shows those
//! arguments too, as `web_search_call` / `code_interpreter_call`).
//!
//! # How
//!
//! Decisions are taken at control tokens only, on text that is held back until then: the words
//! of a header (and loose text between messages) are kept until `<|message|>`, a stop token,
//! `<|start|>` or the end of the stream says what they were. Message bodies stream as they come,
//! since their kind is known from the header. Per-token work is constant; a header is read once.
//!
//! Rules, each noted as a [`RecoveryKind`] when it applies:
//!
//! * A header's channel is canonicalised; a channel other than `analysis`, `commentary` and
//!   `final` is reasoning. A header naming several channels is analysis if any of them is.
//! * A recipient makes a call unless it names a role (`to=assistant`: ignored), or the channel is
//!   analysis and the tool is not built in (then the message is reasoning).
//! * `<|channel|>` or `<|message|>` between messages starts an assistant message; `<|start|>` or
//!   `<|channel|>` inside a body closes the body first. `<|start|>` again before a header has more
//!   than its role starts the header over; a header cut by a stop token, `<|start|>` or the end of
//!   the stream is dropped.
//! * Words before the first header are the reply's opening text (reasoning if they begin with the
//!   word `analysis`, as in output whose markers were stripped). Text between a stop token and
//!   the next header is filler and dropped; text after a message that no header follows is
//!   reasoning. Messages by other authors (a hallucinated tool output) are dropped.
//!
//! Text mode parses decoded text: the markers are tokenised as the special tokens they name, and
//! the tokens go through the same parser.

mod header;
mod kinds;
#[cfg(test)]
mod tests;

use std::mem;

use self::header::{read_header, repair_markers, stripped_pieces, HeaderContext, Opened};
pub use self::kinds::{MessageKind, RecoveryKind};
use super::event::StopKind;
use crate::chat::{Author, Content, Message, Role, TextContent};
use crate::encoding::{HarmonyEncoding, CHANNEL, CONSTRAIN, MESSAGE, START};
use crate::error::{HarmonyError, Result};
use crate::tokenizer::SpecialTokenSet;

/// Longest marker text (`<|reserved_200017|>`): a longer run after `<` is plain text.
const MAX_MARKER_LEN: usize = 32;

/// One intervention of the recovering parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// What was wrong.
    pub kind: RecoveryKind,
    /// Index of the token where it was noticed, among all tokens fed (for the end of the stream:
    /// the number of tokens fed).
    pub token_index: usize,
    /// A human-readable explanation. It never quotes dropped or reasoning text.
    pub detail: String,
}

/// An event of the recovering parser, in stream order.
///
/// Per message: one `MessageStart`, `ContentDelta`s whose concatenation is the message text, one
/// `MessageEnd`, then a `ToolCall` if it is a call ended by `<|call|>`. Headers are normalised:
/// `channel` is canonical (`analysis` for every reasoning message), `recipient` is set on calls
/// only. A recovery comes before the events it explains.
#[derive(Debug, Clone, PartialEq)]
pub enum RecoveringEvent {
    /// A message begins.
    MessageStart {
        /// Where its text goes.
        kind: MessageKind,
        /// The author's role (always the assistant: other authors are dropped).
        role: Role,
        /// The author's name.
        name: Option<String>,
        /// The canonical channel.
        channel: Option<String>,
        /// The tool called (calls only).
        recipient: Option<String>,
        /// The content type (`<|constrain|>json`).
        content_type: Option<String>,
    },
    /// Text added to the current message; never splits a character.
    ContentDelta {
        /// The text.
        delta: String,
    },
    /// A message is complete.
    MessageEnd {
        /// Where its text went.
        kind: MessageKind,
        /// The message, as it appears in [`RecoveringParser::messages`].
        message: Message,
        /// What ended it (`<|start|>` or `<|channel|>` closing an unclosed message counts as `End`).
        stop: StopKind,
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
    /// An intervention.
    Recovered(Recovery),
}

/// Options of the recovering parser.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecoverOptions {
    /// Fail with an `ERR_HARMONY_PARSE` error at the first recovery instead of recovering.
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Between messages; `pending` holds loose text.
    Between,
    /// Reading a header; `pending` holds its text, markers included.
    Header,
    /// Reading a body (`body` is `None` when the message is dropped).
    Body,
}

/// Why loose text between messages ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LooseEnd {
    /// A header follows.
    Header,
    /// A stop token or the end of the stream.
    Stop(StopKind),
}

#[derive(Debug, Clone)]
struct Body {
    opened: Opened,
    text: String,
}

/// Incremental UTF-8 decoding: complete characters out at once, an invalid sequence as U+FFFD.
#[derive(Debug, Clone, Default)]
struct Utf8Stream {
    partial: Vec<u8>,
}

impl Utf8Stream {
    fn push(&mut self, bytes: &[u8], out: &mut String) {
        if self.partial.is_empty() {
            if let Ok(text) = std::str::from_utf8(bytes) {
                out.push_str(text);
                return;
            }
        }
        self.partial.extend_from_slice(bytes);
        let mut rest = mem::take(&mut self.partial);
        let mut from = 0;
        loop {
            match std::str::from_utf8(&rest[from..]) {
                Ok(text) => {
                    out.push_str(text);
                    from = rest.len();
                    break;
                }
                Err(e) => {
                    let valid = from + e.valid_up_to();
                    out.push_str(&String::from_utf8_lossy(&rest[from..valid]));
                    match e.error_len() {
                        Some(len) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            from = valid + len;
                        }
                        None => {
                            from = valid;
                            break;
                        }
                    }
                }
            }
        }
        rest.drain(..from);
        self.partial = rest;
    }

    fn finish(&mut self, out: &mut String) {
        if !self.partial.is_empty() {
            out.push_str(&String::from_utf8_lossy(&self.partial));
            self.partial.clear();
        }
    }
}

/// The recovering parser: see the module documentation.
#[derive(Debug, Clone)]
pub struct RecoveringParser {
    encoding: HarmonyEncoding,
    strict: bool,
    phase: Phase,
    /// The role of the header being read when something other than its own words says it (the
    /// prompt's `<|start|>assistant`, or a message begun without `<|start|>`).
    header_role: Option<Role>,
    /// The header was opened by a token of the completion (not by the prompt).
    header_from_token: bool,
    /// Bytes of the header being read, or of loose text between messages.
    pending: Vec<u8>,
    /// A message (or a header) has been read: later loose text is no opening text.
    seen_message: bool,
    /// The header being read began with `<|message|>` between messages (no `<|start|>`, no
    /// `<|channel|>`).
    headerless: bool,
    body: Option<Body>,
    decoder: Utf8Stream,
    count: usize,
    /// Tokens of reasoning text (`reasoning_token_count`).
    reasoning_count: usize,
    truncated: bool,
    messages: Vec<Message>,
    recovered: Vec<Recovery>,
    /// Text held back by `process_text` because it may be the start of a `<|…|>` marker.
    text_tail: String,
    /// Events before this index in the caller's Vec came from earlier calls.
    batch_start: usize,
}

impl RecoveringParser {
    /// A lenient parser. With `role`, the stream starts right after `<|start|>{role}` (as sampled
    /// after `render_conversation_for_completion`); without, it starts with `<|start|>`.
    pub fn new(encoding: HarmonyEncoding, role: Option<Role>) -> Self {
        Self::with_options(encoding, role, RecoverOptions::default())
    }

    /// A parser with options.
    pub fn with_options(encoding: HarmonyEncoding, role: Option<Role>, options: RecoverOptions) -> Self {
        Self {
            encoding,
            strict: options.strict,
            phase: if role.is_some() { Phase::Header } else { Phase::Between },
            header_role: role,
            header_from_token: false,
            pending: Vec::new(),
            seen_message: false,
            headerless: false,
            body: None,
            decoder: Utf8Stream::default(),
            count: 0,
            reasoning_count: 0,
            truncated: false,
            messages: Vec::new(),
            recovered: Vec::new(),
            text_tail: String::new(),
            batch_start: 0,
        }
    }

    /// Feeds a batch of tokens, appending the events they cause (the text a batch adds to a
    /// message between other events comes as one `ContentDelta`). Fails only in strict mode.
    pub fn process_many(&mut self, tokens: &[u32], events: &mut Vec<RecoveringEvent>) -> Result<()> {
        self.batch_start = events.len();
        for &token in tokens {
            self.step(token, events)?;
        }
        Ok(())
    }

    /// Signals the end of the stream: completes what is in progress. Fails only in strict mode.
    pub fn process_eos(&mut self, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        self.batch_start = events.len();
        let tail = mem::take(&mut self.text_tail);
        self.process_tokens_of(&tail, events)?;
        match self.phase {
            Phase::Between => self.end_loose(LooseEnd::Stop(StopKind::Eos), events)?,
            Phase::Header => {
                // Plain text without any marker may be output whose markers were stripped: it
                // says nothing of where the reply ended.
                if self.header_from_token || self.pending.windows(2).any(|w| w == b"<|") {
                    self.truncated = true;
                }
                self.cut_header(RecoveryKind::HeaderEos, StopKind::Eos, events)?;
            }
            Phase::Body => {
                self.truncated = true;
                self.finish_body(StopKind::Eos, events);
            }
        }
        self.phase = Phase::Between;
        self.header_role = None;
        Ok(())
    }

    /// Feeds decoded text (with literal `<|…|>` markers). A trailing piece that may be the
    /// beginning of a marker is held back until the next call or the end of the stream.
    pub fn process_text(&mut self, text: &str, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        self.batch_start = events.len();
        self.text_tail.push_str(text);
        let keep_from = match self.text_tail.rfind('<') {
            Some(at) if self.text_tail.len() - at < MAX_MARKER_LEN && !self.text_tail[at..].contains('>') => at,
            _ => self.text_tail.len(),
        };
        let rest = self.text_tail.split_off(keep_from);
        let ready = mem::replace(&mut self.text_tail, rest);
        self.process_tokens_of(&ready, events)
    }

    fn process_tokens_of(&mut self, text: &str, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        let mut tokens = Vec::new();
        self.encoding.tokenizer().encode_into(text, &SpecialTokenSet::All, &mut tokens);
        for token in tokens {
            self.step(token, events)?;
        }
        Ok(())
    }

    /// The completed messages, normalised as in the events (dropped text is not here).
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// Every recovery so far.
    pub fn recovered(&self) -> &[Recovery] {
        &self.recovered
    }

    /// Number of tokens fed so far.
    pub fn token_count(&self) -> usize {
        self.count
    }

    /// Number of tokens of reasoning text: a reasoning message's `<|message|>` and content
    /// tokens (for text known only at once, such as opening words kept as reasoning, the tokens
    /// of that text): the reasoning tokens of `usage`.
    pub fn reasoning_token_count(&self) -> usize {
        self.reasoning_count
    }

    /// Whether the stream ended inside a message or a header (the reply was cut short: the
    /// `length` finish reason).
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Releases what the parser holds beyond its counts and `truncated`: the messages and
    /// recoveries kept for `messages()` and `recovered()` (emptied), and the message in progress
    /// with its buffers (dropped). For bindings that take both from the events and whose parsers
    /// a garbage collector may finalise late: call it after `process_eos`, or when the parser will
    /// not be used again.
    pub fn release_memory(&mut self) {
        self.messages = Vec::new();
        self.recovered = Vec::new();
        self.pending = Vec::new();
        self.body = None;
        self.decoder = Utf8Stream::default();
        self.text_tail = String::new();
    }

    /// Whether every ordinary token (an id below `tokenizer::FIRST_SPECIAL`) would only extend the
    /// text held back outside a message's body — a header being read, or loose text whose fate
    /// the next control token decides — with no event and no error, and leave this still true.
    /// Bindings use it, as `appends_whole_tokens`, to answer such tokens without a call and feed
    /// them later in one batch.
    pub fn holds_ordinary_tokens(&self) -> bool {
        self.phase != Phase::Body
    }

    /// Whether the next ordinary token whose bytes are valid UTF-8 on their own would only add
    /// exactly its text to the message being read, as one content delta (and leave this still
    /// true): the parser is inside a kept message's body with no partial character pending.
    /// Bindings use it to answer such tokens without a call and feed them later in one batch.
    pub fn appends_whole_tokens(&self) -> bool {
        self.phase == Phase::Body && self.body.is_some() && self.decoder.partial.is_empty()
    }

    fn step(&mut self, token: u32, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        self.count += 1;
        let stop = StopKind::of_token(token);
        let special = self.encoding.tokenizer().is_special_token(token);
        match self.phase {
            Phase::Between => match token {
                START => {
                    self.end_loose_before_header(events)?;
                    self.open_header(None, true);
                }
                CHANNEL => {
                    let role_only = self.loose_is_role();
                    if !role_only {
                        self.end_loose_before_header(events)?;
                    }
                    self.pending.clear();
                    self.record(
                        RecoveryKind::MissingStart,
                        "<|channel|> without <|start|>assistant".to_owned(),
                        events,
                    )?;
                    self.open_header(Some(Role::Assistant), true);
                    self.pending.extend_from_slice(b"<|channel|>");
                }
                MESSAGE => {
                    // The loose text is the header (`assistant<|message|>`).
                    self.record(
                        RecoveryKind::MissingStart,
                        "<|message|> without <|start|>assistant".to_owned(),
                        events,
                    )?;
                    self.phase = Phase::Header;
                    self.header_role = Some(Role::Assistant);
                    self.header_from_token = true;
                    self.headerless = true;
                    self.finish_header(events)?;
                }
                _ if stop.is_some() => {
                    if self.pending.is_empty() {
                        let detail = format!("ignored <|{}|> between messages", stop.map_or("", StopKind::as_str));
                        self.record(RecoveryKind::StrayStopToken, detail, events)?;
                    } else {
                        self.end_loose(LooseEnd::Stop(stop.unwrap_or(StopKind::End)), events)?;
                    }
                }
                _ if special => self.stray_control_token(token, events)?,
                _ => self.push_pending(token, events)?,
            },
            Phase::Header => match token {
                MESSAGE => self.finish_header(events)?,
                START => {
                    if self.header_is_role_only() {
                        self.record(
                            RecoveryKind::RepeatedStart,
                            "<|start|> again before the header was written".to_owned(),
                            events,
                        )?;
                        self.open_header(None, true);
                    } else {
                        self.cut_header(RecoveryKind::BrokenHeader, StopKind::End, events)?;
                        self.open_header(None, true);
                    }
                }
                CHANNEL => self.pending.extend_from_slice(b"<|channel|>"),
                CONSTRAIN => self.pending.extend_from_slice(b"<|constrain|>"),
                _ if stop.is_some() => {
                    self.cut_header(RecoveryKind::InterruptedHeader, stop.unwrap_or(StopKind::End), events)?;
                    self.phase = Phase::Between;
                }
                _ if special => self.stray_control_token(token, events)?,
                _ => self.push_pending(token, events)?,
            },
            Phase::Body => match token {
                _ if stop.is_some() => self.finish_body(stop.unwrap_or(StopKind::End), events),
                START => {
                    self.record(
                        RecoveryKind::UnclosedMessage,
                        "<|start|> inside a message: it ends it".to_owned(),
                        events,
                    )?;
                    self.finish_body(StopKind::End, events);
                    self.open_header(None, true);
                }
                CHANNEL => {
                    self.record(
                        RecoveryKind::UnclosedMessage,
                        "<|channel|> inside a message: it ends it".to_owned(),
                        events,
                    )?;
                    self.finish_body(StopKind::End, events);
                    self.open_header(Some(Role::Assistant), true);
                    self.pending.extend_from_slice(b"<|channel|>");
                }
                _ if special => self.stray_control_token(token, events)?,
                _ => self.push_body(token, events)?,
            },
        }
        Ok(())
    }

    fn record(&mut self, kind: RecoveryKind, detail: String, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        let token_index = self.count.saturating_sub(1);
        if self.strict {
            return Err(HarmonyError::parse(format!("{kind}: {detail}")).at_token(token_index));
        }
        let recovery = Recovery { kind, token_index, detail };
        self.recovered.push(recovery.clone());
        events.push(RecoveringEvent::Recovered(recovery));
        Ok(())
    }

    fn stray_control_token(&mut self, token: u32, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        let name = self.encoding.tokenizer().special_token_text(token).unwrap_or("?");
        self.record(RecoveryKind::StrayControlToken, format!("dropped {name} (token {token})"), events)
    }

    fn token_bytes(&self, token: u32) -> Option<&'static [u8]> {
        let tokenizer = self.encoding.tokenizer();
        match tokenizer.ordinary_token_text(token) {
            Some(text) => Some(text.as_bytes()),
            None => tokenizer.token_bytes(token),
        }
    }

    fn push_pending(&mut self, token: u32, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        match self.token_bytes(token) {
            Some(bytes) => self.pending.extend_from_slice(bytes),
            None => self.record(RecoveryKind::StrayControlToken, format!("dropped unknown token {token}"), events)?,
        }
        Ok(())
    }

    fn push_body(&mut self, token: u32, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        let text = self.encoding.tokenizer().ordinary_token_text(token);
        let Some(bytes) = self.token_bytes(token) else {
            return self.record(RecoveryKind::StrayControlToken, format!("dropped unknown token {token}"), events);
        };
        let Some(body) = self.body.as_mut() else { return Ok(()) };
        if body.opened.kind == MessageKind::Reasoning {
            self.reasoning_count += 1;
        }
        let start = body.text.len();
        match text {
            // Valid UTF-8 on its own (the tokenizer's table says so) after whole characters:
            // nothing to check.
            Some(text) if self.decoder.partial.is_empty() => body.text.push_str(text),
            _ => self.decoder.push(bytes, &mut body.text),
        }
        if body.text.len() > start {
            let delta = &body.text[start..];
            let in_batch = events.len() > self.batch_start;
            match events.last_mut() {
                Some(RecoveringEvent::ContentDelta { delta: run }) if in_batch => run.push_str(delta),
                _ => events.push(RecoveringEvent::ContentDelta { delta: delta.to_owned() }),
            }
        }
        Ok(())
    }

    fn open_header(&mut self, role: Option<Role>, from_token: bool) {
        self.phase = Phase::Header;
        self.header_role = role;
        self.header_from_token = from_token;
        self.pending.clear();
    }

    fn pending_text(&mut self) -> String {
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        text
    }

    /// The loose text is a role word only (`…<|end|>assistant<|channel|>`: `<|start|>` missing).
    fn loose_is_role(&self) -> bool {
        String::from_utf8_lossy(&self.pending).trim() == Role::Assistant.as_str()
    }

    /// The header holds nothing but (at most) its role word.
    fn header_is_role_only(&self) -> bool {
        let text = String::from_utf8_lossy(&self.pending);
        let text = text.trim();
        text.is_empty() || Role::from_wire(text).is_some()
    }

    fn context(&self) -> HeaderContext {
        HeaderContext { role: self.header_role, at_beginning: !self.seen_message, headerless: self.headerless }
    }

    fn end_loose_before_header(&mut self, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        self.end_loose(LooseEnd::Header, events)
    }

    /// Decides what loose text between messages was.
    fn end_loose(&mut self, end: LooseEnd, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        let text = self.pending_text();
        if text.trim().is_empty() {
            return Ok(());
        }
        let stop = match end {
            LooseEnd::Header => StopKind::End,
            LooseEnd::Stop(stop) => stop,
        };
        if !self.seen_message {
            return self.opening_text(text, stop, events);
        }
        match end {
            LooseEnd::Header => {
                let detail =
                    format!("dropped {} characters between a stop token and the next header", text.chars().count());
                self.record(RecoveryKind::FillerText, detail, events)
            }
            // `…<|end|>assistantfinal The answer`: a header written as words.
            LooseEnd::Stop(_) if stripped_pieces(&text).is_some() => self.opening_text(text, stop, events),
            LooseEnd::Stop(_) => {
                let detail = "text after a message with no header before it: kept as reasoning".to_owned();
                self.record(RecoveryKind::MissingHeader, detail, events)?;
                self.whole_message(reasoning_header(), text, stop, events);
                Ok(())
            }
        }
    }

    /// The reply's opening words, before any header: text, or reasoning if they begin with
    /// `analysis` (output whose markers were stripped).
    fn opening_text(&mut self, text: String, stop: StopKind, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        if let Some(pieces) = stripped_pieces(&text) {
            let detail = "output whose markers were stripped: split at its channel words".to_owned();
            self.record(RecoveryKind::MissingChannelMarker, detail, events)?;
            let last = pieces.len().saturating_sub(1);
            for (i, (kind, piece)) in pieces.into_iter().enumerate() {
                let opened = if kind == MessageKind::Reasoning { reasoning_header() } else { text_header() };
                self.whole_message(opened, piece, if i == last { stop } else { StopKind::End }, events);
            }
            return Ok(());
        }
        self.record(RecoveryKind::LeadingText, "words before the first header: kept as text".to_owned(), events)?;
        self.whole_message(text_header(), text, stop, events);
        Ok(())
    }

    /// A header that will not complete: its opening words may be kept, the rest is dropped.
    fn cut_header(&mut self, kind: RecoveryKind, stop: StopKind, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        let context = self.context();
        let from_token = self.header_from_token;
        let text = self.pending_text();
        self.phase = Phase::Between;
        self.header_role = None;
        if text.trim().is_empty() && !from_token {
            // Nothing was written after the prompt's `<|start|>assistant`.
            if kind == RecoveryKind::InterruptedHeader {
                let detail = format!("ignored <|{}|> before any header", stop.as_str());
                self.record(RecoveryKind::StrayStopToken, detail, events)?;
            }
            return Ok(());
        }
        self.seen_message = true;
        let plain = !text.contains("<|") && !text.split_whitespace().any(|w| w.starts_with("to="));
        if plain && context.at_beginning && context.role.is_some() && !from_token {
            // No header at all: the model answered in plain text.
            return self.opening_text(text, stop, events);
        }
        if let Some(repaired) = repair_markers(&text).filter(|t| t.contains("<|message|>")) {
            return self.damaged_message(&repaired, context, kind, stop, events);
        }
        let reading = read_header(&text, context);
        if let Some((leading_kind, leading)) = reading.leading {
            for (note, detail) in reading.notes {
                if matches!(note, RecoveryKind::LeadingText | RecoveryKind::MissingChannelMarker) {
                    self.record(note, detail, events)?;
                }
            }
            let opened = if leading_kind == MessageKind::Reasoning { reasoning_header() } else { text_header() };
            self.whole_message(opened, leading, StopKind::End, events);
        }
        let detail = match kind {
            RecoveryKind::HeaderEos => "the stream ended inside a message header: dropped it",
            RecoveryKind::BrokenHeader => "<|start|> inside an unfinished header: dropped the header",
            _ => "a stop token inside a message header: dropped the header",
        };
        self.record(kind, detail.to_owned(), events)
    }

    /// A header whose `<|message|>` was damaged (`<message|>`): the message it opens, whole,
    /// ended by what cut the header.
    fn damaged_message(
        &mut self,
        repaired: &str,
        context: HeaderContext,
        cut: RecoveryKind,
        stop: StopKind,
        events: &mut Vec<RecoveringEvent>,
    ) -> Result<()> {
        self.record(
            RecoveryKind::DamagedMarker,
            "a marker with a pipe missing: read as the marker".to_owned(),
            events,
        )?;
        let (header, body) = repaired.split_once("<|message|>").unwrap_or((repaired, ""));
        self.open_body(header, context, events)?;
        self.push_whole_text(body, events);
        if cut == RecoveryKind::BrokenHeader {
            self.record(RecoveryKind::UnclosedMessage, "<|start|> inside a message: it ends it".to_owned(), events)?;
        }
        self.finish_body(stop, events);
        Ok(())
    }

    /// At `<|message|>`: reads the header and opens the body.
    fn finish_header(&mut self, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        self.finish_header_text(events)?;
        // The `<|message|>` of a reasoning message is a reasoning token.
        if self.body.as_ref().is_some_and(|b| b.opened.kind == MessageKind::Reasoning) {
            self.reasoning_count += 1;
        }
        Ok(())
    }

    fn finish_header_text(&mut self, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        let context = self.context();
        self.headerless = false;
        let text = self.pending_text();
        let Some(repaired) = repair_markers(&text).filter(|t| t.contains("<|message|>")) else {
            return self.open_body(&text, context, events);
        };
        // `<|channel|>analysis<message|>text<|channel|>final<|message|>`: a message whose marker
        // was damaged, then (maybe) the header this `<|message|>` ends.
        self.record(
            RecoveryKind::DamagedMarker,
            "a marker with a pipe missing: read as the marker".to_owned(),
            events,
        )?;
        let (header, rest) = repaired.split_once("<|message|>").unwrap_or((&repaired, ""));
        let (body, next_header) = match rest.find("<|channel|>") {
            Some(at) => (&rest[..at], Some(&rest[at..])),
            None => (rest, None),
        };
        self.open_body(header, context, events)?;
        self.push_whole_text(body, events);
        match next_header {
            Some(next) => {
                self.record(
                    RecoveryKind::UnclosedMessage,
                    "<|channel|> inside a message: it ends it".to_owned(),
                    events,
                )?;
                self.finish_body(StopKind::End, events);
                let context = HeaderContext { role: Some(Role::Assistant), at_beginning: false, headerless: false };
                self.open_body(next, context, events)
            }
            // The body goes on after this `<|message|>`, which means nothing there.
            None => {
                self.record(RecoveryKind::StrayControlToken, "dropped <|message|> inside a message".to_owned(), events)
            }
        }
    }

    /// Adds text known at once to the open body; text with markup in it is dropped (markup says
    /// the text is not what it seems, and must never be shown).
    fn push_whole_text(&mut self, text: &str, events: &mut Vec<RecoveringEvent>) {
        if let (Some(open), false) = (self.body.as_mut(), text.is_empty() || text.contains("<|")) {
            if open.opened.kind == MessageKind::Reasoning {
                self.reasoning_count += self.encoding.tokenizer().count_ordinary(text);
            }
            open.text.push_str(text);
            events.push(RecoveringEvent::ContentDelta { delta: text.to_owned() });
        }
    }

    /// Reads a header and opens the body it announces (or a dropped body).
    fn open_body(&mut self, text: &str, context: HeaderContext, events: &mut Vec<RecoveringEvent>) -> Result<()> {
        self.header_role = None;
        self.seen_message = true;
        self.phase = Phase::Body;
        let reading = read_header(text, context);
        for (kind, detail) in reading.notes {
            self.record(kind, detail, events)?;
        }
        if let Some((kind, leading)) = reading.leading {
            let opened = if kind == MessageKind::Reasoning { reasoning_header() } else { text_header() };
            self.whole_message(opened, leading, StopKind::End, events);
        }
        self.body = reading.opened.map(|opened| {
            events.push(start_event(&opened));
            Body { opened, text: String::new() }
        });
        Ok(())
    }

    fn whole_message(&mut self, opened: Opened, text: String, stop: StopKind, events: &mut Vec<RecoveringEvent>) {
        if opened.kind == MessageKind::Reasoning {
            self.reasoning_count += self.encoding.tokenizer().count_ordinary(&text);
        }
        events.push(start_event(&opened));
        if !text.is_empty() {
            events.push(RecoveringEvent::ContentDelta { delta: text.clone() });
        }
        self.end_message(Body { opened, text }, stop, events);
    }

    fn finish_body(&mut self, stop: StopKind, events: &mut Vec<RecoveringEvent>) {
        self.phase = Phase::Between;
        let mut rest = String::new();
        self.decoder.finish(&mut rest);
        let Some(mut body) = self.body.take() else { return };
        if !rest.is_empty() {
            body.text.push_str(&rest);
            events.push(RecoveringEvent::ContentDelta { delta: rest });
        }
        self.end_message(body, stop, events);
    }

    fn end_message(&mut self, body: Body, stop: StopKind, events: &mut Vec<RecoveringEvent>) {
        self.seen_message = true;
        let Body { opened: Opened { kind, role, name, channel, recipient, content_type }, text } = body;
        let call = (kind == MessageKind::Call && stop == StopKind::Call)
            .then(|| (recipient.clone().unwrap_or_default(), content_type.clone(), text.clone()));
        let message = Message {
            author: Author { role, name },
            recipient,
            content: vec![Content::Text(TextContent { text })],
            channel,
            content_type,
        };
        self.messages.push(message.clone());
        events.push(RecoveringEvent::MessageEnd { kind, message, stop });
        if let Some((recipient, content_type, arguments)) = call {
            events.push(RecoveringEvent::ToolCall { recipient, content_type, arguments });
        }
    }
}

fn start_event(opened: &Opened) -> RecoveringEvent {
    RecoveringEvent::MessageStart {
        kind: opened.kind,
        role: opened.role,
        name: opened.name.clone(),
        channel: opened.channel.clone(),
        recipient: opened.recipient.clone(),
        content_type: opened.content_type.clone(),
    }
}

fn reasoning_header() -> Opened {
    Opened {
        kind: MessageKind::Reasoning,
        role: Role::Assistant,
        name: None,
        channel: Some("analysis".to_owned()),
        recipient: None,
        content_type: None,
    }
}

fn text_header() -> Opened {
    Opened {
        kind: MessageKind::Text,
        role: Role::Assistant,
        name: None,
        channel: None,
        recipient: None,
        content_type: None,
    }
}
