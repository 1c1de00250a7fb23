//! Differential property tests against the reference crate, `openai-harmony` 0.0.8.
//!
//! Random inputs (a deterministic PRNG, so every failure reproduces) go through both crates and
//! every observable result must be identical: rendered tokens, error messages, JSON acceptance,
//! parsed messages, and the streaming parser's full state after every token. A last property
//! checks our own streaming extensions (`process_many`, events) against per-token `process`.
//!
//! Every property runs in the default `cargo test` with a few dozen to a few hundred cases (the
//! reference's tokenizer is slow unoptimised); its `_thorough` twin, `#[ignore]`d, runs 2 000 to
//! 5 000: `cargo test --release -p reference-tests --test differential -- --ignored`.
//!
//! The reference needs `o200k_base.tiktoken` (see `src/lib.rs`); without it these tests fail,
//! saying so. `HARMONY_DIFF_SCALE=<n>` multiplies the number of cases, `HARMONY_DIFF_SEED=<n>`
//! changes the seed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Display;
use std::sync::OnceLock;

use harmony_core::{
    load_harmony_encoding, Conversation, HarmonyEncoding, HarmonyEncodingName, HarmonyError, Message, ParseEvent,
    ParseOptions, RenderConversationConfig, RenderOptions, Role, StopKind, StreamableParser, ToolNamespaceConfig,
};
use openai_harmony::chat as rchat;
use reference_tests::reference_encoding;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------------
// Setup

