//! Tokenizer throughput: ours against tiktoken-rs (`CoreBPE`) and bpe-openai on the same inputs,
//! in the same criterion groups. Outputs are checked equal before anything is timed.

use harmony_bench as common;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use harmony_core::Tokenizer;

fn config() -> Criterion {
    Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3))
}

fn encode(c: &mut Criterion) {
    let ours = Tokenizer::get();
    let tiktoken = tiktoken_rs::o200k_harmony_singleton();
    let bpe = bpe_openai::o200k_base();
    for name in common::TEXT_CORPORA {
        let text = common::read(&format!("{name}.txt"));
        let expected = tiktoken.encode_ordinary(&text);
        assert_eq!(ours.encode_ordinary(&text), expected, "ours differs from tiktoken-rs on {name}");
        assert_eq!(bpe.encode(text.as_str()), expected, "bpe-openai differs from tiktoken-rs on {name}");

        let mut group = c.benchmark_group(format!("encode/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("harmony-core", |b| b.iter(|| ours.encode_ordinary(&text)));
        // The text as never seen before: the per-thread merge caches emptied before each pass.
        group.bench_function("harmony-core-unseen", |b| {
            b.iter_batched(|| ours.clear_thread_caches(), |()| ours.encode_ordinary(&text), BatchSize::PerIteration)
        });
        group.bench_function("bpe-openai", |b| b.iter(|| bpe.encode(text.as_str())));
        group.bench_function("tiktoken-rs", |b| b.iter(|| tiktoken.encode_ordinary(&text)));
        group.finish();

        let mut group = c.benchmark_group(format!("count/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("harmony-core", |b| b.iter(|| ours.count_ordinary(&text)));
        group.bench_function("bpe-openai", |b| b.iter(|| bpe.count(text.as_str())));
        group.finish();

        let mut group = c.benchmark_group(format!("decode/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("harmony-core", |b| b.iter(|| ours.decode_bytes(&expected)));
        group.bench_function("tiktoken-rs", |b| b.iter(|| tiktoken.decode_bytes(&expected)));
        group.finish();
    }
}

/// 10 000 chat-sized strings per iteration: per-call overhead dominates.
fn short_strings(c: &mut Criterion) {
    let strings: Vec<String> = serde_json::from_str(&common::read("short.json")).expect("short.json");
    let ours = Tokenizer::get();
    let tiktoken = tiktoken_rs::o200k_harmony_singleton();
    let bpe = bpe_openai::o200k_base();
    for s in &strings {
        assert_eq!(ours.encode_ordinary(s), tiktoken.encode_ordinary(s), "short string {s:?}");
    }
    let mut group = c.benchmark_group("short-strings");
    group.throughput(Throughput::Elements(strings.len() as u64));
    group.bench_function("harmony-core", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            for s in &strings {
                out.clear();
                ours.encode_ordinary_into(s, &mut out);
            }
        })
    });
    group.bench_function("bpe-openai", |b| b.iter(|| strings.iter().map(|s| bpe.encode(s.as_str()).len()).sum::<usize>()));
    group.bench_function("tiktoken-rs", |b| b.iter(|| strings.iter().map(|s| tiktoken.encode_ordinary(s).len()).sum::<usize>()));
    group.finish();
}

/// Cost of making the vocabulary ready: ours is static data; tiktoken-rs parses base64.
fn vocabulary_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("vocabulary-load");
    group.bench_function("harmony-core", |b| b.iter(|| Tokenizer::get().encode_ordinary("hello")));
    group.bench_function("tiktoken-rs", |b| {
        b.iter_batched(|| (), |()| tiktoken_rs::o200k_harmony().map(|t| t.encode_ordinary("hello")), BatchSize::PerIteration)
    });
    group.finish();
}

criterion_group! { name = benches; config = config(); targets = encode, short_strings, vocabulary_load }
criterion_main!(benches);
