//! Generates the tokenizer's static data into OUT_DIR so nothing is parsed at run time:
//!
//! * `vocab_blob.bin`    — the bytes of tokens 0 ..= 199 997, concatenated, then 16 zero bytes
//!   (so decoding may copy 16 bytes from any token's start);
//! * `vocab_offsets.bin` — 199 999 `u32` offsets into the blob;
//! * `vocab_table.bin`   — open-addressing hash table (16-byte slots `a: u64, c: u32,
//!   rank | len << 24: u32`) keyed by token bytes, laid out by `src/tokenizer/keyhash.rs`;
//! * `vocab_filter.bin`  — Bloom filter of the token keys in front of the table (`keyhash.rs`);
//! * `vocab_utf8.bin`    — one bit per token: its bytes are valid UTF-8 on their own (the
//!   streaming parser appends such tokens as text without validating them again);
//! * `vocab_pair2.bin`   — rank of every 2-byte string (`u32::MAX` if none), indexed by
//!   `b0 | b1 << 8`: the first round of every merge hits this small table instead;
//! * `vocab_inner_pairs.bin` — one bit per 2-byte string (index `b0 | b1 << 8`): it occurs
//!   inside some token (a piece can be cut between two bytes that form no such pair);
//! * `vocab_risks.bin`   — the neighbours that keep a char from starting a merge as one part
//!   (`atomic_chars`, `keyhash::risk_key`);
//! * `tokenizer_tables.rs` — byte ranks, the chars that may start a merge as one part (see
//!   `atomic_chars`), Unicode class tables for the pre-tokeniser (taken from
//!   `regex-syntax`, so the Unicode version is the one the `regex` crate uses), case folds of the
//!   contraction letters, Python's non-printable ranges (for `repr`), special-token texts.
//!
//! Binary files are written in the target's endianness and read zero-copy.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

#[allow(dead_code)]
#[path = "src/tokenizer/keyhash.rs"]
mod keyhash;

const N_RANKS: u32 = 199_998;
const FIRST_SPECIAL: u32 = 199_998;
const LAST_SPECIAL: u32 = 201_088;

// Pre-tokeniser character classes (must match `pretokenize.rs`).
const C_OTHER: u8 = 0;
const C_UPPER: u8 = 1; // Lu, Lt
const C_LOWER: u8 = 2; // Ll
const C_BOTH: u8 = 3; // Lm, Lo (in both letter classes of the regex)
const C_MARK: u8 = 4; // M
const C_NUM: u8 = 5; // N
const C_WS: u8 = 6; // \s except \r \n
const C_NL: u8 = 7; // \r \n

const BLOCK: usize = 128;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/tokenizer/keyhash.rs");
    if let Err(e) = run() {
        println!("cargo:warning=harmony-core build script failed: {e}");
        std::process::exit(1);
    }
}

type BoxErr = Box<dyn std::error::Error>;

