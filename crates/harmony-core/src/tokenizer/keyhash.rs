//! Key packing and hashing of token byte strings, shared verbatim by `build.rs` (which builds the
//! embedded hash table) and the run-time lookup: both sides must compute the same slot.
//!
//! A key is `(a, c)`: `a` holds bytes 0..8 and `c` bytes 8..12, both zero-padded little-endian
//! loads; for strings longer than 12 bytes `c` holds the last 4 bytes instead. With the length,
//! the key identifies strings of up to 12 bytes exactly (99 % of the vocabulary), so most lookups
//! never touch the byte blob. Slots are 16 bytes, four to a cache line.
//!
//! In front of the table (8 MiB, so a probe is usually a cache miss) sits a blocked Bloom
//! filter of 256 KiB, which stays in L2: one 64-bit word per key with `FILTER_HASHES` bits set.
//! Most probes of a merge loop ask about strings that are not tokens (nine in ten on CJK text),
//! and the filter answers nearly all of those without touching the table.

/// log2 of the number of slots of the open-addressing table (load factor ≈ 0.38).
pub const TABLE_BITS: u32 = 19;
/// Number of slots.
pub const TABLE_SLOTS: usize = 1 << TABLE_BITS;
/// Strings up to this length are identified by their key alone.
pub const EXACT_KEY_LEN: usize = 12;

/// Packs `bytes` into its key (empty gives `(0, 0)`).
#[inline(always)]
pub fn key(bytes: &[u8]) -> (u64, u32) {
    let n = bytes.len();
    if n > 8 {
        let a = load8(bytes, 0);
        let c = if n <= 12 { load_upto4(&bytes[8..]) } else { load4(bytes, n - 4) };
        (a, c)
    } else if n >= 4 {
        // Two overlapping 4-byte loads; OR is harmless on the overlap (same bytes).
        let lo = load4(bytes, 0) as u64;
        let hi = load4(bytes, n - 4) as u64;
        (lo | (hi << ((n - 4) * 8)), 0)
    } else {
        (load_upto4(bytes) as u64, 0)
    }
}

/// log2 of the number of 64-bit words of the filter.
pub const FILTER_BITS: u32 = 15;
/// Number of words of the filter.
pub const FILTER_WORDS: usize = 1 << FILTER_BITS;
/// Bits a key sets in its filter word.
const FILTER_HASHES: u32 = 5;

