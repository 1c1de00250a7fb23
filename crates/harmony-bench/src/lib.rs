//! The criterion benches of harmony-core against its peers (`benches/`: the tokenizer against
//! tiktoken-rs and bpe-openai, render and parse against the reference crate openai-harmony 0.0.8),
//! and the inputs they share: the corpus that `node scripts/gen-corpus.mjs` writes to the root's
//! `benches/corpus/` (the same files the JS benches read).
//!
//! A crate of its own, outside the workspace's default members, so that `npm test` compiles none
//! of the peers: `cargo bench -p harmony-bench` (or `npm run bench` for everything).

use std::path::PathBuf;

use serde_json::Value;

/// The text corpora, by name.
pub const TEXT_CORPORA: [&str; 4] = ["english", "code", "cjk", "russian"];

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../benches/corpus")
}

/// A corpus file's contents; exits with a hint when the corpus has not been generated.
pub fn read(name: &str) -> String {
    let path = corpus_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{}: {e}\nGenerate the corpus first: node scripts/gen-corpus.mjs", path.display());
        std::process::exit(2)
    })
}

/// A JSON corpus file.
pub fn read_json(name: &str) -> Value {
    serde_json::from_str(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The completion text of `completion.json` tokenised with special tokens, and the role the
/// parse starts with.
pub fn completion_tokens() -> Vec<u32> {
    let completion = read_json("completion.json");
    let text = completion["text"].as_str().expect("completion text");
    let tokenizer = harmony_core::Tokenizer::get();
    let mut tokens = Vec::new();
    tokenizer.encode_into(text, &harmony_core::SpecialTokenSet::All, &mut tokens);
    tokens
}

/// Inputs that are each one long pre-tokenisation piece (or a few), about `len` bytes each: one
/// letter repeated, runs of one script without spaces, whitespace, punctuation, digits, and
/// random bytes made valid UTF-8 (U+FFFD for what is not). Deterministic.
pub fn worst_case_inputs(len: usize) -> Vec<(&'static str, String)> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut from = |chars: &[char]| {
        let mut s = String::with_capacity(len + 4);
        while s.len() < len {
            s.push(chars[rnd(chars.len())]);
        }
        s
    };
    let range = |first: u32, n: u32| (first..first + n).filter_map(char::from_u32).collect::<Vec<_>>();
    let cjk = from(&range(0x4e00, 0x5000));
    let cyrillic = from(&range(0x430, 32));
    let thai = from(&range(0xe01, 0x2e));
    let whitespace = from(&[' ', ' ', ' ', ' ', '\n']);
    let punctuation = from(&"!@#$%^&*()-=+[]{};:,.<>?|~`".chars().collect::<Vec<_>>());
    let digits = from(&range(0x30, 10));
    // Drawn last, so that the inputs above stay what they were before it was added.
    let latin = from(&range(0x61, 26));
    let bytes: Vec<u8> =
        (0..len).map(|i| (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29) as u8).collect();
    vec![
        ("one-letter", "a".repeat(len)),
        ("cjk-run", cjk),
        ("cyrillic-run", cyrillic),
        ("latin-run", latin),
        ("thai-run", thai),
        ("whitespace", whitespace),
        ("punctuation", punctuation),
        ("digits", digits),
        ("random-bytes", String::from_utf8_lossy(&bytes).into_owned()),
    ]
}

/// A corpus cut into chunks of about `size` bytes, at line ends.
pub fn chunks(text: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let from = (start + size).min(text.len());
        let end = match text.as_bytes()[from..].iter().position(|&b| b == b'\n') {
            Some(i) => from + i + 1,
            None => text.len(),
        };
        out.push(&text[start..end]);
        start = end;
    }
    out
}
