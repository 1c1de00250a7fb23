//! Byte-pair merging of one piece with tiktoken's exact semantics: repeatedly merge the adjacent
//! pair of parts whose concatenated bytes have the lowest rank (leftmost on ties) until no
//! adjacent concatenation is a token.
//!
//! Speed comes from memory, not arithmetic: the vocabulary table is megabytes and each merge
//! step probes it at a random place. So, per thread (`Workspace`): a cache of whole pieces
//! (words recur), a cache of "token followed by token" joins, the 2-byte table for the first
//! round, and scratch arrays reused across pieces. Pieces up to `SMALL` bytes use a block-minimum
//! scan (vectorised); longer ones a heap, O(n log n), so long CJK runs stay linearithmic.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::tables::BYTE_RANK;
use super::vocab::{rank_of, rank_of_pair};

/// Receives the ranks of an encoding (a `Vec`, or a counter).
pub(crate) trait Sink {
    fn push(&mut self, rank: u32);
}

impl Sink for Vec<u32> {
    #[inline(always)]
    fn push(&mut self, rank: u32) {
        Vec::push(self, rank);
    }
}

/// Counts tokens without storing them.
pub(crate) struct Counter(pub(crate) usize);

impl Sink for Counter {
    #[inline(always)]
    fn push(&mut self, _rank: u32) {
        self.0 += 1;
    }
}

const NONE: u32 = u32::MAX;

/// Pieces up to this length use the block-minimum loop on reusable scratch arrays; longer ones
/// the heap, which is O(n log n).
const SMALL: usize = 128;
/// Pair keys per block of the block-minimum structure.
const BLOCK: usize = 8;

/// Encodes one piece (non-empty).
#[inline]
pub(crate) fn encode_piece<S: Sink>(piece: &[u8], out: &mut S) {
    match piece.len() {
        0 => {}
        1 => out.push(BYTE_RANK[piece[0] as usize]),
        n => {
            if let Some(r) = rank_of(piece) {
                out.push(r);
            } else {
                let mut done = false;
                let _ = WORKSPACE.try_with(|cell| {
                    if let Ok(mut ws) = cell.try_borrow_mut() {
                        merge(piece, n, out, &mut ws);
                        done = true;
                    }
                });
                if !done {
                    // Thread-local storage already torn down (or re-entered): no caches.
                    merge(piece, n, out, &mut Workspace::bare());
                }
            }
        }
    }
}

#[inline(always)]
fn merge<S: Sink>(piece: &[u8], n: usize, out: &mut S, ws: &mut Workspace) {
    if n > SMALL {
        merge_large(piece, out, &mut ws.cache);
        return;
    }
    if n > PIECE_MAX_BYTES {
        merge_small(piece, out, ws);
        return;
    }
    let idx = piece_slot(piece);
    if let Some(e) = ws.pieces.get(idx) {
        if e.len as usize == n && e.bytes.get(..n) == Some(piece) {
            for &t in e.tokens.iter().take(e.count as usize) {
                out.push(t);
            }
            return;
        }
    }
    let mut buf = TokenBuf { tokens: [0; PIECE_MAX_BYTES], len: 0 };
    merge_small(piece, &mut buf, ws);
    let tokens = buf.tokens.get(..buf.len).unwrap_or(&[]);
    for &t in tokens {
        out.push(t);
    }
    if tokens.len() <= PIECE_MAX_TOKENS {
        if let Some(e) = ws.pieces.get_mut(idx) {
            e.len = n as u8;
            e.count = tokens.len() as u8;
            e.bytes[..n].copy_from_slice(piece);
            e.tokens[..tokens.len()].copy_from_slice(tokens);
        }
    }
}

/// Pieces up to this many bytes, encoding to at most `PIECE_MAX_TOKENS` tokens, are remembered.
const PIECE_MAX_BYTES: usize = 48;
const PIECE_MAX_TOKENS: usize = 16;
const PIECE_BITS: u32 = 12;

/// A remembered piece and its tokens (a slot of the per-thread piece cache: words recur, and
/// a hit replaces a whole merge loop by a compare and a copy).
#[derive(Clone, Copy)]
struct PieceEntry {
    bytes: [u8; PIECE_MAX_BYTES],
    tokens: [u32; PIECE_MAX_TOKENS],
    len: u8,
    count: u8,
}

