//! Rendering arbitrary conversations: JSON text (input starting with `{`) or conversations built
//! from the bytes. Never panics; the entry points agree with each other; JSON round-trips; and
//! a conversation that the parser can read back (SPEC §4.3 round-trip caveats) parses back to
//! its messages.
#![no_main]

use harmony_core::{
    Author, Content, Conversation, DeveloperContent, Message, ParseOptions, RenderConversationConfig, RenderOptions,
    Role, SystemContent, TextContent,
};
use harmony_core_fuzz::{encoding, RETURN, START};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] =
    &["functions.get_weather", "browser.search", "python", "tool", "user", "to=x", "", "a b", "x<y", "日本"];
const RECIPIENTS: &[&str] =
    &["all", "", "functions.get_weather", "assistant", "to=x", "a b", "x<|end|>", "user", "\u{a0}x"];
const CHANNELS: &[&str] = &["analysis", "commentary", "final", "other", "", "fi nal", "a<b", "é"];
const CONTENT_TYPES: &[&str] =
    &["<|constrain|>json", "<|constrain|>", "json", "<|constrain|> json", "json<|constrain|>", "to=x", "", " "];

fn pick(u: &mut Unstructured, pool: &[&str]) -> Result<Option<String>> {
    Ok(match u.int_in_range(0..=3)? {
        0 => None,
        1 => Some(u.arbitrary::<String>()?),
        _ => Some((*u.choose(pool)?).to_owned()),
    })
}

fn content(u: &mut Unstructured, plain: bool) -> Result<Content> {
    let kind = if plain { 2 } else { u.int_in_range(0..=9)? };
    Ok(match kind {
        0 => Content::SystemContent(SystemContent {
            model_identity: pick(u, &["You are ChatGPT."])?,
            reasoning_effort: None,
            tools: None,
            conversation_start_date: pick(u, &["2025-06-28"])?,
            knowledge_cutoff: None,
            channel_config: None,
        }),
        1 => Content::DeveloperContent(DeveloperContent { instructions: pick(u, &["Be terse."])?, tools: None }),
        _ => Content::Text(TextContent { text: u.arbitrary()? }),
    })
}

/// A conversation; `plain` ones (text only, names only on tools) can usually be parsed back.
fn conversation(u: &mut Unstructured) -> Result<Conversation> {
    let plain = u.arbitrary::<bool>()?;
    let mut messages = Vec::new();
    while !u.is_empty() && messages.len() < 16 {
        let role = *u.choose(&Role::ALL)?;
        let n = u.int_in_range(0..=3)?;
        let name = if plain && role != Role::Tool { None } else { pick(u, NAMES)? };
        messages.push(Message {
            author: Author { role, name },
            recipient: pick(u, RECIPIENTS)?,
            content: (0..n).map(|_| content(u, plain)).collect::<Result<_>>()?,
            channel: pick(u, CHANNELS)?,
            content_type: pick(u, CONTENT_TYPES)?,
        });
    }
    Ok(Conversation { messages })
}

/// Text the header parser reads back as one word: no whitespace (it splits on ASCII and trims
/// Unicode whitespace) and no `<` (which ends a channel and may start a marker).
fn word(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c == '<')
}

