//! Byte-pair merging of one piece with tiktoken's exact semantics: repeatedly merge the adjacent
//! pair of parts whose concatenated bytes have the lowest rank (leftmost on ties) until no
//! adjacent concatenation is a token.
//!
//! Speed comes mostly from memory, not arithmetic: the vocabulary table is megabytes and each
//! merge step probes it at a random place. So, per thread (`Workspace`): a memo of whole pieces
//! (`memo.rs`: text recurs), a cache of "token followed by token" joins, the 2-byte table for the first
//! round, and scratch arrays reused across pieces; a Bloom filter in front of the table
//! (`vocab.rs`); and fewer probes, as merging starts from whole chars where that is provably the
//! same as starting from bytes (`split_parts`). Pieces of up to `TINY` starting parts (most) use
//! the plain loop on stack arrays, up to `SMALL` a block-minimum scan (vectorised), longer ones a
//! heap, O(n log n), so long CJK runs stay linearithmic.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::memo::{piece_hash, PieceMemo};
use super::tables::{BYTE_RANK, MAX_TOKEN_LEN};
use super::vocab::{atomic_char_rank, pair_inside_token, rank_of, rank_of_pair, token_bytes};

/// Receives the ranks of an encoding (a `Vec`, or a counter).
pub(crate) trait Sink {
    fn push(&mut self, rank: u32);
    /// Number of ranks received so far.
    fn len(&self) -> usize;
    /// Forgets the ranks received after the first `len`.
    fn truncate(&mut self, len: usize);
}

impl Sink for Vec<u32> {
    #[inline(always)]
    fn push(&mut self, rank: u32) {
        Vec::push(self, rank);
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn truncate(&mut self, len: usize) {
        Vec::truncate(self, len);
    }
}

/// Counts tokens without storing them.
pub(crate) struct Counter(pub(crate) usize);

impl Sink for Counter {
    #[inline(always)]
    fn push(&mut self, _rank: u32) {
        self.0 += 1;
    }
    fn len(&self) -> usize {
        self.0
    }
    fn truncate(&mut self, len: usize) {
        self.0 = self.0.min(len);
    }
}

const NONE: u32 = u32::MAX;

/// Pieces of up to this many starting parts use the plain loop on stack arrays (fewest
/// instructions when a scan is a handful of compares: most pieces).
const TINY: usize = 32;
/// Up to this many, the block-minimum loop; more, the heap, which is O(n log n).
const SMALL: usize = 128;
/// Pieces longer than this many bytes are merged in chunks (`merge_long`), so that time and
/// memory stay linear in the piece.
const LONG: usize = 4096;
/// Length of those chunks in bytes (each ends at a char boundary, so a little less).
const CHUNK: usize = 128;
/// Tokens of a long piece held back from the sink, so that the next chunk can still re-merge them.
const WINDOW: usize = 4096;
/// Scratch arrays grown past this many elements (by long pieces) are shrunk back after the piece.
const KEEP: usize = 2 * LONG;
/// Pair keys per block of the block-minimum structure.
const BLOCK: usize = 8;

/// Encodes one piece (non-empty). A `str`, because starting from whole chars (`split_parts`)
/// is only proven right for (substrings of) valid UTF-8.
#[cfg(test)]
fn encode_piece<S: Sink>(piece: &str, out: &mut S) {
    encode_pieces(std::iter::once(piece), out);
}

/// Encodes each piece in turn, with this thread's workspace (borrowed once for all of them).
#[inline]
pub(crate) fn encode_pieces<'a, S: Sink>(pieces: impl Iterator<Item = &'a str>, out: &mut S) {
    with_workspace(|ws| {
        for piece in pieces {
            encode_one(piece.as_bytes(), out, ws);
        }
    });
}

/// Runs `f` with this thread's workspace, or with one without caches where thread-local
/// storage is already torn down (or the workspace is in use).
fn with_workspace(f: impl FnOnce(&mut Workspace)) {
    let mut f = Some(f);
    let _ = WORKSPACE.try_with(|cell| {
        if let (Ok(mut ws), Some(f)) = (cell.try_borrow_mut(), f.take()) {
            f(&mut ws);
        }
    });
    if let Some(f) = f {
        f(&mut Workspace::bare());
    }
}

#[inline(always)]
fn encode_one<S: Sink>(piece: &[u8], out: &mut S, ws: &mut Workspace) {
    match piece.len() {
        0 => {}
        1 => out.push(BYTE_RANK[piece[0] as usize]),
        n => {
            if let Some(r) = whole_token(piece, ws) {
                out.push(r);
            } else if n > LONG {
                merge_long(piece, out, ws);
            } else {
                merge(piece, out, ws);
            }
        }
    }
}

