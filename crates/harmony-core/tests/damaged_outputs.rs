//! `fixtures/gateway/damaged.jsonl` through the recovering parser: every case whole, split at
//! every batch boundary and at random ones, and in text mode at random splits; the
//! classification (content, reasoning, calls, finish, recoveries) must match the expectation.

use harmony_core::{
    load_harmony_encoding, HarmonyEncoding, HarmonyEncodingName, MessageKind, RecoveringEvent, RecoveringParser, Role,
    SpecialTokenSet,
};
use serde_json::Value;

/// What a gateway makes of a completion, at the level of the core's decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    content: String,
    reasoning: String,
    tool_calls: Vec<(String, String)>,
    finish: &'static str,
    recovered: Vec<String>,
}

fn encoding() -> HarmonyEncoding {
    load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).unwrap()
}

/// Folds events as a mapper would, checking the event contract on the way.
fn outcome(events: &[RecoveringEvent], truncated: bool) -> Outcome {
    let mut out = Outcome {
        content: String::new(),
        reasoning: String::new(),
        tool_calls: Vec::new(),
        finish: "stop",
        recovered: Vec::new(),
    };
    let mut open: Option<(MessageKind, Option<String>, String)> = None;
    for event in events {
        match event {
            RecoveringEvent::MessageStart { kind, recipient, .. } => {
                assert!(open.is_none(), "a message started inside another");
                assert_eq!(*kind == MessageKind::Call, recipient.is_some(), "recipients are set on calls only");
                open = Some((*kind, recipient.clone(), String::new()));
            }
            RecoveringEvent::ContentDelta { delta } => {
                let (kind, _, text) = open.as_mut().expect("a delta outside a message");
                text.push_str(delta);
                match kind {
                    MessageKind::Text => out.content.push_str(delta),
                    MessageKind::Reasoning => out.reasoning.push_str(delta),
                    MessageKind::Call => {}
                }
            }
            RecoveringEvent::MessageEnd { kind, message, .. } => {
                let (open_kind, recipient, text) = open.take().expect("an end without a start");
                assert_eq!(*kind, open_kind);
                let whole: String = message
                    .content
                    .iter()
                    .map(|c| match c {
                        harmony_core::Content::Text(t) => t.text.as_str(),
                        _ => "",
                    })
                    .collect();
                assert_eq!(whole, text, "the deltas add up to the message");
                if let (MessageKind::Call, Some(to)) = (kind, recipient) {
                    let name = to.strip_prefix("functions.").unwrap_or(&to).to_owned();
                    out.tool_calls.push((name, text));
                }
            }
            RecoveringEvent::ToolCall { .. } => {}
            RecoveringEvent::Recovered(r) => out.recovered.push(r.kind.as_str().to_owned()),
        }
    }
    assert!(open.is_none(), "a message left open at the end");
    out.finish = if truncated {
        "length"
    } else if out.tool_calls.is_empty() {
        "stop"
    } else {
        "tool_calls"
    };
    out
}

fn run_tokens(batches: &[&[u32]]) -> Outcome {
    let mut parser = RecoveringParser::new(encoding(), Some(Role::Assistant));
    let mut events = Vec::new();
    for batch in batches {
        parser.process_many(batch, &mut events).unwrap();
    }
    parser.process_eos(&mut events).unwrap();
    outcome(&events, parser.truncated())
}

fn run_text(pieces: &[&str]) -> Outcome {
    let mut parser = RecoveringParser::new(encoding(), Some(Role::Assistant));
    let mut events = Vec::new();
    for piece in pieces {
        parser.process_text(piece, &mut events).unwrap();
    }
    parser.process_eos(&mut events).unwrap();
    outcome(&events, parser.truncated())
}

/// A small deterministic generator (xorshift64*), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }

    /// Sorted cut points in `0..=len`, at most `max` of them, each accepted by `ok`.
    fn cuts(&mut self, len: usize, max: usize, ok: impl Fn(usize) -> bool) -> Vec<usize> {
        let mut cuts: Vec<usize> = (0..self.below(max + 1)).map(|_| self.below(len + 1)).filter(|&c| ok(c)).collect();
        cuts.sort_unstable();
        cuts
    }
}

fn split<'a, T>(items: &'a [T], cuts: &[usize]) -> Vec<&'a [T]> {
    let mut out = Vec::new();
    let mut from = 0;
    for &cut in cuts {
        out.push(&items[from..cut]);
        from = cut;
    }
    out.push(&items[from..]);
    out
}

fn expected(case: &Value) -> Outcome {
    let e = &case["expect"];
    let text = |k: &str| e[k].as_str().unwrap_or_else(|| panic!("expect.{k}")).to_owned();
    Outcome {
        content: text("content"),
        reasoning: text("reasoning"),
        tool_calls: e["tool_calls"]
            .as_array()
            .expect("expect.tool_calls")
            .iter()
            .map(|c| (c["name"].as_str().unwrap().to_owned(), c["arguments"].as_str().unwrap().to_owned()))
            .collect(),
        finish: match e["finish"].as_str() {
            Some("stop") => "stop",
            Some("length") => "length",
            Some("tool_calls") => "tool_calls",
            other => panic!("expect.finish {other:?}"),
        },
        recovered: e["recovered"]
            .as_array()
            .expect("expect.recovered")
            .iter()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect(),
    }
}

#[test]
fn every_damaged_output_is_classified_as_expected_however_it_is_split() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/gateway/damaged.jsonl");
    let fixtures = std::fs::read_to_string(path).expect("fixtures/gateway/damaged.jsonl");
    let known: Vec<&str> = harmony_core::RecoveryKind::ALL.iter().map(|k| k.as_str()).collect();
    let mut failures = Vec::new();
    let mut count = 0;
    for (line, json) in fixtures.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        count += 1;
        let case: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("line {}: {e}", line + 1));
        let completion = case["completion"].as_str().expect("completion");
        let want = expected(&case);
        for kind in &want.recovered {
            assert!(known.contains(&kind.as_str()), "line {}: unknown recovery kind {kind:?}", line + 1);
        }
        let name = format!("line {} ({} {})", line + 1, case["source"], case["from"]);
        let mut tokens = Vec::new();
        encoding().tokenizer().encode_into(completion, &SpecialTokenSet::All, &mut tokens);

        let whole = run_tokens(&[&tokens]);
        if whole != want {
            failures.push(format!("{name}: whole\n  got  {whole:?}\n  want {want:?}"));
            continue;
        }
        for cut in 0..=tokens.len() {
            let got = run_tokens(&[&tokens[..cut], &tokens[cut..]]);
            if got != want {
                failures.push(format!("{name}: split at token {cut}\n  got  {got:?}"));
            }
        }
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (line as u64 + 1));
        for _ in 0..20 {
            let cuts = rng.cuts(tokens.len(), 8, |_| true);
            let got = run_tokens(&split(&tokens, &cuts));
            if got != want {
                failures.push(format!("{name}: token batches cut at {cuts:?}\n  got  {got:?}"));
            }
        }
        for _ in 0..20 {
            let cuts = rng.cuts(completion.len(), 8, |c| completion.is_char_boundary(c));
            let bytes = split(completion.as_bytes(), &cuts);
            let pieces: Vec<&str> = bytes.iter().map(|b| std::str::from_utf8(b).unwrap()).collect();
            let got = run_text(&pieces);
            if got != want {
                failures.push(format!("{name}: text cut at {cuts:?}\n  got  {got:?}"));
            }
        }
    }
    assert!(count >= 30, "only {count} cases");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
