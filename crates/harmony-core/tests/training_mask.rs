//! The training mask against its definition, computed the slow way: for each assistant turn,
//! render the messages before it for completion (the prompt) and the turn's messages one by one
//! (the sample); the turn is masked exactly when the training tokens are the prompt followed by
//! the sample, and then exactly the sample's tokens are masked. Random conversations (a
//! deterministic PRNG) and hand-written cases for each reason a turn is left out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harmony_core::{
    load_harmony_encoding, Author, DeveloperContent, HarmonyEncoding, HarmonyEncodingName, MaskTurns, Message,
    RenderConversationConfig, RenderOptions, Role, SystemContent, ToolDescription, UnmaskedReason,
};

mod support;
use support::Rng;

const RETURN: u32 = 200_002;

fn enc() -> HarmonyEncoding {
    load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).unwrap()
}

/// The definition: the expected mask, by rendering each prompt and each sample.
fn expected_mask(
    enc: &HarmonyEncoding,
    messages: &[Message],
    config: Option<&RenderConversationConfig>,
    turns: MaskTurns,
) -> Vec<u8> {
    let tokens = enc.render_conversation_for_training(messages, config).unwrap();
    let mut mask = vec![0u8; tokens.len()];
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        if m.author.role != Role::Assistant {
            continue;
        }
        match runs.last_mut() {
            Some(run) if run.1 == i => run.1 = i + 1,
            _ => runs.push((i, i + 1)),
        }
    }
    if turns == MaskTurns::Last {
        runs = runs.split_off(runs.len().saturating_sub(1));
    }
    let header = enc.render_conversation_for_completion(&[], Role::Assistant, None).unwrap();
    let options = RenderOptions {
        conversation_has_function_tools: messages
            .iter()
            .flat_map(|m| &m.content)
            .any(|c| matches!(c, harmony_core::Content::DeveloperContent(d) if d.has_function_tools())),
    };
    for (a, b) in runs {
        let prompt = enc.render_conversation_for_completion(&messages[..a], Role::Assistant, config).unwrap();
        let mut sample = Vec::new();
        for m in &messages[a..b] {
            sample.extend(enc.render(m, Some(&options)).unwrap());
        }
        assert_eq!(sample[..header.len()], header[..]);
        sample.drain(..header.len());
        let last = &messages[b - 1];
        if last.channel.as_deref() == Some("final") {
            *sample.last_mut().unwrap() = RETURN;
        }
        let end = prompt.len() + sample.len();
        if tokens.get(..prompt.len()) == Some(&prompt[..]) && tokens.get(prompt.len()..end) == Some(&sample[..]) {
            mask[prompt.len()..end].fill(1);
        }
    }
    mask
}

fn check(enc: &HarmonyEncoding, messages: &[Message]) {
    for config in [
        None,
        Some(RenderConversationConfig { auto_drop_analysis: true }),
        Some(RenderConversationConfig { auto_drop_analysis: false }),
    ] {
        for turns in [MaskTurns::All, MaskTurns::Last] {
            let example = enc.render_conversation_for_training_with_mask(messages, config.as_ref(), turns).unwrap();
            assert_eq!(example.tokens, enc.render_conversation_for_training(messages, config.as_ref()).unwrap());
            let expected = expected_mask(enc, messages, config.as_ref(), turns);
            assert_eq!(example.mask, expected, "{config:?} {turns:?}\n{}", serde_json::to_string(messages).unwrap());
            let masked_runs = example.mask.windows(2).filter(|w| w == &[0, 1]).count();
            assert!(masked_runs <= example.turns - example.unmasked.len(), "a masked turn is one run of tokens");
        }
    }
}

