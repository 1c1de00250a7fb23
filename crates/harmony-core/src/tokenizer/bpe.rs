//! Byte-pair merging of one piece with tiktoken's exact semantics: repeatedly merge the adjacent
//! pair of parts whose concatenated bytes have the lowest rank (leftmost on ties) until no
//! adjacent concatenation is a token.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::tables::BYTE_RANK;
use super::vocab::rank_of;

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

/// Pieces up to this length use the quadratic in-place loop (small constant, no allocation);
/// longer ones the heap, which is O(n log n).
const SMALL: usize = 96;

/// Encodes one piece (non-empty).
#[inline]
pub(crate) fn encode_piece<S: Sink>(piece: &[u8], out: &mut S) {
    match piece.len() {
        0 => {}
        1 => out.push(BYTE_RANK[piece[0] as usize]),
        n => {
            if let Some(r) = rank_of(piece) {
                out.push(r);
            } else if n <= SMALL {
                merge_small(piece, out);
            } else {
                merge_large(piece, out);
            }
        }
    }
}

#[inline]
fn pair_rank(piece: &[u8], start: u32, end: u32) -> u32 {
    match piece.get(start as usize..end as usize) {
        Some(bytes) => rank_of(bytes).unwrap_or(NONE),
        None => NONE,
    }
}

/// The simple loop over arrays on the stack: `start[k]` is where part `k` begins, `rank[k]` its
/// token, `pair[k]` the rank of part `k` joined with part `k + 1`.
fn merge_small<S: Sink>(piece: &[u8], out: &mut S) {
    let n = piece.len();
    let mut start = [0u32; SMALL + 1];
    let mut rank = [0u32; SMALL];
    let mut pair = [NONE; SMALL];
    for k in 0..n {
        start[k] = k as u32;
        rank[k] = BYTE_RANK[piece[k] as usize];
    }
    start[n] = n as u32;
    for k in 0..n - 1 {
        pair[k] = pair_rank(piece, k as u32, k as u32 + 2);
    }
    let mut m = n; // number of parts
    loop {
        // Lowest pair rank, leftmost on ties.
        let mut best = NONE;
        let mut at = 0;
        for (k, &r) in pair[..m - 1].iter().enumerate() {
            if r < best {
                best = r;
                at = k;
            }
        }
        if best == NONE {
            break;
        }
        rank[at] = best;
        // Drop part at + 1.
        start.copy_within(at + 2..=m, at + 1);
        rank.copy_within(at + 2..m, at + 1);
        pair.copy_within(at + 2..m, at + 1);
        m -= 1;
        pair[m - 1] = NONE;
        if at + 1 < m {
            pair[at] = pair_rank(piece, start[at], start[at + 2]);
        } else {
            pair[at] = NONE;
        }
        if at > 0 {
            pair[at - 1] = pair_rank(piece, start[at - 1], start[at + 1]);
        }
        if m == 1 {
            break;
        }
    }
    for &r in &rank[..m] {
        out.push(r);
    }
}

/// Heap-driven merge over a linked list of parts, for long pieces. Parts are identified by their
/// start offset; `next[k]` is the start of the following part (`n` for the last one). A heap
/// entry `(rank, k)` is stale unless part `k` is alive and its current pair rank is still `rank`
/// (pairs only ever grow, so a pair's rank never comes back to an older value).
fn merge_large<S: Sink>(piece: &[u8], out: &mut S) {
    let n = piece.len();
    let mut next: Vec<u32> = (1..=n as u32).collect();
    let mut prev: Vec<u32> = (0..n as u32).map(|k| k.wrapping_sub(1)).collect();
    let mut rank: Vec<u32> = piece.iter().map(|&b| BYTE_RANK[b as usize]).collect();
    let mut pair: Vec<u32> = vec![NONE; n];
    let mut heap = BinaryHeap::with_capacity(n);
    for k in 0..n - 1 {
        let r = pair_rank(piece, k as u32, k as u32 + 2);
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
        let nr = if (after as usize) < n { pair_rank(piece, k, next[after as usize]) } else { NONE };
        pair[ku] = nr;
        if nr != NONE {
            heap.push(Reverse((nr, k)));
        }
        // The pair ending at k now ends later.
        if ku > 0 {
            let p = prev[ku];
            let pr = pair_rank(piece, p, after);
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