fn run() -> Result<(), BoxErr> {
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let big_endian = std::env::var("CARGO_CFG_TARGET_ENDIAN").as_deref() == Ok("big");
    let u32b = |v: u32| if big_endian { v.to_be_bytes() } else { v.to_le_bytes() };
    let u64b = |v: u64| if big_endian { v.to_be_bytes() } else { v.to_le_bytes() };

    // ---- vocabulary ----
    let bpe = tiktoken_rs::o200k_base()?;
    let mut tokens: Vec<Vec<u8>> = Vec::with_capacity(N_RANKS as usize);
    for rank in 0..N_RANKS {
        let bytes = bpe.decode_bytes(&[rank]).map_err(|_| format!("vocabulary gap: rank {rank} missing"))?;
        if bytes.is_empty() {
            return Err(format!("rank {rank} has empty bytes").into());
        }
        tokens.push(bytes);
    }
    // Nothing beyond the last rank except o200k_base's own specials (199 999, 200 018).
    for rank in [N_RANKS, 200_000, 200_001, 201_088, 250_000] {
        if bpe.decode_bytes(&[rank]).is_ok() {
            return Err(format!("unexpected rank {rank} in o200k_base").into());
        }
    }

    let mut blob = Vec::new();
    let mut offsets = Vec::with_capacity(tokens.len() * 4 + 4);
    let mut max_len = 0;
    for t in &tokens {
        offsets.extend_from_slice(&u32b(blob.len() as u32));
        blob.extend_from_slice(t);
        max_len = max_len.max(t.len());
    }
    offsets.extend_from_slice(&u32b(blob.len() as u32));

    // Hash table with linear probing.
    let mask = keyhash::TABLE_SLOTS - 1;
    let mut slots: Vec<Option<(u64, u32, u32)>> = vec![None; keyhash::TABLE_SLOTS];
    let mut max_probe = 0usize;
    let mut seen: HashMap<&[u8], u32> = HashMap::with_capacity(tokens.len());
    let mut filter = vec![0u64; keyhash::FILTER_WORDS];
    for (rank, t) in tokens.iter().enumerate() {
        if let Some(prev) = seen.insert(t.as_slice(), rank as u32) {
            return Err(format!("duplicate token bytes for ranks {prev} and {rank}").into());
        }
        let (a, c) = keyhash::key(t);
        let h = keyhash::hash(a, c, t.len());
        let (word, bits) = keyhash::filter_probe(h);
        filter[word] |= bits;
        let mut i = keyhash::slot_index(h);
        let mut probe = 0;
        while slots[i].is_some() {
            i = (i + 1) & mask;
            probe += 1;
        }
        max_probe = max_probe.max(probe);
        if t.len() > 255 || rank >= 1 << 24 {
            return Err("token too long for the slot layout".into());
        }
        slots[i] = Some((a, c, rank as u32 | (t.len() as u32) << 24));
    }
    let mut table = Vec::with_capacity(keyhash::TABLE_SLOTS * 16);
    for s in &slots {
        let (a, c, meta) = s.unwrap_or((0, 0, 0));
        table.extend_from_slice(&u64b(a));
        table.extend_from_slice(&u32b(c));
        table.extend_from_slice(&u32b(meta));
    }
    let mut pair2 = Vec::with_capacity(65536 * 4);
    for i in 0..65536u32 {
        let key = [(i & 0xff) as u8, (i >> 8) as u8];
        pair2.extend_from_slice(&u32b(seen.get(key.as_slice()).copied().unwrap_or(u32::MAX)));
    }
    std::fs::write(out.join("vocab_pair2.bin"), &pair2)?;
    // Which byte pairs occur inside some token: where no token holds the two bytes at a
    // position of a piece, no merge can ever cross it (`bpe::merge_long` cuts there).
    let mut inner = vec![0u64; 65536 / 64];
    for t in &tokens {
        for w in t.windows(2) {
            let i = w[0] as usize | (w[1] as usize) << 8;
            inner[i / 64] |= 1 << (i % 64);
        }
    }
    let inner: Vec<u8> = inner.into_iter().flat_map(u64b).collect();
    std::fs::write(out.join("vocab_inner_pairs.bin"), &inner)?;
    let mut utf8 = vec![0u64; tokens.len().div_ceil(64)];
    for (rank, t) in tokens.iter().enumerate() {
        if std::str::from_utf8(t).is_ok() {
            utf8[rank / 64] |= 1 << (rank % 64);
        }
    }
    let utf8: Vec<u8> = utf8.into_iter().flat_map(u64b).collect();
    std::fs::write(out.join("vocab_utf8.bin"), &utf8)?;
    std::fs::write(out.join("vocab_blob.bin"), [blob.as_slice(), &[0; 16]].concat())?;
    std::fs::write(out.join("vocab_offsets.bin"), &offsets)?;
    std::fs::write(out.join("vocab_table.bin"), &table)?;
    let filter: Vec<u8> = filter.into_iter().flat_map(u64b).collect();
    std::fs::write(out.join("vocab_filter.bin"), &filter)?;

    let mut src = String::new();
    writeln!(src, "// @generated by build.rs")?;
    writeln!(src, "/// Length in bytes of the longest ordinary token.")?;
    writeln!(src, "pub(crate) const MAX_TOKEN_LEN: usize = {max_len};")?;
    writeln!(src, "/// Length of the vocabulary blob.")?;
    writeln!(src, "pub(crate) const BLOB_LEN: usize = {};", blob.len())?;
    writeln!(src, "#[allow(dead_code)]\npub(crate) const MAX_PROBE: usize = {max_probe};")?;

    let mut byte_ranks = Vec::new();
    for b in 0..=255u8 {
        byte_ranks.push(*seen.get([b].as_slice()).ok_or(format!("byte {b} not in vocabulary"))?);
    }
    static_array(&mut src, "Rank of each single byte.", "BYTE_RANK", "u32", &byte_ranks)?;

    let (atomic, risks) = atomic_chars(&tokens, &seen)?;
    let (index, blocks) = two_level(&atomic);
    static_array(
        &mut src,
        &format!("Block number of each {BLOCK}-codepoint block of `ATOMIC_BLOCKS` (below U+10000)."),
        "ATOMIC_INDEX",
        "u16",
        &index,
    )?;
    static_array(
        &mut src,
        "Per char that may start merging as one part, its rank and risk flags (`keyhash::ATOMIC_RANK`\n/// and the `RISK_*` flags; build.rs, `atomic_chars`); `u32::MAX` for others. By distinct block.",
        "ATOMIC_BLOCKS",
        "u32",
        &blocks,
    )?;
    let risks: Vec<u8> = risks.into_iter().flat_map(u64b).collect();
    std::fs::write(out.join("vocab_risks.bin"), &risks)?;

    // ---- Unicode classes of the o200k pattern ----
    let class_of = |pat: &str| -> Result<Vec<(u32, u32)>, BoxErr> { unicode_class(pat) };
    let mut cls = vec![C_OTHER; 0x11_0000];
    let mut assign = |ranges: &[(u32, u32)], c: u8| -> Result<(), BoxErr> {
        for &(lo, hi) in ranges {
            for cp in lo..=hi {
                let slot = &mut cls[cp as usize];
                if *slot != C_OTHER {
                    return Err(format!("U+{cp:04X} in two classes ({} and {c})", *slot).into());
                }
                *slot = c;
            }
        }
        Ok(())
    };
    assign(&class_of(r"[\p{Lu}\p{Lt}]")?, C_UPPER)?;
    assign(&class_of(r"\p{Ll}")?, C_LOWER)?;
    assign(&class_of(r"[\p{Lm}\p{Lo}]")?, C_BOTH)?;
    assign(&class_of(r"\p{M}")?, C_MARK)?;
    assign(&class_of(r"\p{N}")?, C_NUM)?;
    assign(&class_of(r"[\s--[\r\n]]")?, C_WS)?;
    assign(&class_of(r"[\r\n]")?, C_NL)?;
    // Sanity: the letter classes cover exactly \p{L}.
    let letters: usize = class_of(r"\p{L}")?.iter().map(|&(a, b)| (b - a + 1) as usize).sum();
    let ours = cls.iter().filter(|&&c| matches!(c, C_UPPER | C_LOWER | C_BOTH)).count();
    if letters != ours {
        return Err("letter classes do not partition \\p{L}".into());
    }

    let (index, blocks) = two_level(&cls);
    writeln!(src, "/// Codepoints per block of the class table.\npub(crate) const CLASS_BLOCK: usize = {BLOCK};")?;
    static_array(&mut src, &format!("Block number of each {BLOCK}-codepoint block."), "CLASS_INDEX", "u16", &index)?;
    static_array(&mut src, "Classes of the distinct blocks.", "CLASS_BLOCKS", "u8", &blocks)?;

    // Case-insensitive forms of the contraction letters (`(?i:'s|'t|'re|'ve|'m|'ll|'d)`).
    writeln!(src, "/// ASCII lower-case letter a non-ASCII char case-folds to, for the contraction letters.")?;
    writeln!(src, "#[inline]\npub(crate) fn fold_contraction_letter(c: char) -> Option<u8> {{\n    match c {{")?;
    for letter in ['s', 't', 'r', 'e', 'v', 'm', 'l', 'd'] {
        for (lo, hi) in class_of(&format!("(?i:{letter})"))? {
            for cp in lo..=hi {
                if cp >= 0x80 {
                    writeln!(src, "        '\\u{{{cp:x}}}' => Some(b'{letter}'),")?;
                }
            }
        }
    }
    writeln!(src, "        _ => None,\n    }}\n}}")?;

    // Python's str.isprintable() is false for Cc Cf Cs Co Cn Zl Zp Zs, except U+0020.
    let np = class_of(r"[[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]--[ ]]")?;
    static_array(
        &mut src,
        "Inclusive ranges of chars Python's `repr` escapes (non-printable), sorted.",
        "NON_PRINTABLE",
        "(u32, u32)",
        &np,
    )?;

    // ---- special tokens ----
    let mut texts = Vec::new();
    for id in FIRST_SPECIAL..=LAST_SPECIAL {
        let t = match id {
            199_998 => "<|startoftext|>".to_string(),
            199_999 => "<|endoftext|>".to_string(),
            200_002 => "<|return|>".to_string(),
            200_003 => "<|constrain|>".to_string(),
            200_005 => "<|channel|>".to_string(),
            200_006 => "<|start|>".to_string(),
            200_007 => "<|end|>".to_string(),
            200_008 => "<|message|>".to_string(),
            200_012 => "<|call|>".to_string(),
            _ => format!("<|reserved_{id}|>"),
        };
        texts.push(format!("{t:?}"));
    }
    writeln!(
        src,
        "/// Texts of the special tokens, indexed by `id - FIRST_SPECIAL`.\npub(crate) static SPECIAL_TEXTS: [&str; {}] = [{}];",
        texts.len(),
        texts.join(",")
    )?;

    std::fs::write(out.join("tokenizer_tables.rs"), src)?;
    Ok(())
}

