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

thread_local! { static STATS: std::cell::RefCell<[u64; 6]> = const { std::cell::RefCell::new([0;6]) }; }
/// Words per tile row in the production sort: `B = 2048` rows per block, tiles of 512 KB.
pub(super) const WORDS: usize = 32;

/// Ranks of the `n` distinct, lexicographically sorted rows of `v` (`m >= 2` columns), with
/// blocks of `64·W` rows (`W` is a parameter so that the tests can cross many block edges with
/// few rows).
///
/// The word loops are entered once through the widest vector instructions the CPU has
/// (AVX-512, AVX2, else the portable build); ranks are integers, so every path gives the same.
pub(super) fn rank_sorted_distinct<const W: usize>(v: &[f64], m: usize) -> Vec<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked just above.
            return unsafe { wide::avx512::<W>(v, m) };
        }
        if is_x86_feature_detected!("avx2") {
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

/// The sort itself, compiled once per instruction set (hence `inline(always)`).
#[inline(always)]
fn body<const W: usize>(v: &[f64], m: usize) -> Vec<usize> {
    let b = 64 * W;
    let n = v.len() / m;
    let nb = n.div_ceil(b);
    let t0 = std::time::Instant::now();
    let mut t_tiles = std::time::Duration::ZERO;
    let mut t_diag = std::time::Duration::ZERO;
    // lists[(k − 1)·n + start(P) ..][..len(P)]: block P's rows as (dense rank of objective k,
    // local index), sorted by that rank. Dense ranks make ties equal and comparisons integral.
    let mut lists = vec![(0u32, 0u32); (m - 1) * n];
    // ord[(k − 1)·n + s]: the row at position s in objective-k order; upto[(k − 1)·n + p]: how
    // many rows are at most row p in objective k (the end of p's group of ties in that order).
    let mut ord = vec![0u32; (m - 1) * n];
    let mut upto = vec![0u32; (m - 1) * n];
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(n);
    let mut fill = vec![0usize; nb];
    for k in 1..m {
        keys.clear();
        keys.extend((0..n).map(|p| (ord_key(v[p * m + k]), p as u32)));
        keys.sort_unstable();
        fill.iter_mut().enumerate().for_each(|(i, f)| *f = i * b);
        let list = &mut lists[(k - 1) * n..k * n];
        let ordk = &mut ord[(k - 1) * n..k * n];
        let uptok = &mut upto[(k - 1) * n..k * n];
        let mut d = 0u32;
        let mut group = 0;
        for (i, &(key, p)) in keys.iter().enumerate() {
            if i > 0 && key != keys[i - 1].0 {
                d += 1;
                for &(_, q) in &keys[group..i] {
                    uptok[q as usize] = i as u32;
                }
                group = i;
            }
            let blk = p as usize / b;
            list[fill[blk]] = (d, p % b as u32);
            fill[blk] += 1;
            ordk[i] = p;
        }
        for &(_, q) in &keys[group..] {
            uptok[q as usize] = n as u32;
        }
    }
    drop(keys);
    let mut rank = vec![0u32; n];
    // Lower bound on each row's rank from the blocks applied to it so far.
    let mut best = vec![0u32; n];
    let mut tile = vec![[0u64; W]; b];
    let mut width = vec![W as u32; b];
    // Per objective k, prefix bitsets of the current column block: pre[(k − 1)·(b + 1) + j] holds
    // the column bits of its first j rows in objective-k order.
    let mut pre = vec![[0u64; W]; (m - 1) * (b + 1)];
    // pc[(k − 1)·(n + 1) + s]: how many rows of the column block are among the first s rows in
    // objective-k order, so pc[upto[p]] counts those at most row p.
    let mut pc = vec![0u32; (m - 1) * (n + 1)];
    let mut cnt = vec![0u16; (m - 1) * n];
    let mut crank = vec![0u32; b];
    let mut bit_of = vec![0u32; b];
    let mut order: Vec<u32> = Vec::with_capacity(b);
    let mut words_ge: Vec<u32> = Vec::new();
    for cb in 0..nb {
        let c = cb * b;
        let clen = b.min(n - c);
        let tt = std::time::Instant::now();
        // Every earlier block has been applied to this one: its diagonal tile finishes it.
        for (i, t) in tile[..clen].iter_mut().enumerate() {
            t.fill(0);
            t[..i / 64].fill(!0);
            if i % 64 != 0 {
                t[i / 64] = (1u64 << (i % 64)) - 1;
            }
        }
        for k in 1..m {
            let rows = &lists[(k - 1) * n + c..][..clen];
            intersect_prefixes(&mut tile, &width, rows, rows, false);
        }
        for i in 0..clen {
            let mut r = best[c + i];
            for (w, &word) in tile[i][..i.div_ceil(64)].iter().enumerate() {
                let mut x = word;
                while x != 0 {
                    let q = w * 64 + x.trailing_zeros() as usize;
                    r = r.max(rank[c + q] + 1);
                    x &= x - 1;
                }
            }
            rank[c + i] = r;
        }
        t_diag += tt.elapsed();
        if cb + 1 == nb {
            break;
        }
        let tt = std::time::Instant::now();
        // Columns by decreasing rank, so a row's largest dominator rank is its first set bit.
        order.clear();
        order.extend(0..b as u32);
        order.sort_unstable_by_key(|&i| std::cmp::Reverse(rank[c + i as usize]));
        for (bit, &i) in order.iter().enumerate() {
            bit_of[i as usize] = bit as u32;
            crank[bit] = rank[c + i as usize];
        }
        for k in 1..m {
            let col = &lists[(k - 1) * n + c..][..b];
            let pk = &mut pre[(k - 1) * (b + 1)..][..b + 1];
            let mut seen = [0u64; W];
            pk[0] = seen;
            for (dst, &(_, i)) in pk[1..].iter_mut().zip(col) {
                let bit = bit_of[i as usize] as usize;
                seen[bit / 64] |= 1u64 << (bit % 64);
                *dst = seen;
            }
        }
        // Only dominators of rank >= best[p] can raise best[p]: the first columns.
        let top = crank[0] as usize + 1;
        words_ge.clear();
        words_ge.extend(
            (0..=top).map(|r| crank.partition_point(|&x| x as usize >= r).div_ceil(64) as u32),
        );
        let tm = std::time::Instant::now();
        for k in 1..m {
            let ordk = &ord[(k - 1) * n..k * n];
            let pck = &mut pc[(k - 1) * (n + 1)..k * (n + 1)];
            let mut run = 0;
            pck[0] = 0;
            for (dst, &p) in pck[1..].iter_mut().zip(ordk) {
                run += (p as usize / b == cb) as u32;
                *dst = run;
            }
            let pck = &pc[(k - 1) * (n + 1)..k * (n + 1)];
            let uptok = &upto[(k - 1) * n + c + b..k * n];
            for (dst, &u) in cnt[(k - 1) * n + c + b..k * n].iter_mut().zip(uptok) {
                *dst = pck[u as usize] as u16;
            }
        }
        STATS.with(|c| c.borrow_mut()[0] += tm.elapsed().as_nanos() as u64);
        for (p, bst) in best.iter_mut().enumerate().skip(c + b) {
            let lim = words_ge[(*bst as usize).min(top)] as usize;
            if lim == 0 {
                continue;
            }
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
        t_tiles += tt.elapsed();
    }
    if std::env::var_os("NDS_TIME").is_some() { STATS.with(|c| { eprintln!("stats {:?}", c.borrow()); *c.borrow_mut() = [0;6]; }); eprintln!("blocked: total {:?} tiles {:?} diag {:?}", t0.elapsed(), t_tiles, t_diag); }
    rank.into_iter().map(|r| r as usize).collect()
}

/// For each `(key, i)` of `rows` (sorted by key), intersects tile row `i` with (or, when `first`,
/// sets it to) the set of column bits of `col` entries whose key is at most `key`.
#[inline(always)]
fn intersect_prefixes<const W: usize>(
    tile: &mut [[u64; W]],
    width: &[u32],
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
        let w = width[i as usize] as usize;
        if w == 0 {
            continue;
        }
        let t = &mut tile[i as usize][..w];
        if first {
            for (x, s) in t.iter_mut().zip(&seen) {
                *x = *s;
            }
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
    #[ignore = "TEMP timing"]
    fn temp_timing() {
        let path = std::env::var("NDS_FILE").unwrap();
        let m: usize = std::env::var("NDS_M").unwrap().parse().unwrap();
        let f: Vec<f64> = std::fs::read_to_string(path).unwrap().lines().flat_map(|l| l.split(',').map(|x| x.parse::<f64>().unwrap()).collect::<Vec<_>>()).collect();
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let r = crate::moo::nondominated_sort(&f, m).unwrap();
            eprintln!("total {:?} max {}", t.elapsed(), r.iter().max().unwrap());
        }
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
}
