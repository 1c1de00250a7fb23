//! Property tests of the recovering parser's privacy invariant: generated completions mixing
//! analysis (marked with unique words), final answers and calls, damaged the ways models damage
//! them, fed whole, in random token batches and as text in random pieces.
//!
//! - no analysis word ever reaches visible text, a call's name or arguments, or a recovery's
//!   detail;
//! - every final answer whose own header is intact reaches visible text whole;
//! - however the input is split (tokens or text), the classification is the same;
//! - nothing panics.
//!
//! `PROPTEST_CASES` raises the number of cases (default 64, to keep `npm test` fast).

use harmony_core::{
    load_harmony_encoding, HarmonyEncoding, HarmonyEncodingName, MessageKind, RecoveringEvent, RecoveringParser, Role,
    SpecialTokenSet,
};
use proptest::prelude::*;

/// Spellings of an analysis header (the text between `<|start|>assistant` and `<|message|>`).
const ANALYSIS_HEADERS: &[&str] = &[
    "<|channel|>analysis",
    "<|channel|>ANALYSIS",
    "<|channel|>analysis?",
    "<|channel|> analysis",
    "<|channel|>Analysis:",
    "<|channel|>analysis.",
    "<|channel|><|constrain|>analysis",
    "<|channel|>analysis<|constrain|>json",
    "<|channel|>commentary to=assistant<|channel|>analysis",
    "<|channel|>analysis<|channel|>final",
    "<|channel|>final<|channel|>analysis",
    " to=functions.lookup<|channel|>analysis <|constrain|>json",
    "<|channel|>analysis to=functions.lookup",
    "<|channel|>thinking",
];

/// How a message's text ends.
const ENDINGS: &[&str] = &["<|end|>", "<|end|><|return|>", "", "<|end|>commentary", "<|end|> filler "];

#[derive(Debug, Clone)]
enum Segment {
    /// An analysis message: header spelling, ending, whether `<|start|>assistant` is left out,
    /// whether the `<|message|>` marker is damaged (`<message|>`).
    Analysis { header: usize, ending: usize, no_start: bool, damaged: bool, words: usize },
    /// Secret words written inside a header that never completes (cut by a stop token, by
    /// `<|start|>`, or by the end of the stream when last).
    BrokenAnalysisHeader { cut: usize, words: usize },
    /// A final answer with an intact header.
    Final { ending: usize, no_start: bool, repeated_start: bool, words: usize },
    /// A call on the commentary channel.
    Call { no_start: bool, repeated_start: bool, filler: bool, words: usize },
    /// Plain words: the reply's opening text when first, filler between messages later.
    Leading { words: usize },
    /// A stop token or an unknown special token between messages.
    Stray { which: usize },
    /// `<|message|>` with no header at all, after another message: nothing says it is visible.
    Headerless { words: usize },
}

const STRAYS: &[&str] = &["<|return|>", "<|end|>", "<|call|>", "<|endoftext|>", "<|constrain|>"];

fn segment() -> impl Strategy<Value = Segment> {
    let analysis =
        (0..ANALYSIS_HEADERS.len(), 0..ENDINGS.len(), any::<bool>(), prop::bool::weighted(0.15), 1..6usize).prop_map(
            |(header, ending, no_start, damaged, words)| Segment::Analysis { header, ending, no_start, damaged, words },
        );
    let broken = (0..4usize, 1..4usize).prop_map(|(cut, words)| Segment::BrokenAnalysisHeader { cut, words });
    let fin = (0..ENDINGS.len(), any::<bool>(), prop::bool::weighted(0.2), 1..6usize).prop_map(
        |(ending, no_start, repeated_start, words)| Segment::Final { ending, no_start, repeated_start, words },
    );
    let call = (any::<bool>(), prop::bool::weighted(0.2), any::<bool>(), 1..4usize).prop_map(
        |(no_start, repeated_start, filler, words)| Segment::Call { no_start, repeated_start, filler, words },
    );
    let leading = (1..4usize).prop_map(|words| Segment::Leading { words });
    let stray = (0..STRAYS.len()).prop_map(|which| Segment::Stray { which });
    let headerless = (1..4usize).prop_map(|words| Segment::Headerless { words });
    prop_oneof![4 => analysis, 2 => broken, 3 => fin, 2 => call, 1 => leading, 1 => stray, 1 => headerless]
}

/// A generated completion, with what must and must not be visible.
#[derive(Debug, Clone)]
struct Completion {
    text: String,
    secrets: Vec<String>,
    finals: Vec<String>,
}

fn words(prefix: &str, counter: &mut usize, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            *counter += 1;
            format!("{prefix}{counter}")
        })
        .collect()
}

