use super::*;
use crate::{load_harmony_encoding, HarmonyEncodingName};

fn encoding() -> HarmonyEncoding {
    load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).unwrap()
}

fn tokens(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    encoding().tokenizer().encode_into(text, &SpecialTokenSet::All, &mut out);
    out
}

fn run(text: &str) -> (Vec<RecoveringEvent>, RecoveringParser) {
    let mut parser = RecoveringParser::new(encoding(), Some(Role::Assistant));
    let mut events = Vec::new();
    parser.process_many(&tokens(text), &mut events).unwrap();
    parser.process_eos(&mut events).unwrap();
    (events, parser)
}

/// (kind, recipient, text) per message.
fn summary(p: &RecoveringParser) -> Vec<(MessageKind, Option<String>, String)> {
    p.messages()
        .iter()
        .map(|m| {
            let text = match m.content.as_slice() {
                [Content::Text(t)] => t.text.clone(),
                _ => panic!("one text item"),
            };
            let kind = match (m.recipient.is_some(), m.channel.as_deref()) {
                (true, _) => MessageKind::Call,
                (false, Some("analysis")) => MessageKind::Reasoning,
                _ => MessageKind::Text,
            };
            (kind, m.recipient.clone(), text)
        })
        .collect()
}

fn kinds(p: &RecoveringParser) -> Vec<RecoveryKind> {
    p.recovered().iter().map(|r| r.kind).collect()
}

use MessageKind::{Call, Reasoning, Text};

fn msg(kind: MessageKind, to: Option<&str>, text: &str) -> (MessageKind, Option<String>, String) {
    (kind, to.map(str::to_owned), text.to_owned())
}

#[test]
fn well_formed_output_needs_no_recovery() {
    let (_, p) = run("<|channel|>analysis<|message|>think<|end|><|start|>assistant<|channel|>commentary to=functions.f <|constrain|>json<|message|>{\"a\":1}<|call|>");
    assert_eq!(summary(&p), [msg(Reasoning, None, "think"), msg(Call, Some("functions.f"), "{\"a\":1}")]);
    assert!(p.recovered().is_empty());
    assert!(!p.truncated());
}

#[test]
fn a_stray_return_after_end_is_ignored() {
    let (_, p) = run(
        "<|channel|>analysis<|message|>think<|end|><|return|><|start|>assistant<|channel|>final<|message|>Hi<|return|>",
    );
    assert_eq!(summary(&p), [msg(Reasoning, None, "think"), msg(Text, None, "Hi")]);
    assert_eq!(kinds(&p), [RecoveryKind::StrayStopToken]);
    assert_eq!(p.recovered()[0].token_index, 5);
}

#[test]
fn a_missing_start_before_channel_opens_an_assistant_message() {
    let (_, p) = run("<|channel|>analysis<|message|>First<|end|><|channel|>analysis<|message|>Second reasoning<|end|><|start|>assistant<|channel|>final<|message|>Final answer<|return|>");
    assert_eq!(
        summary(&p),
        [msg(Reasoning, None, "First"), msg(Reasoning, None, "Second reasoning"), msg(Text, None, "Final answer")]
    );
    assert_eq!(kinds(&p), [RecoveryKind::MissingStart]);
}

#[test]
fn a_repeated_start_at_the_beginning_keeps_the_call() {
    let (events, p) = run("<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"city\":\"Paris\"}<|call|>");
    assert_eq!(summary(&p), [msg(Call, Some("functions.get_weather"), "{\"city\":\"Paris\"}")]);
    assert_eq!(kinds(&p), [RecoveryKind::RepeatedStart]);
    assert!(events.iter().any(|e| matches!(e, RecoveringEvent::ToolCall { .. })));
}

#[test]
fn words_before_the_first_channel_are_text() {
    let (_, p) = run("Some text <|channel|>analysis<|message|>reasoning<|end|><|start|>assistant<|channel|>final<|message|>answer<|return|>");
    assert_eq!(
        summary(&p),
        [msg(Text, None, "Some text "), msg(Reasoning, None, "reasoning"), msg(Text, None, "answer")]
    );
    assert_eq!(kinds(&p), [RecoveryKind::LeadingText]);
}

#[test]
fn a_header_without_role_but_with_a_recipient_is_a_call() {
    let (_, p) = run("<|start|>to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{}<|call|>");
    assert_eq!(summary(&p), [msg(Call, Some("functions.get_weather"), "{}")]);
    assert_eq!(kinds(&p), [RecoveryKind::RepeatedStart, RecoveryKind::MissingRole]);
}

