//! The fast sorts behind [`super::nondominated_sort`]: one lexicographic sort, then a binary
//! search over per-front summaries (see the module docs of the parent for why that is exact).

/// Maps a finite `f64` (with `-0.0` already folded into `0.0`) to a `u64` with the same order,
/// so that objective values can be sorted and compared as integers.
#[inline]
pub(crate) fn ord_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// Ranks of the `n` rows of the validated matrix `f`.
pub(crate) fn rank(f: &[f64], n: usize, m: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    // `+ 0.0` folds -0.0 into 0.0: both are equal under `<=`, so they must also be equal for the
    // lexicographic order and the duplicate test below.
    if m == 2 {
        return rank_2d(f);
    }
    let v: Vec<f64> = f.iter().map(|&x| x + 0.0).collect();
    let row = |i: u32| &v[i as usize * m..(i as usize + 1) * m];
    // Sort on an integer key of objective 0 first; the full lexicographic comparison is only
    // needed between rows that tie there.
    let mut order: Vec<(u64, u32)> = (0..n as u32)
        .map(|i| (ord_key(v[i as usize * m]), i))
        .collect();
    super::radix::sort_pairs(&mut order, &mut Vec::new());
    sort_ties(&mut order, |a, b| {
        row(a)[1..]
            .iter()
            .zip(&row(b)[1..])
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    // Duplicates do not dominate each other and share a rank: rank the distinct rows only.
    let mut distinct: Vec<f64> = Vec::with_capacity(v.len());
    let mut group = vec![0u32; n];
    let mut last: Option<u32> = None;
    for &(_, i) in &order {
        let dup = last.is_some_and(|q| {
            row(q)
                .iter()
                .zip(row(i))
                .all(|(x, y)| x.to_bits() == y.to_bits())
        });
        if !dup {
            distinct.extend_from_slice(row(i));
            last = Some(i);
        }
        group[i as usize] = (distinct.len() / m - 1) as u32;
    }
    let n_distinct = distinct.len() / m;
    let ranks = match m {
        1 => (0..n_distinct).collect(),
        3 => assign(ThreeD { fronts: Vec::new() }, &distinct, m),
        _ => super::blocked::rank_sorted_distinct::<{ super::blocked::WORDS }>(&distinct, m),
    };
    group.iter().map(|&g| ranks[g as usize]).collect()
}

/// Sorts each run of equal keys in `order` (sorted by key, then index) by `cmp`, then index:
/// the lexicographic order of the rows, where only ties in objective 0 need a comparison.
fn sort_ties(order: &mut [(u64, u32)], cmp: impl Fn(u32, u32) -> std::cmp::Ordering) {
    let mut s = 0;
    while s < order.len() {
        let e = s + order[s..].iter().take_while(|x| x.0 == order[s].0).count();
        if e - s > 1 {
            order[s..e].sort_unstable_by(|a, b| cmp(a.1, b.1).then(a.1.cmp(&b.1)));
        }
        s = e;
    }
}

/// Two objectives: sort on integer keys of `f0` (ties by `f1`), and sweep: rows of a front in
/// that order have decreasing `f1`, so the front's last row has its smallest `f1`, and a row is
/// dominated by the front iff that `f1 <= ` its own (the predicate is monotone in the front
/// index, hence the binary search `partition_point`); a duplicate takes the rank of the row
/// before it.
///
/// Entered once through the widest vector instructions the CPU has, for the linear count
/// below (ranks are integers: every path gives the same).
fn rank_2d(f: &[f64]) -> Vec<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        if crate::math::vector_lanes() && is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked just above.
            return unsafe { wide::avx512(f) };
        }
        if crate::math::vector_lanes() && is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { wide::avx2(f) };
        }
    }
    rank_2d_body(f)
}

