//! A parser for gateways that never fails on model output.
//!
//! `RecoveringParser` drives a [`StreamableParser`] and steps in where the model broke the
//! grammar, so that everything the model wrote reaches the caller and each intervention is
//! reported as data ([`RecoveringEvent::Recovered`], in stream order, and [`RecoveringParser::recovered`]):
//!
//! * a stop token between messages (`<|return|>` after `<|end|>`) is dropped;
//! * a token that cannot start a message (no `<|start|>`), a header that does not parse, a stop
//!   token inside a header and the end of the stream inside a header turn the unparseable tail
//!   (the header's tokens included, as literal text) into the content of an assistant message
//!   without channel. That message ends like any other (stop token or end of stream), and
//!   parsing goes on normally after it;
//! * recipients and tool names are cut at the first control-token text
//!   (`functions.f<|channel|>commentary` → `functions.f`); a recipient that is only a
//!   `<|constrain|>` content type (`commentary <|constrain|>json` without `to=`) becomes the
//!   content type.
//!
//! Text mode parses decoded text: the markers are tokenised as the special tokens they name, and
//! the tokens go through the same parser.

use std::mem;

use super::event::{ParseEvent, StopKind};
use super::stream::{StreamState, StreamableParser};
use super::ParseOptions;
use crate::chat::{Message, Role};
use crate::encoding::{HarmonyEncoding, MESSAGE, START};
use crate::tokenizer::SpecialTokenSet;

const CONTROL_TEXT: &str = "<|";
const CONSTRAIN_TEXT: &str = "<|constrain|>";
const MAX_MARKER_LEN: usize = 32;

/// What was wrong with the model's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecoveryKind {
    /// A stop token between messages; ignored.
    StrayStopToken,
    /// A token other than `<|start|>` between messages; it starts a recovered message.
    MissingStart,
    /// A header that does not parse; it starts a recovered message.
    BrokenHeader,
    /// A stop token inside a header; the header becomes a recovered message ended by it.
    InterruptedHeader,
    /// The end of the stream inside a header; the header becomes a recovered message.
    HeaderEos,
    /// A recipient or tool name held control-token text; it was cut there.
    ControlTokenInRecipient,
}

impl RecoveryKind {
    /// The kebab-case name (`stray-stop-token`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            RecoveryKind::StrayStopToken => "stray-stop-token",
            RecoveryKind::MissingStart => "missing-start",
            RecoveryKind::BrokenHeader => "broken-header",
            RecoveryKind::InterruptedHeader => "interrupted-header",
            RecoveryKind::HeaderEos => "header-eos",
            RecoveryKind::ControlTokenInRecipient => "control-token-in-recipient",
        }
    }
}

/// One intervention of the recovering parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// What was wrong.
    pub kind: RecoveryKind,
    /// Index of the token where it was noticed, among all tokens fed (for the end of the stream:
    /// the number of tokens fed).
    pub token_index: usize,
    /// A human-readable explanation (the parse error, the original recipient, …).
    pub detail: String,
}

/// An event of the recovering parser: a parse event, or a recovery, in stream order. A
/// recovery that turns a tail into a message comes right before that message's `MessageStart`.
#[derive(Debug, Clone, PartialEq)]
pub enum RecoveringEvent {
    /// A parse event (recipients already sanitised).
    Parse(ParseEvent),
    /// An intervention.
    Recovered(Recovery),
}

/// A parser that never fails: see the module documentation.
#[derive(Debug, Clone)]
pub struct RecoveringParser {
    encoding: HarmonyEncoding,
    inner: StreamableParser,
    /// Tokens of the header being read (with its `<|start|>`), for turning it into content.
    header: Vec<u32>,
    /// Tokens fed so far.
    count: usize,
    /// Tokens read as content of an analysis message (`reasoning_token_count`).
    reasoning_count: usize,
    messages: Vec<Message>,
    recovered: Vec<Recovery>,
    /// Text held back by `process_text` because it may be the start of a `<|…|>` marker.
    text_tail: String,
    /// Reused buffer for the inner parser's events.
    scratch: Vec<ParseEvent>,
}

