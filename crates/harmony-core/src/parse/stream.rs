//! The streaming parser: the reference's state machine (SPEC §4.2, §5), token for token, with
//! constant work per token. Content is kept as decoded text (plus the boundaries of the decoded
//! chunks, from which the reference's re-encoded `content_tokens` are rebuilt on demand) instead
//! of being re-encoded and re-decoded on every token.

use std::mem;

use super::event::{ParseEvent, StopKind};
use super::header::{parse_header, recover_header, ParsedHeader};
use super::ParseOptions;
use crate::chat::{Content, Message, Role, TextContent};
use crate::encoding::{HarmonyEncoding, MESSAGE, START};
use crate::error::{HarmonyError, Result};

const REPLACEMENT: char = '\u{FFFD}';

/// Where the parser is in the message grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamState {
    /// Between messages: the next token must be `<|start|>`.
    ExpectStart,
    /// Reading a header, up to `<|message|>`.
    Header,
    /// Reading a message body, up to a stop token.
    Content,
}

impl StreamState {
    /// `ExpectStart`, `Header` or `Content`.
    pub const fn as_str(self) -> &'static str {
        match self {
            StreamState::ExpectStart => "ExpectStart",
            StreamState::Header => "Header",
            StreamState::Content => "Content",
        }
    }
}

#[derive(Debug, Clone)]
enum State {
    ExpectStart,
    Header,
    Content(ParsedHeader),
}

/// Parses completion tokens as they arrive.
#[derive(Debug, Clone)]
pub struct StreamableParser {
    encoding: HarmonyEncoding,
    strict: bool,
    /// Role of the first message when the prompt already held `<|start|>{role}`.
    next_role: Option<Role>,
    tokens: Vec<u32>,
    messages: Vec<Message>,
    state: State,
    header_tokens: Vec<u32>,
    /// Decoded content of the current message.
    content: String,
    /// End offsets in `content` of the separately decoded chunks.
    chunk_ends: Vec<usize>,
    /// Start in `content` of the text the last token added, if it added any.
    delta_start: Option<usize>,
    /// An unknown id was met in this message: the rest of it becomes one U+FFFD.
    poisoned: bool,
    /// Bytes of an incomplete (or not yet replaced invalid) UTF-8 sequence: `pending[pending_start..]`,
    /// empty when there are none.
    pending: Vec<u8>,
    /// Consumed bytes at the front of `pending`, dropped lazily: a token may add more invalid
    /// sequences than the one it gets replaced, so the held-back bytes can grow without bound,
    /// and dropping them from the front on every token would be quadratic.
    pending_start: usize,
}

/// Where events go: nowhere for plain `process`, a Vec for the event-reporting calls.
trait EventSink {
    fn wants_events(&self) -> bool;
    fn emit(&mut self, event: ParseEvent);
    /// Reports text added to the current message.
    fn emit_delta(&mut self, delta: &str) {
        self.emit(ParseEvent::ContentDelta { delta: delta.to_owned() });
    }
}

impl EventSink for () {
    fn wants_events(&self) -> bool {
        false
    }
    fn emit(&mut self, _event: ParseEvent) {}
    fn emit_delta(&mut self, _delta: &str) {}
}

impl EventSink for Vec<ParseEvent> {
    fn wants_events(&self) -> bool {
        true
    }
    fn emit(&mut self, event: ParseEvent) {
        self.push(event);
    }
}

/// The sink of `process_many`: the deltas of consecutive tokens of a batch become one delta (a
/// batch arrives at once, so its text does too), appended in place without a string per token.
struct BatchSink<'a> {
    events: &'a mut Vec<ParseEvent>,
    /// Events before this index came from earlier calls and are left alone.
    first: usize,
}

impl EventSink for BatchSink<'_> {
    fn wants_events(&self) -> bool {
        true
    }
    fn emit(&mut self, event: ParseEvent) {
        self.events.push(event);
    }
    fn emit_delta(&mut self, delta: &str) {
        if self.events.len() > self.first {
            if let Some(ParseEvent::ContentDelta { delta: run }) = self.events.last_mut() {
                run.push_str(delta);
                return;
            }
        }
        // The run grows token by token: room for a few tokens up front saves reallocations.
        let mut run = String::with_capacity(delta.len().max(64));
        run.push_str(delta);
        self.emit(ParseEvent::ContentDelta { delta: run });
    }
}