fn scale() -> usize {
    std::env::var("HARMONY_DIFF_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1)
}

fn seed() -> u64 {
    std::env::var("HARMONY_DIFF_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x4a52_4d4e)
}

/// Cases for a property: `full` in the `#[ignore]`d thorough run (best with `--release`), a small
/// share of it in the default run, which must stay fast in a debug build.
fn cases(full: usize, thorough: bool) -> usize {
    (if thorough { full } else { full / 25 }).max(1) * scale()
}

fn ours() -> HarmonyEncoding {
    load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).expect("encoding loads")
}

// ---------------------------------------------------------------------------------------------
// PRNG and failure collection

/// SplitMix64: tiny, fast and good enough to drive generators.
struct Rng(u64);

impl Rng {
    fn new(stream: u64) -> Self {
        Rng(seed() ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn range(&mut self, lo: usize, hi_inclusive: usize) -> usize {
        lo + self.below(hi_inclusive - lo + 1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Collects divergences so one run reports several, each with its reproducing input.
#[derive(Default)]
struct Failures {
    count: usize,
    shown: Vec<String>,
}

impl Failures {
    fn add(&mut self, what: String) {
        self.count += 1;
        if self.shown.len() < 8 {
            self.shown.push(what);
        }
    }

    fn check<T: PartialEq + std::fmt::Debug>(&mut self, what: impl Fn() -> String, ours: T, theirs: T) -> bool {
        if ours != theirs {
            self.add(format!("{}\n  ours:   {ours:?}\n  theirs: {theirs:?}", what()));
            return false;
        }
        true
    }

    fn finish(self, property: &str, cases: usize) {
        println!("{property}: {cases} cases, {} divergences", self.count);
        assert!(self.count == 0, "{property}: {} divergences, first ones:\n\n{}", self.count, self.shown.join("\n\n"));
    }
}

/// A result reduced to what both crates can be compared on: the value, or the error's message.
fn outcome<T, E: Display>(result: Result<T, E>) -> Result<T, String> {
    result.map_err(|e| e.to_string())
}

fn our_outcome<T>(result: Result<T, HarmonyError>) -> Result<T, String> {
    result.map_err(|e| e.message)
}

// ---------------------------------------------------------------------------------------------
// Text generators

const TEXT_BITS: &[&str] = &[
    "hello",
    " world",
    "What is 2 + 2?",
    "The",
    " quick",
    " brown",
    "fox",
    " ",
    "  ",
    "   ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    " \n ",
    "\u{a0}",
    "\u{2028}",
    "\u{3000}",
    "\u{b}",
    "\u{c}",
    "é",
    "中文",
    "日本語のテキスト",
    "한국어",
    "💖",
    "🫠",
    "👩\u{200d}👩\u{200d}👧",
    "e\u{301}",
    "Ω",
    "ß",
    "İ",
    "ﬁ",
    "ǅ",
    "١٢٣",
    "<|end|>",
    "<|start|>",
    "<|message|>",
    "<|channel|>",
    "<|constrain|>",
    "<|call|>",
    "<|return|>",
    "<|reserved_200013|>",
    "<|endoftext|>",
    "<|refusal|>",
    "<|",
    "|>",
    "<",
    ">",
    "to=",
    "functions.get_weather",
    "{\"a\": 1}",
    "'s",
    "'LL",
    "123456",
    "3.14",
    "--",
    "//",
    "// ",
    "\u{0}",
    "\u{7f}",
    "\u{feff}",
    "\u{fffd}",
    "\u{10ffff}",
    "A",
    "ABC",
    "aBc",
    "I'm",
    "\"",
    "\\",
    "【6†L9-L11】",
    "`x`",
    "...",
    "!!!",
    "\u{1f}",
];

fn random_char(rng: &mut Rng) -> char {
    let ranges: &[(u32, u32)] = &[
        (0x20, 0x7e),
        (0x00, 0x1f),
        (0xa0, 0x17f),
        (0x300, 0x36f),
        (0x400, 0x4ff),
        (0x600, 0x6ff),
        (0x900, 0x97f),
        (0x3040, 0x30ff),
        (0x4e00, 0x9fff),
        (0xac00, 0xd7a3),
        (0x1f300, 0x1faff),
        (0x0, 0x10ffff),
    ];
    let (lo, hi) = rng.pick(ranges);
    loop {
        let c = lo + (rng.next() % u64::from(hi - lo + 1)) as u32;
        if let Some(c) = char::from_u32(c) {
            return c;
        }
    }
}

/// Random text of up to `max_bits` pieces: words, whitespace runs, unicode, special-token text.
fn text(rng: &mut Rng, max_bits: usize) -> String {
    let mut s = String::new();
    for _ in 0..rng.range(0, max_bits) {
        if rng.chance(25) {
            for _ in 0..rng.range(1, 4) {
                s.push(random_char(rng));
            }
        } else {
            s.push_str(rng.pick(TEXT_BITS));
        }
    }
    s
}

const WORDS: &[&str] = &[
    "analysis",
    "commentary",
    "final",
    "other",
    "",
    "all",
    "functions.get_weather",
    "functions.x",
    "browser.search",
    "python",
    "assistant",
    "user",
    "system",
    "developer",
    "tool",
    "a b",
    "x<y",
    "json",
    "<|constrain|>json",
    "to=x",
    " ",
    "Final",
    "final ",
    "bob",
    "alice",
    "日本",
    "💖",
];

fn word(rng: &mut Rng) -> String {
    if rng.chance(15) {
        text(rng, 3)
    } else {
        rng.pick(WORDS).to_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// Conversation generator (JSON)

const ROLES: [&str; 5] = ["system", "developer", "user", "assistant", "tool"];

fn random_number(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => json!(rng.below(100)),
        1 => json!(-(rng.below(1000) as i64)),
        2 => json!(u64::MAX - rng.below(10) as u64),
        3 => json!(1.5),
        // Not 1e20: serde_json >= 1.0.146 (which the reference is compiled with here) displays
        // it as `1e+20`, the reference as released (serde_json 1.0.140) as `1e20`, like ours.
        4 => json!(123_456.5),
        5 => json!(10.0),
        6 => json!(-0.25),
        _ => json!(1e-7),
    }
}

fn random_json(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => random_number(rng),
        3 | 4 => json!(text(rng, 3)),
        5 => Value::Array((0..rng.below(3)).map(|_| random_json(rng, depth - 1)).collect()),
        _ => {
            let mut m = Map::new();
            for _ in 0..rng.below(3) {
                m.insert(word(rng), random_json(rng, depth - 1));
            }
            Value::Object(m)
        }
    }
}

/// A description: lines with blank lines, `\r\n`, trailing newlines.
fn description(rng: &mut Rng) -> String {
    let mut s = String::new();
    for i in 0..rng.range(0, 4) {
        if i > 0 {
            s.push_str(rng.pick(&["\n", "\n", "\r\n", "\n\n", "\n\r\n", "\r"]));
        }
        s.push_str(&text(rng, 4));
    }
    if rng.chance(20) {
        s.push('\n');
    }
    s
}

/// A random JSON Schema, biased towards the shapes the TypeScript renderer handles.
fn schema(rng: &mut Rng, depth: usize) -> Value {
    let kinds = if depth == 0 { 6 } else { 10 };
    let mut s = match rng.below(kinds) {
        0 => json!({"type": "string"}),
        1 => json!({"type": rng.pick(&["number", "integer", "boolean", "null", "weird"])}),
        2 => {
            let mut values: Vec<Value> = (0..rng.below(4)).map(|_| json!(word(rng))).collect();
            if rng.chance(20) {
                values.push(random_json(rng, 0));
            }
            json!({"type": "string", "enum": values})
        }
        3 => {
            let mut types: Vec<Value> = (0..rng.below(4))
                .map(|_| json!(rng.pick(&["number", "string", "integer", "null", "object", "boolean"])))
                .collect();
            if rng.chance(10) {
                types.push(json!(5));
            }
            json!({"type": types})
        }
        4 => json!({"type": "array"}),
        5 => match rng.below(6) {
            0 => json!({}),
            1 => json!({"anyOf": [{"type": "string"}]}),
            2 => json!({"$ref": "#/x"}),
            3 => json!({"const": 1}),
            4 => json!({"enum": ["a", "b"]}),
            _ => random_json(rng, 1),
        },
        6 | 7 => object_schema(rng, depth),
        8 => json!({"type": "array", "items": schema(rng, depth - 1)}),
        _ => {
            let variants: Vec<Value> = (0..rng.below(4)).map(|_| schema(rng, depth - 1)).collect();
            if rng.chance(10) {
                json!({"oneOf": {"type": "string"}, "type": "string"})
            } else {
                json!({"oneOf": variants})
            }
        }
    };
    if let Value::Object(m) = &mut s {
        decorate(rng, m);
    }
    s
}

fn object_schema(rng: &mut Rng, depth: usize) -> Value {
    let mut properties = Map::new();
    for _ in 0..rng.below(5) {
        let key = if rng.chance(80) {
            rng.pick(&["location", "unit", "q", "a b", "x\"y", "ключ", "", "n"]).to_owned()
        } else {
            word(rng)
        };
        properties.insert(key, schema(rng, depth.saturating_sub(1)));
    }
    let mut required: Vec<Value> = properties.keys().filter(|_| rng.chance(50)).map(|k| json!(k)).collect();
    if rng.chance(10) {
        required.push(json!(7));
    }
    let mut m = Map::new();
    m.insert("type".into(), json!("object"));
    if rng.chance(90) {
        m.insert("properties".into(), Value::Object(properties));
    }
    if rng.chance(70) {
        m.insert("required".into(), if rng.chance(95) { Value::Array(required) } else { json!("q") });
    }
    Value::Object(m)
}

/// Adds the annotations the renderer prints: description, title, examples, default, nullable.
fn decorate(rng: &mut Rng, m: &mut Map<String, Value>) {
    if rng.chance(25) {
        m.insert("description".into(), if rng.chance(90) { json!(description(rng)) } else { random_json(rng, 0) });
    }
    if rng.chance(10) {
        m.insert("title".into(), json!(text(rng, 2)));
    }
    if rng.chance(10) {
        let examples: Vec<Value> = (0..rng.below(3)).map(|_| random_json(rng, 0)).collect();
        m.insert("examples".into(), Value::Array(examples));
    }
    if rng.chance(20) {
        m.insert("default".into(), random_json(rng, 1));
    }
    if rng.chance(15) {
        m.insert("nullable".into(), if rng.chance(80) { json!(rng.chance(70)) } else { json!("yes") });
    }
}

fn namespace(rng: &mut Rng, key: &str) -> Value {
    match key {
        "browser" if rng.chance(50) => return serde_json::to_value(ToolNamespaceConfig::browser()).unwrap(),
        "python" if rng.chance(50) => return serde_json::to_value(ToolNamespaceConfig::python()).unwrap(),
        _ => {}
    }
    let tools: Vec<Value> = (0..rng.below(4))
        .map(|_| {
            let mut tool = Map::new();
            tool.insert("name".into(), json!(rng.pick(&["get_weather", "search", "f", "lookup", "", "x y"])));
            tool.insert("description".into(), json!(description(rng)));
            match rng.below(4) {
                0 => {}
                1 => {
                    tool.insert("parameters".into(), Value::Null);
                }
                2 => {
                    tool.insert("parameters".into(), schema(rng, 3));
                }
                _ => {
                    tool.insert("parameters".into(), object_schema(rng, 3));
                }
            }
            Value::Object(tool)
        })
        .collect();
    let mut ns = Map::new();
    ns.insert("name".into(), json!(if rng.chance(85) { key.to_owned() } else { word(rng) }));
    if rng.chance(60) {
        ns.insert("description".into(), if rng.chance(15) { Value::Null } else { json!(description(rng)) });
    }
    ns.insert("tools".into(), Value::Array(tools));
    Value::Object(ns)
}

fn tools_map(rng: &mut Rng) -> Value {
    let mut m = Map::new();
    for _ in 0..rng.below(4) {
        let key = rng.pick(&["functions", "functions", "browser", "python", "zeta", "Alpha", "ä", "", "functions2"]);
        m.insert(key.to_owned(), namespace(rng, key));
    }
    Value::Object(m)
}

fn system_content(rng: &mut Rng) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!("system_content"));
    if rng.chance(60) {
        m.insert(
            "model_identity".into(),
            json!(if rng.chance(70) {
                "You are ChatGPT, a large language model trained by OpenAI.".to_owned()
            } else {
                text(rng, 5)
            }),
        );
    }
    if rng.chance(60) {
        m.insert("reasoning_effort".into(), json!(rng.pick(&["Low", "Medium", "High"])));
    }
    if rng.chance(40) {
        m.insert("conversation_start_date".into(), json!(rng.pick(&["2025-06-28", "", "today"])));
    }
    if rng.chance(50) {
        m.insert("knowledge_cutoff".into(), json!(rng.pick(&["2024-06", "", "never"])));
    }
    if rng.chance(60) {
        let channels: Vec<Value> = (0..rng.below(4)).map(|_| json!(word(rng))).collect();
        m.insert("channel_config".into(), json!({"valid_channels": channels, "channel_required": rng.chance(70)}));
    }
    if rng.chance(40) {
        m.insert("tools".into(), tools_map(rng));
    }
    shuffle_keys(rng, m)
}

fn developer_content(rng: &mut Rng) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!("developer_content"));
    if rng.chance(70) {
        m.insert("instructions".into(), json!(text(rng, 6)));
    }
    if rng.chance(60) {
        m.insert("tools".into(), tools_map(rng));
    }
    shuffle_keys(rng, m)
}

fn shuffle_keys(rng: &mut Rng, m: Map<String, Value>) -> Value {
    let mut entries: Vec<(String, Value)> = m.into_iter().collect();
    for i in (1..entries.len()).rev() {
        entries.swap(i, rng.below(i + 1));
    }
    Value::Object(entries.into_iter().collect())
}

fn content_item(rng: &mut Rng, role: &str) -> Value {
    // Structured content mostly where it belongs, sometimes elsewhere (a render error).
    let misplace = rng.chance(5);
    match (role, rng.below(10)) {
        ("system", 0..=6) => system_content(rng),
        ("developer", 0..=6) => developer_content(rng),
        (_, 0) if misplace => system_content(rng),
        (_, 1) if misplace => developer_content(rng),
        _ => json!({"type": "text", "text": text(rng, 8)}),
    }
}

fn optional_string(
    rng: &mut Rng,
    m: &mut Map<String, Value>,
    key: &str,
    percent: u64,
    values: impl FnOnce(&mut Rng) -> String,
) {
    if rng.chance(percent) {
        let v = if rng.chance(10) { Value::Null } else { json!(values(rng)) };
        m.insert(key.into(), v);
    }
}

fn message(rng: &mut Rng) -> Value {
    let role = rng.pick(&ROLES);
    let mut m = Map::new();
    m.insert("role".into(), json!(role));
    let name_percent = if role == "tool" { 90 } else { 20 };
    optional_string(rng, &mut m, "name", name_percent, |rng| {
        if rng.chance(70) {
            rng.pick(&["functions.get_weather", "browser.search", "python", "alice", "", "a b"]).to_owned()
        } else {
            word(rng)
        }
    });
    optional_string(rng, &mut m, "recipient", 35, |rng| {
        rng.pick(&["all", "", "functions.get_weather", "assistant", "user", "python", "a b", "x<|end|>"]).to_owned()
    });
    optional_string(rng, &mut m, "channel", 60, |rng| {
        if rng.chance(85) {
            rng.pick(&["analysis", "commentary", "final", "final", "other", ""]).to_owned()
        } else {
            word(rng)
        }
    });
    optional_string(rng, &mut m, "content_type", 25, |rng| {
        if rng.chance(85) {
            rng.pick(&[
                "<|constrain|>json",
                "<|constrain|>",
                "json",
                "<|constrain|> json",
                "json<|constrain|>",
                "code",
                "",
                " ",
            ])
            .to_owned()
        } else {
            word(rng)
        }
    });
    let content = if rng.chance(30) {
        json!(text(rng, 8))
    } else {
        Value::Array((0..rng.range(0, 3)).map(|_| content_item(rng, role)).collect())
    };
    m.insert("content".into(), content);
    shuffle_keys(rng, m)
}

fn conversation(rng: &mut Rng) -> Value {
    let mut messages = Vec::new();
    if rng.chance(60) {
        let mut m = message(rng);
        m["role"] = json!("system");
        m["content"] = json!([system_content(rng)]);
        messages.push(m);
    }
    if rng.chance(40) {
        let mut m = message(rng);
        m["role"] = json!("developer");
        m["content"] = json!([developer_content(rng)]);
        messages.push(m);
    }
    for _ in 0..rng.range(0, 5) {
        messages.push(message(rng));
    }
    json!({ "messages": messages })
}

// ---------------------------------------------------------------------------------------------
// Rendering: ours vs reference

type Rendered = Result<Vec<u32>, String>;

/// Every render of a conversation, labelled, by the reference. `auto_drop`: `None` = no config.
fn reference_renders(
    r: &openai_harmony::HarmonyEncoding,
    msgs: &[rchat::Message],
    auto_drop: Option<bool>,
) -> Vec<(String, Rendered)> {
    // The reference's config type is not exported: it is reached through inference.
    let mut config = Default::default();
    if false {
        let _ = r.render_conversation(msgs, Some(&config));
    }
    config.auto_drop_analysis = auto_drop.unwrap_or(true);
    let config = auto_drop.map(|_| &config);
    let mut out = vec![
        ("render_conversation".to_owned(), outcome(r.render_conversation(msgs, config))),
        ("render_conversation_for_training".to_owned(), outcome(r.render_conversation_for_training(msgs, config))),
    ];
    for role in ROLES {
        let next = rchat::Role::try_from(role).unwrap();
        out.push((
            format!("render_conversation_for_completion({role})"),
            outcome(r.render_conversation_for_completion(msgs, next, config)),
        ));
    }
    out
}

fn our_renders(enc: &HarmonyEncoding, msgs: &[Message], auto_drop: Option<bool>) -> Vec<(String, Rendered)> {
    let config = auto_drop.map(|auto_drop_analysis| RenderConversationConfig { auto_drop_analysis });
    let config = config.as_ref();
    let mut out = vec![
        ("render_conversation".to_owned(), our_outcome(enc.render_conversation(msgs, config))),
        (
            "render_conversation_for_training".to_owned(),
            our_outcome(enc.render_conversation_for_training(msgs, config)),
        ),
    ];
    for role in ROLES {
        let next: Role = role.parse().unwrap();
        out.push((
            format!("render_conversation_for_completion({role})"),
            our_outcome(enc.render_conversation_for_completion(msgs, next, config)),
        ));
    }
    out
}

fn reference_render_message(
    r: &openai_harmony::HarmonyEncoding,
    m: &rchat::Message,
    function_tools: Option<bool>,
) -> Rendered {
    let mut options = Default::default();
    if false {
        let _ = r.render(m, Some(&options));
    }
    options.conversation_has_function_tools = function_tools.unwrap_or(false);
    outcome(r.render(m, function_tools.map(|_| &options)))
}

fn our_render_message(enc: &HarmonyEncoding, m: &Message, function_tools: Option<bool>) -> Rendered {
    let options =
        function_tools.map(|conversation_has_function_tools| RenderOptions { conversation_has_function_tools });
    our_outcome(enc.render(m, options.as_ref()))
}

/// Compares every render of the conversation in `json_text`; both crates must accept it.
fn compare_renders(f: &mut Failures, enc: &HarmonyEncoding, r: &openai_harmony::HarmonyEncoding, json_text: &str) {
    let (ours_conv, theirs_conv) =
        match (Conversation::from_json_str(json_text), serde_json::from_str::<rchat::Conversation>(json_text)) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                f.add(format!(
                    "conversation JSON accepted differently: {json_text}\n  ours: {:?}\n  theirs: {:?}",
                    a.err(),
                    b.err()
                ));
                return;
            }
        };
    f.check(
        || format!("re-serialisation of {json_text}"),
        serde_json::to_string(&ours_conv).unwrap(),
        serde_json::to_string(&theirs_conv).unwrap(),
    );
    for auto_drop in [None, Some(true), Some(false)] {
        let ours = our_renders(enc, &ours_conv.messages, auto_drop);
        let theirs = reference_renders(r, &theirs_conv.messages, auto_drop);
        for ((what, a), (_, b)) in ours.into_iter().zip(theirs) {
            f.check(|| format!("{what} with auto_drop {auto_drop:?} of {json_text}"), a, b);
        }
    }
    for (m, rm) in ours_conv.messages.iter().zip(&theirs_conv.messages) {
        for function_tools in [None, Some(false), Some(true)] {
            f.check(
                || format!("render({function_tools:?}) of {}", serde_json::to_string(rm).unwrap()),
                our_render_message(enc, m, function_tools),
                reference_render_message(r, rm, function_tools),
            );
        }
    }
}

