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