#[test]
fn filler_between_a_stop_token_and_the_next_channel_is_dropped() {
    let (_, p) = run("<|channel|>commentary to=functions.get_weather<|message|>{\"location\":\"SF\"}<|call|>commentary<|channel|>commentary to=functions.get_temp<|message|>{\"location\":\"NYC\"}<|call|>");
    assert_eq!(
        summary(&p),
        [
            msg(Call, Some("functions.get_weather"), "{\"location\":\"SF\"}"),
            msg(Call, Some("functions.get_temp"), "{\"location\":\"NYC\"}")
        ]
    );
    assert_eq!(kinds(&p), [RecoveryKind::FillerText, RecoveryKind::MissingStart]);
}

#[test]
fn a_start_inside_an_unclosed_message_closes_it() {
    let (_, p) =
        run("<|channel|>analysis<|message|>Thinking...<|start|>assistant<|channel|>final<|message|>Done<|return|>");
    assert_eq!(summary(&p), [msg(Reasoning, None, "Thinking..."), msg(Text, None, "Done")]);
    assert_eq!(kinds(&p), [RecoveryKind::UnclosedMessage]);
}

#[test]
fn a_stray_commentary_to_assistant_is_no_call() {
    let (_, p) = run("<|channel|>commentary to=assistant<|channel|>analysis<|message|>I'm thinking<|end|><|start|>assistant<|channel|>final<|message|>Hello<|return|>");
    assert_eq!(summary(&p), [msg(Reasoning, None, "I'm thinking"), msg(Text, None, "Hello")]);
    assert_eq!(kinds(&p), [RecoveryKind::RepeatedChannel, RecoveryKind::StrayRecipient]);
}

#[test]
fn a_header_cut_by_the_end_of_the_stream_shows_nothing() {
    let (_, p) = run("<|channel|>analysis<|message|>think<|end|><|start|>assistant<|channel|>final");
    assert_eq!(summary(&p), [msg(Reasoning, None, "think")]);
    assert_eq!(kinds(&p), [RecoveryKind::HeaderEos]);
    assert!(p.truncated());
}

#[test]
fn analysis_in_any_spelling_is_reasoning() {
    for header in ["ANALYSIS", "analysis?", " analysis", "analysis.", "Analysis:", "<|constrain|>analysis"] {
        let (_, p) = run(&format!(
            "<|channel|>{header}<|message|>secret<|end|><|start|>assistant<|channel|>final<|message|>ok<|return|>"
        ));
        assert_eq!(summary(&p), [msg(Reasoning, None, "secret"), msg(Text, None, "ok")], "{header:?}");
        assert_eq!(kinds(&p), [RecoveryKind::ChannelSpelling], "{header:?}");
    }
}

#[test]
fn interrupted_and_broken_headers_are_dropped() {
    let (_, p) = run("<|channel|>final<|message|>a<|end|><|start|>assistant<|channel|>analysis secret<|end|><|start|>assistant<|channel|>final<|message|>b<|return|>");
    assert_eq!(summary(&p), [msg(Text, None, "a"), msg(Text, None, "b")]);
    assert_eq!(kinds(&p), [RecoveryKind::InterruptedHeader]);
    let (_, p) = run("<|channel|>analysis secret<|start|>assistant<|channel|>final<|message|>b<|return|>");
    assert_eq!(summary(&p), [msg(Text, None, "b")]);
    assert_eq!(kinds(&p), [RecoveryKind::BrokenHeader]);
}

#[test]
fn plain_text_without_any_header_is_the_answer() {
    let (_, p) = run("I   must refuse<|end|>");
    assert_eq!(summary(&p), [msg(Text, None, "I   must refuse")]);
    assert_eq!(kinds(&p), [RecoveryKind::LeadingText]);
    let (_, p) = run("analysisThe user asks. assistantfinalHi");
    assert_eq!(summary(&p)[0].0, Reasoning);
}

#[test]
fn text_after_a_message_without_header_is_reasoning() {
    let (_, p) = run("<|channel|>analysis<|message|>a<|end|>more thoughts<|return|>");
    assert_eq!(summary(&p), [msg(Reasoning, None, "a"), msg(Reasoning, None, "more thoughts")]);
    assert_eq!(kinds(&p), [RecoveryKind::MissingHeader]);
}