impl StreamableParser {
    /// A parser. With `role`, the stream starts right after `<|start|>{role}` (the first header
    /// is parsed with that role); without, it must start with `<|start|>`.
    pub fn new(encoding: HarmonyEncoding, role: Option<Role>, options: ParseOptions) -> Self {
        Self {
            encoding,
            strict: options.strict,
            next_role: role,
            tokens: Vec::new(),
            messages: Vec::new(),
            state: if role.is_some() { State::Header } else { State::ExpectStart },
            header_tokens: Vec::new(),
            content: String::new(),
            chunk_ends: Vec::new(),
            delta_start: None,
            poisoned: false,
            pending: Vec::new(),
            pending_start: 0,
        }
    }

    /// Feeds one token.
    pub fn process(&mut self, token: u32) -> Result<&mut Self> {
        self.step(token, &mut ())?;
        Ok(self)
    }

    /// Feeds one token and appends what it caused to `events`.
    pub fn process_with_events(&mut self, token: u32, events: &mut Vec<ParseEvent>) -> Result<&mut Self> {
        self.step(token, events)?;
        Ok(self)
    }

    /// Feeds a batch of tokens, appending the events they cause; the content the batch adds to
    /// a message between other events comes as one `ContentDelta`. Afterwards every accessor is
    /// what per-token `process` calls would leave. On an error, the tokens before the failing
    /// one have been processed (their events are in `events`) and the failing one is recorded
    /// in `tokens()`; the error's token index is its position in `tokens()`.
    pub fn process_many(&mut self, tokens: &[u32], events: &mut Vec<ParseEvent>) -> Result<&mut Self> {
        self.tokens.reserve(tokens.len());
        let mut sink = BatchSink { first: events.len(), events };
        for &token in tokens {
            self.step(token, &mut sink)?;
        }
        Ok(self)
    }

    /// Signals the end of the stream: completes a message in progress.
    pub fn process_eos(&mut self) -> Result<&mut Self> {
        self.end_of_stream(&mut ())?;
        Ok(self)
    }

    /// Signals the end of the stream and appends what it caused to `events`.
    pub fn process_eos_with_events(&mut self, events: &mut Vec<ParseEvent>) -> Result<&mut Self> {
        self.end_of_stream(events)?;
        Ok(self)
    }

    fn step(&mut self, token: u32, events: &mut impl EventSink) -> Result<()> {
        let index = self.tokens.len();
        self.tokens.push(token);
        match self.state {
            State::ExpectStart if token == START => {
                self.header_tokens.clear();
                self.state = State::Header;
                Ok(())
            }
            State::ExpectStart => {
                Err(HarmonyError::parse(format!("Unexpected token {token} while expecting start token {START}"))
                    .at_token(index))
            }
            State::Header if token == MESSAGE => {
                // A failed header is lost: the parser waits for the next `<|start|>`.
                self.state = State::ExpectStart;
                let header = self.read_header().map_err(|e| e.at_token(index))?;
                self.next_role = None;
                self.start_content(header, events);
                Ok(())
            }
            State::Header => match StopKind::of_token(token) {
                Some(stop) if !self.strict => self.recover(stop, events).map_err(|e| e.at_token(index)),
                _ => {
                    self.header_tokens.push(token);
                    Ok(())
                }
            },
            State::Content(_) => {
                match StopKind::of_token(token) {
                    Some(stop) => self.finish_message(stop, events),
                    None => self.append_content(token, events),
                }
                Ok(())
            }
        }
    }

    fn end_of_stream(&mut self, events: &mut impl EventSink) -> Result<()> {
        match self.state {
            State::ExpectStart => Ok(()),
            State::Header => Err(HarmonyError::parse("Unexpected EOS while waiting for message header to complete")
                .at_token(self.tokens.len())),
            State::Content(_) => {
                self.finish_message(StopKind::Eos, events);
                Ok(())
            }
        }
    }