/// `rank_of(piece)`, for pieces of 3 to 8 bytes through this thread's `short` cache: the
/// vocabulary table is 8 MiB, so a probe is often a cache miss, while the short pieces that
/// recur in a text (words, mostly) are few enough for 256 KiB.
#[inline(always)]
fn whole_token(piece: &[u8], ws: &mut Workspace) -> Option<u32> {
    let n = piece.len();
    if !(3..=8).contains(&n) {
        return rank_of(piece);
    }
    // With the length, the key identifies up to 8 bytes exactly (`keyhash::key`).
    let (key, _) = super::keyhash::key(piece);
    let slot = ((key ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SHORT_BITS)) as usize;
    let Some(entry) = ws.short.get_mut(slot) else { return rank_of(piece) };
    if entry.key == key && entry.len == n as u32 {
        return (entry.rank != NONE).then_some(entry.rank);
    }
    let rank = rank_of(piece);
    *entry = ShortPiece { key, len: n as u32, rank: rank.unwrap_or(NONE) };
    rank
}

/// An entry of the cache of short pieces (`len == 0`: empty).
#[derive(Clone, Copy)]
struct ShortPiece {
    key: u64,
    len: u32,
    /// The piece's rank, or `NONE` when it is not a token.
    rank: u32,
}

/// Byte-pair merges `piece` (a substring of valid UTF-8; the whole-token shortcut is the
/// caller's): from the memo, or merged and then remembered.
#[inline(always)]
fn merge<S: Sink>(piece: &[u8], out: &mut S, ws: &mut Workspace) {
    let hash = piece_hash(piece);
    if let Some(tokens) = ws.memo.get(hash, piece) {
        for &t in tokens {
            out.push(t);
        }
        return;
    }
    let mut tokens = std::mem::take(&mut ws.tokens);
    tokens.clear();
    merge_parts(piece, &mut tokens, ws);
    for &t in &tokens {
        out.push(t);
    }
    ws.memo.put(hash, piece, &tokens);
    ws.tokens = tokens;
}

/// Splits `piece` into its starting parts, then merges them with the loop that suits their
/// number.
#[inline(always)]
fn merge_parts<S: Sink>(piece: &[u8], out: &mut S, ws: &mut Workspace) {
    split_parts(piece, &mut ws.start, &mut ws.rank);
    match ws.rank.len() {
        m if m <= TINY => merge_tiny(piece, out, ws),
        m if m <= SMALL => merge_small(piece, out, ws),
        _ => merge_large(piece, out, ws),
    }
}

/// Splits `piece` into the parts merging starts from: a char of up to three bytes whose bytes
/// become one token before any of them joins a neighbour, given the bytes around it
/// (`atomic_char_rank`), is one part; every other byte is its own. Byte-pair merging from there
/// gives exactly the result it gives from single bytes (build.rs proves it per char, for valid
/// UTF-8), with two merges fewer per such char: most of the work on CJK and Cyrillic text.
/// `piece` is a substring of valid UTF-8 that may start or end inside a char (`merge_long`
/// cuts pieces at token boundaries): bytes of a char cut off stay single parts, and a missing
/// neighbour is no risk. `start` gets each part's offset and then `piece.len()`.
#[inline(always)]
fn split_parts(piece: &[u8], start: &mut Vec<u32>, rank: &mut Vec<u32>) {
    start.clear();
    rank.clear();
    let mut i = 0;
    while let Some(&b) = piece.get(i) {
        start.push(i as u32);
        // A lead byte (its continuation bytes follow, unless the piece ends first) or a byte of
        // a char kept as bytes. Chars of four bytes are never one part.
        let (len, cp) = match b {
            0xc0..=0xdf => match piece.get(i + 1) {
                Some(&c) => (2, (b as u16 & 0x1f) << 6 | c as u16 & 0x3f),
                None => (1, 0),
            },
            0xe0..=0xef => match piece.get(i + 1..i + 3) {
                Some(&[c1, c2]) => (3, (b as u16 & 0x0f) << 12 | (c1 as u16 & 0x3f) << 6 | c2 as u16 & 0x3f),
                _ => (1, 0),
            },
            _ => (1, 0),
        };
        let r = if len == 1 { NONE } else { atomic_char_rank(cp, piece, i, len) };
        if r == NONE {
            rank.push(BYTE_RANK[b as usize]);
            i += 1;
        } else {
            rank.push(r);
            i += len;
        }
    }
    start.push(piece.len() as u32);
}

/// Rank of parts `u` and `u + 1` joined, from the starting split.
#[inline(always)]
fn first_pair(piece: &[u8], start: &[u32], rank: &[u32], u: usize, cache: &mut PairCache) -> u32 {
    let (a, c) = (start[u], start[u + 2]);
    if c - a == 2 {
        rank_of_pair(piece[a as usize], piece[a as usize + 1])
    } else {
        cache.join(piece, a, c, rank[u], rank[u + 1])
    }
}

