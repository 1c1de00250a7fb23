//! Per-thread memo of merged pieces: text recurs (words, names, a system prompt sent with every
//! request), and a hit replaces a whole merge loop, often a dozen table look-ups, by one probe, a
//! compare and a copy.
//!
//! Pieces and their tokens are appended to two arenas; a 4-way set-associative index points into
//! them, the oldest entry of a set making room for a new one. When an arena is full everything is
//! dropped at once, so memory stays bounded (256 KiB of index, 512 KiB of arenas per thread)
//! without tracking the age of each entry. The arenas are kept small on purpose: on CJK text,
//! where most pieces are new and a hit costs about what merging costs, 2 MiB of arenas evicted
//! the merge loop's own tables from the CPU caches (unseen CJK text −4%), while 512 KiB already
//! holds the distinct pieces of 1 MB of English, code or Russian.

/// log2 of the number of sets of the index.
const SET_BITS: u32 = 12;
const WAYS: usize = 4;
/// Capacity of the arenas: piece bytes, and tokens.
const ARENA_BYTES: usize = 1 << 18;
const ARENA_TOKENS: usize = 1 << 16;
/// Longest piece remembered (its length must fit the entry's 16 bits).
const MAX_PIECE: usize = 1 << 12;

/// One remembered piece (`len == 0`: empty). `tag` is the low half of the piece's hash.
#[derive(Clone, Copy, Default)]
struct Entry {
    tag: u32,
    len: u16,
    count: u16,
    byte_at: u32,
    token_at: u32,
}

pub(super) struct PieceMemo {
    sets: Box<[[Entry; WAYS]]>,
    bytes: Vec<u8>,
    tokens: Vec<u32>,
}