    fn read_header(&self) -> Result<ParsedHeader> {
        let text = self
            .encoding
            .tokenizer()
            .decode_utf8(&self.header_tokens)
            .map_err(|_| HarmonyError::parse("could not decode header"))?;
        parse_header(&text, self.next_role)
    }

    /// Non-strict handling of a stop token inside a header (SPEC §4.4): only the first message
    /// of a parser built with a role becomes a message; any other such header is dropped.
    fn recover(&mut self, stop: StopKind, events: &mut impl EventSink) -> Result<()> {
        if let (Some(role), false) = (self.next_role, self.header_tokens.is_empty()) {
            // The decode error's own token index counts header tokens, not the stream's.
            let text = self
                .encoding
                .tokenizer()
                .decode_utf8(&self.header_tokens)
                .map_err(|e| HarmonyError::parse(e.message))?;
            let (header, body) = recover_header(&text, role)?;
            self.start_content(header, events);
            if events.wants_events() && !body.is_empty() {
                events.emit_delta(&body);
            }
            self.content = body;
            self.finish_message(stop, events);
        }
        self.state = State::ExpectStart;
        self.next_role = None;
        Ok(())
    }

    fn start_content(&mut self, header: ParsedHeader, events: &mut impl EventSink) {
        if events.wants_events() {
            events.emit(ParseEvent::MessageStart {
                role: header.author.role,
                name: header.author.name.clone(),
                channel: header.channel.clone(),
                recipient: header.recipient.clone(),
                content_type: header.content_type.clone(),
            });
        }
        self.content.clear();
        self.chunk_ends.clear();
        self.state = State::Content(header);
    }

    fn push_chunk(&mut self, text: &str) {
        self.content.push_str(text);
        self.chunk_ends.push(self.content.len());
    }

    /// Incremental decoding (SPEC §5.2): complete characters go out as soon as they are known;
    /// at most one invalid sequence is replaced per token.
    fn append_content(&mut self, token: u32, events: &mut impl EventSink) {
        self.delta_start = None;
        if self.poisoned {
            return;
        }
        let tokenizer = self.encoding.tokenizer();
        let start = self.content.len();
        match tokenizer.ordinary_token_text(token) {
            Some(text) if self.pending.is_empty() => self.push_chunk(text),
            _ => {
                let Some(bytes) = tokenizer.token_bytes(token) else {
                    self.poisoned = true;
                    return;
                };
                self.pending.extend_from_slice(bytes);
                self.drain_pending();
            }
        }
        if self.content.len() > start {
            self.delta_start = Some(start);
            if events.wants_events() {
                events.emit_delta(&self.content[start..]);
            }
        }
    }

    fn drain_pending(&mut self) {
        let mut pending = mem::take(&mut self.pending);
        let rest = &pending[self.pending_start..];
        let (valid, error_len) = match std::str::from_utf8(rest) {
            Ok(_) => (rest.len(), None),
            Err(e) => (e.valid_up_to(), e.error_len()),
        };
        if valid > 0 {
            self.push_chunk(String::from_utf8_lossy(&rest[..valid]).as_ref());
        }
        if error_len.is_some() {
            self.push_chunk(REPLACEMENT.encode_utf8(&mut [0; 4]));
        }
        self.pending_start += valid + error_len.unwrap_or(0);
        // Compacting only once the consumed part is at least half keeps the cost amortised O(1).
        if self.pending_start == pending.len() {
            pending.clear();
            self.pending_start = 0;
        } else if self.pending_start > 0 && self.pending_start >= pending.len() / 2 {
            pending.drain(..self.pending_start);
            self.pending_start = 0;
        }
        self.pending = pending;
    }