/// Merges a piece of more than `LONG` bytes in chunks of about `CHUNK` bytes, in time and
/// memory linear in the piece (one merge loop over the whole piece would keep arrays of its
/// size, and the heap loop is O(n log n)).
///
/// Exact by two facts about byte-pair merging (`E(t)` is the merge of text `t`; tokens `a`, `b`
/// are *compatible* when `E(a ++ b) = [a, b]`):
/// 1. A sequence of tokens is `E` of its text iff every adjacent pair is compatible. (Before the
///    first merge across a token boundary, each token's bytes merge as they would alone, in the
///    same order; the first merge across a boundary would then also happen when merging just
///    the two tokens on either side of it, and conversely.)
/// 2. Hence a prefix or suffix of `E(t)`, cut at a token boundary, is `E` of its own text.
///
/// So with `done = E(piece[..at])` and `chunk = E(piece[at..end])`, `E(piece[..end])` is found by
/// re-merging the text of a few tokens on either side of `at` (the `seam`) and checking the two
/// pairs where the seam meets the rest: by (1) the joined sequence is then `E(piece[..end])`, and
/// some seam always passes (at worst all of `piece[..end]`). The seam doubles until it passes;
/// on real text the first or second try does. Tokens more than `WINDOW` back are sent to the
/// sink; should a seam ever need to reach past them, the piece is merged again in one loop.
///
/// First, though, the piece is cut wherever two neighbouring bytes form a pair that occurs inside
/// no token (`pair_inside_token`): every merge makes a token out of bytes that stand side by side
/// in the text, so no merge ever joins the two sides of such a cut, and the merges of each side
/// are those it would get alone, in the same order. Each side is then merged on its own
/// (without the whole-token shortcut, which is the caller's for the whole piece only). On runs
/// of punctuation that cuts every few bytes, and the short parts mostly hit the memo.
#[inline(never)]
fn merge_long<S: Sink>(piece: &[u8], out: &mut S, ws: &mut Workspace) {
    if ws.compat.is_empty() && ws.caching {
        ws.compat = vec![u64::MAX; 1 << COMPAT_BITS].into_boxed_slice();
    }
    // Parts longer than a chunk are chunked too: merged whole, they would take the heap loop.
    merge_cuts(piece, out, ws, Chunking { long: CHUNK, chunk_len: CHUNK, window: WINDOW });
    ws.trim();
}

/// How `merge_long` chunks what is left between cuts (tests use small sizes).
#[derive(Clone, Copy)]
struct Chunking {
    /// Parts longer than this are merged in chunks.
    long: usize,
    chunk_len: usize,
    window: usize,
}

/// `merge_long`: cuts `piece` where no merge can cross, and merges each part.
fn merge_cuts<S: Sink>(piece: &[u8], out: &mut S, ws: &mut Workspace, sizes: Chunking) {
    // A piece that starts with a letter or a non-ASCII char (a run of one script) seldom has a
    // cut: it is chunked directly (by callgrind, random Cyrillic letters −13% instructions, random
    // Latin letters −5%). Either way is exact.
    if piece.first().is_some_and(|&b| b >= 0x80 || b.is_ascii_alphabetic()) {
        merge_cut(piece, out, ws, sizes);
        return;
    }
    let mut from = 0;
    for (i, pair) in piece.windows(2).enumerate() {
        if !pair_inside_token(pair[0], pair[1]) {
            merge_cut(&piece[from..=i], out, ws, sizes);
            from = i + 1;
        }
    }
    merge_cut(&piece[from..], out, ws, sizes);
}

/// Merges one side of `merge_long`'s cuts (non-empty).
#[inline(always)]
fn merge_cut<S: Sink>(part: &[u8], out: &mut S, ws: &mut Workspace, sizes: Chunking) {
    match *part {
        [b] => out.push(BYTE_RANK[b as usize]),
        [a, b] => match rank_of_pair(a, b) {
            NONE => {
                out.push(BYTE_RANK[a as usize]);
                out.push(BYTE_RANK[b as usize]);
            }
            r => out.push(r),
        },
        [a, b, c] => {
            // The lower of the two pairs merges first (the left one on a tie), then maybe the rest.
            let (left, right) = (rank_of_pair(a, b), rank_of_pair(b, c));
            if left == NONE && right == NONE {
                for x in [a, b, c] {
                    out.push(BYTE_RANK[x as usize]);
                }
            } else if let Some(r) = rank_of(part) {
                out.push(r);
            } else if left <= right {
                out.push(left);
                out.push(BYTE_RANK[c as usize]);
            } else {
                out.push(BYTE_RANK[a as usize]);
                out.push(right);
            }
        }
        _ if part.len() > sizes.long => merge_chunked(part, out, ws, sizes.chunk_len, sizes.window),
        _ => merge(part, out, ws),
    }
}