/// Writes `pub(crate) static {name}: [{ty}; N] = [...]` with its doc line.
fn static_array<T: std::fmt::Debug>(
    src: &mut String,
    doc: &str,
    name: &str,
    ty: &str,
    values: &[T],
) -> std::fmt::Result {
    writeln!(src, "/// {doc}\npub(crate) static {name}: [{ty}; {}] = {values:?};", values.len())
}

/// A per-codepoint table as `BLOCK`-sized blocks, each distinct block stored once: the block
/// number of each block, and the distinct blocks concatenated.
fn two_level<T: Copy + Eq + std::hash::Hash>(values: &[T]) -> (Vec<u16>, Vec<T>) {
    let mut block_ids: HashMap<&[T], u16> = HashMap::new();
    let mut blocks = Vec::new();
    let mut index = Vec::new();
    for chunk in values.chunks(BLOCK) {
        let next = block_ids.len() as u16;
        let id = *block_ids.entry(chunk).or_insert_with(|| {
            blocks.extend_from_slice(chunk);
            next
        });
        index.push(id);
    }
    (index, blocks)
}

/// Expected length of a UTF-8 sequence from its first byte (0 for a continuation or invalid byte).
fn utf8_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 0,
    }
}

fn is_continuation(b: u8) -> bool {
    b & 0xc0 == 0x80
}