#[inline(always)]
fn piece_slot(piece: &[u8]) -> usize {
    let (a, c) = super::keyhash::key(piece);
    let h = (a ^ (c as u64).rotate_left(32) ^ piece.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - PIECE_BITS)) as usize
}

/// Collects the tokens of one cacheable piece (at most one per byte).
struct TokenBuf {
    tokens: [u32; PIECE_MAX_BYTES],
    len: usize,
}

impl Sink for TokenBuf {
    #[inline(always)]
    fn push(&mut self, rank: u32) {
        if let Some(t) = self.tokens.get_mut(self.len) {
            *t = rank;
            self.len += 1;
        }
    }
}

thread_local! {
    static WORKSPACE: RefCell<Box<Workspace>> = RefCell::new(Box::new(Workspace::new()));
}

/// Empties this thread's caches, so the next encode sees its text as never seen before
/// (benchmarks of unseen text use it).
pub(crate) fn clear_thread_caches() {
    let _ = WORKSPACE.try_with(|cell| {
        if let Ok(mut ws) = cell.try_borrow_mut() {
            **ws = Workspace::new();
        }
    });
}

/// Per-thread state of the merge loops: the pair cache and scratch arrays (reused, so a piece
/// costs no allocation and no zeroing).
struct Workspace {
    cache: PairCache,
    pieces: Box<[PieceEntry]>,
    next: [u32; SMALL],
    prev: [u32; SMALL],
    rank: [u32; SMALL],
    key: [i32; SMALL],
    block_min: [i32; SMALL / BLOCK],
}

impl Workspace {
    fn new() -> Self {
        let empty =
            PieceEntry { bytes: [0; PIECE_MAX_BYTES], tokens: [0; PIECE_MAX_TOKENS], len: 0, count: 0 };
        Workspace {
            cache: PairCache { entries: vec![u64::MAX; 1 << CACHE_BITS].into_boxed_slice() },
            pieces: vec![empty; 1 << PIECE_BITS].into_boxed_slice(),
            ..Self::bare()
        }
    }

    /// Scratch arrays only; both caches empty (every probe misses, nothing is stored).
    fn bare() -> Self {
        Workspace {
            cache: PairCache { entries: Box::new([]) },
            pieces: Box::new([]),
            next: [0; SMALL],
            prev: [0; SMALL],
            rank: [0; SMALL],
            key: [NO_KEY; SMALL],
            block_min: [NO_KEY; SMALL / BLOCK],
        }
    }
}

const CACHE_BITS: u32 = 15;
const RANK_BITS: u32 = 18;
const _: () = assert!(super::vocab::N_RANKS < 1 << RANK_BITS);

/// Direct-mapped cache of "rank of token `l` followed by token `r`" (or `NONE`). The vocabulary
/// table is megabytes and every merge step probes it at random, but the pairs that recur in a
/// text are few: this keeps them in L1/L2. An entry packs `l`, `r` (18 bits each) and the
/// result (20 bits, all ones for `NONE`) into one `u64`; all ones overall marks an empty entry
/// (`l = 2^18 - 1` is not a rank).
struct PairCache {
    entries: Box<[u64]>,
}

impl PairCache {
    /// Rank of `piece[start..end]`, which is token `l` followed by token `r`.
    #[inline(always)]
    fn join(&mut self, piece: &[u8], start: u32, end: u32, l: u32, r: u32) -> u32 {
        let pair = (l as u64) << RANK_BITS | r as u64;
        let idx = (pair.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - CACHE_BITS)) as usize;
        let Some(entry) = self.entries.get_mut(idx) else { return lookup(piece, start, end) };
        if *entry >> 20 == pair {
            let v = (*entry & 0xf_ffff) as u32;
            return if v == 0xf_ffff { NONE } else { v };
        }
        let rank = lookup(piece, start, end);
        *entry = pair << 20 | (rank & 0xf_ffff) as u64;
        rank
    }
}