#[test]
fn function_calls_on_analysis_are_reasoning_but_builtins_are_calls() {
    let (_, p) = run("<|channel|>analysis to=functions.f <|constrain|>json<|message|>{\"x\":1}<|call|>");
    assert_eq!(summary(&p), [msg(Reasoning, None, "{\"x\":1}")]);
    assert_eq!(kinds(&p), [RecoveryKind::CallInAnalysis]);
    let (_, p) = run("<|channel|>analysis to=browser.search code<|message|>{\"query\":\"x\"}<|call|>");
    assert_eq!(summary(&p), [msg(Call, Some("browser.search"), "{\"query\":\"x\"}")]);
    assert!(p.recovered().is_empty());
}

#[test]
fn reasoning_tokens_are_the_analysis_messages_content_tokens() {
    let count = |text: &str| encoding().tokenizer().encode_ordinary(text).len();
    let thought = "Need the weather first.";
    let (_, p) = run(&format!(
        "<|channel|>analysis<|message|>{thought}<|end|><|start|>assistant<|channel|>final<|message|>Sunny.<|return|>"
    ));
    // `<|message|>` and the thought's tokens; not the header, not the stop token.
    assert_eq!(p.reasoning_token_count(), 1 + count(thought));
    // Text kept as reasoning at once counts its own tokens.
    let (_, p) = run("<|channel|>final<|message|>a<|end|>more thoughts<|return|>");
    assert_eq!(p.reasoning_token_count(), count("more thoughts"));
}

#[test]
fn a_truncated_message_ends_at_eos() {
    let (events, p) = run("<|channel|>final<|message|>The answer is");
    assert_eq!(summary(&p), [msg(Text, None, "The answer is")]);
    assert!(p.recovered().is_empty());
    assert!(p.truncated());
    assert!(matches!(events.last(), Some(RecoveringEvent::MessageEnd { stop: StopKind::Eos, .. })));
}

#[test]
fn strict_mode_fails_at_the_first_recovery() {
    let mut p = RecoveringParser::with_options(encoding(), Some(Role::Assistant), RecoverOptions { strict: true });
    let mut events = Vec::new();
    let input = tokens("<|channel|>ANALYSIS<|message|>x<|end|>");
    let err = p.process_many(&input, &mut events).unwrap_err();
    assert_eq!(err.code, crate::ErrorCode::Parse);
    assert!(err.message.starts_with("channel-spelling: "), "{}", err.message);
    // Noticed at `<|message|>`, where the header is read.
    assert_eq!(err.context.token_index, input.iter().position(|&t| t == MESSAGE));
}

#[test]
fn details_never_quote_header_words() {
    let (_, p) = run("<|channel|>secretword to=functions.f<|message|>x<|end|><|start|>assistant<|channel|>analysis secretword2 secretword3<|message|>y<|end|>");
    for r in p.recovered() {
        assert!(!r.detail.contains("secretword"), "{r:?}");
    }
}

#[test]
fn text_mode_matches_tokens_whatever_the_chunking() {
    let completion = "<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json<|message|>{\"city\":\"Paris\"}<|call|>";
    let (_, whole) = run(completion);
    for size in [1, 2, 5, 13, completion.len()] {
        let mut p = RecoveringParser::new(encoding(), Some(Role::Assistant));
        let mut events = Vec::new();
        let chars: Vec<char> = completion.chars().collect();
        for piece in chars.chunks(size) {
            p.process_text(&piece.iter().collect::<String>(), &mut events).unwrap();
        }
        p.process_eos(&mut events).unwrap();
        assert_eq!(p.messages(), whole.messages(), "chunk size {size}");
        assert!(p.recovered().is_empty());
    }
}

#[test]
fn utf8_split_across_tokens_is_decoded_whole() {
    let mut stream = Utf8Stream::default();
    let mut out = String::new();
    let bytes = "é€😀".as_bytes();
    for b in bytes {
        stream.push(std::slice::from_ref(b), &mut out);
    }
    stream.finish(&mut out);
    assert_eq!(out, "é€😀");
    let mut out = String::new();
    stream.push(&[0xff, b'a', 0xe2, 0x82], &mut out);
    assert_eq!(out, "\u{fffd}a");
    stream.finish(&mut out);
    assert_eq!(out, "\u{fffd}a\u{fffd}");
}