impl RecoveringParser {
    /// A parser. With `role`, the stream starts right after `<|start|>{role}` (as sampled after
    /// `render_conversation_for_completion`); without, it must start with `<|start|>`.
    pub fn new(encoding: HarmonyEncoding, role: Option<Role>) -> Self {
        Self {
            encoding,
            inner: StreamableParser::new(encoding, role, ParseOptions { strict: false }),
            header: Vec::new(),
            count: 0,
            reasoning_count: 0,
            messages: Vec::new(),
            recovered: Vec::new(),
            text_tail: String::new(),
            scratch: Vec::new(),
        }
    }

    /// Feeds a batch of tokens, appending the events they cause.
    pub fn process_many(&mut self, tokens: &[u32], events: &mut Vec<RecoveringEvent>) {
        for &token in tokens {
            self.step(token, events);
        }
    }

    /// Signals the end of the stream: completes a message in progress (a header in progress
    /// becomes a recovered message).
    pub fn process_eos(&mut self, events: &mut Vec<RecoveringEvent>) {
        self.flush_text(events);
        if self.inner.state() == StreamState::Header && !self.header.is_empty() {
            self.record(RecoveryKind::HeaderEos, self.count, "the stream ended inside a message header".to_owned(), events);
            self.restart_as_content(events);
        }
        // Ends a message in progress; in Header state (an empty header) it fails, which only
        // means there is nothing to complete.
        let _ = self.inner.process_eos_with_events(&mut self.scratch);
        self.forward(events);
        self.inner = StreamableParser::new(self.encoding, None, ParseOptions { strict: false });
        self.header.clear();
    }

    /// Feeds decoded text (with literal `<|…|>` markers). A trailing piece that may be the
    /// beginning of a marker is held back until the next call or the end of the stream.
    pub fn process_text(&mut self, text: &str, events: &mut Vec<RecoveringEvent>) {
        self.text_tail.push_str(text);
        // Markers are short (`<|reserved_200017|>`): a longer run after `<` is plain text.
        let keep_from = match self.text_tail.rfind('<') {
            Some(at) if self.text_tail.len() - at < MAX_MARKER_LEN && !self.text_tail[at..].contains('>') => at,
            _ => self.text_tail.len(),
        };
        let rest = self.text_tail.split_off(keep_from);
        let ready = mem::replace(&mut self.text_tail, rest);
        self.process_tokens_of(&ready, events);
    }

    fn flush_text(&mut self, events: &mut Vec<RecoveringEvent>) {
        let text = mem::take(&mut self.text_tail);
        self.process_tokens_of(&text, events);
    }

    fn process_tokens_of(&mut self, text: &str, events: &mut Vec<RecoveringEvent>) {
        if text.is_empty() {
            return;
        }
        let mut tokens = Vec::new();
        self.encoding.tokenizer().encode_into(text, &SpecialTokenSet::All, &mut tokens);
        self.process_many(&tokens, events);
    }

    /// The completed messages (recipients sanitised).
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// Every recovery so far.
    pub fn recovered(&self) -> &[Recovery] {
        &self.recovered
    }

    /// Where the underlying parser is.
    pub fn state(&self) -> StreamState {
        self.inner.state()
    }

    /// Number of tokens fed so far.
    pub fn token_count(&self) -> usize {
        self.count
    }

    /// Number of tokens fed so far that the parser read inside an analysis message (its
    /// `<|message|>` and content tokens): the reasoning tokens of `usage`.
    pub fn reasoning_token_count(&self) -> usize {
        self.reasoning_count
    }

