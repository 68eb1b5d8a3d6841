//! Dominator bitsets for up to a few thousand rows and three or more objectives.
//!
//! Input, as for [`super::divide`]: distinct rows in lexicographic order, so a row can only be
//! dominated by rows at smaller positions, and `q ≤ p` in every objective (with `q ≠ p`) means
//! `q` dominates `p`. For each row `p` the set `D_p` of its dominators is one bit per row:
//! it starts as all positions before `p` (objective 0 is settled by the order) and is
//! intersected, for each further objective `k`, with the rows whose `f_k` is at most `p`'s,
//! which a sweep in increasing `f_k` keeps as one running bitset. That is `(M − 1)` sorts plus
//! `(M − 1)·N²/128` word operations, with no branch on the data.
//!
//! Ranks then follow in position order by a binary search over the fronts (one bitset each):
//! "front `r` holds a dominator of `p`" is monotone in `r` (a dominator in front `r` has its
//! own dominator in front `r − 1`, which dominates `p` too), so `p`'s rank is the first front
//! whose bitset does not meet `D_p`, found in `O(log F)` intersections of `⌈p/64⌉` words.
//!
//! Memory is `N²/8` bytes for the `D_p` plus as much at most for the fronts, which is why the
//! caller uses this only up to [`max_rows`].

use super::sweep::ord_key;

/// Largest number of distinct rows this method is used for with `m` objectives: where its
/// quadratic bit work still beats the divide and conquer (measured: 7× faster at `M = 5`,
/// `N = 10³`) and its memory (`N²/8` bytes) stays in tens of megabytes. None for `m <= 3`,
/// where the `O(N log N)` sweeps were faster already at `N = 10³`.
pub(super) fn max_rows(m: usize) -> usize {
    if m <= 3 {
        0
    } else {
        16384
    }
}

/// Ranks of the `n` distinct, lexicographically sorted rows of `v` (`m >= 2` columns).
pub(super) fn rank_sorted_distinct(v: &[f64], m: usize) -> Vec<usize> {
    let n = v.len() / m;
    let words = n.div_ceil(64);
    // dom[p]: candidate dominators of row p, only the first ⌈p/64⌉ words can be non-zero.
    let mut dom = vec![0u64; n * words];
    for p in 0..n {
        let row = &mut dom[p * words..(p + 1) * words];
        row[..p / 64].fill(!0);
        if p % 64 != 0 {
            row[p / 64] = (1u64 << (p % 64)) - 1;
        }
    }
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(n);
    let mut seen = vec![0u64; words];
    for k in 1..m {
        keys.clear();
        keys.extend((0..n).map(|p| (ord_key(v[p * m + k]), p as u32)));
        keys.sort_unstable();
        seen.fill(0);
        let mut i = 0;
        while i < n {
            // A group of equal values: each member may be dominated by any of them.
            let mut j = i + 1;
            while j < n && keys[j].0 == keys[i].0 {
                j += 1;
            }
            for &(_, q) in &keys[i..j] {
                seen[q as usize / 64] |= 1u64 << (q % 64);
            }
            for &(_, p) in &keys[i..j] {
                let p = p as usize;
                let used = p.div_ceil(64);
                for (d, s) in dom[p * words..p * words + used].iter_mut().zip(&seen) {
                    *d &= s;
                }
            }
            i = j;
        }
    }
    // Front bitsets, flat: front r is fronts[r * words..(r + 1) * words].
    let mut fronts: Vec<u64> = Vec::new();
    let mut n_fronts = 0;
    let mut rank = vec![0usize; n];
    for (p, r_out) in rank.iter_mut().enumerate() {
        let d = &dom[p * words..p * words + p.div_ceil(64)];
        let meets = |r: usize| {
            d.iter()
                .zip(&fronts[r * words..])
                .fold(0u64, |acc, (a, b)| acc | (a & b))
                != 0
        };
        let (mut lo, mut hi) = (0, n_fronts);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if meets(mid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if lo == n_fronts {
            fronts.resize((n_fronts + 1) * words, 0);
            n_fronts += 1;
        }
        fronts[lo * words + p / 64] |= 1u64 << (p % 64);
        *r_out = lo;
    }
    rank
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
    fn equals_divide_and_conquer_beyond_its_own_size_limit() {
        // The sizes where the sort switches to divide and conquer: both must agree there.
        let mut s = crate::rng::stream(18, "test.nds.bitset", 1, 0);
        for m in [4, 5] {
            let n = max_rows(m) + 50;
            let rows: Vec<Vec<f64>> = (0..n)
                .map(|_| (0..m).map(|_| (s.uniform_f64() * 300.0).floor()).collect())
                .collect();
            let v = sorted_distinct(rows);
            assert!(v.len() / m > max_rows(m), "not enough distinct rows");
            let want = super::super::divide::rank_sorted_distinct(&v, m);
            assert_eq!(rank_sorted_distinct(&v, m), want, "m {m}");
        }
    }

    #[test]
    fn equals_divide_and_conquer_and_naive_across_word_edges() {
        let mut s = crate::rng::stream(17, "test.nds.bitset", 0, 0);
        for m in 2..=6 {
            for n in [1, 2, 63, 64, 65, 127, 128, 129, 700] {
                // Coarse grid values make ties in every objective.
                let rows: Vec<Vec<f64>> = (0..n)
                    .map(|_| (0..m).map(|_| s.below(6) as f64).collect())
                    .collect();
                let v = sorted_distinct(rows);
                let got = rank_sorted_distinct(&v, m);
                assert_eq!(
                    got,
                    super::super::divide::rank_sorted_distinct(&v, m),
                    "m {m} n {n}"
                );
                assert_eq!(got, super::super::naive_rank(&v, m), "m {m} n {n}");
            }
        }
    }
}