/// The contract bindings rely on: while `appends_whole_tokens()`, an ordinary token whose bytes
/// are valid UTF-8 adds exactly its text as one delta, and nothing else happens.
#[test]
fn appends_whole_tokens_means_an_ordinary_token_only_adds_its_text() {
    let completions = [
        "<|channel|>analysis<|message|>think 💭 hard<|end|><|start|>assistant<|channel|>final<|message|>Answer: 42 ✓<|return|>",
        "Some text <|channel|>analysis<|message|>secret<|end|><|start|>assistant to=functions.f<|channel|>commentary <|constrain|>json<|message|>{\"a\":1}<|call|>",
        "<|channel|>final<|message|>a<|end|>filler<|start|>assistant<|channel|>analysis<|message|>x<|start|>assistant<|channel|>final<|message|>y",
    ];
    let enc = encoding();
    let probes: Vec<u32> = tokens("hello wörld 天気 {\"q\": 1} ok");
    let mut checked = 0;
    for completion in completions {
        let all = tokens(completion);
        for cut in 0..=all.len() {
            let mut parser = RecoveringParser::new(enc, Some(Role::Assistant));
            let mut events = Vec::new();
            parser.process_many(&all[..cut], &mut events).unwrap();
            if !parser.appends_whole_tokens() {
                continue;
            }
            for &probe in &probes {
                let Ok(text) = std::str::from_utf8(enc.tokenizer().token_bytes(probe).unwrap()) else { continue };
                let mut after = parser.clone();
                let mut out = Vec::new();
                after.process_many(&[probe], &mut out).unwrap();
                assert_eq!(
                    out,
                    [RecoveringEvent::ContentDelta { delta: text.to_owned() }],
                    "{completion:?} cut at {cut}"
                );
                assert!(after.appends_whole_tokens());
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "{checked}");
}

/// The contract bindings rely on: while `holds_ordinary_tokens()`, an ordinary token (any, valid
/// UTF-8 or not) causes no event and no error, strict or not, and the contract still holds.
#[test]
fn holds_ordinary_tokens_means_an_ordinary_token_causes_nothing() {
    let completions = [
        "<|channel|>analysis<|message|>think 💭 hard<|end|><|start|>assistant<|channel|>final<|message|>Answer: 42 ✓<|return|>",
        "Some text <|channel|>analysis<|message|>secret<|end|><|start|>assistant to=functions.f<|channel|>commentary <|constrain|>json<|message|>{\"a\":1}<|call|>",
        "<|channel|>final<|message|>a<|end|>filler<|start|>assistant<|channel|>analysis<|message|>x<|start|>assistant<|channel|>final<|message|>y",
        "<|start|><|start|>assistant<|channel|>final<|end|>late words<|start|>user<|message|>hi<|end|><|start|>assistant<|message|>",
    ];
    let enc = encoding();
    let mut probes: Vec<u32> = tokens("hello wörld 天気 {\"q\": 1} ok to=functions.g");
    probes.extend([0, 1, 31_446, 244, crate::tokenizer::FIRST_SPECIAL - 1]);
    let mut checked = 0;
    for strict in [false, true] {
        for completion in completions {
            let all = tokens(completion);
            for cut in 0..=all.len() {
                let mut parser = RecoveringParser::with_options(enc, Some(Role::Assistant), RecoverOptions { strict });
                let mut events = Vec::new();
                if parser.process_many(&all[..cut], &mut events).is_err() || !parser.holds_ordinary_tokens() {
                    continue;
                }
                for &probe in &probes {
                    let mut after = parser.clone();
                    let mut out = Vec::new();
                    assert!(after.process_many(&[probe], &mut out).is_ok(), "{completion:?} cut at {cut}");
                    assert!(out.is_empty(), "{completion:?} cut at {cut}: {out:?}");
                    assert!(after.holds_ordinary_tokens());
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 200, "{checked}");
    // Every ordinary id has bytes: none is a stray control token.
    assert!((0..crate::tokenizer::FIRST_SPECIAL).all(|t| enc.tokenizer().token_bytes(t).is_some()));
}

#[test]
fn release_memory_keeps_the_counts_and_the_parser_usable() {
    let text = "<|channel|>analysis<|message|>think<|end|><|start|>assistant<|channel|>final<|message|>cut";
    let (_, mut parser) = run(text);
    let (count, reasoning, truncated) = (parser.token_count(), parser.reasoning_token_count(), parser.truncated());
    assert_eq!(parser.messages().len(), 2);
    parser.release_memory();
    assert!(parser.messages().is_empty() && parser.recovered().is_empty());
    assert_eq!(
        (parser.token_count(), parser.reasoning_token_count(), parser.truncated()),
        (count, reasoning, truncated)
    );
    // After the end of the stream, a released parser reads more output as a fresh one would.
    let more = tokens("<|start|>assistant<|channel|>final<|message|>again<|end|>");
    let (mut released, mut fresh) = (Vec::new(), Vec::new());
    parser.process_many(&more, &mut released).unwrap();
    RecoveringParser::new(encoding(), None).process_many(&more, &mut fresh).unwrap();
    assert_eq!(released, fresh);
}
