//! Hand-written pre-tokeniser, exactly equivalent to the o200k pattern (SPEC §1.2) matched
//! leftmost-first, without a regex engine.
//!
//! Every character starts a match of some alternative, so the pieces tile the text and the
//! scanner only has to find where the piece starting at `i` ends. Per alternative, with
//! `P = [^\r\n\p{L}\p{N}]`, `U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`, `W = [\p{Ll}\p{Lm}\p{Lo}\p{M}]`,
//! `O = [^\s\p{L}\p{N}]` and `C` the optional contraction:
//!
//! 1. `P? U* W+ C?` — greedy `U*` then backtracking: if the char after the maximal `U` run is in
//!    `Ll`, `W+` takes the maximal `W` run from there; otherwise `U*` gives back chars until the
//!    last one in `U ∩ W` (`Lm Lo M`), which alone forms `W+`; no such char: no match.
//! 2. `P? U+ W*` — reached only when (1) failed for the same prefix choice, i.e. the `U` run is
//!    all `Lu`/`Lt` and followed by no `W` char: the match is that run.
//! 3. `\p{N}{1,3}`.
//! 4. ` ?O+[\r\n/]*`.
//! 5. `\s*[\r\n]+` — ends after the last `\r`/`\n` of the whitespace run.
//! 6. `\s+(?!\S)` — the run at the end of the text, else the run minus its last char (≥ 2 chars).
//! 7. `\s+` — the (single-char) run.
//!
//! The optional prefix `P?` is tried with the prefix first: for a mark (in `P` and in `U ∩ W`)
//! alternative 1 without the prefix always succeeds, before alternative 2 is tried.

use super::tables::{fold_contraction_letter, CLASS_BLOCK, CLASS_BLOCKS, CLASS_INDEX};

pub(crate) const C_OTHER: u8 = 0;
pub(crate) const C_UPPER: u8 = 1; // Lu, Lt
pub(crate) const C_LOWER: u8 = 2; // Ll
pub(crate) const C_BOTH: u8 = 3; // Lm, Lo
pub(crate) const C_MARK: u8 = 4; // M
pub(crate) const C_NUM: u8 = 5; // N
pub(crate) const C_WS: u8 = 6; // \s other than \r \n
pub(crate) const C_NL: u8 = 7; // \r \n

/// Class of a codepoint.
#[inline(always)]
fn class_of_cp(cp: u32) -> u8 {
    let block = CLASS_INDEX.get(cp as usize / CLASS_BLOCK).copied().unwrap_or(0) as usize;
    CLASS_BLOCKS.get(block * CLASS_BLOCK + (cp as usize % CLASS_BLOCK)).copied().unwrap_or(C_OTHER)
}

/// Decodes the char starting at `i` (a char boundary of valid UTF-8, `i < s.len()`).
#[inline(always)]
fn decode_at(s: &[u8], i: usize) -> (u32, usize) {
    let b0 = s[i] as u32;
    if b0 < 0x80 {
        (b0, 1)
    } else if b0 < 0xE0 {
        (((b0 & 0x1F) << 6) | (s[i + 1] as u32 & 0x3F), 2)
    } else if b0 < 0xF0 {
        (decode3(b0 as u8, s[i + 1], s[i + 2]), 3)
    } else {
        (
            ((b0 & 0x07) << 18)
                | ((s[i + 1] as u32 & 0x3F) << 12)
                | ((s[i + 2] as u32 & 0x3F) << 6)
                | (s[i + 3] as u32 & 0x3F),
            4,
        )
    }
}

/// Code point of a three-byte UTF-8 sequence.
#[inline(always)]
fn decode3(b0: u8, b1: u8, b2: u8) -> u32 {
    (b0 as u32 & 0x0F) << 12 | (b1 as u32 & 0x3F) << 6 | b2 as u32 & 0x3F
}

/// Class and byte length of the char at `i` (`i < s.len()`).
#[inline(always)]
fn class_at(s: &[u8], i: usize) -> (u8, usize) {
    let b0 = s[i];
    if b0 < 0x80 {
        (CLASS_BLOCKS[b0 as usize], 1)
    } else {
        let (cp, len) = decode_at(s, i);
        (class_of_cp(cp), len)
    }
}

#[inline(always)]
fn class_at_or_end(s: &[u8], i: usize) -> (u8, usize) {
    if i < s.len() {
        class_at(s, i)
    } else {
        (u8::MAX, 0)
    }
}

