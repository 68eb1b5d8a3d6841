//! Dominator bitsets block by block, for four or more objectives and any number of rows.
//!
//! Input: distinct rows in lexicographic order, so a row can only be dominated by rows at
//! smaller positions, and `q ≤ p` in objectives `1..M` (with `q` before `p`) means `q`
//! dominates `p`. The rank is `rank(p) = 1 + max{rank(q) : q dominates p}`.
//!
//! The whole `N × N` dominator matrix (`N²/8` bytes: 1.25 GB at `N = 10⁵`) is never held.
//! Positions are cut into blocks of `B = 64·W` rows, taken in order as the *column block* `C`; when `C`'s turn comes, every earlier block has already been applied to
//! its rows, so:
//! - Its *diagonal* finishes its ranks: a `B × B` tile of dominator bits inside `C` (bit `q` of
//!   row `p` for `q < p`, intersected per objective with a running bitset swept in that
//!   objective's order), resolved in position order.
//! - `C` is then applied to every later row `p`: per objective `k`, the set of `C`'s rows at
//!   most `p` in `k` is a *prefix* of `C`'s rows in `k`-order, whose bitset is precomputed
//!   (`B + 1` prefixes of `W` words per objective, 2 MB at `M = 5`, `W = 32`, so they stay in
//!   the L2 cache); the prefix length is a prefix count of `C`'s members in the global
//!   `k`-order, read at the end of `p`'s group of ties. The dominators of `p` in `C` are the
//!   `AND` of `M − 1` such rows: `(M − 1)·W` word loads, no stores and no branches on the data.
//! - `C`'s columns are numbered by decreasing rank, so the largest rank among `p`'s dominators
//!   in `C` is the rank of the first set bit: one scan, stopped at the first non-zero word and
//!   limited to the columns whose rank could still raise `p`'s lower bound.
//!
//! Work: `(M − 1)·N²/128` word operations in all (loads from the cache, no read-modify-writes
//! of a matrix in main memory), `2·(M − 1)·N²/B` prefix-count steps and `M − 1` sorts; memory
//! `O(M·N + M·B·W)` words.

use super::sweep::ord_key;

/// Words per bitset row in the production sort: blocks of `B = 2048` rows. Measured at
/// `M = 5`, `N = 10⁵`: 16 and 64 words were slower (more prefix counting, resp. prefixes
/// beyond the L2 cache).
pub(super) const WORDS: usize = 32;

/// Ranks of the `n` distinct, lexicographically sorted rows of `v` (`m >= 2` columns), with
/// blocks of `64·W` rows (`W`, a multiple of 8, is a parameter so that the tests can cross
/// block edges with few rows).
///
/// The word loops are entered once through the widest vector instructions the CPU has
/// (AVX-512, AVX2, else the portable build); ranks are integers, so every path gives the same.
pub(super) fn rank_sorted_distinct<const W: usize>(v: &[f64], m: usize) -> Vec<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        if crate::math::vector_lanes() && is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked just above.
            return unsafe { wide::avx512::<W>(v, m) };
        }
        if crate::math::vector_lanes() && is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { wide::avx2::<W>(v, m) };
        }
    }
    body::<W>(v, m)
}

