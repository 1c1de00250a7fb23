//! Differential tests of the tokenizer against independent implementations of o200k_harmony:
//!
//! * `tiktoken-rs` `o200k_harmony` (fancy-regex 0.19; its specials stop at 201 087);
//! * the o200k pattern compiled with fancy-regex 0.13 (the reference's version), piece by piece.
//!
//! The comparison with the reference crate itself (openai-harmony 0.0.8) is in
//! `crates/reference-tests/tests/tokenizer.rs`, outside `npm test`.
//!
//! Inputs: every `encode` fixture, text files found on this machine (the count of bytes compared
//! is printed) and deterministic pseudo-random strings. `HARMONY_DIFF_SCALE=<n>` multiplies the
//! amounts (the defaults keep a debug-build run short); `HARMONY_DIFF_CORPUS=<dir>` adds every
//! file of a directory to the real-text comparison.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use harmony_core::tokenizer::{SpecialTokenSet, Tokenizer, FIRST_SPECIAL, LAST_SPECIAL};
use harmony_core::ErrorCode;
use serde_json::Value;

mod support;
use support::Rng;

const PATTERN: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"\p{N}{1,3}",
    "|",
    r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
    "|",
    r"\s*[\r\n]+",
    "|",
    r"\s+(?!\S)",
    "|",
    r"\s+",
);

fn tk() -> &'static Tokenizer {
    Tokenizer::get()
}

fn scale() -> usize {
    std::env::var("HARMONY_DIFF_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1)
}

fn fancy() -> &'static fancy_regex::Regex {
    static R: OnceLock<fancy_regex::Regex> = OnceLock::new();
    R.get_or_init(|| fancy_regex::Regex::new(PATTERN).unwrap())
}

fn tiktoken() -> &'static tiktoken_rs::CoreBPE {
    tiktoken_rs::o200k_harmony_singleton()
}

/// Compares everything we can compare for one text; returns its size in bytes.
fn check_text(text: &str) -> usize {
    // Pieces.
    let ours: Vec<&str> = tk().split_pieces(text).collect();
    let theirs: Vec<&str> = fancy().find_iter(text).map(|m| m.unwrap().as_str()).collect();
    if ours != theirs {
        let i = ours.iter().zip(&theirs).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "pieces differ for {text:?}\n at piece {i}: ours {:?} theirs {:?}",
            &ours[i..(i + 3).min(ours.len())],
            &theirs[i..(i + 3).min(theirs.len())]
        );
    }
    // Ordinary tokens.
    let ordinary = tk().encode_ordinary(text);
    assert_eq!(ordinary, tiktoken().encode_ordinary(text), "encode_ordinary differs from tiktoken-rs: {text:?}");
    assert_eq!(tk().count_ordinary(text), ordinary.len());
    assert_eq!(tk().decode_utf8(&ordinary).unwrap(), text);
    // With every special token allowed.
    let mut with = Vec::new();
    tk().encode_into(text, &SpecialTokenSet::All, &mut with);
    // tiktoken-rs does not know the last special token; it encodes its text as ordinary text.
    let tiktoken_knows_all = !text.contains("<|reserved_201088|>");
    if tiktoken_knows_all {
        assert_eq!(with, tiktoken().encode_with_special_tokens(text), "encode(all specials) differs: {text:?}");
    }
    assert_eq!(tk().count(text, &SpecialTokenSet::All), with.len());
    assert_eq!(tk().decode_utf8(&with).unwrap(), text);
    // Only some specials allowed: the others stay text.
    let some = ["<|end|>", "<|start|>", "<|reserved_201088|>"];
    let mut partial = Vec::new();
    tk().encode_into(text, &SpecialTokenSet::Listed(some.iter().map(|s| s.to_string()).collect()), &mut partial);
    if tiktoken_knows_all {
        let (theirs, _) = tiktoken().encode(text, &some.into_iter().collect()).unwrap();
        assert_eq!(partial, theirs, "encode(some specials) differs: {text:?}");
    }
    text.len()
}

// ---------------------------------------------------------------------------------------------
// Fixtures

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance")
}

