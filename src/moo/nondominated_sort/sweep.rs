//! The fast sorts behind [`super::nondominated_sort`]: one lexicographic sort, then a binary
//! search over per-front summaries (see the module docs of the parent for why that is exact).

use std::collections::BTreeMap;

/// Maps a finite `f64` (with `-0.0` already folded into `0.0`) to a `u64` with the same order,
/// so that objective values can key a `BTreeMap`.
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
    let mut rank = vec![0usize; n];
    if n == 0 {
        return rank;
    }
    // `+ 0.0` folds -0.0 into 0.0: both are equal under `<=`, so they must also be equal for the
    // lexicographic order and the duplicate test below.
    let v: Vec<f64> = f.iter().map(|&x| x + 0.0).collect();
    let row = |i: usize| &v[i * m..(i + 1) * m];
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| {
        for (x, y) in row(a).iter().zip(row(b)) {
            match x.total_cmp(y) {
                std::cmp::Ordering::Equal => continue,
                o => return o,
            }
        }
        a.cmp(&b)
    });
    match m {
        1 => assign(OneD { fronts: 0 }, &order, &v, m, &mut rank),
        2 => assign(TwoD { last: Vec::new() }, &order, &v, m, &mut rank),
        3 => assign(ThreeD { fronts: Vec::new() }, &order, &v, m, &mut rank),
        _ => assign(
            Ens {
                m: m - 1,
                fronts: Vec::new(),
            },
            &order,
            &v,
            m,
            &mut rank,
        ),
    }
    rank
}

/// Walks the rows in lexicographic `order` and binary-searches each one's front.
fn assign<S: FrontSearch>(mut search: S, order: &[usize], v: &[f64], m: usize, rank: &mut [usize]) {
    let row = |i: usize| &v[i * m..(i + 1) * m];
    let mut prev: Option<usize> = None;
    for &i in order {
        let p = row(i);
        // Duplicates do not dominate each other: a copy takes the rank of the row it repeats.
        if let Some(q) = prev {
            if row(q)
                .iter()
                .zip(p)
                .all(|(x, y)| x.to_bits() == y.to_bits())
            {
                rank[i] = rank[q];
                continue;
            }
        }
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
        rank[i] = lo;
        prev = Some(i);
    }
}

/// Per-front summary. `dominated(k, p)` may assume that every row already inserted comes
/// before `p` lexicographically and differs from it.
trait FrontSearch {
    fn len(&self) -> usize;
    fn dominated(&self, k: usize, p: &[f64]) -> bool;
    /// Adds `p` to front `k` (`k == len()` opens a new front).
    fn insert(&mut self, k: usize, p: &[f64]);
}

/// One objective: every distinct value, in increasing order, opens the next front.
struct OneD {
    fronts: usize,
}

impl FrontSearch for OneD {
    fn len(&self) -> usize {
        self.fronts
    }
    fn dominated(&self, _k: usize, _p: &[f64]) -> bool {
        true
    }
    fn insert(&mut self, k: usize, _p: &[f64]) {
        self.fronts = self.fronts.max(k + 1);
    }
}

/// Two objectives: rows of a front sorted by `f0` have decreasing `f1`, so the front's last row
/// has its smallest `f1`, and `p` is dominated by the front iff that `f1 <= p[1]`.
struct TwoD {
    last: Vec<f64>,
}

impl FrontSearch for TwoD {
    fn len(&self) -> usize {
        self.last.len()
    }
    fn dominated(&self, k: usize, p: &[f64]) -> bool {
        self.last[k] <= p[1]
    }
    fn insert(&mut self, k: usize, p: &[f64]) {
        if k == self.last.len() {
            self.last.push(p[1]);
        } else {
            self.last[k] = p[1];
        }
    }
}

/// Three objectives: per front, the minimal staircase of its `(f1, f2)` projections, keyed by
/// `f1` with `f2` strictly decreasing; `p` is dominated iff the entry with the largest
/// `f1 <= p[1]` has `f2 <= p[2]`.
struct ThreeD {
    fronts: Vec<BTreeMap<u64, f64>>,
}

impl FrontSearch for ThreeD {
    fn len(&self) -> usize {
        self.fronts.len()
    }
    fn dominated(&self, k: usize, p: &[f64]) -> bool {
        matches!(self.fronts[k].range(..=ord_key(p[1])).next_back(), Some((_, &y)) if y <= p[2])
    }
    fn insert(&mut self, k: usize, p: &[f64]) {
        if k == self.fronts.len() {
            self.fronts.push(BTreeMap::new());
        }
        let stair = &mut self.fronts[k];
        let key = ord_key(p[1]);
        if matches!(stair.range(..=key).next_back(), Some((_, &y)) if y <= p[2]) {
            return; // projection already covered: the staircase answers the same
        }
        let covered: Vec<u64> = stair
            .range(key..)
            .take_while(|(_, &y)| y >= p[2])
            .map(|(&k, _)| k)
            .collect();
        for c in covered {
            stair.remove(&c);
        }
        stair.insert(key, p[2]);
    }
}

/// `M >= 4`: ENS-BS. Each front stores objectives `1..M` of its rows contiguously; objective 0
/// needs no test because earlier rows are no larger there.
struct Ens {
    m: usize,
    fronts: Vec<Vec<f64>>,
}

impl FrontSearch for Ens {
    fn len(&self) -> usize {
        self.fronts.len()
    }
    fn dominated(&self, k: usize, p: &[f64]) -> bool {
        let p = &p[1..];
        // Newest first: rows close in the lexicographic order are the likeliest dominators.
        self.fronts[k]
            .chunks_exact(self.m)
            .rev()
            .any(|q| q.iter().zip(p).all(|(a, b)| a <= b))
    }
    fn insert(&mut self, k: usize, p: &[f64]) {
        if k == self.fronts.len() {
            self.fronts.push(Vec::new());
        }
        self.fronts[k].extend_from_slice(&p[1..]);
    }
}