fn build(segments: &[Segment], cut_last_header: bool) -> Completion {
    let mut text = String::new();
    let mut secrets = Vec::new();
    let mut finals = Vec::new();
    let mut counter = 0;
    // The prompt ends with `<|start|>assistant`: the first message needs no start of its own.
    let mut first = true;
    // Whether a message has been written (stray tokens write none).
    let mut written = false;
    let start = |text: &mut String, first: bool, no_start: bool| {
        if !first && !no_start {
            text.push_str("<|start|>assistant");
        }
    };
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            Segment::Analysis { header, ending, no_start, damaged, words: n } => {
                start(&mut text, first, no_start);
                let w = words("qsecret", &mut counter, n);
                text.push_str(ANALYSIS_HEADERS[header]);
                if last && cut_last_header {
                    break;
                }
                text.push_str(if damaged { "<message|>" } else { "<|message|>" });
                text.push_str(&w.join(" "));
                text.push_str(ENDINGS[ending]);
                secrets.extend(w);
            }
            Segment::BrokenAnalysisHeader { cut, words: n } => {
                start(&mut text, first, false);
                let w = words("qsecret", &mut counter, n);
                text.push_str("<|channel|>analysis ");
                text.push_str(&w.join(" "));
                // The fourth way: whatever comes next (`<|start|>`, or the end of the stream).
                text.push_str(["<|end|>", "<|return|>", "<|call|>", ""][cut % 4]);
                secrets.extend(w);
            }
            Segment::Final { ending, no_start, repeated_start, words: n } => {
                start(&mut text, first, no_start);
                if repeated_start {
                    text.push_str("<|start|>assistant");
                }
                text.push_str("<|channel|>final");
                if last && cut_last_header {
                    break;
                }
                let w = words("answer", &mut counter, n).join(" ");
                text.push_str("<|message|>");
                text.push_str(&w);
                text.push_str(ENDINGS[ending]);
                finals.push(w);
            }
            Segment::Call { no_start, repeated_start, filler, words: n } => {
                start(&mut text, first, no_start);
                if repeated_start {
                    text.push_str("<|start|>assistant");
                }
                text.push_str("<|channel|>commentary to=functions.lookup <|constrain|>json");
                if last && cut_last_header {
                    break;
                }
                let w = words("arg", &mut counter, n);
                text.push_str(&format!("<|message|>{{\"q\":\"{}\"}}<|call|>", w.join(" ")));
                if filler {
                    text.push_str("commentary");
                }
            }
            Segment::Stray { which } => text.push_str(STRAYS[which]),
            Segment::Headerless { words: n } => {
                let w = words("qsecret", &mut counter, n);
                // `<|end|>` first: a `<|message|>` inside an open body would only be a stray token.
                text.push_str("<|end|><|message|>");
                text.push_str(&w.join(" "));
                text.push_str("<|end|>");
                // Before any message, it is the reply's opening message (a header-less answer).
                if written {
                    secrets.extend(w);
                }
            }
            Segment::Leading { words: n } => {
                let w = words("lead", &mut counter, n);
                text.push_str(&w.join(" "));
                text.push(' ');
            }
        }
        first = false;
        written |= !matches!(seg, Segment::Stray { .. });
    }
    Completion { text, secrets, finals }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    visible: String,
    reasoning: String,
    calls: Vec<(String, String)>,
    recovered: Vec<String>,
    details: Vec<String>,
    truncated: bool,
}

fn fold(events: &[RecoveringEvent], truncated: bool) -> Outcome {
    let mut out = Outcome {
        visible: String::new(),
        reasoning: String::new(),
        calls: Vec::new(),
        recovered: Vec::new(),
        details: Vec::new(),
        truncated,
    };
    let mut kind = None;
    let mut args = String::new();
    let mut recipient = String::new();
    for event in events {
        match event {
            RecoveringEvent::MessageStart { kind: k, recipient: r, .. } => {
                kind = Some(*k);
                recipient = r.clone().unwrap_or_default();
                args.clear();
            }
            RecoveringEvent::ContentDelta { delta } => match kind {
                Some(MessageKind::Text) => out.visible.push_str(delta),
                Some(MessageKind::Reasoning) => out.reasoning.push_str(delta),
                Some(MessageKind::Call) => args.push_str(delta),
                None => panic!("delta outside a message"),
            },
            RecoveringEvent::MessageEnd { kind: k, .. } => {
                if *k == MessageKind::Call {
                    out.calls.push((recipient.clone(), args.clone()));
                }
                // Keep messages apart so that words of neighbours never join.
                out.visible.push('\n');
                kind = None;
            }
            RecoveringEvent::ToolCall { .. } => {}
            RecoveringEvent::Recovered(r) => {
                out.recovered.push(r.kind.as_str().to_owned());
                out.details.push(r.detail.clone());
            }
        }
    }
    out
}