/// Replaces JSON `\u` escapes of unpaired surrogates by U+FFFD (what the reference's Python
/// binding does with such text), so the line parses into Rust strings.
fn sanitize_surrogates(line: &str) -> String {
    let c: Vec<char> = line.chars().collect();
    let hex = |i: usize| -> Option<u32> {
        if i + 6 <= c.len() && c[i] == '\\' && c[i + 1] == 'u' {
            u32::from_str_radix(&c[i + 2..i + 6].iter().collect::<String>(), 16).ok()
        } else {
            None
        }
    };
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        if c[i] == '\\' && i + 1 < c.len() {
            match hex(i) {
                Some(0xD800..=0xDBFF) => match hex(i + 6) {
                    Some(0xDC00..=0xDFFF) => {
                        out.extend(&c[i..i + 12]);
                        i += 12;
                    }
                    _ => {
                        out.push_str("\\ufffd");
                        i += 6;
                    }
                },
                Some(0xDC00..=0xDFFF) => {
                    out.push_str("\\ufffd");
                    i += 6;
                }
                _ => {
                    out.extend(&c[i..i + 2]);
                    i += 2;
                }
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn set_of(v: &Value) -> SpecialTokenSet {
    match v {
        Value::String(s) if s == "all" => SpecialTokenSet::All,
        Value::Array(a) => SpecialTokenSet::Listed(a.iter().map(|t| t.as_str().unwrap().to_string()).collect()),
        Value::Null => SpecialTokenSet::Listed(Vec::new()),
        other => panic!("bad special set {other}"),
    }
}

fn tokens_of(v: &Value) -> Vec<u32> {
    v.as_array().unwrap().iter().map(|t| u32::try_from(t.as_u64().unwrap()).unwrap_or(u32::MAX)).collect()
}

#[test]
fn fixtures_encode() {
    let path = fixtures_dir().join("encode.jsonl");
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut n = 0;
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(&sanitize_surrogates(line)).unwrap();
        let id = case["id"].as_str().unwrap();
        let exp = &case["expected"];
        let is_err = exp["error"].as_bool().unwrap();
        match case["op"].as_str().unwrap() {
            "encode" => {
                let text = case["text"].as_str().unwrap();
                let got =
                    tk().encode_checked(text, &set_of(&case["allowed_special"]), &set_of(&case["disallowed_special"]));
                if is_err {
                    let e = got.expect_err(id);
                    assert_eq!(e.message, exp["message"].as_str().unwrap(), "{id}");
                    assert_eq!(e.code, ErrorCode::DisallowedSpecial, "{id}");
                } else {
                    let got = got.unwrap_or_else(|e| panic!("{id}: {e}"));
                    assert_eq!(got, tokens_of(&exp["tokens"]), "{id}");
                    assert_eq!(tk().decode_utf8(&got).unwrap(), exp["decoded"].as_str().unwrap());
                    check_text(text);
                }
            }
            "decode_utf8" => {
                let got = tk().decode_utf8(&tokens_of(&case["tokens"]));
                if is_err {
                    let e = got.expect_err(id);
                    assert_eq!(e.message, exp["message"].as_str().unwrap(), "{id}");
                    let code = if e.message.contains("Invalid token error") {
                        ErrorCode::InvalidToken
                    } else {
                        ErrorCode::Utf8
                    };
                    assert_eq!(e.code, code, "{id}");
                    assert!(e.context.token_index.is_some(), "{id}");
                } else {
                    assert_eq!(got.unwrap(), exp["text"].as_str().unwrap(), "{id}");
                }
            }
            "decode" => {
                let tokens = tokens_of(&case["tokens"]);
                if is_err {
                    let e = tk().decode_lossy(&tokens).expect_err(id);
                    assert_eq!(e.message, exp["message"].as_str().unwrap(), "{id}");
                    assert_eq!(e.code, ErrorCode::InvalidToken, "{id}");
                    let e = tk().decode_bytes(&tokens).expect_err(id);
                    assert_eq!(e.message, exp["message"].as_str().unwrap(), "{id}");
                } else {
                    let bytes = tk().decode_bytes(&tokens).unwrap();
                    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                    assert_eq!(hex, exp["bytes_hex"].as_str().unwrap(), "{id}");
                    assert_eq!(tk().decode_lossy(&tokens).unwrap(), exp["text"].as_str().unwrap());
                }
            }
            "is_special_token" => {
                let got: Vec<bool> = tokens_of(&case["tokens"]).iter().map(|&t| tk().is_special_token(t)).collect();
                let want: Vec<bool> = exp["results"].as_array().unwrap().iter().map(|b| b.as_bool().unwrap()).collect();
                assert_eq!(got, want, "{id}");
            }
            "special_tokens" => {
                let want: Vec<(String, u32)> = exp["special_tokens"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_u64().unwrap() as u32))
                    .collect();
                let got: Vec<(String, u32)> = tk().special_tokens().map(|(t, i)| (t.to_string(), i)).collect();
                assert_eq!(got, want, "{id}");
            }
            other => panic!("{id}: unknown op {other}"),
        }
        n += 1;
    }
    assert!(n > 0);
}

#[test]
fn special_tokens_match_tiktoken() {
    for (text, id) in tk().special_tokens() {
        assert_eq!(tk().special_token_id(text), Some(id));
        assert_eq!(tk().token_bytes(id), Some(text.as_bytes()));
        if id < LAST_SPECIAL {
            assert_eq!(tiktoken().encode_with_special_tokens(text), [id], "{text}");
        }
    }
    assert!(tk().token_bytes(LAST_SPECIAL + 1).is_none());
}

// ---------------------------------------------------------------------------------------------
// Real text

fn text_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Some(dir) = std::env::var_os("HARMONY_DIFF_CORPUS") {
        if let Ok(rd) = std::fs::read_dir(dir) {
            let mut v: Vec<PathBuf> = rd.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
            v.sort();
            return v;
        }
    }
    if let Ok(rd) = std::fs::read_dir("/usr/share/common-licenses") {
        files.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_file()));
    }
    // Python standard library sources of whatever python3 is installed.
    if let Ok(rd) = std::fs::read_dir("/usr/lib") {
        let mut dirs: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("python3.") && p.join("os.py").exists())
            })
            .collect();
        dirs.sort();
        if let Some(d) = dirs.last() {
            if let Ok(rd) = std::fs::read_dir(d) {
                let mut py: Vec<PathBuf> =
                    rd.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "py")).collect();
                py.sort();
                files.extend(py);
            }
        }
    }
    // Man pages in other languages, if installed uncompressed.
    for dir in ["/usr/share/man/ja/man1", "/usr/share/man/zh_CN/man1", "/usr/share/man/ru/man1"] {
        if let Ok(rd) = std::fs::read_dir(dir) {
            let mut v: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            v.sort();
            files.extend(v.into_iter().take(40));
        }
    }
    files.sort();
    files
}