    fn step(&mut self, token: u32, events: &mut Vec<RecoveringEvent>) {
        let index = self.count;
        self.count += 1;
        let stop = StopKind::of_token(token);
        match self.inner.state() {
            StreamState::ExpectStart if token == START => {
                self.header.clear();
                self.header.push(token);
                self.feed(token, events);
            }
            StreamState::ExpectStart if stop.is_some() => {
                let detail = format!("ignored <|{}|> between messages", stop.map_or("", StopKind::as_str));
                self.record(RecoveryKind::StrayStopToken, index, detail, events);
            }
            StreamState::ExpectStart => {
                self.record(RecoveryKind::MissingStart, index, format!("token {token} where <|start|> was expected"), events);
                self.header.clear();
                self.restart_as_content(events);
                self.feed(token, events);
            }
            // The reference would drop such a header (or whitespace-normalise it): keep it verbatim.
            StreamState::Header if stop.is_some() => {
                self.record(RecoveryKind::InterruptedHeader, index, "a stop token ended a message header".to_owned(), events);
                self.restart_as_content(events);
                self.feed(token, events);
            }
            StreamState::Header if token == MESSAGE => {
                match self.inner.process_with_events(token, &mut self.scratch) {
                    Ok(_) => self.forward(events),
                    Err(err) => {
                        self.scratch.clear();
                        self.record(RecoveryKind::BrokenHeader, index, err.message, events);
                        self.header.push(token);
                        self.restart_as_content(events);
                    }
                }
                self.header.clear();
            }
            StreamState::Header => {
                self.header.push(token);
                self.feed(token, events);
            }
            StreamState::Content => self.feed(token, events),
        }
        if self.inner.state() == StreamState::Content && self.inner.current_channel() == Some("analysis") {
            self.reasoning_count += 1;
        }
    }

    /// Feeds a token the inner parser accepts in its state (content tokens, stop tokens in
    /// content, header tokens other than `<|message|>`).
    fn feed(&mut self, token: u32, events: &mut Vec<RecoveringEvent>) {
        // Infallible in these states (SPEC §4.2); an error would leave the state as it was.
        let _ = self.inner.process_with_events(token, &mut self.scratch);
        self.forward(events);
    }

    /// Replaces the inner parser with one inside the content of an assistant message without
    /// channel, whose text starts with the header tokens read so far.
    fn restart_as_content(&mut self, events: &mut Vec<RecoveringEvent>) {
        let mut parser = StreamableParser::new(self.encoding, Some(Role::Assistant), ParseOptions { strict: false });
        // An empty header with a supplied role always parses.
        let _ = parser.process_with_events(MESSAGE, &mut self.scratch);
        for token in mem::take(&mut self.header) {
            let _ = parser.process_with_events(token, &mut self.scratch);
        }
        self.inner = parser;
        self.forward(events);
    }

    fn record(&mut self, kind: RecoveryKind, token_index: usize, detail: String, events: &mut Vec<RecoveringEvent>) {
        let recovery = Recovery { kind, token_index, detail };
        self.recovered.push(recovery.clone());
        events.push(RecoveringEvent::Recovered(recovery));
    }

    /// Moves the inner parser's events out, sanitising recipients and collecting messages.
    fn forward(&mut self, events: &mut Vec<RecoveringEvent>) {
        let index = self.count.saturating_sub(1);
        for mut event in mem::take(&mut self.scratch) {
            match &mut event {
                ParseEvent::MessageStart { name, recipient, content_type, .. } => {
                    for original in [sanitize_name(name), sanitize_recipient(recipient, content_type)].into_iter().flatten() {
                        let detail = format!("cut {original:?} at its control token");
                        self.record(RecoveryKind::ControlTokenInRecipient, index, detail, events);
                    }
                }
                ParseEvent::MessageEnd { message, .. } => {
                    sanitize_name(&mut message.author.name);
                    sanitize_recipient(&mut message.recipient, &mut message.content_type);
                    self.messages.push(message.clone());
                }
                ParseEvent::ToolCall { recipient, content_type, .. } => {
                    let mut cut = Some(mem::take(recipient));
                    sanitize_recipient(&mut cut, content_type);
                    match cut {
                        Some(cut) => *recipient = cut,
                        // Nothing left to call: the message stays, without a tool call.
                        None => continue,
                    }
                }
                ParseEvent::ContentDelta { .. } => {}
            }
            events.push(RecoveringEvent::Parse(event));
        }
    }
}

