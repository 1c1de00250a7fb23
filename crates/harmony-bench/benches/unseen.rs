//! One encoder on text it has not seen, the protocol of `benches/encoder-unseen.mjs`: each
//! corpus is cut into chunks of about 4 KB at line ends; the first half of the chunks is
//! encoded untimed (the caches of a long-running server would be warm with such text), then the
//! second half is encoded once, one call per chunk, and timed. One encoder per process, so no
//! encoder inherits another's caches:
//!
//!     cargo bench -p harmony-bench --bench unseen -- harmony-core|toktok-rs|bpe-openai|tiktoken-rs
//!
//! prints one JSON line: per corpus the MB/s of the timed half and a digest of its tokens (FNV-1a
//! over the ids), which the driver compares across encoders (gigatoken's included).

use std::time::Instant;

use harmony_bench as common;

const CHUNK: usize = 4096;

/// One encoder's ordinary encode.
type Encode = Box<dyn Fn(&str) -> Vec<u32>>;

fn main() {
    let encoder = std::env::args().skip(1).find(|a| !a.starts_with("--")).unwrap_or_default();
    let encode: Encode = match encoder.as_str() {
        "harmony-core" => {
            let ours = harmony_core::Tokenizer::get();
            Box::new(move |s| ours.encode_ordinary(s))
        }
        "toktok-rs" => {
            let toktok = toktok::Tokenizer::builtin("o200k_harmony").expect("toktok-rs o200k_harmony");
            Box::new(move |s| toktok.encode(s.as_bytes()))
        }
        "bpe-openai" => {
            let bpe = bpe_openai::o200k_base();
            Box::new(move |s| bpe.encode(s))
        }
        "tiktoken-rs" => {
            let tiktoken = tiktoken_rs::o200k_harmony_singleton();
            Box::new(move |s| tiktoken.encode_ordinary(s))
        }
        other => {
            eprintln!("unknown encoder {other:?}: harmony-core, toktok-rs, bpe-openai or tiktoken-rs");
            std::process::exit(2)
        }
    };
    let mut results = Vec::new();
    for name in common::TEXT_CORPORA {
        let text = common::read(&format!("{name}.txt"));
        let chunks = common::chunks(&text, CHUNK);
        let (seen, unseen) = chunks.split_at(chunks.len() / 2);
        for chunk in seen {
            std::hint::black_box(encode(chunk));
        }
        let mut outputs = Vec::with_capacity(unseen.len());
        let start = Instant::now();
        for chunk in unseen {
            outputs.push(encode(chunk));
        }
        let seconds = start.elapsed().as_secs_f64();
        let bytes: usize = unseen.iter().map(|c| c.len()).sum();
        let mut digest = 0xcbf2_9ce4_8422_2325u64;
        for &id in outputs.iter().flatten() {
            digest = (digest ^ id as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        results.push(format!(
            "\"{name}\":{{\"mb_s\":{:.3},\"bytes\":{bytes},\"digest\":\"{digest:016x}\"}}",
            bytes as f64 / seconds / 1e6
        ));
    }
    println!("{{\"encoder\":\"{encoder}\",\"results\":{{{}}}}}", results.join(","));
}