/// End of the piece that starts at `i` (`i < s.len()`, a char boundary of valid UTF-8).
#[inline]
pub(crate) fn piece_end(s: &[u8], i: usize) -> usize {
    let (c, len) = class_at(s, i);
    match c {
        C_UPPER | C_LOWER | C_BOTH => match letters(s, i) {
            Letters::Alt1(e) => contraction(s, e),
            Letters::Alt2(e) => contraction(s, e),
            // Unreachable: a letter always matches alternative 1 or 2.
            Letters::None => i + len,
        },
        C_NUM => {
            let mut p = i + len;
            for _ in 0..2 {
                let (c2, l2) = class_at_or_end(s, p);
                if c2 != C_NUM {
                    break;
                }
                p += l2;
            }
            p
        }
        C_NL => whitespace(s, i),
        C_MARK => match letters(s, i + len) {
            Letters::Alt1(e) => contraction(s, e),
            // Without the prefix, the mark itself is in W: alternative 1 always matches.
            _ => match letters(s, i) {
                Letters::Alt1(e) | Letters::Alt2(e) => contraction(s, e),
                Letters::None => i + len,
            },
        },
        _ => {
            // C_OTHER or C_WS: both are in P.
            let j = i + len;
            match letters(s, j) {
                Letters::Alt1(e) | Letters::Alt2(e) => return contraction(s, e),
                Letters::None => {}
            }
            if c == C_OTHER {
                return punct_tail(s, j);
            }
            if s[i] == b' ' {
                let (c2, l2) = class_at_or_end(s, j);
                if c2 == C_OTHER || c2 == C_MARK {
                    return punct_tail(s, j + l2);
                }
            }
            whitespace(s, i)
        }
    }
}

enum Letters {
    Alt1(usize),
    Alt2(usize),
    None,
}

/// `U* W+` (alternative 1) or else `U+ W*` (alternative 2) starting at `j`, without contraction.
#[inline(always)]
fn letters(s: &[u8], j: usize) -> Letters {
    let mut p = j;
    let mut last_w_end = None;
    loop {
        let (c, l) = class_at_or_end(s, p);
        match c {
            C_UPPER => p += l,
            C_BOTH | C_MARK => {
                p += l;
                // Runs of three-byte Lo chars (CJK, kana) are most of the text that reaches here.
                while let Some(&[b0, b1, b2]) = s.get(p..p + 3) {
                    if b0 & 0xf0 != 0xe0 || !matches!(class_of_cp(decode3(b0, b1, b2)), C_BOTH | C_MARK) {
                        break;
                    }
                    p += 3;
                }
                last_w_end = Some(p);
            }
            C_LOWER => {
                // W+ from here: the maximal run of Ll / Lm / Lo / M.
                p += l;
                loop {
                    // Fast path for ASCII lower-case runs.
                    while p < s.len() && s[p].is_ascii_lowercase() {
                        p += 1;
                    }
                    let (c2, l2) = class_at_or_end(s, p);
                    if matches!(c2, C_LOWER | C_BOTH | C_MARK) {
                        p += l2;
                    } else {
                        return Letters::Alt1(p);
                    }
                }
            }
            _ => break,
        }
    }
    match last_w_end {
        Some(e) => Letters::Alt1(e),
        None if p > j => Letters::Alt2(p),
        None => Letters::None,
    }
}

/// The rest of ` ?O+[\r\n/]*` after its first `O` char (which ends at `p`).
#[inline(always)]
fn punct_tail(s: &[u8], mut p: usize) -> usize {
    loop {
        let (c, l) = class_at_or_end(s, p);
        if c == C_OTHER || c == C_MARK {
            p += l;
        } else {
            break;
        }
    }
    while p < s.len() && matches!(s[p], b'\r' | b'\n' | b'/') {
        p += 1;
    }
    p
}

/// Alternatives 5–7 for a whitespace char at `i`.
#[inline(always)]
fn whitespace(s: &[u8], i: usize) -> usize {
    let mut p = i;
    let mut last_start = i;
    let mut last_nl_end = None;
    let mut count = 0usize;
    while p < s.len() {
        let (c, l) = class_at(s, p);
        if c == C_NL {
            last_nl_end = Some(p + l);
        } else if c != C_WS {
            break;
        }
        last_start = p;
        p += l;
        count += 1;
    }
    if let Some(e) = last_nl_end {
        e
    } else if p == s.len() || count < 2 {
        p
    } else {
        last_start
    }
}

