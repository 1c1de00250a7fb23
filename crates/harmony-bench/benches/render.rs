//! Rendering conversations of 10, 100 and 1000 messages: ours against the reference crate
//! (openai-harmony 0.0.8) on the same conversations, checked equal before timing.

use harmony_bench as common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use harmony_core::{load_harmony_encoding, Conversation, HarmonyEncodingName, RenderConversationConfig, Role};

fn config() -> Criterion {
    Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3))
}

fn render(c: &mut Criterion) {
    let ours = load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).expect("encoding");
    let reference = reference_tests::reference_encoding();
    let config = RenderConversationConfig { auto_drop_analysis: false };
    for case in common::read_json("conversations.json").as_array().expect("cases") {
        let json = case["conversation"].to_string();
        let conversation = Conversation::from_json_str(&json).expect("conversation");
        let theirs: openai_harmony::chat::Conversation = serde_json::from_str(&json).expect("reference conversation");
        let tokens = ours
            .render_conversation_for_completion(&conversation.messages, Role::Assistant, Some(&config))
            .expect("render");
        let expected = reference
            .render_conversation_for_completion(&theirs, openai_harmony::chat::Role::Assistant, None)
            .expect("reference render");
        assert_eq!(tokens, expected, "render differs on {}", case["name"]);

        let mut group = c.benchmark_group(format!("render/{}", case["message_count"]));
        group.throughput(Throughput::Elements(tokens.len() as u64));
        group.bench_function("harmony-core", |b| {
            b.iter(|| ours.render_conversation_for_completion(&conversation.messages, Role::Assistant, Some(&config)))
        });
        group.bench_function("harmony-core-from-json", |b| {
            b.iter(|| {
                let conversation = Conversation::from_json_str(&json).expect("conversation");
                ours.render_conversation_for_completion(&conversation.messages, Role::Assistant, Some(&config))
            })
        });
        group.bench_function("openai-harmony", |b| {
            b.iter(|| {
                reference.render_conversation_for_completion(&theirs, openai_harmony::chat::Role::Assistant, None)
            })
        });
        group.finish();
    }
}

criterion_group! { name = benches; config = config(); targets = render }
criterion_main!(benches);
