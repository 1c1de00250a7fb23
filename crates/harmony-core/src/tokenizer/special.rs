//! Special tokens: id ↔ text, scanning text for special-token texts, and the pieces of the
//! tiktoken-compatible disallowed-special check (including Python's `repr`).

use super::tables::{NON_PRINTABLE, SPECIAL_TEXTS};
use super::{SpecialTokenSet, FIRST_SPECIAL, LAST_SPECIAL};

const N_SPECIAL: usize = (LAST_SPECIAL - FIRST_SPECIAL + 1) as usize;
/// Longest name between `<|` and `|>` (`reserved_200000`).
const MAX_NAME: usize = 15;

/// Text of special token `id`.
#[inline]
pub(crate) fn text(id: u32) -> Option<&'static str> {
    SPECIAL_TEXTS.get(id.checked_sub(FIRST_SPECIAL)? as usize).copied()
}

/// Id of the special token whose text is exactly `bytes`.
pub(crate) fn id_of(bytes: &[u8]) -> Option<u32> {
    let name = bytes.strip_prefix(b"<|")?.strip_suffix(b"|>")?;
    let id = match name {
        b"startoftext" => 199_998,
        b"endoftext" => 199_999,
        b"return" => 200_002,
        b"constrain" => 200_003,
        b"channel" => 200_005,
        b"start" => 200_006,
        b"end" => 200_007,
        b"message" => 200_008,
        b"call" => 200_012,
        _ => {
            let digits = name.strip_prefix(b"reserved_")?;
            if digits.len() != 6 || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let id = digits.iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
            // Named ids have no `reserved_` spelling.
            if text(id)?.as_bytes() != bytes {
                return None;
            }
            id
        }
    };
    Some(id)
}

/// The special token starting at byte `p` of `s`, as `(end, id)`.
#[inline]
fn special_at(s: &[u8], p: usize) -> Option<(usize, u32)> {
    let rest = s.get(p + 2..)?;
    // A name never contains `|`, so only the first `|` after `<|` can close a special token.
    let window = &rest[..rest.len().min(MAX_NAME + 1)];
    let bar = memchr::memchr(b'|', window)?;
    if rest.get(bar + 1) != Some(&b'>') {
        return None;
    }
    let end = p + 2 + bar + 2;
    let id = id_of(s.get(p..end)?)?;
    Some((end, id))
}

/// Leftmost special-token text in `s` at or after `from`: `(start, end, id)`.
#[inline]
pub(crate) fn find(s: &[u8], mut from: usize) -> Option<(usize, usize, u32)> {
    while from < s.len() {
        let p = from + memchr::memmem::find(s.get(from..)?, b"<|")?;
        if let Some((end, id)) = special_at(s, p) {
            return Some((p, end, id));
        }
        from = p + 1;
    }
    None
}

/// A set of special-token ids, as a bitmap.
#[derive(Clone)]
pub(crate) struct IdSet {
    bits: [u64; N_SPECIAL.div_ceil(64)],
    any: bool,
}

impl IdSet {
    pub(crate) fn all() -> Self {
        IdSet { bits: [u64::MAX; N_SPECIAL.div_ceil(64)], any: true }
    }

    /// The special tokens named in `set` (texts that are not special tokens are ignored).
    pub(crate) fn from_set(set: &SpecialTokenSet) -> Self {
        match set {
            SpecialTokenSet::All => Self::all(),
            SpecialTokenSet::Listed(texts) => {
                let mut s = IdSet { bits: [0; N_SPECIAL.div_ceil(64)], any: false };
                for t in texts {
                    if let Some(id) = id_of(t.as_bytes()) {
                        let i = (id - FIRST_SPECIAL) as usize;
                        s.bits[i / 64] |= 1 << (i % 64);
                        s.any = true;
                    }
                }
                s
            }
        }
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        !self.any
    }

    #[inline]
    pub(crate) fn contains(&self, id: u32) -> bool {
        match id.checked_sub(FIRST_SPECIAL) {
            Some(i) if (i as usize) < N_SPECIAL => self.bits[i as usize / 64] & (1 << (i % 64)) != 0,
            _ => false,
        }
    }
}