fn render_property(thorough: bool) {
    let r = reference_encoding();
    let enc = ours();
    let mut rng = Rng::new(1);
    let mut f = Failures::default();
    let cases = cases(2000, thorough);
    for _ in 0..cases {
        let json_text = conversation(&mut rng).to_string();
        compare_renders(&mut f, &enc, r, &json_text);
    }
    f.finish("render", cases);
}

#[test]
fn render_matches_reference() {
    render_property(false);
}

#[test]
#[ignore = "thorough: cargo test --release -p reference-tests --test differential -- --ignored"]
fn render_matches_reference_thorough() {
    render_property(true);
}

/// The reference-defined builtin namespaces and builder defaults render the same as ours.
#[test]
fn builtin_tools_and_defaults_match_reference() {
    let r = reference_encoding();
    let enc = ours();
    let mut f = Failures::default();
    let system =
        rchat::SystemContent::new().with_browser_tool().with_python_tool().with_conversation_start_date("2025-06-28");
    let developer = rchat::DeveloperContent::new()
        .with_instructions("Be terse.")
        .with_function_tools(vec![rchat::ToolDescription::new("f", "does f", Some(json!({"type": "object"})))]);
    let conversation = rchat::Conversation::from_messages([
        rchat::Message::from_role_and_content(rchat::Role::System, system),
        rchat::Message::from_role_and_content(rchat::Role::Developer, developer),
        rchat::Message::from_role_and_content(rchat::Role::User, "hi"),
    ]);
    let json_text = serde_json::to_string(&conversation).unwrap();
    compare_renders(&mut f, &enc, r, &json_text);
    let ours_default = serde_json::to_string(&harmony_core::SystemContent::new()).unwrap();
    f.check(
        || "SystemContent::new()".into(),
        ours_default,
        serde_json::to_string(&rchat::SystemContent::new()).unwrap(),
    );
    f.finish("builtins", 1);
}