/// Hash of a piece for the memo: its first 8, middle 8 and last 4 bytes and its length (pieces
/// that agree there but differ elsewhere share a set and a tag, and are told apart by the
/// comparison of their bytes).
#[inline(always)]
pub(super) fn piece_hash(piece: &[u8]) -> u64 {
    let (a, c) = super::keyhash::key(piece);
    let mid = piece.len() / 2;
    let m = match piece.get(mid..mid + 8) {
        Some(w) if piece.len() > 16 => u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
        _ => 0,
    };
    let h = (a ^ m.rotate_left(29) ^ (c as u64) << 32 ^ piece.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h ^ h >> 31).wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

impl PieceMemo {
    /// An empty memo.
    pub(super) fn new() -> Self {
        PieceMemo {
            sets: vec![[Entry::default(); WAYS]; 1 << SET_BITS].into_boxed_slice(),
            bytes: Vec::new(),
            tokens: Vec::new(),
        }
    }

    /// A memo that remembers nothing.
    pub(super) fn disabled() -> Self {
        PieceMemo { sets: Box::new([]), bytes: Vec::new(), tokens: Vec::new() }
    }

    #[inline(always)]
    fn set_of(hash: u64) -> usize {
        (hash >> (64 - SET_BITS)) as usize
    }

    /// The tokens of `piece` (whose `piece_hash` is `hash`), if remembered.
    #[inline(always)]
    pub(super) fn get(&self, hash: u64, piece: &[u8]) -> Option<&[u32]> {
        let set = self.sets.get(Self::set_of(hash))?;
        let tag = hash as u32;
        for e in set {
            if e.tag == tag && e.len as usize == piece.len() {
                let at = e.byte_at as usize;
                if self.bytes.get(at..at + piece.len()) == Some(piece) {
                    let from = e.token_at as usize;
                    return self.tokens.get(from..from + e.count as usize);
                }
            }
        }
        None
    }

    /// Remembers that `piece` (whose `piece_hash` is `hash`) encodes to `tokens`.
    pub(super) fn put(&mut self, hash: u64, piece: &[u8], tokens: &[u32]) {
        if piece.len() > MAX_PIECE || tokens.len() > MAX_PIECE {
            return;
        }
        if self.bytes.len() + piece.len() > ARENA_BYTES || self.tokens.len() + tokens.len() > ARENA_TOKENS {
            self.sets.fill([Entry::default(); WAYS]);
            self.bytes.clear();
            self.tokens.clear();
        }
        let entry = Entry {
            tag: hash as u32,
            len: piece.len() as u16,
            count: tokens.len() as u16,
            byte_at: self.bytes.len() as u32,
            token_at: self.tokens.len() as u32,
        };
        let Some(set) = self.sets.get_mut(Self::set_of(hash)) else { return };
        // The oldest entry of the set makes room.
        set.copy_within(0..WAYS - 1, 1);
        set[0] = entry;
        self.bytes.extend_from_slice(piece);
        self.tokens.extend_from_slice(tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_tells_pieces_apart() {
        let mut memo = PieceMemo::new();
        let (a, b) = (b"hello world".as_slice(), b"hello_world".as_slice());
        memo.put(piece_hash(a), a, &[1, 2]);
        assert_eq!(memo.get(piece_hash(a), a), Some([1, 2].as_slice()));
        assert_eq!(memo.get(piece_hash(b), b), None);
        // Same hash (as if colliding), other bytes: not a hit.
        assert_eq!(memo.get(piece_hash(a), b), None);
        assert_eq!(PieceMemo::disabled().get(piece_hash(a), a), None);
    }

    #[test]
    fn a_full_set_drops_its_oldest_entry() {
        let mut memo = PieceMemo::new();
        // Five pieces forced into one set (same hash): the first one goes.
        let pieces: Vec<Vec<u8>> = (0..=WAYS as u8).map(|i| vec![b'a' + i; 5]).collect();
        for (i, p) in pieces.iter().enumerate() {
            memo.put(7, p, &[i as u32]);
        }
        assert_eq!(memo.get(7, &pieces[0]), None);
        for (i, p) in pieces.iter().enumerate().skip(1) {
            assert_eq!(memo.get(7, p), Some([i as u32].as_slice()));
        }
    }

    #[test]
    fn a_full_arena_empties_the_memo() {
        let mut memo = PieceMemo::new();
        let piece = vec![b'x'; MAX_PIECE];
        // One piece per set (the set is the hash's top bits).
        let hash = |i: usize| (i as u64) << (64 - SET_BITS);
        let fill = ARENA_BYTES / MAX_PIECE;
        for i in 0..fill {
            memo.put(hash(i), &piece, &[i as u32]);
        }
        assert_eq!(memo.get(hash(0), &piece), Some([0].as_slice()));
        assert_eq!(memo.bytes.len(), ARENA_BYTES);
        // One more does not fit: everything before it is dropped.
        memo.put(hash(fill), &piece, &[fill as u32]);
        assert_eq!(memo.get(hash(0), &piece), None);
        assert_eq!(memo.get(hash(fill), &piece), Some([fill as u32].as_slice()));
        assert_eq!(memo.bytes.len(), MAX_PIECE);
        // Too long to remember at all.
        let long = vec![b'y'; MAX_PIECE + 1];
        memo.put(hash(1), &long, &[1]);
        assert_eq!(memo.get(hash(1), &long), None);
    }

    #[test]
    fn a_full_token_arena_empties_the_memo() {
        let mut memo = PieceMemo::new();
        // One token per byte: the token arena fills first.
        let piece = vec![b'z'; 256];
        let tokens = vec![1u32; 256];
        let hash = |i: usize| (i as u64) << (64 - SET_BITS);
        let fill = ARENA_TOKENS / tokens.len();
        for i in 0..fill {
            memo.put(hash(i), &piece, &tokens);
        }
        assert!(memo.get(hash(0), &piece).is_some());
        memo.put(hash(fill), &piece, &tokens);
        assert_eq!(memo.get(hash(0), &piece), None);
        assert_eq!(memo.tokens.len(), tokens.len());
    }
}
