//! Key packing and hashing of token byte strings, shared verbatim by `build.rs` (which builds the
//! embedded hash table) and the run-time lookup: both sides must compute the same slot.
//!
//! A key is `(a, b)`: for 1 ..= 8 bytes `a` is the zero-padded little-endian load and `b = 0`;
//! for longer strings `a` is the first 8 bytes and `b` the last 8 (they overlap below 16 bytes).
//! Together with the length this identifies strings of up to 16 bytes exactly, so most lookups
//! never touch the byte blob.

/// log2 of the number of slots of the open-addressing table (load factor ≈ 0.38).
pub const TABLE_BITS: u32 = 19;
/// Number of slots.
pub const TABLE_SLOTS: usize = 1 << TABLE_BITS;

/// Packs `bytes` (1 ..= any length; empty gives `(0, 0)`) into its key.
#[inline(always)]
pub fn key(bytes: &[u8]) -> (u64, u64) {
    let n = bytes.len();
    if n >= 8 {
        let a = load8(bytes, 0);
        let b = if n > 8 { load8(bytes, n - 8) } else { 0 };
        (a, b)
    } else if n >= 4 {
        // Two overlapping 4-byte loads; OR is harmless on the overlap (same bytes).
        let lo = load4(bytes, 0) as u64;
        let hi = load4(bytes, n - 4) as u64;
        (lo | (hi << ((n - 4) * 8)), 0)
    } else if n > 0 {
        let b0 = bytes[0] as u64;
        let bm = bytes[n / 2] as u64;
        let bl = bytes[n - 1] as u64;
        (b0 | (bm << ((n / 2) * 8)) | (bl << ((n - 1) * 8)), 0)
    } else {
        (0, 0)
    }
}

/// Slot index (the top `TABLE_BITS` bits of a folded 128-bit multiply of the key halves).
#[inline(always)]
pub fn slot_index(a: u64, b: u64, len: usize) -> usize {
    let x = a ^ 0x243f_6a88_85a3_08d3;
    let y = b ^ (len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x1319_8a2e_0370_7344;
    let p = (x as u128).wrapping_mul(y as u128);
    let h = (p as u64) ^ ((p >> 64) as u64);
    // One more multiply so the top bits depend on every input bit.
    (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - TABLE_BITS)) as usize
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