/// `merge_long` with its chunk length and window as parameters (tests use small ones).
fn merge_chunked<S: Sink>(piece: &[u8], out: &mut S, ws: &mut Workspace, chunk_len: usize, window: usize) {
    let mark = out.len();
    let mut done = std::mem::take(&mut ws.done);
    let mut chunk = std::mem::take(&mut ws.chunk);
    let mut seam = std::mem::take(&mut ws.seam);
    done.clear();
    // `done` holds the tokens of `piece[head..at]`; `sent` is the token sent last, before them.
    let (mut head, mut at, mut sent) = (0, 0, None);
    let mut exact = true;
    while at < piece.len() {
        let mut end = (at + chunk_len).min(piece.len());
        while end < piece.len() && piece[end] & 0xc0 == 0x80 {
            end -= 1;
        }
        // Any end is exact (the seam is checked); ending chunks at line ends makes runs of
        // whitespace lines repeat chunk by chunk, so the memo answers them.
        if let Some(nl) = memchr::memchr(b'\n', &piece[at..end]) {
            end = at + nl + 1;
        }
        chunk.clear();
        merge(&piece[at..end], &mut chunk, ws);
        if !stitch(piece, at, sent, &mut done, &chunk, &mut seam, ws) {
            exact = false;
            break;
        }
        at = end;
        if done.len() >= 2 * window {
            let flush = done.len() - window;
            for &t in &done[..flush] {
                out.push(t);
                head += token_len(t);
            }
            sent = done.get(flush - 1).copied();
            done.drain(..flush);
        }
    }
    debug_assert!(!exact || head + tokens_len(&done) == piece.len());
    if exact {
        for &t in &done {
            out.push(t);
        }
    } else {
        out.truncate(mark);
        merge_parts(piece, out, ws);
    }
    (ws.done, ws.chunk, ws.seam) = (done, chunk, seam);
}

/// Extends `done` (the tokens of the text before `at`, after the token `sent`, if any, that
/// has gone to the sink) by `chunk` (the tokens of the text from `at`), re-merging a seam
/// around `at` (see `merge_long`). False if the seam would have to reach back past `sent`.
fn stitch(
    piece: &[u8],
    at: usize,
    sent: Option<u32>,
    done: &mut Vec<u32>,
    chunk: &[u32],
    seam: &mut Vec<u32>,
    ws: &mut Workspace,
) -> bool {
    let Some(&last) = done.last() else {
        done.extend_from_slice(chunk);
        return true;
    };
    if compatible(last, chunk[0], ws) {
        done.extend_from_slice(chunk);
        return true;
    }
    let mut reach = 1;
    loop {
        let (left, right) = (reach.min(done.len()), reach.min(chunk.len()));
        let keep = done.len() - left;
        let from = at - tokens_len(&done[keep..]);
        let to = at + tokens_len(&chunk[..right]);
        seam.clear();
        merge(&piece[from..to], seam, ws);
        let before = if keep > 0 { Some(done[keep - 1]) } else { sent };
        let (first, last) = (seam[0], seam[seam.len() - 1]);
        let left_ok = before.is_none_or(|t| compatible(t, first, ws));
        let right_ok = chunk.get(right).is_none_or(|&t| compatible(last, t, ws));
        if left_ok && right_ok {
            done.truncate(keep);
            done.extend_from_slice(seam);
            done.extend_from_slice(&chunk[right..]);
            return true;
        }
        if keep == 0 && right == chunk.len() {
            // Only when `sent` is not compatible: the seam would need text already sent.
            return false;
        }
        reach *= 2;
    }
}

/// Whether `E(a ++ b) = [a, b]` (the text of two neighbouring tokens of a piece). Answers are
/// cached: a long run of one kind of text meets the same pairs at seam after seam.
fn compatible(a: u32, b: u32, ws: &mut Workspace) -> bool {
    let pair = (a as u64) << RANK_BITS | b as u64;
    let slot = (pair.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - COMPAT_BITS)) as usize;
    if let Some(&entry) = ws.compat.get(slot) {
        if entry >> 1 == pair {
            return entry & 1 == 1;
        }
    }
    let ok = merges_to(a, b, ws);
    if let Some(entry) = ws.compat.get_mut(slot) {
        *entry = pair << 1 | ok as u64;
    }
    ok
}

/// `compatible`, computed.
fn merges_to(a: u32, b: u32, ws: &mut Workspace) -> bool {
    let (x, y) = (token_bytes(a).unwrap_or(&[]), token_bytes(b).unwrap_or(&[]));
    let mut text = [0u8; 2 * MAX_TOKEN_LEN];
    let n = x.len() + y.len();
    text[..x.len()].copy_from_slice(x);
    text[x.len()..n].copy_from_slice(y);
    let mut two = FirstTwo { count: 0, tokens: [NONE; 2] };
    merge_parts(&text[..n], &mut two, ws);
    two.count == 2 && two.tokens == [a, b]
}

/// Keeps the first two ranks it receives, and the count.
struct FirstTwo {
    count: usize,
    tokens: [u32; 2],
}

impl Sink for FirstTwo {
    fn push(&mut self, rank: u32) {
        if let Some(t) = self.tokens.get_mut(self.count) {
            *t = rank;
        }
        self.count += 1;
    }
    fn len(&self) -> usize {
        self.count
    }
    fn truncate(&mut self, len: usize) {
        self.count = self.count.min(len);
    }
}

#[inline(always)]
fn token_len(t: u32) -> usize {
    token_bytes(t).map_or(0, <[u8]>::len)
}