#[inline(always)]
fn lookup(piece: &[u8], start: u32, end: u32) -> u32 {
    match piece.get(start as usize..end as usize) {
        Some(bytes) => rank_of(bytes).unwrap_or(NONE),
        None => NONE,
    }
}

/// Sort key of a pair: its rank, then its position (leftmost wins ties): `rank << 7 | at`, below
/// 2^25. Signed, so that min-reductions vectorise with baseline SSE2 (no unsigned 32-bit min).
#[inline(always)]
fn pair_key(rank: u32, at: usize) -> i32 {
    if rank == NONE {
        NO_KEY
    } else {
        (rank << 7 | at as u32) as i32
    }
}

/// Key of "no pair".
const NO_KEY: i32 = i32::MAX;
const _: () = assert!(SMALL <= 128 && (super::vocab::N_RANKS as u64) << 7 < i32::MAX as u64);

/// Merge loop for pieces of up to `SMALL` bytes. Parts form a linked list over byte offsets:
/// `next[k]` is the start of the part after the one starting at `k` (`n` for the last) and
/// `rank[k]` its token. `key[k]` is the `pair_key` of that part joined with its successor
/// (`NO_KEY` for the last part and for offsets that no longer start a part), and `block_min`
/// the minimum of each block of `BLOCK` keys, so finding the next merge scans the block minima
/// and a merge refreshes at most three blocks.
fn merge_small<S: Sink>(piece: &[u8], out: &mut S, ws: &mut Workspace) {
    let n = piece.len();
    let Workspace { cache, next, prev, rank, key, block_min, .. } = ws;
    let pairs = n - 1;
    let blocks = pairs.div_ceil(BLOCK);
    for k in 0..n {
        next[k] = k as u32 + 1;
        prev[k] = (k as u32).wrapping_sub(1);
        rank[k] = BYTE_RANK[piece[k] as usize];
    }
    for k in 0..pairs {
        key[k] = pair_key(rank_of_pair(piece[k], piece[k + 1]), k);
    }
    key[pairs..blocks * BLOCK].fill(NO_KEY);
    let refresh = |key: &[i32], block_min: &mut [i32], b: usize| {
        block_min[b] = key[b * BLOCK..b * BLOCK + BLOCK].iter().fold(NO_KEY, |m, &x| m.min(x));
    };
    for b in 0..blocks {
        refresh(key, block_min, b);
    }
    loop {
        let best = block_min[..blocks].iter().fold(NO_KEY, |m, &x| m.min(x));
        if best == NO_KEY {
            break;
        }
        let at = (best & 0x7f) as usize;
        let r = (best >> 7) as u32;
        let right = next[at] as usize;
        let after = next[right] as usize;
        rank[at] = r;
        next[at] = after as u32;
        key[right] = NO_KEY;
        key[at] = if after < n {
            prev[after] = at as u32;
            pair_key(cache.join(piece, at as u32, next[after], r, rank[after]), at)
        } else {
            NO_KEY
        };
        let (b_at, b_right) = (at / BLOCK, right / BLOCK);
        if at > 0 {
            let p = prev[at] as usize;
            key[p] = pair_key(cache.join(piece, p as u32, after as u32, rank[p], r), p);
            if p / BLOCK != b_at {
                refresh(key, block_min, p / BLOCK);
            }
        }
        refresh(key, block_min, b_at);
        if b_right != b_at && b_right < blocks {
            refresh(key, block_min, b_right);
        }
    }
    let mut k = 0usize;
    while k < n {
        out.push(rank[k]);
        k = next[k] as usize;
    }
}

