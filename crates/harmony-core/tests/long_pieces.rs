//! Inputs whose pieces are long (no spaces for kilobytes: one letter repeated, one script, runs
//! of whitespace or punctuation, random bytes), which the core merges in chunks: the tokens must
//! be exactly tiktoken-rs's. Longer ones (chunks by the thousand) are compared with the single
//! merge loop in `bpe.rs`'s unit tests and with bpe-openai before the `worst-case` benchmarks
//! (crates/harmony-bench) time them; speed and memory are measured there, not here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harmony_core::tokenizer::Tokenizer;
use proptest::prelude::*;

/// xorshift64: deterministic pseudo-random numbers below `n`.
fn rng(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}

/// `len` bytes (about) of the kind of input named `kind`.
fn worst_case(kind: usize, len: usize, rnd: &mut impl FnMut(usize) -> usize) -> String {
    let from_chars = |chars: &[char], rnd: &mut dyn FnMut(usize) -> usize| {
        let mut s = String::new();
        while s.len() < len {
            s.push(chars[rnd(chars.len())]);
        }
        s
    };
    let range = |first: u32, n: u32| (first..first + n).filter_map(char::from_u32).collect::<Vec<_>>();
    match kind {
        0 => "a".repeat(len),
        1 => "ab".repeat(len / 2),
        2 => from_chars(&range(0x4e00, 0x5000), rnd),
        3 => from_chars(&range(0x430, 32), rnd),
        4 => from_chars(&range(0xe01, 0x2e), rnd),
        5 => from_chars(&[' ', ' ', ' ', ' ', '\n'], rnd),
        6 => " ".repeat(len),
        7 => from_chars(&"!@#$%^&*()-=+[]{};:,.<>?|~`".chars().collect::<Vec<_>>(), rnd),
        8 => {
            let bytes: Vec<u8> = (0..len).map(|_| rnd(256) as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        9 => from_chars(&range(0x30, 10), rnd),
        10 => from_chars(&['a', 'b', 'c', 'é', 'ё', '日', 'ー', '\u{301}'], rnd),
        11 => from_chars(&[' ', '\t', '\n', '\r', '\u{3000}', '\u{a0}'], rnd),
        12 => from_chars(&['(', ')', ';', '\n', '/', '.', '`', '\u{2014}', '\u{301}'], rnd),
        13 => from_chars(&range(0x61, 26), rnd),
        _ => "=".repeat(len),
    }
}

const KINDS: usize = 15;

#[test]
fn long_pieces_match_tiktoken() {
    let tiktoken = tiktoken_rs::o200k_harmony_singleton();
    let ours = Tokenizer::get();
    let mut rnd = rng(0x5851_f42d_4c95_7f2d);
    for kind in 0..KINDS {
        // Just over the length where chunking starts, and a few chunks more.
        for len in [4_100, 4_097 + rnd(6_000)] {
            let text = worst_case(kind, len, &mut rnd);
            let want = tiktoken.encode_ordinary(&text);
            assert_eq!(ours.encode_ordinary(&text), want, "kind {kind}, {len} bytes");
            assert_eq!(ours.count_ordinary(&text), want.len(), "kind {kind}, {len} bytes");
        }
    }
}

#[test]
fn long_pieces_inside_ordinary_text_match_tiktoken() {
    // Runs between words and in the middle of other pieces' neighbours.
    let tiktoken = tiktoken_rs::o200k_harmony_singleton();
    let ours = Tokenizer::get();
    let mut rnd = rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..8 {
        let mut text = String::from("Before the run, ");
        for _ in 0..2 {
            text.push_str(&worst_case(rnd(KINDS), 4_000 + rnd(3_000), &mut rnd));
            text.push_str(if round % 2 == 0 { " and then text.\n" } else { "x" });
        }
        let want = tiktoken.encode_ordinary(&text);
        assert_eq!(ours.encode_ordinary(&text), want, "round {round}");
    }
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    /// Long pieces of whitespace or punctuation, drawn from alphabets where some neighbouring
    /// bytes form no pair inside any token (the piece is cut there) and some always do (it is
    /// merged in chunks ending at line ends).
    #[test]
    fn long_runs_match_tiktoken(
        alphabet in prop::sample::select(vec![" \n", " \t\n\r", "\n\n \t", "!@#$%^&*()-=+[]{};:,.<>?|~`", "(){};\n /.", "-=*#\n"]),
        picks in prop::collection::vec(any::<u16>(), 4_097..5_500),
    ) {
        let chars: Vec<char> = alphabet.chars().collect();
        let text: String = picks.iter().map(|&p| chars[p as usize % chars.len()]).collect();
        let want = tiktoken_rs::o200k_harmony_singleton().encode_ordinary(&text);
        prop_assert_eq!(Tokenizer::get().encode_ordinary(&text), want);
    }
}