fn encoding() -> HarmonyEncoding {
    load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).unwrap()
}

fn run_batches(tokens: &[u32], cuts: &[usize]) -> Outcome {
    let mut parser = RecoveringParser::new(encoding(), Some(Role::Assistant));
    let mut events = Vec::new();
    let mut from = 0;
    for &cut in cuts.iter().chain(std::iter::once(&tokens.len())) {
        let cut = cut.clamp(from, tokens.len());
        parser.process_many(&tokens[from..cut], &mut events).unwrap();
        from = cut;
    }
    parser.process_eos(&mut events).unwrap();
    fold(&events, parser.truncated())
}

fn run_text(text: &str, cuts: &[usize]) -> Outcome {
    let mut parser = RecoveringParser::new(encoding(), Some(Role::Assistant));
    let mut events = Vec::new();
    let mut from = 0;
    for &cut in cuts.iter().chain(std::iter::once(&text.len())) {
        let mut cut = cut.clamp(from, text.len());
        while !text.is_char_boundary(cut) {
            cut += 1;
        }
        parser.process_text(&text[from..cut], &mut events).unwrap();
        from = cut;
    }
    parser.process_eos(&mut events).unwrap();
    fold(&events, parser.truncated())
}

/// Classification without where batches fell (deltas are merged per batch, which is fine).
fn same_decisions(a: &Outcome, b: &Outcome) -> bool {
    a.visible == b.visible
        && a.reasoning == b.reasoning
        && a.calls == b.calls
        && a.recovered == b.recovered
        && a.truncated == b.truncated
}

fn check_invariant(c: &Completion, out: &Outcome) -> Result<(), TestCaseError> {
    for secret in &c.secrets {
        prop_assert!(
            !out.visible.contains(secret.as_str()),
            "{secret} visible in {:?}\ncompletion {:?}",
            out.visible,
            c.text
        );
        for (name, args) in &out.calls {
            prop_assert!(
                !name.contains(secret.as_str()) && !args.contains(secret.as_str()),
                "{secret} in a call {name} {args}\ncompletion {:?}",
                c.text
            );
        }
        for detail in &out.details {
            prop_assert!(!detail.contains(secret.as_str()), "{secret} in a detail {detail:?}");
        }
    }
    for answer in &c.finals {
        prop_assert!(
            out.visible.contains(answer.as_str()),
            "final answer {answer:?} lost: {:?}\ncompletion {:?}",
            out.visible,
            c.text
        );
    }
    prop_assert!(!out.visible.contains("<|"), "markup in visible text {:?}", out.visible);
    Ok(())
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn stripped_output_keeps_its_analysis_out_of_view(
        n in 1..6usize,
        glued in any::<bool>(),
        upper in any::<bool>(),
        cuts in prop::collection::vec(0..300usize, 0..8),
    ) {
        let mut counter = 0;
        let secrets = words("qsecret", &mut counter, n);
        let answer = words("answer", &mut counter, n).join(" ");
        let sep = if glued { "" } else { " " };
        let (a, f) = if upper { ("ANALYSIS", "ASSISTANTFINAL") } else { ("analysis", "assistantfinal") };
        let text = format!("{a}{sep}{}{sep}{f}{sep}{answer}", secrets.join(" "));
        let c = Completion { text, secrets, finals: vec![answer] };
        let mut cuts = cuts;
        cuts.sort_unstable();
        let out = run_text(&c.text, &cuts);
        check_invariant(&c, &out)?;
        prop_assert!(same_decisions(&out, &run_text(&c.text, &[])));
    }

    #[test]
    fn analysis_never_shows_and_final_answers_never_get_lost(
        segments in prop::collection::vec(segment(), 1..7),
        cut_last_header in prop::bool::weighted(0.2),
        token_cuts in prop::collection::vec(0..400usize, 0..12),
        text_cuts in prop::collection::vec(0..2000usize, 0..12),
    ) {
        let c = build(&segments, cut_last_header);
        let mut tokens = Vec::new();
        encoding().tokenizer().encode_into(&c.text, &SpecialTokenSet::All, &mut tokens);

        let whole = run_batches(&tokens, &[]);
        check_invariant(&c, &whole)?;

        let mut token_cuts = token_cuts;
        token_cuts.sort_unstable();
        let batched = run_batches(&tokens, &token_cuts);
        check_invariant(&c, &batched)?;
        prop_assert!(same_decisions(&whole, &batched), "token batches {token_cuts:?}:\n{whole:?}\n{batched:?}");

        let mut text_cuts = text_cuts;
        text_cuts.sort_unstable();
        let text = run_text(&c.text, &text_cuts);
        check_invariant(&c, &text)?;
        prop_assert!(same_decisions(&whole, &text), "text pieces {text_cuts:?}:\n{whole:?}\n{text:?}");
    }
}