    fn finish_message(&mut self, stop: StopKind, events: &mut impl EventSink) {
        let State::Content(header) = mem::replace(&mut self.state, State::ExpectStart) else {
            return;
        };
        let mut text = mem::take(&mut self.content);
        let streamed = text.len();
        if self.poisoned {
            text.push(REPLACEMENT);
        }
        if !self.pending.is_empty() {
            text.push_str(&String::from_utf8_lossy(&self.pending[self.pending_start..]));
        }
        self.pending.clear();
        self.pending_start = 0;
        self.poisoned = false;
        self.delta_start = None;
        self.chunk_ends.clear();
        let ParsedHeader { author, recipient, channel, content_type } = header;
        let message =
            Message { author, recipient, content: vec![Content::Text(TextContent { text })], channel, content_type };
        if events.wants_events() {
            emit_message_end(&message, streamed, stop, events);
        }
        self.messages.push(message);
    }

    /// Where the parser is.
    pub fn state(&self) -> StreamState {
        match self.state {
            State::ExpectStart => StreamState::ExpectStart,
            State::Header => StreamState::Header,
            State::Content(_) => StreamState::Content,
        }
    }

    fn header(&self) -> Option<&ParsedHeader> {
        match &self.state {
            State::Content(header) => Some(header),
            _ => None,
        }
    }

    /// The role of the message being read (before its header is read: the constructor's role,
    /// until a first header has been parsed).
    pub fn current_role(&self) -> Option<Role> {
        self.header().map_or(self.next_role, |h| Some(h.author.role))
    }

    /// The channel of the message being read.
    pub fn current_channel(&self) -> Option<&str> {
        self.header().and_then(|h| h.channel.as_deref())
    }

    /// The recipient of the message being read.
    pub fn current_recipient(&self) -> Option<&str> {
        self.header().and_then(|h| h.recipient.as_deref())
    }

    /// The content type of the message being read.
    pub fn current_content_type(&self) -> Option<&str> {
        self.header().and_then(|h| h.content_type.as_deref())
    }

    /// The content decoded so far (`""` outside a message body).
    pub fn current_content(&self) -> &str {
        match self.state {
            State::Content(_) => &self.content,
            _ => "",
        }
    }

    /// The text the last token added; `None` when it added none.
    pub fn last_content_delta(&self) -> Option<&str> {
        self.delta_start.and_then(|start| self.content.get(start..))
    }

    /// Whether the last token's delta is exactly that token's own text, as for most content
    /// tokens (not when it completes or holds back part of a multi-byte char). With
    /// `appends_whole_tokens`, this lets a binding defer tokens (see there).
    pub fn last_delta_is_token_text(&self) -> bool {
        match (self.last_content_delta(), self.tokens.last()) {
            (Some(delta), Some(&token)) => self.encoding.tokenizer().token_bytes(token) == Some(delta.as_bytes()),
            _ => false,
        }
    }

    /// Whether the parser is in a message's content with nothing held back and nothing
    /// poisoned: then an ordinary token whose bytes are valid UTF-8 only appends its own text
    /// (its delta) and leaves this still true. A binding that has seen a token's delta be its own
    /// text (`last_delta_is_token_text`) may therefore answer such tokens itself and feed them
    /// later in one batch, as long as it feeds them before anything reads the parser.
    pub fn appends_whole_tokens(&self) -> bool {
        matches!(self.state, State::Content(_)) && self.pending.is_empty() && !self.poisoned
    }

    /// The token that ends a header (`<|message|>`).
    pub const HEADER_END_TOKEN: u32 = MESSAGE;

    /// Whether the parser reads a header strictly: then every token but `HEADER_END_TOKEN` is
    /// only recorded (no content, no error until `<|message|>` reads the header), so a binding
    /// may hold such tokens back and feed them later, as with `appends_whole_tokens`.
    pub fn records_header_tokens(&self) -> bool {
        self.strict && matches!(self.state, State::Header)
    }

    /// The completed messages.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// The completed messages, taking them out of the parser.
    pub fn into_messages(self) -> Vec<Message> {
        self.messages
    }

    /// Every token given to `process`.
    pub fn tokens(&self) -> &[u32] {
        &self.tokens
    }