#[cfg(target_arch = "x86_64")]
mod wide {
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn avx512<const W: usize>(v: &[f64], m: usize) -> Vec<usize> {
        super::body::<W>(v, m)
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn avx2<const W: usize>(v: &[f64], m: usize) -> Vec<usize> {
        super::body::<W>(v, m)
    }
}

/// Per objective `k ≥ 1`, the rows in `k`-order, in three layouts (all flat, `(k − 1)·n + …`).
struct Orders {
    /// Per block, its rows as (dense rank of objective `k`, index in the block), sorted by that
    /// rank: ties compare equal and comparisons are on integers.
    lists: Vec<(u32, u32)>,
    /// `ord[s]`: the row at position `s` of the `k`-order.
    ord: Vec<u32>,
    /// `upto[p]`: how many rows are at most row `p` in objective `k` (the end of its ties).
    upto: Vec<u32>,
}

impl Orders {
    fn new(v: &[f64], m: usize, b: usize) -> Self {
        let n = v.len() / m;
        let mut o = Orders {
            lists: vec![(0, 0); (m - 1) * n],
            ord: vec![0; (m - 1) * n],
            upto: vec![0; (m - 1) * n],
        };
        let mut keys: Vec<(u64, u32)> = Vec::with_capacity(n);
        let mut scratch = Vec::new();
        let mut fill = vec![0usize; n.div_ceil(b)];
        for k in 1..m {
            keys.clear();
            keys.extend((0..n).map(|p| (ord_key(v[p * m + k]), p as u32)));
            super::radix::sort_pairs(&mut keys, &mut scratch);
            fill.iter_mut().enumerate().for_each(|(i, f)| *f = i * b);
            let list = &mut o.lists[(k - 1) * n..k * n];
            let ord = &mut o.ord[(k - 1) * n..k * n];
            let upto = &mut o.upto[(k - 1) * n..k * n];
            let (mut d, mut group) = (0u32, 0);
            for (s, &(key, p)) in keys.iter().enumerate() {
                if s > 0 && key != keys[s - 1].0 {
                    d += 1;
                    keys[group..s]
                        .iter()
                        .for_each(|&(_, q)| upto[q as usize] = s as u32);
                    group = s;
                }
                let blk = p as usize / b;
                list[fill[blk]] = (d, p % b as u32);
                fill[blk] += 1;
                ord[s] = p;
            }
            keys[group..]
                .iter()
                .for_each(|&(_, q)| upto[q as usize] = n as u32);
        }
        o
    }
}

/// The sort itself, compiled once per instruction set (hence `inline(always)`).
#[inline(always)]
fn body<const W: usize>(v: &[f64], m: usize) -> Vec<usize> {
    const { assert!(W % 8 == 0 && W < 1024, "whole AVX-512 words, counts in u16") };
    let b = 64 * W;
    let n = v.len() / m;
    let nb = n.div_ceil(b);
    let o = Orders::new(v, m, b);
    let mut rank = vec![0u32; n];
    // Lower bound on each row's rank from the column blocks applied to it so far.
    let mut best = vec![0u32; n];
    let mut tile = vec![[0u64; W]; b.min(n)];
    // Only needed with two blocks or more (sized 0 otherwise):
    // pre[(k − 1)·(b + 1) + j]: bits of the first j rows of the column block in k-order;
    // pc[s]: how many of the first s rows in k-order are in the column block (one k at a time);
    // cnt[(k − 1)·n + p]: how many rows of the column block are at most row p in k.
    let several = nb > 1;
    let mut pre = vec![[0u64; W]; if several { (m - 1) * (b + 1) } else { 0 }];
    let mut pc = vec![0u32; if several { n + 1 } else { 0 }];
    let mut cnt = vec![0u16; if several { (m - 1) * n } else { 0 }];
    let mut crank = vec![0u32; if several { b } else { 0 }];
    let mut bit_of = vec![0u32; if several { b } else { 0 }];
    let mut order: Vec<u32> = Vec::new();
    let mut words_ge: Vec<u32> = Vec::new();
    for cb in 0..nb {
        let c = cb * b;
        let clen = b.min(n - c);
        diagonal(
            &mut tile[..clen],
            &o,
            n,
            m,
            c,
            &best[c..c + clen],
            &mut rank,
        );
        if cb + 1 == nb {
            break;
        }
        // Column bits by decreasing rank (a full block: clen == b).
        order.clear();
        order.extend(0..b as u32);
        order.sort_unstable_by_key(|&i| std::cmp::Reverse(rank[c + i as usize]));
        for (bit, &i) in order.iter().enumerate() {
            bit_of[i as usize] = bit as u32;
            crank[bit] = rank[c + i as usize];
        }
        for k in 1..m {
            let col = &o.lists[(k - 1) * n + c..][..b];
            let pk = &mut pre[(k - 1) * (b + 1)..][..b + 1];
            let mut seen = [0u64; W];
            pk[0] = seen;
            for (dst, &(_, i)) in pk[1..].iter_mut().zip(col) {
                let bit = bit_of[i as usize] as usize;
                seen[bit / 64] |= 1u64 << (bit % 64);
                *dst = seen;
            }
            let ord = &o.ord[(k - 1) * n..k * n];
            let mut run = 0;
            pc[0] = 0;
            for (dst, &p) in pc[1..].iter_mut().zip(ord) {
                run += (p as usize / b == cb) as u32;
                *dst = run;
            }
            let upto = &o.upto[(k - 1) * n + c + b..k * n];
            for (dst, &u) in cnt[(k - 1) * n + c + b..k * n].iter_mut().zip(upto) {
                *dst = pc[u as usize] as u16;
            }
        }
        // words_ge[r]: words holding the columns of rank >= r, the only ones that can raise a
        // lower bound of r.
        let top = crank[0] as usize + 1;
        words_ge.clear();
        words_ge.extend(
            (0..=top).map(|r| crank.partition_point(|&x| x as usize >= r).div_ceil(64) as u32),
        );
        for (p, bst) in best.iter_mut().enumerate().skip(c + b) {
            let lim = words_ge[(*bst as usize).min(top)] as usize;
            let first = &pre[cnt[p] as usize];
            // Eight words at a time (one AVX-512 register), stopping at the first non-zero one.
            for ch in 0..lim.div_ceil(8) {
                let mut x: [u64; 8] = std::array::from_fn(|l| first[ch * 8 + l]);
                for k in 1..m - 1 {
                    let r = &pre[k * (b + 1) + cnt[k * n + p] as usize];
                    for (l, xl) in x.iter_mut().enumerate() {
                        *xl &= r[ch * 8 + l];
                    }
                }
                if let Some(l) = x.iter().position(|&y| y != 0) {
                    let w = ch * 8 + l;
                    if w < lim {
                        let bit = w * 64 + x[l].trailing_zeros() as usize;
                        *bst = (*bst).max(crank[bit] + 1);
                    }
                    break;
                }
            }
        }
    }
    rank.into_iter().map(|r| r as usize).collect()
}

/// Ranks the `tile.len()` rows of the block at `c` from their lower bounds `best` and their
/// dominators inside the block.
#[inline(always)]
fn diagonal<const W: usize>(
    tile: &mut [[u64; W]],
    o: &Orders,
    n: usize,
    m: usize,
    c: usize,
    best: &[u32],
    rank: &mut [u32],
) {
    for (i, t) in tile.iter_mut().enumerate() {
        t.fill(0);
        t[..i / 64].fill(!0);
        if i % 64 != 0 {
            t[i / 64] = (1u64 << (i % 64)) - 1;
        }
    }
    for k in 1..m {
        // Rows in k-order; the running set holds the rows at most the current one.
        let rows = &o.lists[(k - 1) * n + c..][..tile.len()];
        let mut seen = [0u64; W];
        let mut j = 0;
        for &(key, i) in rows {
            while j < rows.len() && rows[j].0 <= key {
                let bit = rows[j].1 as usize;
                seen[bit / 64] |= 1u64 << (bit % 64);
                j += 1;
            }
            if j == rows.len() {
                // Every row is in the set from here on: intersecting changes nothing.
                break;
            }
            for (x, s) in tile[i as usize].iter_mut().zip(&seen) {
                *x &= s;
            }
        }
    }
    for (i, t) in tile.iter().enumerate() {
        let mut r = best[i];
        for (w, &word) in t[..i.div_ceil(64)].iter().enumerate() {
            let mut x = word;
            while x != 0 {
                r = r.max(rank[c + w * 64 + x.trailing_zeros() as usize] + 1);
                x &= x - 1;
            }
        }
        rank[c + i] = r;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distinct rows in lexicographic order, as the callers hand them over.
    fn sorted_distinct(mut rows: Vec<Vec<f64>>) -> Vec<f64> {
        rows.sort_by(|a, b| {
            a.iter()
                .zip(b)
                .map(|(x, y)| x.total_cmp(y))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        rows.dedup_by(|a, b| {
            a.iter()
                .zip(b.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits())
        });
        rows.concat()
    }

    #[test]
    fn small_blocks_equal_naive() {
        // Blocks of 512 rows: sizes at, one below and one above a block edge, and several
        // blocks, with coarse grids (many ties) and fine ones.
        let mut s = crate::rng::stream(19, "test.nds.blocked", 0, 0);
        for m in 2..=6 {
            for n in [1, 2, 63, 64, 65, 511, 512, 513, 1100, 1600] {
                for levels in [3, 6, 1000] {
                    let rows: Vec<Vec<f64>> = (0..n)
                        .map(|_| (0..m).map(|_| s.below(levels) as f64).collect())
                        .collect();
                    let v = sorted_distinct(rows);
                    let want = super::super::naive_rank(&v, m);
                    assert_eq!(rank_sorted_distinct::<8>(&v, m), want, "W 8 m {m} n {n}");
                    assert_eq!(body::<8>(&v, m), want, "portable, W 8 m {m} n {n}");
                }
            }
        }
    }

    #[test]
    fn production_blocks_equal_naive_and_divide_and_conquer_across_block_edges() {
        // Blocks of 2048 rows: one below, at and one above an edge, and three blocks.
        let mut s = crate::rng::stream(20, "test.nds.blocked", 1, 0);
        for m in [4, 5, 6] {
            for n in [2047, 2048, 2049, 5000] {
                let coarse = n == 2049;
                let rows: Vec<Vec<f64>> = (0..n)
                    .map(|_| {
                        (0..m)
                            .map(|_| {
                                if coarse {
                                    s.below(12) as f64
                                } else {
                                    s.uniform_f64()
                                }
                            })
                            .collect()
                    })
                    .collect();
                let v = sorted_distinct(rows);
                let got = rank_sorted_distinct::<WORDS>(&v, m);
                assert_eq!(got, super::super::naive_rank(&v, m), "m {m} n {n}");
                assert_eq!(
                    got,
                    super::super::divide::rank_sorted_distinct(&v, m),
                    "m {m} n {n}"
                );
            }
        }
    }
}
