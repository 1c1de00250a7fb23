//! The tokenizer against the reference crate (openai-harmony 0.0.8):
//!
//! * its vocabulary: the reference loads a vocabulary file written from our embedded tables and
//!   verifies the file's SHA-256, so loading it proves the tables byte-identical to
//!   `o200k_base.tiktoken`;
//! * its special tokens, all 1 091 of them (tiktoken-rs, which harmony-core's own tests compare
//!   with, stops one short);
//! * encode with no, all and some special tokens allowed, on random text dense with special-token
//!   text and its fragments. Ordinary text is compared with tiktoken-rs and the reference's regex
//!   in `crates/harmony-core/tests/tokenizer_differential.rs`.
//!
//! `HARMONY_DIFF_SCALE=<n>` multiplies the number of random texts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::OnceLock;

use harmony_core::tokenizer::{SpecialTokenSet, Tokenizer, FIRST_SPECIAL, LAST_SPECIAL};

fn tk() -> &'static Tokenizer {
    Tokenizer::get()
}

/// The reference encoding, loaded from a vocabulary file written from our embedded tables (not
/// from `reference_tests::reference_encoding`, which reads the registry's copy).
fn reference() -> &'static openai_harmony::HarmonyEncoding {
    static R: OnceLock<openai_harmony::HarmonyEncoding> = OnceLock::new();
    R.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("harmony-core-vocab-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut file = String::new();
        for rank in 0..FIRST_SPECIAL {
            file.push_str(&base64(tk().token_bytes(rank).unwrap()));
            file.push(' ');
            file.push_str(&rank.to_string());
            file.push('\n');
        }
        std::fs::write(dir.join("o200k_base.tiktoken"), file).unwrap();
        // Only this test binary reads the variable, and only inside this initialiser.
        std::env::set_var("TIKTOKEN_ENCODINGS_BASE", &dir);
        let enc = openai_harmony::load_harmony_encoding(openai_harmony::HarmonyEncodingName::HarmonyGptOss)
            .expect("the reference rejects the vocabulary written from our tables (hash mismatch?)");
        let _ = std::fs::remove_dir_all(&dir);
        enc
    })
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let n =
            (c[0] as u32) << 16 | (c.get(1).copied().unwrap_or(0) as u32) << 8 | c.get(2).copied().unwrap_or(0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

#[test]
fn vocabulary_is_the_references() {
    // The reference verifies the file's hash while loading.
    assert_eq!(reference().tokenizer().encode_ordinary("hello world"), tk().encode_ordinary("hello world"));
}

#[test]
fn special_tokens_match_reference() {
    let reference_set = reference().tokenizer().special_tokens();
    assert_eq!(reference_set.len(), (LAST_SPECIAL - FIRST_SPECIAL + 1) as usize);
    for (text, id) in tk().special_tokens() {
        assert!(reference_set.contains(text), "{text}");
        assert_eq!(reference().tokenizer().encode_with_special_tokens(text), [id]);
        assert_eq!(reference().tokenizer().decode_bytes([id]).unwrap(), text.as_bytes());
    }
    assert!(reference().tokenizer().decode_bytes([LAST_SPECIAL + 1]).is_err());
}

/// SplitMix64: deterministic, so every failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Text around special tokens: their fragments, words that touch them, whitespace, digits.
const AROUND: &[&str] = &[
    "<|",
    "|>",
    "<|end",
    "end|>",
    "<||>",
    "<|<|",
    "|>|>",
    "a",
    "The",
    "don't",
    "x'S",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\t",
    "1234",
    ".",
    "日本語",
    "🙂",
    "e\u{301}",
    "\u{a0}",
    "<|reserved_",
    "<|reserved_201089|>",
];

fn random_text(rng: &mut Rng, specials: &[&str]) -> String {
    let mut text = String::new();
    for _ in 0..rng.below(16) {
        if rng.below(3) == 0 {
            text.push_str(specials[rng.below(specials.len())]);
        } else {
            text.push_str(AROUND[rng.below(AROUND.len())]);
        }
    }
    text
}

#[test]
fn encode_around_special_tokens_matches_reference() {
    let specials: Vec<&str> = tk().special_tokens().map(|(text, _)| text).collect();
    let all: HashSet<&str> = specials.iter().copied().collect();
    let scale = std::env::var("HARMONY_DIFF_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut rng = Rng(0x5bec);
    for _ in 0..3000 * scale {
        let text = random_text(&mut rng, &specials);
        assert_eq!(tk().encode_ordinary(&text), reference().tokenizer().encode_ordinary(&text), "ordinary: {text:?}");

        let mut ours = Vec::new();
        tk().encode_into(&text, &SpecialTokenSet::All, &mut ours);
        assert_eq!(ours, reference().tokenizer().encode(&text, &all).0, "all specials: {text:?}");

        // A random share of the special tokens allowed, the others plain text.
        let some: Vec<&str> = specials.iter().copied().filter(|_| rng.below(4) == 0).collect();
        let mut ours = Vec::new();
        tk().encode_into(&text, &SpecialTokenSet::Listed(some.iter().map(|s| s.to_string()).collect()), &mut ours);
        let theirs = reference().tokenizer().encode(&text, &some.iter().copied().collect()).0;
        assert_eq!(ours, theirs, "allowed {} specials: {text:?}", some.len());
    }
}