/// Cuts a tool name at its first control-token text; returns the original when it changed.
fn sanitize_name(name: &mut Option<String>) -> Option<String> {
    let at = name.as_deref()?.find(CONTROL_TEXT)?;
    let original = name.take()?;
    *name = Some(original[..at].to_owned()).filter(|n| !n.is_empty());
    Some(original)
}

/// Cuts a recipient at its first control-token text (a recipient that is just a `<|constrain|>`
/// content type becomes the content type); returns the original when it changed.
fn sanitize_recipient(recipient: &mut Option<String>, content_type: &mut Option<String>) -> Option<String> {
    let at = recipient.as_deref()?.find(CONTROL_TEXT)?;
    let original = recipient.take()?;
    if at == 0 && original.starts_with(CONSTRAIN_TEXT) && content_type.is_none() {
        *content_type = Some(original.clone());
    }
    *recipient = Some(original[..at].to_owned()).filter(|r| !r.is_empty());
    Some(original)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Content, TextContent};
    use crate::{load_harmony_encoding, HarmonyEncodingName};

    fn run(role: Option<Role>, text: &str) -> (Vec<RecoveringEvent>, RecoveringParser) {
        let encoding = load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).unwrap();
        let mut tokens = Vec::new();
        encoding.tokenizer().encode_into(text, &SpecialTokenSet::All, &mut tokens);
        let mut parser = RecoveringParser::new(encoding, role);
        let mut events = Vec::new();
        parser.process_many(&tokens, &mut events);
        parser.process_eos(&mut events);
        (events, parser)
    }

    fn text(m: &Message) -> &str {
        match m.content.as_slice() {
            [Content::Text(TextContent { text })] => text,
            _ => panic!("not one text item"),
        }
    }

    fn summary(p: &RecoveringParser) -> Vec<(Option<&str>, Option<&str>, &str)> {
        p.messages().iter().map(|m| (m.channel.as_deref(), m.recipient.as_deref(), text(m))).collect()
    }

    fn kinds(p: &RecoveringParser) -> Vec<RecoveryKind> {
        p.recovered().iter().map(|r| r.kind).collect()
    }

    #[test]
    fn a_stray_return_after_end_is_ignored() {
        let (_, p) = run(
            Some(Role::Assistant),
            "<|channel|>analysis<|message|>think<|end|><|return|><|start|>assistant<|channel|>final<|message|>Hi<|return|>",
        );
        assert_eq!(summary(&p), [(Some("analysis"), None, "think"), (Some("final"), None, "Hi")]);
        assert_eq!(kinds(&p), [RecoveryKind::StrayStopToken]);
        assert_eq!(p.recovered()[0].token_index, 5);
    }

    #[test]
    fn a_broken_header_becomes_flagged_content_and_parsing_goes_on() {
        let (events, p) = run(
            Some(Role::Assistant),
            "<|channel|>final<|message|>ok<|end|><|start|>assistant a b c<|message|>tail text<|end|><|start|>assistant<|channel|>final<|message|>after<|return|>",
        );
        assert_eq!(
            summary(&p),
            [
                (Some("final"), None, "ok"),
                (None, None, "<|start|>assistant a b c<|message|>tail text"),
                (Some("final"), None, "after"),
            ]
        );
        assert_eq!(kinds(&p), [RecoveryKind::BrokenHeader]);
        assert!(p.recovered()[0].detail.contains("unexpected tokens remaining"));
        let at = events.iter().position(|e| matches!(e, RecoveringEvent::Recovered(_))).unwrap();
        assert!(matches!(&events[at + 1], RecoveringEvent::Parse(ParseEvent::MessageStart { channel: None, .. })));
    }

    #[test]
    fn missing_start_interrupted_header_and_header_eos_keep_the_text() {
        let (_, p) = run(Some(Role::Assistant), "<|channel|>final<|message|>a<|end|>plain  text<|return|>");
        assert_eq!(summary(&p), [(Some("final"), None, "a"), (None, None, "plain  text")]);
        assert_eq!(kinds(&p), [RecoveryKind::MissingStart]);

        let (_, p) = run(Some(Role::Assistant), "I   must refuse<|end|>");
        assert_eq!(summary(&p), [(None, None, "I   must refuse")]);
        assert_eq!(kinds(&p), [RecoveryKind::InterruptedHeader]);

        let (_, p) = run(Some(Role::Assistant), "<|channel|>final<|message|>a<|end|><|start|>assistant<|channel|>fin");
        assert_eq!(summary(&p)[1], (None, None, "<|start|>assistant<|channel|>fin"));
        assert_eq!(kinds(&p), [RecoveryKind::HeaderEos]);
    }

    #[test]
    fn recipients_are_cut_at_control_tokens() {
        let (events, p) = run(
            Some(Role::Assistant),
            "<|channel|>commentary to=functions.manage_cart<|channel|>commentary <|constrain|>json<|message|>{\"a\":1}<|call|>",
        );
        assert_eq!(p.messages()[0].recipient.as_deref(), Some("functions.manage_cart"));
        assert_eq!(kinds(&p), [RecoveryKind::ControlTokenInRecipient]);
        let call = events.iter().find_map(|e| match e {
            RecoveringEvent::Parse(ParseEvent::ToolCall { recipient, arguments, .. }) => Some((recipient.as_str(), arguments.as_str())),
            _ => None,
        });
        assert_eq!(call, Some(("functions.manage_cart", "{\"a\":1}")));

        let (_, p) = run(Some(Role::Assistant), "<|channel|>commentary <|constrain|>json<|message|>{}<|end|>");
        let m = &p.messages()[0];
        assert_eq!((m.recipient.as_deref(), m.content_type.as_deref()), (None, Some("<|constrain|>json")));
    }

    #[test]
    fn reasoning_tokens_are_the_analysis_messages_content_tokens() {
        let encoding = load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).unwrap();
        let count = |text: &str| encoding.tokenizer().encode_ordinary(text).len();
        let thought = "Need the weather first.";
        let (_, p) = run(
            Some(Role::Assistant),
            &format!("<|channel|>analysis<|message|>{thought}<|end|><|start|>assistant<|channel|>final<|message|>Sunny.<|return|>"),
        );
        // `<|message|>` and the thought's tokens; not the header, not the stop token.
        assert_eq!(p.reasoning_token_count(), 1 + count(thought));
        assert!(p.reasoning_token_count() < p.token_count());
    }

    #[test]
    fn a_truncated_message_ends_at_eos_without_recovery() {
        let (events, p) = run(Some(Role::Assistant), "<|channel|>final<|message|>The answer is");
        assert_eq!(summary(&p), [(Some("final"), None, "The answer is")]);
        assert!(p.recovered().is_empty());
        assert!(matches!(events.last(), Some(RecoveringEvent::Parse(ParseEvent::MessageEnd { stop: StopKind::Eos, .. }))));
    }

    #[test]
    fn text_mode_matches_tokens_whatever_the_chunking() {
        let completion = "<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{\"city\":\"Paris\"}<|call|>";
        let (from_tokens, _) = run(Some(Role::Assistant), completion);
        let encoding = load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).unwrap();
        for size in [1, 2, 5, 13, completion.len()] {
            let mut p = RecoveringParser::new(encoding, Some(Role::Assistant));
            let mut events = Vec::new();
            let chars: Vec<char> = completion.chars().collect();
            for piece in chars.chunks(size) {
                p.process_text(&piece.iter().collect::<String>(), &mut events);
            }
            p.process_eos(&mut events);
            let starts_and_ends = |evs: &[RecoveringEvent]| -> Vec<RecoveringEvent> {
                evs.iter().filter(|e| !matches!(e, RecoveringEvent::Parse(ParseEvent::ContentDelta { .. }))).cloned().collect()
            };
            assert_eq!(starts_and_ends(&events), starts_and_ends(&from_tokens), "chunk size {size}");
            assert!(p.recovered().is_empty());
        }
    }
}