#[test]
fn real_text_files() {
    let budget = if std::env::var_os("HARMONY_DIFF_CORPUS").is_some() { usize::MAX } else { 1_500_000 * scale() };
    let mut done = 0;
    for path in text_files() {
        if path.extension().is_some_and(|e| e == "gz") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else { continue };
        done += check_text(&String::from_utf8_lossy(&bytes));
        if done > budget {
            break;
        }
    }
    eprintln!("real text: {done} bytes compared");
}

// ---------------------------------------------------------------------------------------------
// Random text

const WORDS: &[&str] = &[
    "the",
    "The",
    "HELLO",
    "world",
    "don't",
    "I'M",
    "we'RE",
    "they'll",
    "she'S",
    "it'ſ",
    "can'T",
    "x'd",
    "'ve",
    "'LL",
    "camelCase",
    "XMLHttpRequest",
    "ǅemal",
    "ʰello",
    "Ⅻ",
    "½",
    "²³",
    "١٢٣٤",
    "привет",
    "МИР",
    "Ελληνικά",
    "日本語",
    "中文字符",
    "ひらがな",
    "カタカナ",
    "한국어",
    "مرحبا",
    "שלום",
    "हिन्दी",
    "ไทย",
    "e\u{301}",
    "\u{301}\u{302}",
    "a\u{20dd}",
    "Å",
    "ﬁ",
    "🙂",
    "👨\u{200d}👩\u{200d}👧",
    "👍🏽",
    "🇫🇷",
    "<|end|>",
    "<|start|>",
    "<|reserved_201088|>",
    "<|message|>",
    "<|",
    "|>",
    "<|endoftext",
    "<|<|call|>",
    "<|refusal|>",
    "1234567",
    "3.14",
    "0x1F",
    "http://a.b/c",
    "//",
    "/*",
    "...",
    "?!",
    "{}",
    "()",
    "\"",
    "'",
    "`",
    "\\",
    "$",
    "\u{a0}",
    "\u{3000}",
    "\u{2028}",
    "\u{85}",
    "\u{feff}",
    "\u{200b}",
    "\u{ad}",
    "\0",
    "\u{1b}",
    "\u{10ffff}",
    "\u{e000}",
    "\u{fffd}",
    "ﷺ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "𐍈",
];

