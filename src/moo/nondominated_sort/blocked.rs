//! Dominator bitsets in cache-sized tiles, for three or more objectives and many rows.
//!
//! Input, as for [`super::bitset`]: distinct rows in lexicographic order, so a row can only be
//! dominated by rows at smaller positions, and `q ≤ p` in objectives `1..M` (with `q` before
//! `p`) means `q` dominates `p`. The rank is `rank(p) = 1 + max{rank(q) : q dominates p}`.
//!
//! The whole `N × N` dominator matrix of `bitset.rs` (`N²/8` bytes: 1.25 GB at `N = 10⁵`) is
//! never held. The positions are cut into blocks of `B = 64·W` rows, and the rows of block `P`
//! are ranked from tiles `(P, C)`, one `B × B` bit matrix at a time (`B·W` words, sized to stay
//! in the L2 cache), for every earlier block `C` and then `C = P`:
//! - Tile row `p` starts as the rows of `C` whose objective 1 is at most `p`'s and is
//!   intersected with the same set for objectives `2..M`. Each set comes from one merge of `P`'s
//!   and `C`'s rows, both presorted by that objective: a running bitset of the `C` rows passed.
//! - An earlier block `C` has final ranks. Its columns are stored in order of decreasing rank,
//!   so the largest rank among `p`'s dominators in `C` is the rank of the first set bit of the
//!   tile row: one scan of at most `W` words, no search.
//! - The diagonal tile (`C = P`, bits masked to the rows before `p`) is resolved in position
//!   order, where all dominators of `p` inside `P` already have their rank.
//!
//! Work: `(M − 1)·N²/128` word operations in all (as `bitset.rs`, but from the cache instead of
//! main memory), plus `(M − 1)·N²/B` merge steps; memory `O(M·N + B·W)`.

use super::sweep::ord_key;

/// Words per tile row in the production sort: `B = 2048` rows per block, tiles of 512 KB.
pub(super) const WORDS: usize = 32;

/// Ranks of the `n` distinct, lexicographically sorted rows of `v` (`m >= 2` columns), with
/// blocks of `64·W` rows (`W` is a parameter so that the tests can cross many block edges with
/// few rows).
pub(super) fn rank_sorted_distinct<const W: usize>(v: &[f64], m: usize) -> Vec<usize> {
    let b = 64 * W;
    let n = v.len() / m;
    let nb = n.div_ceil(b);
    // lists[(k − 1)·n + start(P) ..][..len(P)]: block P's rows as (dense rank of objective k,
    // local index), sorted by that rank. Dense ranks make ties equal and comparisons integral.
    let mut lists = vec![(0u32, 0u32); (m - 1) * n];
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(n);
    let mut fill = vec![0usize; nb];
    for k in 1..m {
        keys.clear();
        keys.extend((0..n).map(|p| (ord_key(v[p * m + k]), p as u32)));
        keys.sort_unstable();
        fill.iter_mut().enumerate().for_each(|(i, f)| *f = i * b);
        let list = &mut lists[(k - 1) * n..k * n];
        let mut d = 0u32;
        for (i, &(key, p)) in keys.iter().enumerate() {
            if i > 0 && key != keys[i - 1].0 {
                d += 1;
            }
            let blk = p as usize / b;
            list[fill[blk]] = (d, p % b as u32);
            fill[blk] += 1;
        }
    }
    drop(keys);
    // The same lists with the local index replaced by the column bit (rank-descending order
    // within the block), filled in once the block's ranks are final.
    let mut cols = vec![(0u32, 0u32); (m - 1) * n];
    // crank[start(C) + bit]: rank of the row at that column bit.
    let mut crank = vec![0u32; n];
    let mut rank = vec![0u32; n];
    let mut tile = vec![[0u64; W]; b];
    let mut best = vec![0u32; b];
    let mut order: Vec<u32> = Vec::with_capacity(b);
    for pb in 0..nb {
        let a = pb * b;
        let len = b.min(n - a);
        best[..len].fill(0);
        for cb in 0..pb {
            let c = cb * b;
            for k in 1..m {
                let rows = &lists[(k - 1) * n + a..][..len];
                let col = &cols[(k - 1) * n + c..][..b];
                intersect_prefixes(&mut tile, rows, col, k == 1);
            }
            for (t, bst) in tile[..len].iter().zip(&mut best[..len]) {
                if let Some(w) = t.iter().position(|&x| x != 0) {
                    let bit = w * 64 + t[w].trailing_zeros() as usize;
                    *bst = (*bst).max(crank[c + bit] + 1);
                }
            }
        }
        // Diagonal tile: local bit q < p only, then the same intersections in natural order.
        for (i, t) in tile[..len].iter_mut().enumerate() {
            t.fill(0);
            t[..i / 64].fill(!0);
            if i % 64 != 0 {
                t[i / 64] = (1u64 << (i % 64)) - 1;
            }
        }
        for k in 1..m {
            let rows = &lists[(k - 1) * n + a..][..len];
            intersect_prefixes(&mut tile, rows, rows, false);
        }
        for i in 0..len {
            let mut r = best[i];
            for (w, &word) in tile[i][..i.div_ceil(64)].iter().enumerate() {
                let mut x = word;
                while x != 0 {
                    let q = w * 64 + x.trailing_zeros() as usize;
                    r = r.max(rank[a + q] + 1);
                    x &= x - 1;
                }
            }
            rank[a + i] = r;
        }
        if pb + 1 < nb {
            // Column order of this block for the later ones: by decreasing rank.
            order.clear();
            order.extend(0..len as u32);
            order.sort_unstable_by_key(|&i| std::cmp::Reverse(rank[a + i as usize]));
            let mut bit_of = vec![0u32; len];
            for (bit, &i) in order.iter().enumerate() {
                bit_of[i as usize] = bit as u32;
                crank[a + bit] = rank[a + i as usize];
            }
            for k in 1..m {
                let src = &lists[(k - 1) * n + a..][..len];
                let dst = &mut cols[(k - 1) * n + a..][..len];
                for (d, &(key, i)) in dst.iter_mut().zip(src) {
                    *d = (key, bit_of[i as usize]);
                }
            }
        }
    }
    rank.into_iter().map(|r| r as usize).collect()
}

