//! Parsing a ~100k-token completion in one call, per token (reading each delta, as a streaming
//! server does) and in batches: ours against the reference crate on the same tokens. Plus the
//! per-token cost of ever longer streams, which must stay flat.

use harmony_bench as common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use harmony_core::{load_harmony_encoding, HarmonyEncodingName, ParseOptions, Role, StreamableParser};

fn config() -> Criterion {
    Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3))
}

fn parse(c: &mut Criterion) {
    let ours = load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).expect("encoding");
    let reference = reference_tests::reference_encoding();
    let tokens = common::completion_tokens();
    let role = Some(Role::Assistant);
    let options = ParseOptions::default();
    let messages = ours.parse_messages_from_completion_tokens(&tokens, role, options).expect("parse");
    let theirs = reference
        .parse_messages_from_completion_tokens(tokens.iter().copied(), Some(openai_harmony::chat::Role::Assistant))
        .expect("reference parse");
    assert_eq!(serde_json::to_value(&messages).ok(), serde_json::to_value(&theirs).ok(), "parse differs");

    let mut group = c.benchmark_group("parse/completion");
    group.throughput(Throughput::Elements(tokens.len() as u64));
    group.bench_function("harmony-core", |b| {
        b.iter(|| ours.parse_messages_from_completion_tokens(&tokens, role, options))
    });
    group.bench_function("openai-harmony", |b| {
        b.iter(|| {
            reference.parse_messages_from_completion_tokens(
                tokens.iter().copied(),
                Some(openai_harmony::chat::Role::Assistant),
            )
        })
    });
    group.finish();

    let mut group = c.benchmark_group("stream/per-token");
    group.throughput(Throughput::Elements(tokens.len() as u64));
    group.bench_function("harmony-core", |b| {
        b.iter(|| {
            let mut parser = StreamableParser::new(ours, role, options);
            let mut delta_bytes = 0;
            for &t in &tokens {
                parser.process(t).expect("process");
                delta_bytes += parser.last_content_delta().map_or(0, str::len);
            }
            delta_bytes
        })
    });
    group.bench_function("openai-harmony", |b| {
        b.iter(|| {
            let mut parser =
                openai_harmony::StreamableParser::new(reference.clone(), Some(openai_harmony::chat::Role::Assistant))
                    .expect("parser");
            let mut delta_bytes = 0;
            for &t in &tokens {
                parser.process(t).expect("process");
                delta_bytes += parser.last_content_delta().expect("delta").map_or(0, |d| d.len());
            }
            delta_bytes
        })
    });
    for batch in [16, 256] {
        group.bench_function(format!("harmony-core-process-many-{batch}"), |b| {
            b.iter(|| {
                let mut parser = StreamableParser::new(ours, role, options);
                let mut events = Vec::new();
                for chunk in tokens.chunks(batch) {
                    events.clear();
                    parser.process_many(chunk, &mut events).expect("process_many");
                }
                events.len()
            })
        });
    }
    group.finish();
}

/// ns/token for streams of 10k, 100k and 1M tokens (the completion repeated): flat if the work per
/// token does not grow with what came before.
fn stream_scaling(c: &mut Criterion) {
    let ours = load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).expect("encoding");
    let completion = common::completion_tokens();
    let mut group = c.benchmark_group("stream/scaling");
    for len in [10_000usize, 100_000, 1_000_000] {
        let mut tokens = Vec::with_capacity(len);
        // Every repetition after the first starts a new assistant message.
        while tokens.len() < len {
            if !tokens.is_empty() {
                tokens.extend([200006, 173781]);
            }
            tokens.extend_from_slice(&completion);
        }
        tokens.truncate(len);
        group.throughput(Throughput::Elements(len as u64));
        group.bench_function(format!("harmony-core/{len}"), |b| {
            b.iter(|| {
                let mut parser = StreamableParser::new(ours, Some(Role::Assistant), ParseOptions::default());
                for &t in &tokens {
                    parser.process(t).expect("process");
                }
                parser.messages().len()
            })
        });
    }
    group.finish();
}

criterion_group! { name = benches; config = config(); targets = parse, stream_scaling }
criterion_main!(benches);