/// Leftmost occurrence of any of `texts` in `s` (longest on a tie; an empty text matches at 0).
pub(crate) fn find_any<'t>(s: &str, texts: &'t [String]) -> Option<&'t str> {
    let mut best: Option<(usize, &str)> = None;
    for t in texts {
        if let Some(p) = memchr::memmem::find(s.as_bytes(), t.as_bytes()) {
            let better = match best {
                None => true,
                Some((bp, bt)) => p < bp || (p == bp && t.len() > bt.len()),
            };
            if better {
                best = Some((p, t));
            }
        }
    }
    best.map(|(_, t)| t)
}

/// Python's `repr(str)`.
pub(crate) fn py_repr(s: &str) -> String {
    use std::fmt::Write as _;
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        let cp = ch as u32;
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            _ if cp < 0x20 || cp == 0x7f => {
                let _ = write!(out, "\\x{cp:02x}");
            }
            c if cp < 0x7f => out.push(c),
            _ if is_non_printable(cp) => {
                let _ = if cp < 0x100 {
                    write!(out, "\\x{cp:02x}")
                } else if cp < 0x1_0000 {
                    write!(out, "\\u{cp:04x}")
                } else {
                    write!(out, "\\U{cp:08x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn is_non_printable(cp: u32) -> bool {
    NON_PRINTABLE
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The tiktoken / Python error message for a disallowed special-token text.
pub(crate) fn disallowed_message(token: &str) -> String {
    format!(
        "Encountered text corresponding to disallowed special token {}.\n\
         If you want this text to be encoded as a special token, pass it to `allowed_special`, \
         e.g. `allowed_special={{'{token}', ...}}`.\n\
         If you want this text to be encoded as normal text, disable the check for this token \
         by passing `disallowed_special=(enc.special_tokens_set - {{'{token}'}})`.\n\
         To disable this check for all special tokens, pass `disallowed_special=()`.\n",
        py_repr(token)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_texts() {
        assert_eq!(id_of(b"<|end|>"), Some(200_007));
        assert_eq!(id_of(b"<|reserved_200013|>"), Some(200_013));
        assert_eq!(id_of(b"<|reserved_201088|>"), Some(201_088));
        assert_eq!(id_of(b"<|reserved_201089|>"), None);
        assert_eq!(id_of(b"<|reserved_200007|>"), None);
        assert_eq!(id_of(b"<|reserved_199998|>"), None);
        assert_eq!(id_of(b"<|refusal|>"), None);
        assert_eq!(id_of(b"<|end|"), None);
        assert_eq!(text(200_006), Some("<|start|>"));
        assert_eq!(text(201_089), None);
        assert_eq!(text(5), None);
        for id in FIRST_SPECIAL..=LAST_SPECIAL {
            assert_eq!(text(id).and_then(|t| id_of(t.as_bytes())), Some(id));
        }
    }

    #[test]
    fn scanning() {
        let s = b"a<|<|end|><|x|><|start|";
        assert_eq!(find(s, 0), Some((3, 10, 200_007)));
        assert_eq!(find(s, 4), None);
        assert_eq!(find(b"<|call|><|end|>", 1), Some((8, 15, 200_007)));
        assert_eq!(find(b"<||><|return|>", 0), Some((4, 14, 200_002)));
    }

    #[test]
    fn repr() {
        assert_eq!(py_repr("<|end|>"), "'<|end|>'");
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("'\""), "'\\'\"'");
        assert_eq!(py_repr("a\\b\n\x00\u{7f}é\u{a0}\u{200b}\u{e000}😀"), "'a\\\\b\\n\\x00\\x7fé\\xa0\\u200b\\ue000😀'");
    }

    #[test]
    fn any() {
        let t = vec!["b".to_string(), "abc".to_string(), "ab".to_string()];
        assert_eq!(find_any("xxabc", &t), Some("abc"));
        assert_eq!(find_any("xxb", &t), Some("b"));
        assert_eq!(find_any("xx", &t), None);
        assert_eq!(find_any("xx", &["".to_string()]), Some(""));
    }
}
