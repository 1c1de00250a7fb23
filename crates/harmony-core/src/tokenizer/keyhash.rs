//! Key packing and hashing of token byte strings, shared verbatim by `build.rs` (which builds the
//! embedded hash table) and the run-time lookup: both sides must compute the same slot.
//!
//! A key is `(a, c)`: `a` holds bytes 0..8 and `c` bytes 8..12, both zero-padded little-endian
//! loads; for strings longer than 12 bytes `c` holds the last 4 bytes instead. With the length,
//! the key identifies strings of up to 12 bytes exactly (99 % of the vocabulary), so most lookups
//! never touch the byte blob. Slots are 16 bytes, four to a cache line.

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

/// Slot index: the top `TABLE_BITS` bits of a folded 128-bit multiply of the key.
#[inline(always)]
pub fn slot_index(a: u64, c: u32, len: usize) -> usize {
    let x = a ^ 0x243f_6a88_85a3_08d3;
    let y = ((c as u64) << 8 | len as u64) ^ 0x1319_8a2e_0370_7344;
    let p = (x as u128).wrapping_mul(y as u128);
    let h = (p as u64) ^ ((p >> 64) as u64);
    // One more multiply so the top bits depend on every input bit.
    (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - TABLE_BITS)) as usize
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