/// For each `(key, i)` of `rows` (sorted by key), intersects tile row `i` with (or, when `first`,
/// sets it to) the set of column bits of `col` entries whose key is at most `key`.
#[inline]
fn intersect_prefixes<const W: usize>(
    tile: &mut [[u64; W]],
    rows: &[(u32, u32)],
    col: &[(u32, u32)],
    first: bool,
) {
    let mut seen = [0u64; W];
    let mut j = 0;
    for &(key, i) in rows {
        while j < col.len() && col[j].0 <= key {
            let bit = col[j].1 as usize;
            seen[bit / 64] |= 1u64 << (bit % 64);
            j += 1;
        }
        if j == col.len() && !first {
            // Every column is in the set from here on, and tile rows have no bits outside the
            // columns: intersecting changes nothing.
            break;
        }
        let t = &mut tile[i as usize];
        if first {
            *t = seen;
        } else {
            for (x, s) in t.iter_mut().zip(&seen) {
                *x &= s;
            }
        }
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
        rows.dedup_by(|a, b| a.iter().zip(b.iter()).all(|(x, y)| x.to_bits() == y.to_bits()));
        rows.concat()
    }

    #[test]
    fn small_blocks_equal_naive() {
        let mut s = crate::rng::stream(19, "test.nds.blocked", 0, 0);
        for m in 2..=6 {
            for n in [1, 2, 63, 64, 65, 127, 128, 129, 200, 640] {
                for levels in [3, 6, 1000] {
                    let rows: Vec<Vec<f64>> = (0..n)
                        .map(|_| (0..m).map(|_| s.below(levels) as f64).collect())
                        .collect();
                    let v = sorted_distinct(rows);
                    let want = super::super::naive_rank(&v, m);
                    assert_eq!(rank_sorted_distinct::<1>(&v, m), want, "W 1 m {m} n {n}");
                    assert_eq!(rank_sorted_distinct::<2>(&v, m), want, "W 2 m {m} n {n}");
                    assert_eq!(rank_sorted_distinct::<WORDS>(&v, m), want, "m {m} n {n}");
                }
            }
        }
    }
}