fn tokens_len(tokens: &[u32]) -> usize {
    tokens.iter().map(|&t| token_len(t)).sum()
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

/// Per-thread state of the merge loops: the caches and scratch arrays (reused, so a piece costs
/// no allocation once they have grown to the longest piece seen). The parts of the piece being
/// merged are numbered by their position in the starting split: `start[u]` is the offset of
/// part `u` (then `piece.len()`), `rank[u]` its token, `next[u]`/`prev[u]` the neighbouring live
/// parts.
struct Workspace {
    cache: PairCache,
    /// `compatible` answers: `a << RANK_BITS | b`, then the answer bit (all ones: empty).
    /// Allocated by the first long piece (when `caching`).
    compat: Box<[u64]>,
    /// Whether this workspace keeps caches (false: every probe misses, nothing is stored).
    caching: bool,
    memo: PieceMemo,
    /// Short pieces (3 to 8 bytes) and whether they are a token (`whole_token`).
    short: Box<[ShortPiece]>,
    /// The tokens of the piece being merged, before they go to the memo and the sink.
    tokens: Vec<u32>,
    /// `merge_long`: the tokens merged so far, those of the current chunk, and of the seam.
    done: Vec<u32>,
    chunk: Vec<u32>,
    seam: Vec<u32>,
    start: Vec<u32>,
    rank: Vec<u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
    /// Heap loop: the rank of each live part joined with its successor (`NONE` if none).
    pair: Vec<u32>,
    heap: BinaryHeap<Reverse<(u32, u32)>>,
    /// Block-minimum loop: pair keys and their block minima.
    key: [i32; SMALL],
    block_min: [i32; SMALL / BLOCK],
}

impl Workspace {
    fn new() -> Self {
        Workspace {
            cache: PairCache { entries: vec![u64::MAX; 1 << CACHE_BITS].into_boxed_slice() },
            caching: true,
            memo: PieceMemo::new(),
            short: vec![ShortPiece { key: 0, len: 0, rank: NONE }; 1 << SHORT_BITS].into_boxed_slice(),
            ..Self::bare()
        }
    }

    /// Scratch arrays only; both caches empty (every probe misses, nothing is stored).
    fn bare() -> Self {
        Workspace {
            cache: PairCache { entries: Box::new([]) },
            compat: Box::new([]),
            caching: false,
            memo: PieceMemo::disabled(),
            short: Box::new([]),
            tokens: Vec::new(),
            done: Vec::new(),
            chunk: Vec::new(),
            seam: Vec::new(),
            start: Vec::new(),
            rank: Vec::new(),
            next: Vec::new(),
            prev: Vec::new(),
            pair: Vec::new(),
            heap: BinaryHeap::new(),
            key: [NO_KEY; SMALL],
            block_min: [NO_KEY; SMALL / BLOCK],
        }
    }

    /// Gives back the memory of scratch arrays that a long piece grew past `KEEP` elements, so
    /// that a thread keeps only a small, fixed amount between calls.
    fn trim(&mut self) {
        fn trim_vec<T>(v: &mut Vec<T>) {
            if v.capacity() > KEEP {
                v.clear();
                v.shrink_to(KEEP);
            }
        }
        for v in [&mut self.tokens, &mut self.done, &mut self.chunk, &mut self.seam] {
            trim_vec(v);
        }
        for v in [&mut self.start, &mut self.rank, &mut self.next, &mut self.prev, &mut self.pair] {
            trim_vec(v);
        }
        if self.heap.capacity() > KEEP {
            self.heap.clear();
            self.heap.shrink_to(KEEP);
        }
    }
}

const CACHE_BITS: u32 = 15;
/// log2 of the number of entries of the cache of short pieces (16 bytes each).
const SHORT_BITS: u32 = 14;
const COMPAT_BITS: u32 = 15;
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

/// The minimum of `keys` (a multiple of 4 long): column minima first, which SSE2 and NEON do
/// four lanes at a time, then across the columns.
#[inline(always)]
fn min_key(keys: &[i32]) -> i32 {
    let mut m = [NO_KEY; 4];
    for c in keys.chunks_exact(4) {
        for (l, &k) in m.iter_mut().zip(c) {
            *l = (*l).min(k);
        }
    }
    m[0].min(m[1]).min(m[2].min(m[3]))
}

/// Key of "no pair".
const NO_KEY: i32 = i32::MAX;
const _: () = assert!(SMALL <= 128 && (super::vocab::N_RANKS as u64) << 7 < i32::MAX as u64);

/// Merge loop for pieces of up to `TINY` starting parts: the textbook loop on small arrays. Each
/// step scans the pair ranks for the lowest (leftmost on ties), merges, shifts the arrays down
/// by one and recomputes the two pairs around the merged part.
fn merge_tiny<S: Sink>(piece: &[u8], out: &mut S, ws: &mut Workspace) {
    let Workspace { cache, start, rank, .. } = ws;
    let m = rank.len();
    let mut st = [0u32; TINY + 1];
    let mut rk = [0u32; TINY];
    let mut pr = [NONE; TINY];
    st[..=m].copy_from_slice(&start[..=m]);
    rk[..m].copy_from_slice(rank);
    for (u, p) in pr.iter_mut().enumerate().take(m - 1) {
        *p = first_pair(piece, start, rank, u, cache);
    }
    let mut len = m;
    loop {
        let (mut best, mut at) = (NONE, 0);
        for (i, &r) in pr.iter().enumerate().take(len - 1) {
            if r < best {
                best = r;
                at = i;
            }
        }
        if best == NONE {
            break;
        }
        rk[at] = best;
        for i in at + 1..len - 1 {
            rk[i] = rk[i + 1];
            st[i] = st[i + 1];
            pr[i] = pr[i + 1];
        }
        st[len - 1] = st[len];
        len -= 1;
        pr[at] = if at + 1 < len { cache.join(piece, st[at], st[at + 2], best, rk[at + 1]) } else { NONE };
        if at > 0 {
            pr[at - 1] = cache.join(piece, st[at - 1], st[at + 1], rk[at - 1], best);
        }
    }
    for &r in rk.iter().take(len) {
        out.push(r);
    }
}

/// Merge loop for pieces of up to `SMALL` starting parts (after `split_parts`). `key[u]` is the
/// `pair_key` of part `u` joined with its successor (`NO_KEY` for the last part and for parts
/// already merged into their predecessor), and `block_min` the minimum of each block of `BLOCK`
/// keys, so finding the next merge scans the block minima and a merge refreshes at most three
/// blocks.
fn merge_small<S: Sink>(piece: &[u8], out: &mut S, ws: &mut Workspace) {
    let Workspace { cache, start, rank, next, prev, key, block_min, .. } = ws;
    let m = rank.len();
    link(m, next, prev);
    let pairs = m - 1;
    let blocks = pairs.div_ceil(BLOCK);
    for (u, k) in key.iter_mut().enumerate().take(pairs) {
        *k = pair_key(first_pair(piece, start, rank, u, cache), u);
    }
    key[pairs..blocks * BLOCK].fill(NO_KEY);
    let refresh = |key: &[i32; SMALL], block_min: &mut [i32; SMALL / BLOCK], b: usize| {
        if let (Some(k), Some(m)) = (key.get(b * BLOCK..b * BLOCK + BLOCK), block_min.get_mut(b)) {
            *m = min_key(k);
        }
    };
    for b in 0..blocks {
        refresh(key, block_min, b);
    }
    // Unused blocks count as empty, so the minimum below is over all of them (a fixed width).
    block_min[blocks..].fill(NO_KEY);
    loop {
        let best = min_key(block_min);
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
        key[at] = if after < m {
            prev[after] = at as u32;
            let end = start[next[after] as usize];
            pair_key(cache.join(piece, start[at], end, r, rank[after]), at)
        } else {
            NO_KEY
        };
        let (b_at, b_right) = (at / BLOCK, right / BLOCK);
        if at > 0 {
            let p = prev[at] as usize;
            key[p] = pair_key(cache.join(piece, start[p], start[after], rank[p], r), p);
            if p / BLOCK != b_at {
                refresh(key, block_min, p / BLOCK);
            }
        }
        refresh(key, block_min, b_at);
        if b_right != b_at && b_right < blocks {
            refresh(key, block_min, b_right);
        }
    }
    emit(rank, next, out);
}

/// Heap-driven merge for pieces of many starting parts. A heap entry `(rank, u)` is stale unless
/// part `u` is alive and its current pair rank is still `rank` (pairs only ever grow, so a
/// pair's rank never comes back to an older value).
fn merge_large<S: Sink>(piece: &[u8], out: &mut S, ws: &mut Workspace) {
    let Workspace { cache, start, rank, next, prev, pair, heap, .. } = ws;
    let m = rank.len();
    link(m, next, prev);
    pair.clear();
    pair.resize(m, NONE);
    heap.clear();
    for (u, p) in pair.iter_mut().enumerate().take(m - 1) {
        let r = first_pair(piece, start, rank, u, cache);
        *p = r;
        if r != NONE {
            heap.push(Reverse((r, u as u32)));
        }
    }
    while let Some(Reverse((r, u))) = heap.pop() {
        let at = u as usize;
        if pair[at] != r {
            continue;
        }
        // Merge part `at` with its successor.
        let right = next[at] as usize;
        let after = next[right] as usize;
        rank[at] = r;
        next[at] = after as u32;
        pair[right] = NONE;
        // New pair of `at` with its new successor.
        let nr = if after < m {
            prev[after] = u;
            cache.join(piece, start[at], start[next[after] as usize], r, rank[after])
        } else {
            NONE
        };
        pair[at] = nr;
        if nr != NONE {
            heap.push(Reverse((nr, u)));
        }
        // The pair ending at `at` now ends later.
        if at > 0 {
            let p = prev[at] as usize;
            let pr = cache.join(piece, start[p], start[after], rank[p], r);
            pair[p] = pr;
            if pr != NONE {
                heap.push(Reverse((pr, p as u32)));
            }
        }
    }
    emit(rank, next, out);
}

/// Links `m` parts in order (`next` of the last is `m`).
#[inline(always)]
fn link(m: usize, next: &mut Vec<u32>, prev: &mut Vec<u32>) {
    next.clear();
    next.extend(1..=m as u32);
    prev.clear();
    prev.extend((0..m as u32).map(|u| u.wrapping_sub(1)));
}

/// Writes the tokens of the live parts, in order.
#[inline(always)]
fn emit<S: Sink>(rank: &[u32], next: &[u32], out: &mut S) {
    let mut u = 0usize;
    while let Some(&r) = rank.get(u) {
        out.push(r);
        u = next[u] as usize;
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

    /// xorshift64: deterministic pseudo-random numbers below `n`.
    fn rng(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        }
    }

    /// Text built from runs of a few alphabets, as one piece: long runs of one letter, short
    /// periods, runs of one script and mixtures, where chunk seams fall anywhere.
    fn long_text(rnd: &mut impl FnMut(usize) -> usize, len: usize) -> String {
        let alphabets: [&[&str]; 10] = [
            &["a"],
            &["a", "b"],
            &["=", "-", "*"],
            &["(", ")", "{", "}", ";", ".", "!", "`", "~", "^", "|"],
            &[" ", "\n"],
            &[" ", "\t", "\n", "\r", "\n\n"],
            &["日", "本", "語", "の", "ー", "テ"],
            &["п", "р", "и", "в", "е", "т"],
            &["e", "\u{301}", "é", "🙂", "\u{80}"],
            &["ab", "ba", "abc", "c", "ca"],
        ];
        let mut text = String::new();
        while text.len() < len {
            let alphabet = alphabets[rnd(alphabets.len())];
            let most = if rnd(4) == 0 { 400 } else { 40 };
            let run = 1 + rnd(most);
            for _ in 0..run {
                text.push_str(alphabet[rnd(alphabet.len())]);
            }
        }
        text
    }

    #[test]
    fn chunked_merging_agrees_with_one_loop() {
        let mut rnd = rng(0x9e37_79b9_7f4a_7c15);
        let mut ws = Workspace::new();
        for round in 0..400 {
            let len = 1 + rnd(if round % 8 == 0 { 3000 } else { 600 });
            let text = long_text(&mut rnd, len);
            let piece = text.as_bytes();
            split_parts(piece, &mut ws.start, &mut ws.rank);
            let mut want = Vec::new();
            merge_large(piece, &mut want, &mut ws);
            if piece.len() <= 200 {
                assert_eq!(want, naive(piece), "piece {text:?}");
            }
            // Small chunks and windows: many seams, sends to the sink, and reaches past them.
            let chunk_len = 4 + rnd(60);
            let window = 1 + rnd(12);
            let mut got = vec![7, 7];
            merge_chunked(piece, &mut got, &mut ws, chunk_len, window);
            assert_eq!(got[2..], want[..], "chunk {chunk_len}, window {window}, piece {text:?}");
            // Cut where no merge crosses first, then chunked where the parts are long.
            let sizes = Chunking { long: 8 + rnd(200), chunk_len, window };
            let mut cut = vec![7];
            merge_cuts(piece, &mut cut, &mut ws, sizes);
            assert_eq!(cut[1..], want[..], "cuts, long {}, piece {text:?}", sizes.long);
            let mut count = Counter(3);
            merge_chunked(piece, &mut count, &mut Workspace::bare(), chunk_len, window);
            assert_eq!(count.0, 3 + want.len());
        }
        // The real sizes, through the public path (and the memo, on the second pass).
        for text in ["a".repeat(20_011), "ab".repeat(7_000) + "a", long_text(&mut rnd, 30_000)] {
            let piece = text.as_bytes();
            split_parts(piece, &mut ws.start, &mut ws.rank);
            let mut want = Vec::new();
            merge_large(piece, &mut want, &mut ws);
            for _ in 0..2 {
                let mut got = Vec::new();
                encode_piece(&text, &mut got);
                assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn short_piece_cache_answers_as_the_table_does() {
        // Tokens, strings that are not, strings that differ only in length or in a NUL byte,
        // each asked many times, in a cache small enough for entries to replace each other.
        let mut rnd = rng(0x2545_f491_4f6c_dd1d);
        let mut ws = Workspace::new();
        ws.short = vec![ShortPiece { key: 0, len: 0, rank: NONE }; 64].into_boxed_slice();
        let mut pieces: Vec<Vec<u8>> = Vec::new();
        for _ in 0..400 {
            let token = token_bytes(rnd(super::super::vocab::N_RANKS) as u32).unwrap_or(&[]).to_vec();
            let mut other = token.clone();
            other.push(0);
            pieces.extend([token, other, vec![0; 1 + rnd(8)], (0..1 + rnd(8)).map(|_| rnd(256) as u8).collect()]);
        }
        pieces.extend([b"the".to_vec(), b"the\0".to_vec(), b"the\0\0".to_vec(), b" the".to_vec()]);
        for _ in 0..4 {
            for p in &pieces {
                assert_eq!(whole_token(p, &mut ws), rank_of(p), "{p:?}");
            }
        }
    }

    #[test]
    fn inner_pairs_are_the_pairs_inside_tokens() {
        let mut inside = vec![false; 65536];
        for rank in 0..super::super::vocab::N_RANKS as u32 {
            for w in token_bytes(rank).unwrap_or(&[]).windows(2) {
                inside[w[0] as usize | (w[1] as usize) << 8] = true;
            }
        }
        for (i, &want) in inside.iter().enumerate() {
            assert_eq!(pair_inside_token(i as u8, (i >> 8) as u8), want, "pair {i:#06x}");
        }
        // Some pairs, ASCII punctuation among them, are inside no token: cuts happen.
        assert!(!pair_inside_token(b'`', b'~') || !pair_inside_token(b'^', b'|'));
    }

    #[test]
    fn pieces_cut_inside_chars_merge_as_bytes_do() {
        // `merge_long` merges substrings that start or end inside a char.
        let mut rnd = rng(0x0123_4567_89ab_cdef);
        let mut ws = Workspace::new();
        for _ in 0..3000 {
            let len = 2 + rnd(60);
            let text = long_text(&mut rnd, len);
            let piece = text.as_bytes();
            let from = rnd(piece.len());
            let to = from + 1 + rnd(piece.len() - from);
            let part = &piece[from..to];
            let mut got = Vec::new();
            merge(part, &mut got, &mut Workspace::bare());
            assert_eq!(got, naive(part), "bytes {part:?}");
            let mut cached = Vec::new();
            merge(part, &mut cached, &mut ws);
            assert_eq!(cached, got);
        }
    }

    #[test]
    fn long_pieces_leave_no_large_buffers() {
        let text = "x".repeat(3) + &"日本".repeat(40_000);
        let mut out = Vec::new();
        encode_piece(&text, &mut out);
        WORKSPACE.with(|cell| {
            let ws = cell.borrow();
            for v in [&ws.tokens, &ws.done, &ws.chunk, &ws.seam, &ws.start, &ws.rank, &ws.next, &ws.prev, &ws.pair] {
                assert!(v.capacity() <= KEEP, "{}", v.capacity());
            }
            assert!(ws.heap.capacity() <= KEEP);
        });
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
        let samples: Vec<&str> = vec![
            "日本語のテキストを分割する",
            "中华人民共和国的首都是北京，한국어 문장입니다",
            "Привет, Ελληνικά, עברית, العربية, ไทย",
            "abcdefghijklmnopqrstuvwxyz",
            // Runs of one char: equal pair ranks, so the leftmost-on-ties rule decides.
            "aaaaaaaaaaaaaaaaaaaaaaaa==========ーーーーーーーー",
            "🙂👍🏽é\u{301}\u{0}\u{80}\u{7ff}\u{800}\u{ffff}",
        ];
        let mut ws = Workspace::new();
        for round in 0..3000 {
            let mut text = String::new();
            let len = 2 + rnd(match round % 10 {
                0 => 400,
                1..=4 => 140,
                _ => 50,
            });
            while text.len() < len {
                let chars: Vec<char> = samples[rnd(samples.len())].chars().collect();
                let a = rnd(chars.len());
                let b = a + 1 + rnd(chars.len() - a);
                text.extend(&chars[a..b]);
            }
            let piece = text.as_bytes();
            let want = naive(piece);
            split_parts(piece, &mut ws.start, &mut ws.rank);
            let mut large = Vec::new();
            merge_large(piece, &mut large, &mut ws);
            assert_eq!(large, want, "large, piece {piece:?}");
            if ws.rank.len() <= SMALL {
                split_parts(piece, &mut ws.start, &mut ws.rank);
                let mut small = Vec::new();
                merge_small(piece, &mut small, &mut ws);
                assert_eq!(small, want, "small, piece {piece:?}");
            }
            if ws.rank.len() <= TINY {
                split_parts(piece, &mut ws.start, &mut ws.rank);
                let mut tiny = Vec::new();
                merge_tiny(piece, &mut tiny, &mut ws);
                assert_eq!(tiny, want, "tiny, piece {piece:?}");
            }
            // Like tiktoken, a piece that is itself a token is that token.
            let mut bare = Vec::new();
            merge(piece, &mut bare, &mut Workspace::bare());
            assert_eq!(bare, want, "without caches, piece {piece:?}");
            // Twice: the second call is answered by the memo.
            let want = rank_of(piece).map_or(want, |r| vec![r]);
            for _ in 0..2 {
                let mut via = Vec::new();
                encode_piece(&text, &mut via);
                assert_eq!(via, want);
            }
        }
    }
}
