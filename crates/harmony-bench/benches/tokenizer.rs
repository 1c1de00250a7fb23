//! Tokenizer throughput: ours against tiktoken-rs (`CoreBPE`), bpe-openai and toktok-rs on the
//! same inputs, in the same criterion groups. Outputs are checked equal before anything is timed.
//! Text none of them has seen (toktok-rs keeps a per-thread memo that cannot be emptied) is
//! timed by the `unseen` bench instead.

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
    let toktok = toktok();
    for name in common::TEXT_CORPORA {
        let text = common::read(&format!("{name}.txt"));
        let expected = tiktoken.encode_ordinary(&text);
        assert_eq!(ours.encode_ordinary(&text), expected, "ours differs from tiktoken-rs on {name}");
        assert_eq!(bpe.encode(text.as_str()), expected, "bpe-openai differs from tiktoken-rs on {name}");
        assert_eq!(toktok.encode(text.as_bytes()), expected, "toktok-rs differs from tiktoken-rs on {name}");

        let mut group = c.benchmark_group(format!("encode/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("harmony-core", |b| b.iter(|| ours.encode_ordinary(&text)));
        // The text as never seen before: the per-thread merge caches emptied before each pass.
        group.bench_function("harmony-core-unseen", |b| {
            b.iter_batched(|| ours.clear_thread_caches(), |()| ours.encode_ordinary(&text), BatchSize::PerIteration)
        });
        group.bench_function("bpe-openai", |b| b.iter(|| bpe.encode(text.as_str())));
        group.bench_function("tiktoken-rs", |b| b.iter(|| tiktoken.encode_ordinary(&text)));
        group.bench_function("toktok-rs", |b| b.iter(|| toktok.encode(text.as_bytes())));
        group.finish();

        let mut group = c.benchmark_group(format!("count/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("harmony-core", |b| b.iter(|| ours.count_ordinary(&text)));
        group.bench_function("bpe-openai", |b| b.iter(|| bpe.count(text.as_str())));
        group.bench_function("toktok-rs", |b| b.iter(|| toktok.count(text.as_bytes())));
        group.finish();

        let mut group = c.benchmark_group(format!("decode/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("harmony-core", |b| b.iter(|| ours.decode_bytes(&expected)));
        group.bench_function("tiktoken-rs", |b| b.iter(|| tiktoken.decode_bytes(&expected)));
        group.bench_function("toktok-rs", |b| b.iter(|| toktok.decode(&expected)));
        group.finish();
    }
}

fn toktok() -> toktok::Tokenizer {
    toktok::Tokenizer::builtin("o200k_harmony").expect("toktok-rs o200k_harmony")
}

/// Inputs that are one long piece (no spaces for megabytes), where a merge loop over the whole
/// piece is superlinear (tiktoken-rs is quadratic there and left out). Outputs are checked
/// against bpe-openai first, which also checks the core's chunked merging on long inputs.
fn worst_case(c: &mut Criterion) {
    let ours = Tokenizer::get();
    let bpe = bpe_openai::o200k_base();
    let toktok = toktok();
    let english = common::read("english.txt");
    for (name, text) in common::worst_case_inputs(1 << 20) {
        let expected = bpe.encode(text.as_str());
        assert_eq!(ours.encode_ordinary(&text), expected, "ours differs from bpe-openai on {name}");
        assert_eq!(toktok.encode(text.as_bytes()), expected, "toktok-rs differs from bpe-openai on {name}");
        let mut group = c.benchmark_group(format!("worst-case/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("harmony-core", |b| b.iter(|| ours.encode_ordinary(&text)));
        group.bench_function("harmony-core-count", |b| b.iter(|| ours.count_ordinary(&text)));
        group.bench_function("bpe-openai", |b| b.iter(|| bpe.encode(text.as_str())));
        group.bench_function("toktok-rs", |b| b.iter(|| toktok.encode(text.as_bytes())));
        group.finish();
    }
    // The yardstick: English, the same call, in the same run.
    let mut group = c.benchmark_group("worst-case/english");
    group.throughput(Throughput::Bytes(english.len() as u64));
    group.bench_function("harmony-core", |b| b.iter(|| ours.encode_ordinary(&english)));
    group.bench_function("harmony-core-count", |b| b.iter(|| ours.count_ordinary(&english)));
    group.finish();
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
    group.bench_function("bpe-openai", |b| {
        b.iter(|| strings.iter().map(|s| bpe.encode(s.as_str()).len()).sum::<usize>())
    });
    group.bench_function("tiktoken-rs", |b| {
        b.iter(|| strings.iter().map(|s| tiktoken.encode_ordinary(s).len()).sum::<usize>())
    });
    let toktok = toktok();
    group.bench_function("toktok-rs", |b| {
        b.iter(|| strings.iter().map(|s| toktok.encode(s.as_bytes()).len()).sum::<usize>())
    });
    group.finish();
}

/// Cost of making the vocabulary ready: ours is static data; tiktoken-rs parses base64.
fn vocabulary_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("vocabulary-load");
    group.bench_function("harmony-core", |b| b.iter(|| Tokenizer::get().encode_ordinary("hello")));
    group.bench_function("tiktoken-rs", |b| {
        b.iter_batched(
            || (),
            |()| tiktoken_rs::o200k_harmony().map(|t| t.encode_ordinary("hello")),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group! { name = benches; config = config(); targets = encode, short_strings, vocabulary_load, worst_case }
criterion_main!(benches);