/// Ranks of the merges byte-pair encoding makes on `bytes` alone, and its final tokens.
fn merge_alone(bytes: &[u8], ranks: &HashMap<&[u8], u32>) -> (Vec<u32>, usize) {
    let mut parts: Vec<&[u8]> = bytes.chunks(1).collect();
    let mut merges = Vec::new();
    loop {
        let best = (0..parts.len().saturating_sub(1))
            .filter_map(|i| ranks.get([parts[i], parts[i + 1]].concat().as_slice()).map(|&r| (r, i)))
            .min();
        let Some((r, i)) = best else { return (merges, parts.len()) };
        let start: usize = parts[..i].iter().map(|p| p.len()).sum();
        parts[i] = &bytes[start..start + parts[i].len() + parts[i + 1].len()];
        parts.remove(i + 1);
        merges.push(r);
    }
}

/// The chars merging may start from as one part (`split_parts`): for each code point below
/// U+10000 whose UTF-8 bytes `c` are a token that `c`'s bytes alone merge into, that token's
/// rank with the `keyhash::RISK_*` flags (`risk_flag`); `u32::MAX` for the others (ASCII is one
/// byte anyway). And a Bloom filter of the `risk_key`s: the neighbours that forbid it.
///
/// Let `m` be the highest rank among the merges that turn `c`'s bytes alone into `c`. While `c`
/// is still split, one of those merges (rank ≤ `m`) is always available, so the merge loop picks
/// no pair of rank > `m` that touches `c`. So if no token of rank ≤ `m` that joins a proper part
/// of `c` with a neighbour (a proper prefix of `c` after other bytes, or a proper suffix before
/// other bytes) or that holds `c` with other bytes can be formed where `c` stands, no merge
/// touches `c` from outside before `c` is whole, and no merge that `c` as one part enables comes
/// earlier than it would have: both starts go through the same merges outside `c`, in the same
/// order. A token can only be formed where its bytes are the text: the risk keys record, for each
/// such low-ranked token, the (at most two) bytes next to `c` it needs, and `split_parts` keeps
/// `c` as bytes when the text has them.
fn atomic_chars<'t>(tokens: &'t [Vec<u8>], ranks: &HashMap<&[u8], u32>) -> Result<(Vec<u32>, Vec<u64>), BoxErr> {
    // Tokens by what of a char they hold: an incomplete char prefix at the end (after other
    // bytes `x`), a run of continuation bytes at the start (before other bytes `y`), a whole
    // char with other bytes around it (`x` before, `y` after).
    type Near<'t> = Vec<(u32, &'t [u8], &'t [u8])>;
    let mut ends_with_prefix: HashMap<&'t [u8], Near<'t>> = HashMap::new();
    let mut starts_with_suffix: HashMap<&'t [u8], Near<'t>> = HashMap::new();
    let mut contains: HashMap<&'t [u8], Near<'t>> = HashMap::new();
    for (rank, t) in tokens.iter().enumerate() {
        let rank = rank as u32;
        if let Some(j) = t.iter().rposition(|&b| !is_continuation(b)) {
            let need = utf8_len(t[j]);
            if j > 0 && need > 1 && t.len() - j < need {
                ends_with_prefix.entry(&t[j..]).or_default().push((rank, &t[..j], &[]));
            }
        }
        let lead = t.iter().take_while(|&&b| is_continuation(b)).count();
        if lead > 0 && lead < t.len() {
            starts_with_suffix.entry(&t[..lead]).or_default().push((rank, &[], &t[lead..]));
        }
        for i in 0..t.len() {
            let need = utf8_len(t[i]);
            if need > 1
                && t.len() > need
                && i + need <= t.len()
                && t[i + 1..i + need].iter().all(|&b| is_continuation(b))
            {
                contains.entry(&t[i..i + need]).or_default().push((rank, &t[..i], &t[i + need..]));
            }
        }
    }
    let mut table = vec![u32::MAX; 0x10000];
    let mut risks = vec![0u64; keyhash::RISK_WORDS];
    let mut keys = std::collections::HashSet::new();
    for (cp, slot) in table.iter_mut().enumerate().skip(0x80) {
        let Some(ch) = char::from_u32(cp as u32) else { continue };
        let mut buf = [0u8; 4];
        let c = ch.encode_utf8(&mut buf).as_bytes();
        let Some(&rank) = ranks.get(c) else { continue };
        let (merges, parts) = merge_alone(c, ranks);
        if parts != 1 {
            continue;
        }
        let m = merges.iter().copied().max().unwrap_or(rank);
        if rank > keyhash::ATOMIC_RANK {
            return Err(format!("rank {rank} does not fit an atomic-char entry").into());
        }
        let mut entry = rank;
        let near = (1..c.len())
            .flat_map(|k| [ends_with_prefix.get(&c[..k]), starts_with_suffix.get(&c[k..])])
            .chain([contains.get(c)])
            .flatten()
            .flatten();
        for &(r, x, y) in near {
            if r > m {
                continue;
            }
            for (right, bytes) in [(false, &x[x.len().saturating_sub(2)..]), (true, &y[..y.len().min(2)])] {
                if bytes.is_empty() {
                    continue;
                }
                entry |= risk_flag(entry, right, bytes);
                let key = keyhash::risk_key(cp as u16, right, bytes);
                keys.insert(key);
                for bit in keyhash::risk_bits(key) {
                    risks[bit / 64] |= 1 << (bit % 64);
                }
            }
        }
        *slot = entry;
    }
    // Past ~1 key per 16 bits the filter's false "at risk" answers (each keeps a char as
    // bytes) would start to cost more merges than the small filter saves.
    if keys.len() * 16 > keyhash::RISK_WORDS * 64 {
        return Err(format!("{} neighbour risks overfill the filter", keys.len()).into());
    }
    Ok((table, risks))
}