/// Extends a letter match ending at `e` by an optional `(?i:'s|'t|'re|'ve|'m|'ll|'d)`.
#[inline(always)]
fn contraction(s: &[u8], e: usize) -> usize {
    if e >= s.len() || s[e] != b'\'' {
        return e;
    }
    let Some((c1, l1)) = folded_letter(s, e + 1) else { return e };
    match c1 {
        b's' | b't' | b'm' | b'd' => e + 1 + l1,
        b'r' | b'v' | b'l' => {
            let want = if c1 == b'l' { b'l' } else { b'e' };
            match folded_letter(s, e + 1 + l1) {
                Some((c2, l2)) if c2 == want => e + 1 + l1 + l2,
                _ => e,
            }
        }
        _ => e,
    }
}

/// The char at `p` case-folded to an ASCII lower-case letter, if it folds to one of the
/// contraction letters (e.g. `S`, `ſ` → `s`), with its byte length.
#[inline(always)]
fn folded_letter(s: &[u8], p: usize) -> Option<(u8, usize)> {
    if p >= s.len() {
        return None;
    }
    let b = s[p];
    if b < 0x80 {
        let l = b.to_ascii_lowercase();
        return matches!(l, b's' | b't' | b'r' | b'e' | b'v' | b'm' | b'l' | b'd').then_some((l, 1));
    }
    let (cp, len) = decode_at(s, p);
    let ch = char::from_u32(cp)?;
    fold_contraction_letter(ch).map(|l| (l, len))
}

/// Iterator over the pieces of a text.
pub(crate) struct Pieces<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Pieces<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Pieces { text, pos: 0 }
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let end = piece_end(self.text.as_bytes(), start);
        self.pos = end;
        self.text.get(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let s = text.as_bytes();
        let mut i = 0;
        while i < s.len() {
            let e = piece_end(s, i);
            assert!(e > i && text.is_char_boundary(e), "bad end {e} at {i} in {text:?}");
            out.push(&text[i..e]);
            i = e;
        }
        out
    }

    #[test]
    fn whitespace_lookahead() {
        assert_eq!(split("a  b"), ["a", " ", " b"]);
        assert_eq!(split("a b"), ["a", " b"]);
        assert_eq!(split("  \n x"), ["  \n", " x"]);
        assert_eq!(split("x   "), ["x", "   "]);
        assert_eq!(split("x \n"), ["x", " \n"]);
        assert_eq!(split("a\r\n\r\nb"), ["a", "\r\n\r\n", "b"]);
        assert_eq!(split("a\n\n  b"), ["a", "\n\n", " ", " b"]);
        assert_eq!(split("\t\tx"), ["\t", "\tx"]);
        assert_eq!(split(" \u{3000}x"), [" ", "\u{3000}x"]);
        assert_eq!(split("a \t1"), ["a", " ", "\t", "1"]);
        assert_eq!(split(" "), [" "]);
        assert_eq!(split("\n"), ["\n"]);
        assert_eq!(split(" ."), [" ."]);
        assert_eq!(split("  ."), [" ", " ."]);
    }

    #[test]
    fn letters_and_contractions() {
        assert_eq!(split("Hello world"), ["Hello", " world"]);
        assert_eq!(split("HELLO World"), ["HELLO", " World"]);
        assert_eq!(split("don't"), ["don't"]);
        assert_eq!(split("DON'T"), ["DON'T"]);
        assert_eq!(split("he'S"), ["he'S"]);
        assert_eq!(split("we'Re they'LL"), ["we'Re", " they'LL"]);
        assert_eq!(split("it'ſ"), ["it'ſ"]);
        assert_eq!(split("x'q"), ["x", "'q"]);
        assert_eq!(split("camelCaseWord"), ["camel", "Case", "Word"]);
        assert_eq!(split("ABCdef"), ["ABCdef"]);
        assert_eq!(split("'s"), ["'s"]);
    }

    #[test]
    fn digits_and_punct() {
        assert_eq!(split("1234567"), ["123", "456", "7"]);
        assert_eq!(split("x=1;\n/y"), ["x", "=", "1", ";\n/", "y"]);
        assert_eq!(split("...\n\n"), ["...\n\n"]);
        assert_eq!(split("a/b"), ["a", "/b"]);
        assert_eq!(split("²³¹⁴"), ["²³¹", "⁴"]);
    }

    #[test]
    fn scripts() {
        assert_eq!(split("你好世界。再见"), ["你好世界", "。再见"]);
        assert_eq!(split("Привет, мир"), ["Привет", ",", " мир"]);
        assert_eq!(split("🙂🙂 x"), ["🙂🙂", " x"]);
        // A mark after punctuation joins it as W+.
        assert_eq!(split(".\u{301}"), [".\u{301}"]);
        // Mark then upper-case: alternative 1 without the prefix takes the mark alone.
        assert_eq!(split("\u{301}A"), ["\u{301}", "A"]);
    }
}