/// Hash of a key: a folded 128-bit multiply, then one more multiply so the top bits depend on
/// every input bit.
#[inline(always)]
pub fn hash(a: u64, c: u32, len: usize) -> u64 {
    let x = a ^ 0x243f_6a88_85a3_08d3;
    let y = ((c as u64) << 8 | len as u64) ^ 0x1319_8a2e_0370_7344;
    let p = (x as u128).wrapping_mul(y as u128);
    let h = (p as u64) ^ ((p >> 64) as u64);
    h.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Table slot of a hash: its top `TABLE_BITS` bits.
#[inline(always)]
pub fn slot_index(hash: u64) -> usize {
    (hash >> (64 - TABLE_BITS)) as usize
}

/// Filter word of a hash and the bits its key sets there, from the top bits of a second multiply
/// (independent of the slot index): the bits are one of `FILTER_PATTERNS`, a table load instead
/// of computing `FILTER_HASHES` bit positions per probe.
#[inline(always)]
pub fn filter_probe(hash: u64) -> (usize, u64) {
    let f = hash.wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    let word = (f >> (64 - FILTER_BITS)) as usize;
    let pattern = (f >> (64 - FILTER_BITS - PATTERN_BITS)) as usize & (PATTERNS - 1);
    (word, FILTER_PATTERNS[pattern])
}

/// log2 of the number of bit patterns of the filter.
const PATTERN_BITS: u32 = 10;
const PATTERNS: usize = 1 << PATTERN_BITS;

/// The bit patterns a key may set in its filter word (8 KiB): `FILTER_HASHES` distinct bits
/// each, from a fixed pseudo-random sequence.
static FILTER_PATTERNS: [u64; PATTERNS] = filter_patterns();

const fn filter_patterns() -> [u64; PATTERNS] {
    let mut out = [0u64; PATTERNS];
    let mut state = 0u64;
    let mut i = 0;
    while i < PATTERNS {
        let mut bits = 0u64;
        while bits.count_ones() < FILTER_HASHES {
            // splitmix64
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            bits |= 1 << (z >> 58);
        }
        out[i] = bits;
        i += 1;
    }
    out
}

/// Zero-padded little-endian load of 0 ..= 4 bytes.
#[inline(always)]
fn load_upto4(bytes: &[u8]) -> u32 {
    let n = bytes.len();
    if n >= 4 {
        load4(bytes, 0)
    } else if n > 0 {
        // Bytes 0, n/2 and n-1 cover every position of a 1..=3-byte string.
        (bytes[0] as u32) | ((bytes[n / 2] as u32) << ((n / 2) * 8)) | ((bytes[n - 1] as u32) << ((n - 1) * 8))
    } else {
        0
    }
}

#[inline(always)]
fn load8(bytes: &[u8], at: usize) -> u64 {
    let mut buf = [0u8; 8];
    buf.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(buf)
}

#[inline(always)]
fn load4(bytes: &[u8], at: usize) -> u32 {
    let mut buf = [0u8; 4];
    buf.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(buf)
}

/// log2 of the number of bits of the neighbour-risk filter (32 KiB, within L1).
pub const RISK_BITS: u32 = 18;
/// Number of 64-bit words of the neighbour-risk filter.
pub const RISK_WORDS: usize = 1 << (RISK_BITS - 6);

/// Key of "the char `cp` must not start as one part when the text on its `right` (else left)
/// begins (else ends) with `near`", 1 or 2 bytes in text order.
#[inline(always)]
pub fn risk_key(cp: u16, right: bool, near: &[u8]) -> u64 {
    let (a, b) = match near {
        [a] => (*a as u64, 0),
        [a, b, ..] => (*a as u64, 0x100 | *b as u64),
        [] => (0, 0),
    };
    cp as u64 | (right as u64) << 16 | a << 17 | b << 25
}

/// An atomic-char entry (`ATOMIC_BLOCKS`, built by `atomic_chars` in build.rs) is the char's
/// rank (these bits) and the kinds of neighbour its risks need (the `RISK_*` flags above them).
pub const ATOMIC_RANK: u32 = (1 << 18) - 1;
/// A one-byte left risk that is an ASCII byte.
pub const RISK_LEFT_ASCII: u32 = 1 << 18;
/// A one-byte left risk of 0x80 or more.
pub const RISK_LEFT_HIGH: u32 = 1 << 19;
/// A two-byte left risk.
pub const RISK_LEFT_TWO: u32 = 1 << 20;
/// A one-byte right risk.
pub const RISK_RIGHT_ONE: u32 = 1 << 21;
/// A two-byte right risk other than those of `RISK_RIGHT_LEAD`.
pub const RISK_RIGHT_TWO: u32 = 1 << 22;
/// Two-byte right risks that start with the lead byte `risk_lead(entry)`.
pub const RISK_RIGHT_LEAD: u32 = 1 << 23;
/// Where the lead byte of `RISK_RIGHT_LEAD`, minus `LEAD_BASE`, is kept (6 bits).
pub const LEAD_SHIFT: u32 = 24;
/// The lowest lead byte of a multi-byte char.
pub const LEAD_BASE: u8 = 0xc0;

/// The lead byte that `RISK_RIGHT_LEAD` of `entry` is about.
#[inline(always)]
pub fn risk_lead(entry: u32) -> u8 {
    ((entry >> LEAD_SHIFT) & 0x3f) as u8 + LEAD_BASE
}

/// The three filter bits of a risk key. The filter is lossy on purpose: a false "at risk" only
/// keeps a char as bytes, which costs a few merges and never changes the result.
#[inline(always)]
pub fn risk_bits(key: u64) -> [usize; 3] {
    let h = key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let bit = |shift: u32| ((h >> shift) & ((1 << RISK_BITS) - 1)) as usize;
    [bit(64 - RISK_BITS), bit(64 - 2 * RISK_BITS), bit(64 - 3 * RISK_BITS)]
}