/// The flags an atomic-char `entry` gains from a risk `bytes` (1 or 2, in text order) on its
/// `right` or left: the kind of neighbour it needs, so that run time probes the filter only for
/// neighbours of a kind some risk has. One lead byte of two-byte right risks is recorded exactly
/// (most chars have only one); any other sets `RISK_RIGHT_TWO`.
fn risk_flag(entry: u32, right: bool, bytes: &[u8]) -> u32 {
    use keyhash::*;
    match (right, bytes) {
        (false, [b]) if *b < 0x80 => RISK_LEFT_ASCII,
        (false, [_]) => RISK_LEFT_HIGH,
        (false, _) => RISK_LEFT_TWO,
        (true, [_]) => RISK_RIGHT_ONE,
        (true, [b, ..]) if *b >= LEAD_BASE && entry & RISK_RIGHT_LEAD == 0 => {
            RISK_RIGHT_LEAD | ((*b - LEAD_BASE) as u32) << LEAD_SHIFT
        }
        (true, [b, ..]) if entry & RISK_RIGHT_LEAD != 0 && risk_lead(entry) == *b => 0,
        (true, _) => RISK_RIGHT_TWO,
    }
}

/// The inclusive codepoint ranges of a regex character class, as `regex-syntax` understands it.
fn unicode_class(pattern: &str) -> Result<Vec<(u32, u32)>, BoxErr> {
    use regex_syntax::hir::{Class, HirKind};
    let hir = regex_syntax::ParserBuilder::new().build().parse(pattern)?;
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            Ok(c.ranges().iter().map(|r| (r.start() as u32, r.end() as u32)).collect())
        }
        HirKind::Literal(lit) => {
            let s = std::str::from_utf8(&lit.0)?;
            Ok(s.chars().map(|c| (c as u32, c as u32)).collect())
        }
        _ => Err(format!("{pattern} is not a class").into()),
    }
}
