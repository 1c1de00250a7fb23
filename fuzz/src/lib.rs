//! What the fuzz targets share: turning fuzzer bytes into tokens and conversations that reach
//! the interesting parts of the format, and the invariants several targets check.

use std::sync::OnceLock;

use harmony_core::{
    load_harmony_encoding, Content, HarmonyEncoding, HarmonyEncodingName, Message, ParseEvent, Role, StopKind,
    StreamableParser,
};
use libfuzzer_sys::arbitrary::{Result, Unstructured};

pub const START: u32 = 200_006;
pub const MESSAGE: u32 = 200_008;
pub const CHANNEL: u32 = 200_005;
pub const CONSTRAIN: u32 = 200_003;
pub const END: u32 = 200_007;
pub const CALL: u32 = 200_012;
pub const RETURN: u32 = 200_002;

/// Longest token sequence a target builds: longer inputs add time, not coverage.
const MAX_TOKENS: usize = 4096;

pub fn encoding() -> HarmonyEncoding {
    load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).expect("the encoding is embedded")
}

/// Texts whose tokens make headers and contents: role words, addressing, channels, content
/// types, whitespace, special-token text and multi-byte characters.
const PIECES: &[&str] = &[
    "assistant",
    "user",
    "system",
    "developer",
    "tool",
    " to=functions.get_weather",
    " to=assistant",
    "to=",
    " to=",
    "analysis",
    "commentary",
    "final",
    " json",
    "json",
    "code",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "<|constrain|>",
    "<|channel|>",
    "<|end|>",
    "<",
    "|>",
    "functions.x",
    "browser.search",
    "hello",
    " world",
    "💖",
    "日本語",
    "\u{a0}",
    "\u{2028}",
    "{\"a\": 1}",
    "Assistant",
    "user:alice",
    "é",
];

/// Tokens of [`PIECES`], plus tokens that split multi-byte characters.
fn piece_tokens() -> &'static [u32] {
    static TOKENS: OnceLock<Vec<u32>> = OnceLock::new();
    TOKENS.get_or_init(|| {
        let tokenizer = encoding().tokenizer();
        let mut tokens: Vec<u32> = PIECES.iter().flat_map(|p| tokenizer.encode_ordinary(p)).collect();
        tokens.extend([9552, 31446, 244, 132_990, 27_825]);
        tokens.sort_unstable();
        tokens.dedup();
        tokens
    })
}

/// One token: mostly format tokens and header/content pieces, sometimes any special, any
/// ordinary or any id at all (unknown ids included).
pub fn token(u: &mut Unstructured) -> Result<u32> {
    const FORMAT: [u32; 7] = [START, MESSAGE, CHANNEL, CONSTRAIN, END, CALL, RETURN];
    Ok(match u.arbitrary::<u8>()? {
        b @ 0..=59 => FORMAT[usize::from(b) % FORMAT.len()],
        60..=159 => *u.choose(piece_tokens())?,
        160..=179 => 199_998 + u32::from(u.arbitrary::<u16>()? % 1091),
        180..=229 => u.arbitrary::<u32>()? % 199_998,
        _ => u.arbitrary::<u32>()?,
    })
}

/// The input as batches of tokens: a length (0 to 8), then that many tokens; 4096 tokens at most.
pub fn batches(u: &mut Unstructured) -> Result<Vec<Vec<u32>>> {
    let mut out = Vec::new();
    let mut total = 0;
    while !u.is_empty() && total < 4096 {
        let len = u.int_in_range(0..=8)?;
        let batch = (0..len).map(|_| token(u)).collect::<Result<Vec<u32>>>()?;
        total += batch.len();
        out.push(batch);
    }
    Ok(out)
}

/// Tokens until the input runs out.
pub fn tokens(u: &mut Unstructured) -> Result<Vec<u32>> {
    let mut out = Vec::new();
    while !u.is_empty() && out.len() < MAX_TOKENS {
        out.push(token(u)?);
    }
    Ok(out)
}

/// No role, or one of the five.
pub fn role(u: &mut Unstructured) -> Result<Option<Role>> {
    let i = usize::from(u.arbitrary::<u8>()?) % (Role::ALL.len() + 1);
    Ok(i.checked_sub(1).map(|i| Role::ALL[i]))
}

/// Everything a streaming parser shows.
pub type Snapshot = (
    &'static str,
    Option<Role>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Vec<Message>,
    Vec<u32>,
    String,
);

pub fn snapshot(p: &StreamableParser) -> Snapshot {
    (
        p.state().as_str(),
        p.current_role(),
        p.current_channel().map(str::to_owned),
        p.current_recipient().map(str::to_owned),
        p.current_content_type().map(str::to_owned),
        p.current_content().to_owned(),
        p.last_content_delta().map(str::to_owned),
        p.messages().to_vec(),
        p.tokens().to_vec(),
        p.state_json(),
    )
}

fn text_of(message: &Message) -> &str {
    match message.content.as_slice() {
        [Content::Text(t)] => &t.text,
        other => panic!("a parsed message has one text item, not {other:?}"),
    }
}

/// The event contract: per message one `MessageStart` with its header, `ContentDelta`s adding
/// up to its text, one `MessageEnd` carrying it (in `messages()` order), then a `ToolCall`
/// exactly when `<|call|>` ended a message with a recipient.
pub fn check_events(events: &[ParseEvent], messages: &[Message]) {
    let mut events = events.iter().peekable();
    let mut ended = 0;
    while let Some(event) = events.next() {
        let ParseEvent::MessageStart { role, name, channel, recipient, content_type } = event else {
            panic!("expected MessageStart, got {event:?}");
        };
        let mut text = String::new();
        while let Some(ParseEvent::ContentDelta { delta }) = events.peek() {
            assert!(!delta.is_empty(), "empty ContentDelta");
            text.push_str(delta);
            events.next();
        }
        let Some(ParseEvent::MessageEnd { message, stop }) = events.next() else {
            panic!("a message's events end with MessageEnd");
        };
        assert_eq!(Some(message), messages.get(ended), "MessageEnd {ended} is messages()[{ended}]");
        ended += 1;
        let header =
            (&message.author.role, &message.author.name, &message.channel, &message.recipient, &message.content_type);
        assert_eq!((role, name, channel, recipient, content_type), header, "MessageStart announces the header");
        assert_eq!(text, text_of(message), "ContentDeltas add up to the text");
        if let (StopKind::Call, Some(to)) = (stop, &message.recipient) {
            match events.next() {
                Some(ParseEvent::ToolCall { recipient, content_type, arguments }) => {
                    assert_eq!(
                        (recipient, content_type, arguments.as_str()),
                        (to, &message.content_type, text_of(message))
                    );
                }
                other => panic!("<|call|> to a recipient is followed by ToolCall, not {other:?}"),
            }
        }
    }
    assert_eq!(ended, messages.len(), "one MessageEnd per message");
}