/// What parsing the rendering of `m` gives back, when it can be parsed back at all.
fn read_back(m: &Message) -> Option<Message> {
    let mut text = String::new();
    for c in &m.content {
        match c {
            Content::Text(t) => text.push_str(&t.text),
            _ => return None,
        }
    }
    if !m.channel.as_deref().is_none_or(word) {
        return None;
    }
    // `all` is not rendered; an empty recipient renders as a bare ` to=`.
    let recipient = m.recipient.as_deref().filter(|r| *r != "all");
    if !recipient.is_none_or(|r| r.is_empty() || word(r)) {
        return None;
    }
    // A content type is only read as one when a recipient precedes it.
    if let Some(ct) = &m.content_type {
        let readable = match ct.strip_prefix("<|constrain|>") {
            Some(rest) => rest.is_empty() || word(rest),
            None => word(ct) && !ct.starts_with("to="),
        };
        if recipient.is_none() || !readable {
            return None;
        }
    }
    let name = match (m.author.role, m.author.name.as_deref()) {
        // A tool's name stands in for the role word; it must not read as another role.
        (Role::Tool, Some(name)) if word(name) && recipient.is_some() => {
            let other_role = Role::ALL.iter().any(|r| *r != Role::Tool && r.as_str() == name);
            if other_role {
                return None;
            }
            Some(name.to_owned())
        }
        (Role::Tool, _) => return None,
        (_, None) => None,
        (_, Some(_)) => return None,
    };
    Some(Message {
        author: Author { role: m.author.role, name },
        recipient: recipient.map(str::to_owned),
        content: vec![Content::Text(TextContent { text })],
        channel: m.channel.clone(),
        content_type: m.content_type.clone(),
    })
}

fn check(conversation: &Conversation) {
    let enc = encoding();
    let messages = &conversation.messages;
    let json = serde_json::to_string(conversation).expect("a conversation serialises");
    assert_eq!(Conversation::from_json_str(&json).as_ref(), Ok(conversation), "JSON round trip of {json}");

    let rendered = enc.render_conversation(messages, None);
    let function_tools = messages.iter().flat_map(|m| &m.content).any(|c| match c {
        Content::DeveloperContent(d) => d.has_function_tools(),
        _ => false,
    });
    let options = RenderOptions { conversation_has_function_tools: function_tools };
    let one_by_one: Result<Vec<u32>, _> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| enc.render(m, Some(&options)).map_err(|e| e.at_message(i)))
        .collect::<Result<Vec<_>, _>>()
        .map(|v| v.concat());
    assert_eq!(rendered, one_by_one, "a conversation renders message by message");

    for config in [
        None,
        Some(RenderConversationConfig { auto_drop_analysis: true }),
        Some(RenderConversationConfig { auto_drop_analysis: false }),
    ] {
        let config = config.as_ref();
        let base = enc.render_conversation(messages, config);
        for role in Role::ALL {
            let completion = enc.render_conversation_for_completion(messages, role, config);
            let expected = base.clone().map(|mut t| {
                t.push(START);
                t.extend(enc.tokenizer().encode_ordinary(role.as_str()));
                t
            });
            assert_eq!(completion, expected, "completion = conversation + <|start|>{role}");
        }
        let training = enc.render_conversation_for_training(messages, config);
        match (&base, &training) {
            (Ok(b), Ok(t)) => {
                assert_eq!(b.len(), t.len());
                let n = b.len().saturating_sub(1);
                assert_eq!(b[..n], t[..n], "training only swaps the last token");
                let ends_final = messages
                    .last()
                    .is_some_and(|m| m.author.role == Role::Assistant && m.channel.as_deref() == Some("final"));
                if ends_final && !t.is_empty() {
                    assert_eq!(t[n], RETURN);
                } else {
                    assert_eq!(b.get(n), t.get(n));
                }
            }
            (b, t) => assert_eq!(b.as_ref().err(), t.as_ref().err()),
        }
    }

    let expected: Option<Vec<Message>> = messages.iter().map(read_back).collect();
    if let (Ok(tokens), Some(expected)) = (&rendered, expected) {
        for strict in [true, false] {
            let parsed = enc.parse_messages_from_completion_tokens(tokens, None, ParseOptions { strict });
            assert_eq!(parsed.as_ref(), Ok(&expected), "parse(render(x)) == x for {json}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if data.first() == Some(&b'{') {
        let text = String::from_utf8_lossy(data);
        if let Ok(conversation) = Conversation::from_json_str(&text) {
            check(&conversation);
        }
        if let Ok(message) = Message::from_json_str(&text) {
            check(&Conversation { messages: vec![message] });
        }
    } else if let Ok(conversation) = conversation(&mut Unstructured::new(data)) {
        check(&conversation);
    }
});