fn user(text: &str) -> Message {
    Message::from_role_and_content(Role::User, text)
}
fn assistant(channel: &str, text: &str) -> Message {
    Message::from_role_and_content(Role::Assistant, text).with_channel(channel)
}
fn call(name: &str, args: &str) -> Message {
    assistant("commentary", args).with_recipient(format!("functions.{name}")).with_content_type("<|constrain|>json")
}
fn tool(name: &str, text: &str) -> Message {
    Message::from_author_and_content(Author::new(Role::Tool, format!("functions.{name}")), text)
        .with_recipient("assistant")
        .with_channel("commentary")
}
fn system() -> Message {
    Message::from_role_and_content(Role::System, SystemContent::new().with_conversation_start_date("2025-06-28"))
}
fn developer_with_tools() -> Message {
    let tool = ToolDescription::new(
        "lookup",
        "Looks up a word.",
        Some(serde_json::json!({"type": "object", "properties": {"q": {"type": "string"}}})),
    );
    Message::from_role_and_content(
        Role::Developer,
        DeveloperContent::new().with_instructions("Be brief.").with_function_tools(vec![tool]),
    )
}

fn example(messages: &[Message], drop: bool) -> harmony_core::TrainingExample {
    enc()
        .render_conversation_for_training_with_mask(
            messages,
            Some(&RenderConversationConfig { auto_drop_analysis: drop }),
            MaskTurns::All,
        )
        .unwrap()
}

fn masked_text(enc: &HarmonyEncoding, ex: &harmony_core::TrainingExample) -> String {
    let picked: Vec<u32> = ex.tokens.iter().zip(&ex.mask).filter(|(_, m)| **m == 1).map(|(t, _)| *t).collect();
    enc.tokenizer().decode_utf8(&picked).unwrap()
}

#[test]
fn one_turn_with_reasoning_is_masked_from_after_the_role_through_return() {
    let enc = enc();
    let messages = [system(), user("2+2?"), assistant("analysis", "Add."), assistant("final", "4")];
    let ex = example(&messages, false);
    assert_eq!(
        masked_text(&enc, &ex),
        "<|channel|>analysis<|message|>Add.<|end|><|start|>assistant<|channel|>final<|message|>4<|return|>"
    );
    assert!(ex.unmasked.is_empty());
    check(&enc, &messages);
}

#[test]
fn auto_drop_removes_the_first_turns_own_analysis_so_it_is_not_masked() {
    let messages = [system(), user("2+2?"), assistant("analysis", "Add."), assistant("final", "4")];
    let ex = example(&messages, true);
    assert!(ex.mask.iter().all(|&m| m == 0));
    assert_eq!(ex.unmasked.len(), 1);
    assert_eq!(ex.unmasked[0].reason, UnmaskedReason::AnalysisDropped);
    assert_eq!(ex.unmasked[0].message_index, 2);
}

#[test]
fn an_earlier_final_ends_with_end_so_only_later_turns_are_masked() {
    let enc = enc();
    let messages = [
        system(),
        user("hi"),
        assistant("analysis", "Greet."),
        assistant("final", "Hello!"),
        user("2+2?"),
        assistant("analysis", "Add."),
        assistant("final", "4"),
    ];
    for drop in [true, false] {
        let ex = example(&messages, drop);
        assert_eq!(ex.turns, 2);
        // With dropping, the first turn's analysis is gone as well; the end token is checked after.
        let reason = if drop { UnmaskedReason::AnalysisDropped } else { UnmaskedReason::EndsWithEnd };
        assert_eq!(ex.unmasked.len(), 1);
        assert_eq!(ex.unmasked[0].reason, reason);
        assert_eq!(
            masked_text(&enc, &ex),
            "<|channel|>analysis<|message|>Add.<|end|><|start|>assistant<|channel|>final<|message|>4<|return|>"
        );
    }
    check(&enc, &messages);
}

