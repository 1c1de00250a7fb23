//! Runs every case of `fixtures/conformance/*.jsonl` (outputs of the reference, openai-harmony
//! 0.0.8) through the Rust API and asserts the results exactly. Prints the count per kind.

use std::fs;
use std::path::PathBuf;

use harmony_core::{
    load_harmony_encoding, Content, Conversation, HarmonyEncoding, HarmonyEncodingName, HarmonyError, Message,
    ParseOptions, RenderConversationConfig, RenderOptions, Role, SpecialTokenSet, StreamableParser,
};
use serde_json::{json, Value};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance")
}

/// JSON text with unpaired UTF-16 surrogate escapes replaced by U+FFFD, which is what the
/// reference encodes them as (and what a Rust `&str` can hold).
fn replace_lone_surrogates(line: &str) -> String {
    let surrogate_at = |s: &str, i: usize| -> Option<u32> {
        let hex = s.get(i + 2..i + 6)?;
        let v = u32::from_str_radix(hex, 16).ok()?;
        (s.get(i..i + 2) == Some("\\u") && (0xD800..0xE000).contains(&v)).then_some(v)
    };
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let mut escaped = false;
    while i < line.len() {
        if !escaped {
            if let Some(high) = surrogate_at(line, i) {
                let paired = (0xD800..0xDC00).contains(&high)
                    && surrogate_at(line, i + 6).is_some_and(|low| (0xDC00..0xE000).contains(&low));
                if paired {
                    out.push_str(&line[i..i + 12]);
                    i += 12;
                } else {
                    out.push_str("\\ufffd");
                    i += 6;
                }
                continue;
            }
        }
        let c = line[i..].chars().next().unwrap_or('\0');
        escaped = !escaped && c == '\\';
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn cases(kind: &str) -> Vec<Value> {
    let path = fixture_dir().join(format!("{kind}.jsonl"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(&replace_lone_surrogates(l)).expect("fixture line is JSON"))
        .collect()
}

fn encoding() -> HarmonyEncoding {
    load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).expect("encoding loads")
}

fn tokens_of(v: &Value) -> Vec<u32> {
    v.as_array().expect("token array").iter().map(|t| t.as_u64().expect("token") as u32).collect()
}

/// A message in the reference's Python `to_dict` shape, which the fixtures use.
fn py_message(m: &Message) -> Value {
    let content: Vec<Value> = m
        .content
        .iter()
        .map(|c| match c {
            Content::Text(t) => json!({"type": "text", "text": t.text}),
            other => serde_json::to_value(other).expect("content serialises"),
        })
        .collect();
    let mut out = json!({"role": m.author.role.as_str(), "name": m.author.name, "content": content});
    for (key, value) in [("channel", &m.channel), ("recipient", &m.recipient), ("content_type", &m.content_type)] {
        if let Some(v) = value {
            out[key] = json!(v);
        }
    }
    out
}

fn py_messages(ms: &[Message]) -> Value {
    Value::Array(ms.iter().map(py_message).collect())
}

/// Checks a failure against the reference's message (exact) and returns a mismatch description.
fn error_mismatch(err: &HarmonyError, expected: &Value) -> Option<String> {
    let want = expected["message"].as_str().expect("expected message");
    (err.message != want).then(|| format!("error {:?}, want {:?}", err.message, want))
}

fn special_set(v: &Value) -> SpecialTokenSet {
    match v {
        Value::String(s) if s == "all" => SpecialTokenSet::All,
        Value::Array(items) => {
            SpecialTokenSet::Listed(items.iter().map(|s| s.as_str().expect("text").to_owned()).collect())
        }
        other => panic!("bad special set {other}"),
    }
}

/// Runs every case of a kind; collects the failures and asserts there are none.
fn run_kind(kind: &str, run: impl Fn(&Value) -> Option<String>) {
    let all = cases(kind);
    let failures: Vec<String> =
        all.iter().filter_map(|c| run(c).map(|why| format!("{}: {why}", c["id"].as_str().unwrap_or("?")))).collect();
    println!("{kind}: {}/{} passed", all.len() - failures.len(), all.len());
    assert!(!all.is_empty(), "no {kind} fixtures found");
    assert!(failures.is_empty(), "{} {kind} failures:\n{}", failures.len(), failures.join("\n"));
}

fn compare<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Option<String> {
    (got != want).then(|| format!("{what}: got {got:?}, want {want:?}"))
}

#[test]
fn encode_fixtures() {
    let enc = encoding();
    let tok = enc.tokenizer();
    run_kind("encode", |c| {
        let x = &c["expected"];
        let failed = x["error"].as_bool() == Some(true);
        match c["op"].as_str().expect("op") {
            "encode" => {
                let text = c["text"].as_str().expect("text");
                match tok.encode_checked(
                    text,
                    &special_set(&c["allowed_special"]),
                    &special_set(&c["disallowed_special"]),
                ) {
                    Err(e) if failed => error_mismatch(&e, x),
                    Err(e) => Some(format!("unexpected error {e}")),
                    Ok(_) if failed => Some("did not fail".into()),
                    Ok(tokens) => compare("tokens", tokens.clone(), tokens_of(&x["tokens"])).or_else(|| {
                        compare("decoded", tok.decode_utf8(&tokens).ok(), x["decoded"].as_str().map(str::to_owned))
                    }),
                }
            }
            "decode_utf8" => match tok.decode_utf8(&tokens_of(&c["tokens"])) {
                Err(e) if failed => error_mismatch(&e, x),
                Err(e) => Some(format!("unexpected error {e}")),
                Ok(_) if failed => Some("did not fail".into()),
                Ok(text) => compare("text", Some(text), x["text"].as_str().map(str::to_owned)),
            },
            "decode" => {
                let tokens = tokens_of(&c["tokens"]);
                match (tok.decode_bytes(&tokens), tok.decode_lossy(&tokens)) {
                    (Err(e), Err(_)) if failed => error_mismatch(&e, x),
                    (Ok(bytes), Ok(text)) if !failed => {
                        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                        compare("bytes", hex.as_str(), x["bytes_hex"].as_str().expect("hex"))
                            .or_else(|| compare("text", text.as_str(), x["text"].as_str().expect("text")))
                    }
                    other => Some(format!("unexpected outcome {other:?}")),
                }
            }
            "is_special_token" => {
                let got: Vec<bool> = tokens_of(&c["tokens"]).iter().map(|&t| tok.is_special_token(t)).collect();
                let want: Vec<bool> =
                    x["results"].as_array().expect("results").iter().map(|b| b.as_bool() == Some(true)).collect();
                compare("results", got, want)
            }
            "special_tokens" => {
                let got: Vec<(String, u32)> = tok.special_tokens().map(|(t, id)| (t.to_owned(), id)).collect();
                let want: Vec<(String, u32)> = x["special_tokens"]
                    .as_array()
                    .expect("list")
                    .iter()
                    .map(|p| (p[0].as_str().expect("text").to_owned(), p[1].as_u64().expect("id") as u32))
                    .collect();
                compare("special tokens", got, want)
            }
            op => Some(format!("unknown op {op}")),
        }
    });
}

#[test]
fn render_fixtures() {
    let enc = encoding();
    run_kind("render", |c| {
        let x = &c["expected"];
        // `config: null` is the Python wrapper's default, which drops analysis.
        let config = RenderConversationConfig {
            auto_drop_analysis: c["config"]["auto_drop_analysis"].as_bool().unwrap_or(true),
        };
        let conversation = || -> Conversation {
            serde_json::from_value(c["conversation"].clone()).expect("fixture conversation deserialises")
        };
        let result = match c["op"].as_str().expect("op") {
            "render_conversation_for_completion" => {
                let role: Role = c["next_turn_role"].as_str().expect("role").parse().expect("role");
                enc.render_conversation_for_completion(&conversation().messages, role, Some(&config))
            }
            "render_conversation_for_training" => {
                enc.render_conversation_for_training(&conversation().messages, Some(&config))
            }
            "render_conversation" => enc.render_conversation(&conversation().messages, Some(&config)),
            "render" => {
                let message: Message = serde_json::from_value(c["message"].clone()).expect("fixture message");
                let options = RenderOptions {
                    conversation_has_function_tools: c["render_options"]["conversation_has_function_tools"]
                        .as_bool()
                        .unwrap_or(false),
                };
                enc.render(&message, Some(&options))
            }
            op => return Some(format!("unknown op {op}")),
        };
        match result {
            Err(e) if x["error"] == true => error_mismatch(&e, x),
            Err(e) => Some(format!("unexpected error {e}")),
            Ok(_) if x["error"] == true => Some("did not fail".into()),
            Ok(tokens) => {
                let want = tokens_of(&x["tokens"]);
                let at = tokens.iter().zip(&want).take_while(|(a, b)| a == b).count();
                (tokens != want).then(|| {
                    format!(
                        "tokens differ at {at}: got {:?}\nwant {:?}",
                        enc.tokenizer().decode_lossy(&tokens).unwrap_or_default(),
                        x["text"].as_str().unwrap_or_default()
                    )
                })
            }
        }
    });
}

fn parse_inputs(c: &Value) -> (Vec<u32>, Option<Role>, ParseOptions) {
    let role = c["role"].as_str().map(|r| r.parse().expect("role"));
    (tokens_of(&c["tokens"]), role, ParseOptions { strict: c["strict"] != false })
}

#[test]
fn parse_fixtures() {
    let enc = encoding();
    run_kind("parse", |c| {
        let x = &c["expected"];
        let (tokens, role, options) = parse_inputs(c);
        match enc.parse_messages_from_completion_tokens(&tokens, role, options) {
            Err(e) if x["error"] == true => error_mismatch(&e, x),
            Err(e) => Some(format!("unexpected error {e}")),
            Ok(_) if x["error"] == true => Some("did not fail".into()),
            Ok(messages) => compare("messages", py_messages(&messages), x["messages"].clone()),
        }
    });
}

fn snapshot(p: &StreamableParser) -> Value {
    json!({
        "state": p.state().as_str(),
        "current_role": p.current_role().map(Role::as_str),
        "current_channel": p.current_channel(),
        "current_recipient": p.current_recipient(),
        "current_content_type": p.current_content_type(),
        "last_content_delta": p.last_content_delta(),
        "current_content": p.current_content(),
    })
}

#[test]
fn stream_fixtures() {
    let enc = encoding();
    run_kind("stream", |c| {
        let x = &c["expected"];
        let (tokens, role, options) = parse_inputs(c);
        let fail_at = x["error_at"].as_u64().map(|i| i as usize);
        let steps = x["steps"].as_array().expect("steps");
        let mut parser = StreamableParser::new(enc, role, options);
        for (i, &token) in tokens.iter().enumerate() {
            match parser.process(token) {
                Err(e) if fail_at == Some(i) => {
                    return error_mismatch(&e, x)
                        .or_else(|| compare("token index", e.context.token_index, Some(i)))
                        .or_else(|| compare("messages", py_messages(parser.messages()), x["messages"].clone()));
                }
                Err(e) => return Some(format!("token {i}: unexpected error {e}")),
                Ok(_) if fail_at == Some(i) => return Some(format!("token {i}: did not fail")),
                Ok(_) => {}
            }
            if let Some(why) = compare(&format!("snapshot {i}"), snapshot(&parser), steps[i].clone()) {
                return Some(why);
            }
        }
        if let Some(why) =
            compare("messages before eos", py_messages(parser.messages()), x["messages_before_eos"].clone())
        {
            return Some(why);
        }
        match parser.process_eos() {
            Err(e) if fail_at == Some(tokens.len()) => error_mismatch(&e, x)
                .or_else(|| compare("messages", py_messages(parser.messages()), x["messages"].clone())),
            Err(e) => Some(format!("eos: unexpected error {e}")),
            Ok(_) if fail_at.is_some() => Some("eos did not fail".into()),
            Ok(_) => compare("eos snapshot", snapshot(&parser), x["eos_step"].clone())
                .or_else(|| compare("messages", py_messages(parser.messages()), x["messages"].clone())),
        }
    });
}

#[test]
fn stop_token_fixtures() {
    let enc = encoding();
    run_kind("stop_tokens", |c| {
        let got: Vec<u32> = match c["op"].as_str().expect("op") {
            "stop_tokens" => enc.stop_tokens().to_vec(),
            _ => enc.stop_tokens_for_assistant_actions().to_vec(),
        };
        compare("tokens", got, tokens_of(&c["expected"]["tokens"]))
    });
}