    /// The state as the reference's `state_json` shows it (its `content_tokens` are the decoded
    /// chunks re-encoded one by one).
    pub fn state_json(&self) -> String {
        let value = match &self.state {
            State::ExpectStart => serde_json::json!({ "state": "ExpectStart" }),
            State::Header => serde_json::json!({ "state": "Header", "header_tokens": self.header_tokens }),
            State::Content(header) => {
                let tokenizer = self.encoding.tokenizer();
                let mut content_tokens = Vec::new();
                let mut start = 0;
                for &end in &self.chunk_ends {
                    tokenizer.encode_ordinary_into(&self.content[start..end], &mut content_tokens);
                    start = end;
                }
                let mut author = serde_json::json!({ "role": header.author.role });
                if let Some(name) = &header.author.name {
                    author["name"] = name.as_str().into();
                }
                serde_json::json!({
                    "state": "Content",
                    "header": {
                        "author": author,
                        "recipient": header.recipient,
                        "channel": header.channel,
                        "content_type": header.content_type,
                    },
                    "content_tokens": content_tokens,
                })
            }
        };
        value.to_string()
    }
}

fn emit_message_end(message: &Message, streamed: usize, stop: StopKind, events: &mut impl EventSink) {
    let text = match message.content.as_slice() {
        [Content::Text(TextContent { text })] => text.as_str(),
        _ => "",
    };
    if text.len() > streamed {
        events.emit_delta(&text[streamed..]);
    }
    events.emit(ParseEvent::MessageEnd { message: message.clone(), stop });
    if let (StopKind::Call, Some(recipient)) = (stop, &message.recipient) {
        events.emit(ParseEvent::ToolCall {
            recipient: recipient.clone(),
            content_type: message.content_type.clone(),
            arguments: text.to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenizer::Tokenizer;
    use crate::{load_harmony_encoding, HarmonyEncodingName};

    fn parser(role: Option<Role>, strict: bool) -> StreamableParser {
        let encoding = load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).unwrap();
        StreamableParser::new(encoding, role, ParseOptions { strict })
    }

    fn deltas(p: &mut StreamableParser, tokens: &[u32]) -> Vec<Option<String>> {
        tokens
            .iter()
            .map(|&t| {
                p.process(t).unwrap();
                p.last_content_delta().map(str::to_owned)
            })
            .collect()
    }

    fn only_text(m: &Message) -> &str {
        match m.content.as_slice() {
            [Content::Text(t)] => &t.text,
            _ => panic!("not one text item"),
        }
    }

    #[test]
    fn a_split_character_is_held_back_until_complete() {
        let mut p = parser(Some(Role::Assistant), true);
        p.process(MESSAGE).unwrap();
        assert!(!p.last_delta_is_token_text());
        // "hello" (24912) is a whole token: its delta is its own text.
        assert_eq!(deltas(&mut p, &[24_912]), [Some("hello".to_owned())]);
        assert!(p.last_delta_is_token_text());
        // 💖 = 31446 (F0 9F 92) + 244 (96).
        assert_eq!(deltas(&mut p, &[31_446, 244]), [None, Some("💖".to_owned())]);
        // "💖" completes a char begun by the previous token: not the token's own text.
        assert!(!p.last_delta_is_token_text());
        assert_eq!(p.current_content(), "hello💖");
    }

    #[test]
    fn whole_tokens_only_append_while_the_content_is_clean() {
        // The contract of `appends_whole_tokens`, on random streams of headers, stop tokens,
        // whole-text tokens, partial UTF-8 tokens and unknown ids, strict and not.
        let tk = Tokenizer::get();
        let mut head = Vec::new();
        tk.encode_into(
            "<|start|>assistant<|channel|>final<|message|>",
            &crate::tokenizer::SpecialTokenSet::All,
            &mut head,
        );
        let pool: Vec<u32> = [24_912, 2375, 31_446, 244, 9552, 220, 200_007, 200_012, 200_002, 250_000]
            .into_iter()
            .chain(head.iter().copied())
            .collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut checked = 0;
        for round in 0..400 {
            let mut p = parser(Some(Role::Assistant), round % 2 == 0);
            let _ = p.process(MESSAGE);
            for _ in 0..60 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let token = pool[(seed % pool.len() as u64) as usize];
                let clean = p.appends_whole_tokens();
                let text = tk.ordinary_token_text(token).map(str::to_owned);
                let before = p.current_content().to_owned();
                let ok = p.process(token).is_ok();
                if clean {
                    if let Some(text) = text {
                        assert!(ok);
                        assert_eq!(p.last_content_delta(), Some(text.as_str()));
                        assert!(p.last_delta_is_token_text());
                        assert_eq!(p.current_content(), before + &text);
                        assert!(p.appends_whole_tokens());
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 200, "only {checked} tokens met the contract's premise");
    }

    #[test]
    fn header_tokens_are_only_recorded_while_a_strict_header_is_read() {
        // The contract of `records_header_tokens`, on random streams of starts, header words,
        // control, stop and content tokens and unknown ids, strict and not.
        let tk = Tokenizer::get();
        let mut words = Vec::new();
        tk.encode_into(
            "<|start|>assistant<|channel|>analysis to=functions.f<|constrain|>json<|message|>hi",
            &crate::tokenizer::SpecialTokenSet::All,
            &mut words,
        );
        let pool: Vec<u32> = [200_007, 200_012, 200_002, 250_000, 31_446].into_iter().chain(words).collect();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut checked = 0;
        for round in 0..400 {
            let strict = round % 2 == 0;
            let mut p = parser(if round % 3 == 0 { None } else { Some(Role::Assistant) }, strict);
            for _ in 0..40 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let token = pool[(seed % pool.len() as u64) as usize];
                let recording = p.records_header_tokens();
                assert!(!recording || strict);
                let ok = p.process(token).is_ok();
                if recording && token != StreamableParser::HEADER_END_TOKEN {
                    assert!(ok);
                    assert_eq!(p.last_content_delta(), None);
                    assert_eq!(p.state(), StreamState::Header);
                    assert!(p.records_header_tokens());
                    checked += 1;
                }
            }
        }
        assert!(checked > 200, "only {checked} tokens met the contract's premise");
    }

    #[test]
    fn one_invalid_sequence_is_replaced_per_token() {
        let mut p = parser(Some(Role::Assistant), true);
        p.process(MESSAGE).unwrap();
        // 9552 = bytes 20 F0 9F: the second one makes the first F0 9F invalid.
        let got = deltas(&mut p, &[9552, 9552]);
        assert_eq!(got, [Some(" ".to_owned()), Some("\u{FFFD}".to_owned())]);
        p.process_eos().unwrap();
        assert_eq!(only_text(&p.messages()[0]), " \u{FFFD} \u{FFFD}");
    }

    #[test]
    fn an_unknown_id_turns_the_rest_of_the_message_into_one_replacement() {
        let mut p = parser(Some(Role::Assistant), true);
        let hi = Tokenizer::get().encode_ordinary("Hi");
        p.process(MESSAGE).unwrap();
        for t in hi.iter().copied().chain([u32::MAX, 12_194]) {
            p.process(t).unwrap();
        }
        assert_eq!(p.last_content_delta(), None);
        assert_eq!(p.current_content(), "Hi");
        p.process(crate::encoding::END).unwrap();
        assert_eq!(only_text(&p.messages()[0]), "Hi\u{FFFD}");
    }

    #[test]
    fn events_add_up_to_the_messages_and_batches_match_single_tokens() {
        let tokenizer = Tokenizer::get();
        let mut tokens = Vec::new();
        let completion = "<|channel|>analysis<|message|>Think \u{1F496}<|end|><|start|>assistant to=functions.f<|channel|>commentary <|constrain|>json<|message|>{\"a\":1}<|call|><|start|>assistant<|channel|>final<|message|>Done";
        tokenizer.encode_into(completion, &crate::SpecialTokenSet::All, &mut tokens);
        tokens.push(9552); // a trailing incomplete character, flushed at the end of the stream
        let mut single = parser(Some(Role::Assistant), true);
        for &t in &tokens {
            single.process(t).unwrap();
        }
        for batch in [1, 2, 3, 7, tokens.len()] {
            let mut batched = parser(Some(Role::Assistant), true);
            let mut events = Vec::new();
            for chunk in tokens.chunks(batch) {
                batched.process_many(chunk, &mut events).unwrap();
            }
            assert_eq!(batched.state_json(), single.state_json());
            assert_eq!(batched.last_content_delta(), single.last_content_delta());
            batched.process_eos_with_events(&mut events).unwrap();
            let mut texts = Vec::new();
            let mut calls = 0;
            for event in &events {
                match event {
                    ParseEvent::MessageStart { .. } => texts.push(String::new()),
                    ParseEvent::ContentDelta { delta } => texts.last_mut().unwrap().push_str(delta),
                    ParseEvent::MessageEnd { message, .. } => assert_eq!(only_text(message), texts.last().unwrap()),
                    ParseEvent::ToolCall { recipient, arguments, .. } => {
                        calls += 1;
                        assert_eq!((recipient.as_str(), arguments.as_str()), ("functions.f", "{\"a\":1}"));
                    }
                }
            }
            let finals: Vec<&str> = batched.messages().iter().map(only_text).collect();
            assert_eq!(finals, ["Think 💖", "{\"a\":1}", "Done \u{FFFD}"]);
            assert_eq!(texts, finals);
            assert_eq!(calls, 1);
        }
        assert_eq!(single.tokens(), tokens.as_slice());
    }

    #[test]
    fn a_failed_header_keeps_the_supplied_role_for_the_next_one() {
        let mut p = parser(Some(Role::Assistant), true);
        let tokenizer = Tokenizer::get();
        for t in tokenizer.encode_ordinary("a b c") {
            p.process(t).unwrap();
        }
        let err = p.process(MESSAGE).unwrap_err();
        assert_eq!(err.message, "unexpected tokens remaining in message header: Some(\"a\")");
        assert_eq!(err.context.token_index, Some(3));
        assert_eq!(p.state(), StreamState::ExpectStart);
        assert_eq!(p.current_role(), Some(Role::Assistant));
        let mut rest = vec![START];
        rest.extend(tokenizer.encode_ordinary("user"));
        rest.push(MESSAGE);
        rest.extend(tokenizer.encode_ordinary("x"));
        rest.push(crate::encoding::END);
        for t in rest {
            p.process(t).unwrap();
        }
        let m = &p.messages()[0];
        assert_eq!((m.author.role, m.recipient.as_deref(), only_text(m)), (Role::Assistant, Some("user"), "x"));
    }

    #[test]
    fn lenient_recovery_only_for_the_first_message_of_a_role_parser() {
        let tokenizer = Tokenizer::get();
        let mut tokens = tokenizer.encode_ordinary("I must refuse");
        tokens.push(crate::encoding::END);
        tokenizer.encode_into(
            "<|start|>assistant<|channel|>analysis hello<|end|>",
            &crate::SpecialTokenSet::All,
            &mut tokens,
        );
        let mut p = parser(Some(Role::Assistant), false);
        let mut events = Vec::new();
        p.process_many(&tokens, &mut events).unwrap();
        let texts: Vec<&str> = p.messages().iter().map(only_text).collect();
        assert_eq!(texts, ["I must refuse"]);
        assert!(matches!(events.last(), Some(ParseEvent::MessageEnd { stop: StopKind::End, .. })));
        assert_eq!(p.state(), StreamState::ExpectStart);
    }

    /// Token 2203 is the bytes `82 AC`: two invalid sequences, of which each token gets one
    /// replaced, so the held-back bytes grow by one per token (as in the reference). That must
    /// stay linear, and every byte still ends up as one U+FFFD.
    #[test]
    fn held_back_invalid_bytes_grow_without_quadratic_cost() {
        let mut p = parser(Some(Role::Assistant), true);
        p.process(MESSAGE).unwrap();
        let n = 100_000;
        for _ in 0..n {
            p.process(2203).unwrap();
            assert_eq!(p.last_content_delta(), Some("\u{FFFD}"));
        }
        assert_eq!(p.current_content().chars().count(), n);
        p.process(crate::encoding::END).unwrap();
        let [Message { content, .. }] = p.messages() else { panic!("one message") };
        let [Content::Text(TextContent { text })] = content.as_slice() else { panic!("one text") };
        assert_eq!(text.len(), 2 * n * REPLACEMENT.len_utf8());
        assert!(text.chars().all(|c| c == REPLACEMENT));
    }
}