#[test]
fn tool_calls_are_their_own_turns_ending_with_call() {
    let enc = enc();
    let messages = [
        system(),
        developer_with_tools(),
        user("define cat"),
        assistant("analysis", "Look it up."),
        call("lookup", r#"{"q":"cat"}"#),
        tool("lookup", "a small feline"),
        assistant("final", "A small feline."),
    ];
    let ex = example(&messages, false);
    assert!(ex.unmasked.is_empty());
    assert_eq!(
        masked_text(&enc, &ex),
        concat!(
            "<|channel|>analysis<|message|>Look it up.<|end|><|start|>assistant to=functions.lookup<|channel|>commentary <|constrain|>json<|message|>{\"q\":\"cat\"}<|call|>",
            "<|channel|>final<|message|>A small feline.<|return|>"
        )
    );
    // Dropping removes the first turn's analysis, and the second turn's prompt (after a call, not
    // a final) keeps it: neither turn is in the example as sampled.
    let dropped = example(&messages, true);
    let reasons: Vec<_> = dropped.unmasked.iter().map(|u| u.reason).collect();
    assert_eq!(reasons, [UnmaskedReason::AnalysisDropped, UnmaskedReason::PromptDiffers]);
    check(&enc, &messages);
}

#[test]
fn last_turn_only() {
    let enc = enc();
    let messages = [system(), user("q"), call("lookup", "{}"), tool("lookup", "r"), assistant("final", "done")];
    let all = example(&messages, false);
    let last = enc
        .render_conversation_for_training_with_mask(
            &messages,
            Some(&RenderConversationConfig { auto_drop_analysis: false }),
            MaskTurns::Last,
        )
        .unwrap();
    assert_eq!(all.turns, 2);
    assert_eq!(last.turns, 1);
    assert_eq!(masked_text(&enc, &last), "<|channel|>final<|message|>done<|return|>");
    assert!(masked_text(&enc, &all).starts_with(" to=functions.lookup<|channel|>commentary"));
    check(&enc, &messages);
}

#[test]
fn function_tools_declared_after_a_turn_change_its_prompt() {
    let enc = enc();
    let messages =
        [system(), user("a"), assistant("final", "b"), developer_with_tools(), user("c"), assistant("final", "d")];
    let ex = example(&messages, false);
    let reasons: Vec<_> = ex.unmasked.iter().map(|u| u.reason).collect();
    assert_eq!(reasons, [UnmaskedReason::EndsWithEnd]);
    check(&enc, &messages);
    // A turn that does not end with final, before the tools are declared: its prompt's system
    // message says nothing about function calls, the example's does.
    let messages = [system(), user("a"), assistant("commentary", "b"), developer_with_tools(), user("c")];
    let ex = example(&messages, false);
    assert_eq!(ex.unmasked[0].reason, UnmaskedReason::PromptDiffers);
    check(&enc, &messages);
}

#[test]
fn conversations_without_assistant_turns_have_an_empty_mask() {
    let enc = enc();
    for messages in [vec![], vec![system(), user("hi")]] {
        let ex = example(&messages, true);
        assert_eq!(ex.turns, 0);
        assert!(ex.mask.iter().all(|&m| m == 0));
        check(&enc, &messages);
    }
}

fn random_message(rng: &mut Rng) -> Message {
    let texts = ["ok", "The answer is 4.", "", " spaced ", "ünïcödé 你好", "{\"a\":1}"];
    let text = texts[rng.below(texts.len())];
    match rng.below(12) {
        0 => user(text),
        1 => tool("lookup", text),
        2 => system(),
        3 => developer_with_tools(),
        4 => call("lookup", text),
        5 => Message::from_role_and_content(Role::Assistant, text),
        6 => tool("lookup", text).with_channel("analysis"),
        7 | 8 => assistant("analysis", text),
        9 => assistant("commentary", text),
        10 => assistant("final", text).with_recipient("user"),
        _ => assistant("final", text),
    }
}

#[test]
fn random_conversations_match_the_definition() {
    let enc = enc();
    let mut rng = Rng(0x6d61_736b);
    for _ in 0..300 {
        let len = rng.below(14);
        let messages: Vec<Message> = (0..len).map(|_| random_message(&mut rng)).collect();
        check(&enc, &messages);
    }
}