const SPACES: &[&str] =
    &[" ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n", "\n ", "\r", " \t ", "\u{3000}", "\u{a0} "];

fn random_char(rng: &mut Rng) -> char {
    loop {
        let cp = match rng.below(4) {
            0 => rng.below(0x80) as u32,
            1 => rng.below(0x800) as u32,
            2 => rng.below(0x1_0000) as u32,
            _ => rng.below(0x11_0000) as u32,
        };
        if let Some(c) = char::from_u32(cp) {
            return c;
        }
    }
}

fn random_text(rng: &mut Rng, parts: usize) -> String {
    let mut s = String::new();
    for _ in 0..parts {
        match rng.below(10) {
            0..=3 => s.push_str(rng.pick::<&str>(WORDS)),
            4..=5 => s.push_str(rng.pick::<&str>(SPACES)),
            6 => s.push(random_char(rng)),
            7 => {
                for _ in 0..rng.below(6) + 1 {
                    s.push(char::from(b'0' + rng.below(10) as u8));
                }
            }
            8 => s.push(*rng.pick(&['.', ',', '\'', '-', '/', ':', ';', '!', '?', '#', '<', '>'])),
            _ => {
                let w = *rng.pick(WORDS);
                s.push_str(&w.to_uppercase());
            }
        }
    }
    s
}

#[test]
fn random_strings() {
    let mut rng = Rng(0x5eed);
    let n = 4000 * scale();
    for _ in 0..n {
        let parts = rng.below(40);
        let text = random_text(&mut rng, parts);
        check_text(&text);
    }
}

#[test]
fn random_dense_unicode() {
    // Arbitrary codepoints with few separators: exercises every class transition.
    let mut rng = Rng(0xc0de);
    for _ in 0..1500 * scale() {
        let len = rng.below(30);
        let text: String = (0..len)
            .map(|_| {
                if rng.below(4) == 0 {
                    *rng.pick(&[
                        ' ', '\n', '\r', '\t', '\'', 's', 'S', 'ſ', 'l', 'L', 'e', 'A', 'a', '1', '.', '/', '\u{301}',
                        'ʰ', 'ǅ', 'ᾈ', 'ー', '々', '²', 'Ⅻ', '\u{b}', '\u{c}', '\u{1c}', '\u{85}', '\u{a0}',
                        '\u{1680}', '\u{2000}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}', '\u{180e}',
                        '\u{200b}', '\u{feff}',
                    ])
                } else {
                    random_char(&mut rng)
                }
            })
            .collect();
        check_text(&text);
    }
}

#[test]
fn long_pieces() {
    // Long pieces go through the heap merge; compare a few shapes and sizes.
    let mut rng = Rng(42);
    let cjk: Vec<char> = "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从".chars().collect();
    let mut texts = vec![
        "a".repeat(2000),
        "ab".repeat(3000),
        "\u{301}".repeat(700),
        "🙂".repeat(400),
        " ".repeat(3000) + "x",
        "\n".repeat(1000),
        "1".repeat(1000),
        ".".repeat(2000),
    ];
    // Pieces of 2 ..= 46 CJK chars (6 ..= 138 bytes) straddle the small/large merge paths.
    for len in (2..=46).chain([97, 150, 400, 1500, 3000]) {
        texts.push((0..len).map(|_| *rng.pick(&cjk)).collect());
        texts.push((0..len).map(|_| char::from(b'a' + rng.below(26) as u8)).collect());
        texts.push((0..len / 4).map(|_| random_char(&mut rng)).filter(|c| c.is_alphabetic()).collect());
    }
    for t in &texts {
        check_text(t);
    }
}

/// Non-ASCII tokens of the vocabulary that are valid UTF-8 on their own, without whitespace.
fn letter_tokens() -> Vec<String> {
    (0..199_998u32)
        .filter_map(|rank| tiktoken().decode_bytes(&[rank]).ok())
        .filter_map(|b| String::from_utf8(b).ok())
        .filter(|t| !t.is_ascii() && !t.chars().any(char::is_whitespace))
        .collect()
}