/// Heap-driven merge over a linked list of parts, for long pieces. Parts are identified by their
/// start offset; `next[k]` is the start of the following part (`n` for the last one). A heap
/// entry `(rank, k)` is stale unless part `k` is alive and its current pair rank is still `rank`
/// (pairs only ever grow, so a pair's rank never comes back to an older value).
fn merge_large<S: Sink>(piece: &[u8], out: &mut S, cache: &mut PairCache) {
    let n = piece.len();
    let mut next: Vec<u32> = (1..=n as u32).collect();
    let mut prev: Vec<u32> = (0..n as u32).map(|k| k.wrapping_sub(1)).collect();
    let mut rank: Vec<u32> = piece.iter().map(|&b| BYTE_RANK[b as usize]).collect();
    let mut pair: Vec<u32> = vec![NONE; n];
    let mut heap = BinaryHeap::with_capacity(n);
    for k in 0..n - 1 {
        let r = rank_of_pair(piece[k], piece[k + 1]);
        pair[k] = r;
        if r != NONE {
            heap.push(Reverse((r, k as u32)));
        }
    }
    while let Some(Reverse((r, k))) = heap.pop() {
        let ku = k as usize;
        if pair[ku] != r {
            continue;
        }
        // Merge part k with its successor.
        let right = next[ku] as usize;
        let after = next[right];
        rank[ku] = r;
        next[ku] = after;
        if (after as usize) < n {
            prev[after as usize] = k;
        }
        pair[right] = NONE;
        // New pair of k with its new successor.
        let nr = if (after as usize) < n {
            cache.join(piece, k, next[after as usize], r, rank[after as usize])
        } else {
            NONE
        };
        pair[ku] = nr;
        if nr != NONE {
            heap.push(Reverse((nr, k)));
        }
        // The pair ending at k now ends later.
        if ku > 0 {
            let p = prev[ku];
            let pr = cache.join(piece, p, after, rank[p as usize], r);
            pair[p as usize] = pr;
            if pr != NONE {
                heap.push(Reverse((pr, p)));
            }
        }
    }
    let mut k = 0usize;
    while k < n {
        out.push(rank[k]);
        k = next[k] as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tiktoken's textbook loop, straight from the definition.
    fn naive(piece: &[u8]) -> Vec<u32> {
        let mut parts: Vec<&[u8]> = piece.chunks(1).collect();
        loop {
            let mut best: Option<(u32, usize)> = None;
            for i in 0..parts.len().saturating_sub(1) {
                let joined = [parts[i], parts[i + 1]].concat();
                if let Some(r) = rank_of(&joined) {
                    if best.is_none_or(|(b, _)| r < b) {
                        best = Some((r, i));
                    }
                }
            }
            let Some((_, i)) = best else { break };
            let start = parts[..i].iter().map(|p| p.len()).sum::<usize>();
            let len = parts[i].len() + parts[i + 1].len();
            parts[i] = &piece[start..start + len];
            parts.remove(i + 1);
        }
        parts.iter().map(|p| rank_of(p).unwrap_or(NONE)).collect()
    }

    #[test]
    fn merge_paths_agree_with_definition() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut rnd = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let samples: Vec<&[u8]> = vec![
            "日本語のテキストを分割する".as_bytes(),
            "Привет".as_bytes(),
            b"abcdefghijklmnopqrstuvwxyz",
            "🙂👍🏽é\u{301}".as_bytes(),
            &[0xff, 0xfe, 0x00, 0x80],
        ];
        let mut ws = Workspace::new();
        for round in 0..3000 {
            let mut piece = Vec::new();
            let len = 2 + rnd(match round % 10 {
                0 => 400,
                1..=4 => 140,
                _ => 50,
            });
            while piece.len() < len {
                let s = samples[rnd(samples.len())];
                let a = rnd(s.len());
                let b = a + 1 + rnd(s.len() - a);
                piece.extend_from_slice(&s[a..b]);
            }
            let want = naive(&piece);
            let mut large = Vec::new();
            merge_large(&piece, &mut large, &mut ws.cache);
            assert_eq!(large, want, "large, piece {piece:?}");
            if piece.len() <= SMALL {
                let mut small = Vec::new();
                merge_small(&piece, &mut small, &mut ws);
                assert_eq!(small, want, "small, piece {piece:?}");
            }
            // Like tiktoken, a piece that is itself a token is that token.
            let mut bare = Vec::new();
            merge(&piece, piece.len(), &mut bare, &mut Workspace::bare());
            assert_eq!(bare, want, "without caches, piece {piece:?}");
            // Twice: the second call may be answered by the piece cache.
            let want = rank_of(&piece).map_or(want, |r| vec![r]);
            for _ in 0..2 {
                let mut via = Vec::new();
                encode_piece(&piece, &mut via);
                assert_eq!(via, want);
            }
        }
    }
}