#[cfg(target_arch = "x86_64")]
mod wide {
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn avx512(f: &[f64]) -> Vec<usize> {
        super::rank_2d_body(f)
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn avx2(f: &[f64]) -> Vec<usize> {
        super::rank_2d_body(f)
    }
}

/// Fronts up to which [`rank_2d_body`] counts the fronts below a row linearly (a few vector
/// compares, no dependent loads) instead of binary-searching them. Measured at `N = 10³`
/// (24 fronts): 1.4–1.6× faster than the binary search; a limit of 256 made `N = 10⁴`
/// (81 fronts) and `N = 10⁵` (247 fronts) slower.
const LINEAR_FRONTS: usize = 64;

#[inline(always)]
fn rank_2d_body(f: &[f64]) -> Vec<usize> {
    let k1 = |i: u32| ord_key(f[2 * i as usize + 1] + 0.0);
    let mut keys: Vec<(u64, u32)> = f
        .chunks_exact(2)
        .enumerate()
        .map(|(i, p)| (ord_key(p[0] + 0.0), i as u32))
        .collect();
    super::radix::sort_pairs(&mut keys, &mut Vec::new());
    sort_ties(&mut keys, |a, b| k1(a).cmp(&k1(b)));
    let mut rank = vec![0usize; keys.len()];
    // Last (smallest) objective-1 key of each front.
    let mut last: Vec<u64> = Vec::new();
    let mut prev: Option<(u64, u64, usize)> = None;
    for &(k0, i) in &keys {
        let k1 = k1(i);
        let r = match prev {
            Some((p0, p1, r)) if p0 == k0 && p1 == k1 => r,
            _ => {
                // `last` ascends, so the fronts that cover the row are a prefix: count them.
                let r = if last.len() <= LINEAR_FRONTS {
                    last.iter().map(|&l| (l <= k1) as usize).sum()
                } else {
                    last.partition_point(|&l| l <= k1)
                };
                if r == last.len() {
                    last.push(k1);
                } else {
                    last[r] = k1;
                }
                r
            }
        };
        rank[i as usize] = r;
        prev = Some((k0, k1, r));
    }
    rank
}

/// Walks the distinct rows of `v` in their (lexicographic) order and binary-searches each
/// one's front.
fn assign<S: FrontSearch>(mut search: S, v: &[f64], m: usize) -> Vec<usize> {
    v.chunks_exact(m)
        .map(|p| {
            let (mut lo, mut hi) = (0, search.len());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if search.dominated(mid, p) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            search.insert(lo, p);
            lo
        })
        .collect()
}

/// Per-front summary. `dominated(k, p)` may assume that every row already inserted comes
/// before `p` lexicographically and differs from it.
trait FrontSearch {
    fn len(&self) -> usize;
    fn dominated(&self, k: usize, p: &[f64]) -> bool;
    /// Adds `p` to front `k` (`k == len()` opens a new front).
    fn insert(&mut self, k: usize, p: &[f64]);
}

/// Three objectives: per front, the minimal staircase of its `(f1, f2)` projections, sorted by
/// `f1` with `f2` strictly decreasing; `p` is dominated iff the step with the largest
/// `f1 <= p[1]` has `f2 <= p[2]`. Steps are kept in a plain sorted `Vec` per front: a binary
/// search plus a short `memmove` per insertion is much cheaper than a `BTreeMap` (node
/// allocations, pointer chasing) at the sizes fronts have.
struct ThreeD {
    fronts: Vec<Vec<[f64; 2]>>,
}

impl ThreeD {
    /// Index of the first step with `f1 > y`, and whether the step before it covers `(y, z)`.
    #[inline]
    fn locate(stair: &[[f64; 2]], y: f64, z: f64) -> (usize, bool) {
        let i = stair.partition_point(|s| s[0] <= y);
        (i, i > 0 && stair[i - 1][1] <= z)
    }
}

impl FrontSearch for ThreeD {
    fn len(&self) -> usize {
        self.fronts.len()
    }
    fn dominated(&self, k: usize, p: &[f64]) -> bool {
        let stair = &self.fronts[k];
        // The corner steps decide most probes without a search: below the smallest f1 nothing
        // covers p, and the last step (largest f1, smallest f2) covers p if any step does
        // once p's f1 is past it.
        let last = stair[stair.len() - 1];
        if p[1] < stair[0][0] || p[2] < last[1] {
            return false;
        }
        if last[0] <= p[1] {
            return true;
        }
        Self::locate(stair, p[1], p[2]).1
    }
    fn insert(&mut self, k: usize, p: &[f64]) {
        if k == self.fronts.len() {
            self.fronts.push(Vec::new());
        }
        let stair = &mut self.fronts[k];
        let (i, covered) = Self::locate(stair, p[1], p[2]);
        if covered {
            return; // projection already covered: the staircase answers the same
        }
        // A step at the same f1 (necessarily higher f2) sits at i − 1; it and the steps from i
        // with f2 >= p[2] are now covered.
        let lo = if i > 0 && stair[i - 1][0] >= p[1] {
            i - 1
        } else {
            i
        };
        let hi = i + stair[i..].iter().take_while(|s| s[1] >= p[2]).count();
        if hi > lo {
            stair[lo] = [p[1], p[2]];
            stair.drain(lo + 1..hi);
        } else {
            stair.insert(lo, [p[1], p[2]]);
        }
    }
}