// ---------------------------------------------------------------------------------------------
// JSON acceptance: odd and malformed conversations

/// Every object and array in `v`, as JSON pointers.
fn containers(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            out.push(path.clone());
            for (k, child) in m {
                containers(child, format!("{path}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) => {
            out.push(path.clone());
            for (i, child) in a.iter().enumerate() {
                containers(child, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn odd_value(rng: &mut Rng) -> Value {
    match rng.below(9) {
        0 => Value::Null,
        1 => json!(""),
        2 => json!("x"),
        3 => json!(1),
        4 => json!(true),
        5 => json!([]),
        6 => json!({}),
        7 => json!([{"type": "text", "text": "t"}]),
        _ => random_json(rng, 1),
    }
}

fn recase(s: &str, rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => s.to_lowercase(),
        1 => s.to_uppercase(),
        _ => {
            let mut c = s.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        }
    }
}

/// One random structural change somewhere in `v`.
fn mutate(rng: &mut Rng, v: &mut Value) {
    let mut paths = Vec::new();
    containers(v, String::new(), &mut paths);
    let path = paths[rng.below(paths.len())].clone();
    let Some(node) = v.pointer_mut(&path) else { return };
    match node {
        Value::Object(m) if !m.is_empty() && rng.chance(80) => {
            let key = m.keys().nth(rng.below(m.len())).cloned().unwrap_or_default();
            match rng.below(8) {
                0 => {
                    m.remove(&key);
                }
                1 => {
                    m.insert(key, Value::Null);
                }
                2 | 3 => {
                    let odd = odd_value(rng);
                    m.insert(key, odd);
                }
                4 => {
                    let value = m.remove(&key).unwrap_or(Value::Null);
                    m.insert(recase(&key, rng), value);
                }
                5 => {
                    if let Some(Value::String(s)) = m.get_mut(&key) {
                        *s = recase(s, rng);
                    }
                }
                6 => {
                    // Struct in sequence form: the values in order.
                    *node = Value::Array(m.values().cloned().collect());
                }
                _ => {
                    if let Some(Value::Array(items)) = m.get_mut(&key) {
                        items.clear();
                    }
                }
            }
        }
        Value::Object(m) => {
            let key = rng
                .pick(&["extra", "type", "role", "name", "content", "tools", "parameters", "description"])
                .to_owned();
            let odd = odd_value(rng);
            m.insert(key, odd);
        }
        Value::Array(a) if !a.is_empty() && rng.chance(50) => {
            let i = rng.below(a.len());
            if rng.chance(50) {
                a.remove(i);
            } else {
                a[i] = odd_value(rng);
            }
        }
        Value::Array(a) => a.push(odd_value(rng)),
        _ => {}
    }
}

const ODD_CONVERSATIONS: &[&str] = &[
    r#"{"messages":[]}"#,
    r#"{}"#,
    r#"[]"#,
    r#"[[]]"#,
    r#"{"messages":null}"#,
    r#"{"messages":[{"role":"user","content":"hi"}]}"#,
    r#"{"messages":[{"role":"user","content":null}]}"#,
    r#"{"messages":[{"role":"user"}]}"#,
    r#"{"messages":[{"content":"hi"}]}"#,
    r#"{"messages":[{"role":"User","content":"hi"}]}"#,
    r#"{"messages":[{"role":{"user":null},"content":"hi"}]}"#,
    r#"{"messages":[{"role":"user","content":[]}]}"#,
    r#"{"messages":[{"role":"user","content":[{"type":"image","url":"x"}]}]}"#,
    r#"{"messages":[{"role":"user","content":[{"text":"no type"}]}]}"#,
    r#"{"messages":[{"role":"user","content":[{"type":"text"}]}]}"#,
    r#"{"messages":[{"role":"user","content":[{"type":"text","text":"a","extra":1}]}],"extra":2}"#,
    r#"{"messages":[{"role":"user","content":"hi","author":{"role":"user"},"unknown":[1,{"a":null}]}]}"#,
    r#"{"messages":[{"role":"user","role":"assistant","content":"hi"}]}"#,
    r#"{"messages":[{"role":"user","content":"a","content":"b"}]}"#,
    r#"{"messages":[{"role":"user","name":"a","name":"b","content":"x"}]}"#,
    r#"{"messages":[["user",null,null,"hi",null,null]]}"#,
    r#"{"messages":[["user",null,null,"hi"]]}"#,
    r#"{"messages":[{"role":"user","content":[["text","hi"]]}]}"#,
    r#"{"messages":[{"role":"system","content":[["system_content"]]}]}"#,
    r#"{"messages":[{"role":"system","content":[["system_content",null,null,null,null,null,null]]}]}"#,
    r#"{"messages":[{"role":"developer","content":[["developer_content"]]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","reasoning_effort":"low"}]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","reasoning_effort":"LOW"}]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","reasoning_effort":null}]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","channel_config":{"valid_channels":["a"]}}]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","channel_config":{"valid_channels":["a"],"channel_required":null}}]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","channel_config":[["a"],true]}]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","tools":{"f":{"name":"f"}}}]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","tools":{"f":{"name":"f","tools":[{"name":"g"}]}}}]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","tools":{"f":{"name":"f","tools":[{"name":"g","description":"d"}]}}}]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","tools":{"f":["f",null,[["g","d"]]]}}]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","tools":{"f":["f",null,[["g","d",null]]]}}]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","tools":{"f":["f"]}}]}]}"#,
    r#"{"messages":[{"role":"system","content":[{"type":"system_content","tools":[]}]}]}"#,
    r#"{"messages":[{"role":"developer","content":[{"type":"developer_content","tools":{"functions":{"name":"functions","tools":[{"name":"g","description":"d","parameters":null}]}}}]}]}"#,
    r#"{"messages":[{"role":"tool","content":"x"}]}"#,
    r#"{"messages":[{"role":"user","recipient":1,"content":"x"}]}"#,
    r#"{"messages":[{"role":"user","channel":["a"],"content":"x"}]}"#,
    r#"{"messages":[{"role":"user","content":"x"}]} trailing"#,
    r#"{"messages":[{"role":"user","content":"\ud800"}]}"#,
    r#"{"messages":[{"role":"user","content":"x",}]}"#,
];

fn compare_acceptance(f: &mut Failures, enc: &HarmonyEncoding, r: &openai_harmony::HarmonyEncoding, json_text: &str) {
    let ours = Conversation::from_json_str(json_text);
    let theirs = serde_json::from_str::<rchat::Conversation>(json_text);
    match (&ours, &theirs) {
        (Ok(_), Ok(_)) => compare_renders(f, enc, r, json_text),
        (Err(a), Err(b)) => {
            f.check(
                || format!("JSON error for {json_text}"),
                a.message.clone(),
                format!("invalid conversation JSON: {b}"),
            );
        }
        _ => f.add(format!(
            "JSON accepted differently: {json_text}\n  ours: {:?}\n  theirs: {:?}",
            ours.as_ref().err().map(|e| &e.message),
            theirs.as_ref().err().map(ToString::to_string)
        )),
    }
    // A single message goes through the same deserialiser.
    if let Ok(Value::Object(root)) = serde_json::from_str::<Value>(json_text) {
        for m in root.get("messages").and_then(Value::as_array).into_iter().flatten() {
            let text = m.to_string();
            let ours = Message::from_json_str(&text).map_err(|e| e.message);
            let theirs =
                serde_json::from_str::<rchat::Message>(&text).map_err(|e| format!("invalid message JSON: {e}"));
            f.check(|| format!("message JSON {text}"), ours.is_ok(), theirs.is_ok());
        }
    }
}

fn json_acceptance_property(thorough: bool) {
    let r = reference_encoding();
    let enc = ours();
    let mut f = Failures::default();
    for json_text in ODD_CONVERSATIONS {
        compare_acceptance(&mut f, &enc, r, json_text);
    }
    let mut rng = Rng::new(2);
    let cases = cases(2000, thorough);
    for _ in 0..cases {
        let mut v = conversation(&mut rng);
        for _ in 0..rng.range(1, 3) {
            mutate(&mut rng, &mut v);
        }
        compare_acceptance(&mut f, &enc, r, &v.to_string());
    }
    f.finish("json acceptance", cases + ODD_CONVERSATIONS.len());
}

#[test]
fn json_acceptance_matches_reference() {
    json_acceptance_property(false);
}

#[test]
#[ignore = "thorough: cargo test --release -p reference-tests --test differential -- --ignored"]
fn json_acceptance_matches_reference_thorough() {
    json_acceptance_property(true);
}

// ---------------------------------------------------------------------------------------------
// Parsing and streaming: token generator

const START: u32 = 200_006;
const MESSAGE: u32 = 200_008;
const CHANNEL: u32 = 200_005;
const CONSTRAIN: u32 = 200_003;
const END: u32 = 200_007;
const CALL: u32 = 200_012;
const RETURN: u32 = 200_002;

fn enc_text(s: &str) -> Vec<u32> {
    ours().tokenizer().encode_ordinary(s)
}

/// A token that is not part of a well-formed message: stray specials, unknown ids, odd bytes.
fn stray_token(rng: &mut Rng) -> u32 {
    match rng.below(10) {
        0 => rng.pick(&[199_998, 199_999, 200_000, 200_001, 200_004, 200_009, 200_010, 200_011, 200_013]),
        1 => rng.range(200_014, 201_088) as u32,
        2 => rng.pick(&[201_089, 201_090, 250_000, 1 << 31, u32::MAX]),
        3 => rng.pick(&[START, MESSAGE, CHANNEL, CONSTRAIN, END, CALL, RETURN]),
        4 => rng.pick(&[9552, 31446, 244, 132_990, 27825, 80_000]),
        5 => rng.below(256) as u32,
        _ => rng.below(199_998) as u32,
    }
}

/// Content tokens: text, characters split across tokens, specials as text, unknown ids.
fn content_tokens(rng: &mut Rng, out: &mut Vec<u32>) {
    for _ in 0..rng.range(0, 5) {
        match rng.below(10) {
            0..=5 => out.extend(enc_text(&text(rng, 4))),
            6 => out.extend_from_slice(rng.pick(&[
                &[9552][..],
                &[31446, 244],
                &[9552, 9552],
                &[31446],
                &[132_990, 9552],
                &[9552, 27825],
                &[2203, 2203, 2203],
                &[1857, 31446],
            ])),
            7 => {
                // A multi-byte character cut into single-byte tokens.
                let c = random_char(rng);
                let mut buf = [0; 4];
                out.extend(c.encode_utf8(&mut buf).bytes().map(enc_text_byte));
            }
            _ => out.push(stray_token(rng)),
        }
    }
}

/// The id of the token that is exactly this one byte.
fn enc_text_byte(b: u8) -> u32 {
    static TABLE: OnceLock<Vec<u32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let tk = ours().tokenizer();
        let mut table = vec![0; 256];
        for id in 0..199_998u32 {
            if let Some(&[byte]) = tk.token_bytes(id) {
                table[byte as usize] = id;
            }
        }
        table
    })[b as usize]
}

const HEADER_ROLES: &[&str] = &[
    "assistant",
    "assistant",
    "user",
    "system",
    "developer",
    "tool",
    "functions.get_weather",
    "browser.search",
    "Assistant",
    "",
    "to=functions.x",
    "user:alice",
];

/// A header: role word (unless the parser was given the role), recipient, channel, content type,
/// sometimes with noise.
fn header_tokens(rng: &mut Rng, role_given: bool, out: &mut Vec<u32>) {
    if !role_given || rng.chance(10) {
        out.extend(enc_text(rng.pick(HEADER_ROLES)));
    }
    let recipient = rng.chance(35).then(|| {
        rng.pick(&[" to=functions.get_weather", " to=assistant", " to=", " to=python", " functions.f", "to=x"])
    });
    let recipient_first = rng.chance(50);
    if let (Some(to), true) = (recipient, recipient_first) {
        out.extend(enc_text(to));
    }
    if rng.chance(70) {
        if rng.chance(90) {
            out.push(CHANNEL);
        } else {
            out.extend(enc_text("<|channel|>"));
        }
        out.extend(enc_text(rng.pick(&[
            "analysis",
            "commentary",
            "final",
            "other",
            "",
            " final",
            "final<x",
            "final\u{a0}x",
            "c<|channel|>d",
        ])));
    }
    if let (Some(to), false) = (recipient, recipient_first) {
        out.extend(enc_text(to));
    }
    match rng.below(10) {
        0 => out.extend([enc_text(" "), vec![CONSTRAIN], enc_text("json")].concat()),
        1 => out.extend([vec![CONSTRAIN], enc_text("json")].concat()),
        2 => out.extend(enc_text(rng.pick(&[" json", " code", " <|constrain|>json", " a b"]))),
        3 => out.extend([enc_text(" "), vec![CONSTRAIN], enc_text(" json")].concat()),
        _ => {}
    }
    if rng.chance(8) {
        let at = rng.range(0, out.len());
        out.insert(at, stray_token(rng));
    }
    if rng.chance(5) {
        out.extend(enc_text(&text(rng, 3)));
    }
}

/// A completion: messages (some malformed), maybe noise, maybe truncated.
fn completion(rng: &mut Rng, role: Option<Role>) -> Vec<u32> {
    let mut out = Vec::new();
    for i in 0..rng.range(1, 4) {
        let first_with_role = i == 0 && role.is_some();
        if !first_with_role && rng.chance(95) {
            out.push(START);
        }
        header_tokens(rng, first_with_role, &mut out);
        if rng.chance(90) {
            out.push(MESSAGE);
        }
        content_tokens(rng, &mut out);
        if rng.chance(85) {
            out.push(rng.pick(&[END, END, CALL, RETURN]));
        }
    }
    if rng.chance(5) {
        let at = rng.range(0, out.len());
        out.insert(at, stray_token(rng));
    }
    if rng.chance(20) {
        out.truncate(rng.range(0, out.len()));
    }
    out
}

fn role_option(rng: &mut Rng) -> Option<Role> {
    if rng.chance(40) {
        None
    } else {
        Some(rng.pick(&Role::ALL))
    }
}

fn reference_role(role: Option<Role>) -> Option<rchat::Role> {
    role.map(|r| rchat::Role::try_from(r.as_str()).unwrap())
}

/// A coarse label of a parse result, to show the mix of outcomes the generator reaches.
fn outcome_kind(result: &Result<String, String>) -> String {
    match result {
        Ok(json) => format!("ok, {} messages", json.matches("\"role\"").count()),
        Err(e) => {
            e.split([':', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']).next().unwrap_or_default().to_owned()
        }
    }
}

fn our_messages_json(ms: &[Message]) -> String {
    serde_json::to_string(ms).unwrap()
}

fn reference_messages_json(ms: &[rchat::Message]) -> String {
    serde_json::to_string(ms).unwrap()
}

fn parse_property(thorough: bool) {
    let r = reference_encoding();
    let enc = ours();
    let mut rng = Rng::new(3);
    let mut f = Failures::default();
    let cases = cases(2500, thorough);
    let mut outcomes = std::collections::BTreeMap::new();
    for _ in 0..cases {
        let shaped_for = role_option(&mut rng);
        let tokens = completion(&mut rng, shaped_for);
        // The role the tokens were made for, and one more.
        for role in [shaped_for, role_option(&mut rng)] {
            for strict in [true, false] {
                let ours =
                    our_outcome(enc.parse_messages_from_completion_tokens(&tokens, role, ParseOptions { strict }))
                        .map(|ms| our_messages_json(&ms));
                let theirs = outcome(r.parse_messages_from_completion_tokens_with_options(
                    tokens.iter().copied(),
                    reference_role(role),
                    openai_harmony::ParseOptions { strict },
                ))
                .map(|ms| reference_messages_json(&ms));
                *outcomes.entry(outcome_kind(&ours)).or_insert(0) += 1;
                f.check(|| format!("parse {tokens:?} role {role:?} strict {strict}"), ours, theirs);
            }
        }
    }
    println!("parse outcomes: {outcomes:?}");
    f.finish("parse", cases);
}

#[test]
fn parse_matches_reference() {
    parse_property(false);
}

#[test]
#[ignore = "thorough: cargo test --release -p reference-tests --test differential -- --ignored"]
fn parse_matches_reference_thorough() {
    parse_property(true);
}

/// Lenient parsing is not "strict, only more forgiving": a stop token in a header is header text
/// when strict and ends the header when lenient, so lenient can fail where strict succeeds. The
/// fuzz target `parse` therefore only requires both to agree while no stop token meets a header.
#[test]
fn lenient_can_fail_where_strict_succeeds() {
    let r = reference_encoding();
    let enc = ours();
    // Role assistant, header `<|end|>`, content "Hi".
    let tokens = [END, MESSAGE, 12_194, END];
    let mut results = Vec::new();
    for strict in [true, false] {
        let ours = our_outcome(enc.parse_messages_from_completion_tokens(
            &tokens,
            Some(Role::Assistant),
            ParseOptions { strict },
        ))
        .map(|ms| our_messages_json(&ms));
        let theirs = outcome(r.parse_messages_from_completion_tokens_with_options(
            tokens,
            Some(rchat::Role::Assistant),
            openai_harmony::ParseOptions { strict },
        ))
        .map(|ms| reference_messages_json(&ms));
        assert_eq!(ours, theirs, "strict {strict}");
        results.push(ours);
    }
    assert_eq!(results[0].as_deref(), Ok(r#"[{"role":"assistant","recipient":"<|end|>","content":"Hi"}]"#));
    assert_eq!(
        results[1].as_ref().map_err(String::as_str),
        Err("Unexpected token 200008 while expecting start token 200006")
    );
}

/// Everything the streaming parser shows, as one comparable value.
fn our_snapshot(p: &StreamableParser) -> Value {
    json!({
        "state_json": p.state_json(),
        "role": p.current_role().map(Role::as_str),
        "channel": p.current_channel(),
        "recipient": p.current_recipient(),
        "content_type": p.current_content_type(),
        "content": p.current_content(),
        "delta": p.last_content_delta(),
        "messages": our_messages_json(p.messages()),
        "tokens": p.tokens(),
    })
}

fn reference_snapshot(p: &openai_harmony::StreamableParser) -> Value {
    json!({
        "state_json": p.state_json().unwrap(),
        "role": p.current_role().map(|r| r.as_str().to_owned()),
        "channel": p.current_channel(),
        "recipient": p.current_recipient(),
        "content_type": p.current_content_type(),
        "content": p.current_content().unwrap(),
        "delta": p.last_content_delta().unwrap(),
        "messages": reference_messages_json(p.messages()),
        "tokens": p.tokens(),
    })
}

fn stream_property(thorough: bool) {
    let r = reference_encoding();
    let enc = ours();
    let mut rng = Rng::new(4);
    let mut f = Failures::default();
    let cases = cases(2500, thorough);
    for _ in 0..cases {
        let role = role_option(&mut rng);
        let strict = rng.chance(50);
        let tokens = completion(&mut rng, role);
        let mut ours = StreamableParser::new(enc, role, ParseOptions { strict });
        let mut theirs = openai_harmony::StreamableParser::new_with_options(
            r.clone(),
            reference_role(role),
            openai_harmony::ParseOptions { strict },
        )
        .unwrap();
        let what = |step: &str| format!("stream {tokens:?} role {role:?} strict {strict}: {step}");
        // Errors do not end the comparison: the parser stays usable and must stay in step.
        let mut in_step = f.check(|| what("initial state"), our_snapshot(&ours), reference_snapshot(&theirs));
        for (i, &token) in tokens.iter().enumerate() {
            if !in_step {
                break;
            }
            let a = our_outcome(ours.process(token).map(|_| ()));
            let b = outcome(theirs.process(token).map(|_| ()));
            in_step = f.check(|| what(&format!("process token {i} ({token})")), a, b)
                && f.check(
                    || what(&format!("after token {i} ({token})")),
                    our_snapshot(&ours),
                    reference_snapshot(&theirs),
                );
        }
        if in_step {
            let a = our_outcome(ours.process_eos().map(|_| ()));
            let b = outcome(theirs.process_eos().map(|_| ()));
            let _ = f.check(|| what("process_eos"), a, b)
                && f.check(|| what("after eos"), our_snapshot(&ours), reference_snapshot(&theirs));
        }
    }
    f.finish("stream", cases);
}

#[test]
fn stream_matches_reference() {
    stream_property(false);
}

#[test]
#[ignore = "thorough: cargo test --release -p reference-tests --test differential -- --ignored"]
fn stream_matches_reference_thorough() {
    stream_property(true);
}

// ---------------------------------------------------------------------------------------------
// Our streaming extensions: batches and events

fn accessors(p: &StreamableParser) -> Value {
    json!([our_snapshot(p), p.state().as_str()])
}

/// Per message: `MessageStart`, `ContentDelta`s adding up to the text, `MessageEnd` equal to the
/// message in `messages()`, then `ToolCall` exactly for a `<|call|>` with a recipient.
fn check_events(f: &mut Failures, what: &dyn Fn() -> String, events: &[ParseEvent], messages: &[Message]) {
    let mut open: Option<(Value, String)> = None;
    let mut ended = 0;
    let mut pending_call: Option<(String, Option<String>, String)> = None;
    for event in events {
        if let Some(call) = pending_call.take() {
            let got = match event {
                ParseEvent::ToolCall { recipient, content_type, arguments } => {
                    Some((recipient.clone(), content_type.clone(), arguments.clone()))
                }
                _ => None,
            };
            if !f.check(|| format!("{}: tool call after <|call|>", what()), got, Some(call)) {
                return;
            }
            continue;
        }
        match event {
            ParseEvent::MessageStart { role, name, channel, recipient, content_type } => {
                if open.is_some() {
                    f.add(format!("{}: MessageStart inside a message", what()));
                    return;
                }
                open = Some((json!([role.as_str(), name, channel, recipient, content_type]), String::new()));
            }
            ParseEvent::ContentDelta { delta } => match &mut open {
                Some((_, text)) => text.push_str(delta),
                None => {
                    f.add(format!("{}: ContentDelta outside a message", what()));
                    return;
                }
            },
            ParseEvent::MessageEnd { message, stop } => {
                let Some((start, text)) = open.take() else {
                    f.add(format!("{}: MessageEnd without MessageStart", what()));
                    return;
                };
                let header = json!([
                    message.author.role.as_str(),
                    message.author.name,
                    message.channel,
                    message.recipient,
                    message.content_type
                ]);
                let final_text = match message.content.as_slice() {
                    [harmony_core::Content::Text(t)] => t.text.clone(),
                    _ => String::from("<not one text item>"),
                };
                let ok = f.check(|| format!("{}: MessageStart vs MessageEnd header", what()), start, header)
                    && f.check(|| format!("{}: deltas vs final text", what()), text, final_text.clone())
                    && f.check(
                        || format!("{}: MessageEnd vs messages()[{ended}]", what()),
                        Some(message),
                        messages.get(ended),
                    );
                if !ok {
                    return;
                }
                ended += 1;
                if let (StopKind::Call, Some(recipient)) = (stop, &message.recipient) {
                    pending_call = Some((recipient.clone(), message.content_type.clone(), final_text));
                }
            }
            ParseEvent::ToolCall { .. } => {
                f.add(format!("{}: ToolCall without a <|call|> to a recipient", what()));
                return;
            }
        }
    }
    f.check(|| format!("{}: tool call after <|call|>", what()), pending_call.is_none(), true);
    f.check(|| format!("{}: MessageEnd count", what()), ended, messages.len());
}

fn batches_and_events_property(thorough: bool) {
    let enc = ours();
    let mut rng = Rng::new(5);
    let mut f = Failures::default();
    let cases = cases(5000, thorough);
    for _ in 0..cases {
        let role = role_option(&mut rng);
        let options = ParseOptions { strict: rng.chance(50) };
        let tokens = completion(&mut rng, role);
        let what = || format!("tokens {tokens:?} role {role:?} {options:?}");
        let mut single = StreamableParser::new(enc, role, options);
        let mut batched = StreamableParser::new(enc, role, options);
        let mut events = Vec::new();
        let mut at = 0;
        let mut in_step = true;
        while at < tokens.len() && in_step {
            // Batches of 0..=5 tokens; an error ends a batch early, like it ends `process_many`.
            let end = (at + rng.range(0, 5)).min(tokens.len());
            let batch = &tokens[at..end];
            let mut single_result = Ok(());
            let mut processed = batch.len();
            for (i, &t) in batch.iter().enumerate() {
                if let Err(e) = single.process(t) {
                    single_result = Err(e);
                    processed = i + 1;
                    break;
                }
            }
            // Whole errors: message, code and token index.
            let batch_result = batched.process_many(batch, &mut events).map(|_| ());
            in_step = f.check(|| format!("{}: batch {at}..{end} result", what()), batch_result, single_result)
                && f.check(|| format!("{}: after batch {at}..{end}", what()), accessors(&batched), accessors(&single));
            at += processed;
        }
        if !in_step {
            continue;
        }
        let a = single.process_eos().map(|_| ());
        let b = batched.process_eos_with_events(&mut events).map(|_| ());
        if f.check(|| format!("{}: eos", what()), b, a)
            && f.check(|| format!("{}: after eos", what()), accessors(&batched), accessors(&single))
        {
            check_events(&mut f, &what, &events, batched.messages());
        }
    }
    f.finish("batches and events", cases);
}

#[test]
fn batches_and_events_match_per_token_processing() {
    batches_and_events_property(false);
}

#[test]
#[ignore = "thorough: cargo test --release -p reference-tests --test differential -- --ignored"]
fn batches_and_events_match_per_token_processing_thorough() {
    batches_and_events_property(true);
}

/// A content token's only event is the `ContentDelta` equal to its `last_content_delta`.
fn content_events_property(thorough: bool) {
    let enc = ours();
    let mut rng = Rng::new(6);
    let mut f = Failures::default();
    let cases = cases(5000, thorough);
    for _ in 0..cases {
        let mut tokens = vec![START];
        tokens.extend(enc_text("assistant"));
        tokens.push(MESSAGE);
        content_tokens(&mut rng, &mut tokens);
        let mut p = StreamableParser::new(enc, None, ParseOptions::default());
        for &t in &tokens {
            let in_content = p.state() == harmony_core::StreamState::Content;
            let mut events = Vec::new();
            if p.process_with_events(t, &mut events).is_err() {
                break;
            }
            if in_content && p.state() == harmony_core::StreamState::Content {
                let want: Vec<ParseEvent> = p
                    .last_content_delta()
                    .map(|d| ParseEvent::ContentDelta { delta: d.to_owned() })
                    .into_iter()
                    .collect();
                f.check(|| format!("token {t} of {tokens:?}"), events, want);
            }
        }
    }
    f.finish("content events", cases);
}

#[test]
fn content_events_equal_last_content_delta() {
    content_events_property(false);
}

#[test]
#[ignore = "thorough: cargo test --release -p reference-tests --test differential -- --ignored"]
fn content_events_equal_last_content_delta_thorough() {
    content_events_property(true);
}
