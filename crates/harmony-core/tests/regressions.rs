//! Regression tests for inputs found by the fuzz targets (`fuzz/`, run with `fuzz/run.sh`)
//! and the differential tests (`crates/reference-tests/tests/differential.rs`), through the public API. Each test names
//! what went wrong before; the expected values are the reference's (openai-harmony 0.0.8).

use std::time::{Duration, Instant};

use harmony_core::{
    load_harmony_encoding, Content, Conversation, HarmonyEncoding, HarmonyEncodingName, ParseOptions, Role,
    StreamableParser,
};

fn encoding() -> HarmonyEncoding {
    load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).expect("encoding loads")
}

fn conversation_error(json: &str) -> String {
    match Conversation::from_json_str(json) {
        Ok(c) => panic!("{json} was accepted: {c:?}"),
        Err(e) => e.message,
    }
}

/// Accepted before: a message written as a JSON array. The reference's flattened author makes a
/// message a map only.
#[test]
fn a_message_as_an_array_is_rejected() {
    assert_eq!(
        conversation_error(r#"{"messages":[["user",null,null,"hi"]]}"#),
        "invalid conversation JSON: invalid type: sequence, expected struct Message at line 1 column 13"
    );
}

/// Reported at the offending value before; the reference reports errors in the flattened
/// `role`/`name` at the end of the message object.
#[test]
fn author_errors_point_at_the_end_of_the_message() {
    assert_eq!(
        conversation_error(r#"{"messages":[{"role":"user","name":"a","name":"b","content":"x"}]}"#),
        "invalid conversation JSON: duplicate field `name` at line 1 column 64"
    );
}

/// Accepted before: content objects in serde's sequence form with trailing fields left out.
#[test]
fn content_in_sequence_form_must_list_every_field() {
    assert_eq!(
        conversation_error(r#"{"messages":[{"role":"system","content":[["system_content"]]}]}"#),
        "invalid conversation JSON: invalid length 0, expected struct SystemContent with 6 elements at line 1 column 60"
    );
    let full = r#"{"messages":[{"role":"system","content":[["system_content",null,null,null,null,null,null]]}]}"#;
    let conversation = Conversation::from_json_str(full).expect("every field listed");
    assert!(matches!(conversation.messages[0].content.as_slice(), [Content::SystemContent(_)]));
}

/// Quadratic before: a token with two invalid UTF-8 sequences (2203 = `82 AC`) gets one replaced
/// per token, so held-back bytes grow by one per token and were shifted on every token.
#[test]
fn held_back_invalid_bytes_cost_linear_time() {
    let tokens: Vec<u32> = std::iter::once(200_008).chain(std::iter::repeat_n(2203, 1_000_000)).collect();
    let started = Instant::now();
    let mut parser = StreamableParser::new(encoding(), Some(Role::Assistant), ParseOptions::default());
    for &t in &tokens {
        parser.process(t).expect("content tokens");
    }
    parser.process_eos().expect("end of stream");
    let elapsed = started.elapsed();
    let [message] = parser.messages() else { panic!("one message") };
    let [Content::Text(text)] = message.content.as_slice() else { panic!("one text item") };
    assert_eq!(text.text.chars().count(), 2_000_000);
    assert!(text.text.chars().all(|c| c == '\u{FFFD}'));
    // About a second unoptimised; shifting the held-back bytes on every token (~5e11 bytes
    // moved in all) took tens of seconds even optimised.
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
}