#[test]
fn joined_letter_tokens() {
    // Runs of multi-byte chars as real text has them (the vocabulary's own words and their chars)
    // glued without separators: merging may start from whole chars only where no token crossing a
    // char boundary could come first, and these runs put real neighbours on both sides of each char.
    let tokens = letter_tokens();
    let chars: Vec<char> = {
        let set: HashSet<char> = tokens.iter().flat_map(|t| t.chars()).collect();
        let mut v: Vec<char> = set.into_iter().collect();
        v.sort_unstable();
        v
    };
    let mut rng = Rng(0x70c3);
    for _ in 0..6000 * scale() {
        let mut text = String::new();
        for _ in 0..1 + rng.below(12) {
            if rng.below(3) == 0 {
                text.push(*rng.pick(&chars));
            } else {
                text.push_str(rng.pick::<String>(&tokens));
            }
        }
        check_text(&text);
    }
}

/// The first valid UTF-8 text `head + x + tail`, where `x` is `width` bytes from 0x80 ..= 0xbf
/// (continuation bytes).
fn complete_char(head: &[u8], width: usize, tail: &[u8]) -> Option<String> {
    let mut fill = vec![0x80u8; width];
    loop {
        let bytes = [head, &fill, tail].concat();
        if let Ok(text) = String::from_utf8(bytes) {
            return Some(text);
        }
        // Next fill, first byte fastest; lead bytes restrict only the first continuation byte.
        let i = fill.iter().position(|&b| b < 0xbf)?;
        fill[i] += 1;
        fill[..i].fill(0x80);
    }
}

#[test]
fn tokens_across_char_boundaries() {
    // Every token that holds part of a char, completed into text: each is a neighbour that may
    // keep the char next to it from starting as one part (build.rs, `atomic_chars`), so this puts
    // every recorded risk, of every kind of neighbour, in front of the merge loop once.
    let mut checked = 0;
    for rank in 0..FIRST_SPECIAL {
        let t = tk().token_bytes(rank).unwrap();
        if std::str::from_utf8(t).is_ok() {
            continue;
        }
        // An incomplete char at the end: complete it.
        if let Some(j) = t.iter().rposition(|&b| b & 0xc0 != 0x80) {
            let need = match t[j] {
                0xc2..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf4 => 4,
                _ => 0,
            };
            if need > t.len() - j {
                if let Some(text) = complete_char(t, need - (t.len() - j), &[]) {
                    check_text(&text);
                    checked += 1;
                }
            }
        }
        // Continuation bytes at the start: put a lead byte (and fill) before them.
        let lead = t.iter().take_while(|&&b| b & 0xc0 == 0x80).count();
        if lead > 0 && lead < 4 {
            let text = (0xc2..=0xf4u8).find_map(|b| {
                (0..4 - lead).find_map(|fill| complete_char(&[b], fill, t).filter(|s| s.len() == t.len() + 1 + fill))
            });
            if let Some(text) = text {
                check_text(&text);
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "only {checked} texts");
}

#[test]
fn encode_checked_semantics() {
    let none = SpecialTokenSet::Listed(Vec::new());
    let all = SpecialTokenSet::All;
    // Leftmost disallowed occurrence is named.
    let e = tk().encode_checked("a <|call|> <|end|>", &none, &all).unwrap_err();
    assert_eq!(e.context.field.as_deref(), Some("<|call|>"));
    // Allowed tokens are skipped by the check.
    let allowed = SpecialTokenSet::Listed(vec!["<|call|>".into()]);
    let e = tk().encode_checked("a <|call|> <|end|>", &allowed, &all).unwrap_err();
    assert_eq!(e.context.field.as_deref(), Some("<|end|>"));
    // Disallowed () disables the check: special text is ordinary text.
    let got = tk().encode_checked("a <|call|>", &none, &none).unwrap();
    assert_eq!(got, tk().encode_ordinary("a <|call|>"));
    // A listed disallowed text may be anything, and is checked even if also allowed.
    let e = tk().encode_checked("say <|end|>", &all, &SpecialTokenSet::Listed(vec!["say".into()])).unwrap_err();
    assert!(e.message.starts_with("Encountered text corresponding to disallowed special token 'say'."));
    // Python repr quoting.
    let e = tk().encode_checked("it's", &none, &SpecialTokenSet::Listed(vec!["it's".into()])).unwrap_err();
    assert!(e.message.starts_with(
        "Encountered text corresponding to disallowed special token \"it's\".\nIf you want this text to be encoded as a special token, pass it to `allowed_special`, e.g. `allowed_special={'it's', ...}`."
    ));
    // allowed = all: nothing left to disallow.
    assert_eq!(tk().encode_checked("<|end|>", &all, &all).unwrap(), [200_007]);
}
