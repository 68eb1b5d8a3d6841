//! Divide and conquer for `M >= 4`: Jensen (2003) as generalised and made exact for ties by
//! Fortin, Grenier & Parizeau (2013, doi:10.1145/2463372.2463454) and Buzdalov & Shalyto
//! (2014, doi:10.1007/978-3-319-10762-2_52): `O(N log^{M−1} N)`.
//!
//! Input: distinct rows in lexicographic order, so a row's *position* doubles as objective 0
//! (a row can only be dominated by rows at smaller positions, and for distinct rows "`q ≤ p` in
//! every objective" already means "`q` dominates `p`"). Ranks start at 0 and only grow, by
//! `rank[p] = max(rank[p], rank[q] + 1)` for each dominator `q` whose rank is final.
//!
//! - `helper_a(S, k)`: finish the ranks inside `S`, given that every dominator outside `S` has
//!   already been applied and that only objectives `0..=k` can separate rows of `S`.
//! - `helper_b(L, H, k)`: apply every row of `L` (ranks final) to every row of `H`, given that
//!   rows of `L` are no worse than rows of `H` in objectives above `k`.
//!
//! Both split at the median of objective `k` into `<`, `=`, `>` parts and drop to `k − 1` where
//! objective `k` is already settled; `k = 1` is a sweep over a staircase of objective 1 keyed
//! by value, holding the largest rank seen (a Fenwick tree of prefix maxima over the dense
//! ranks of objective 1); small parts are compared pairwise.

/// Below these sizes pairwise comparison beats further splitting.
const SMALL_A: usize = 32;
const SMALL_B: usize = 16384;

/// Ranks of the `n` distinct, lexicographically sorted rows of `v` (`m >= 2` columns).
pub(super) fn rank_sorted_distinct(v: &[f64], m: usize) -> Vec<usize> {
    let n = v.len() / m;
    // Dense 1-based ranks of objective 1, the Fenwick tree's coordinates.
    let mut by_y: Vec<u32> = (0..n as u32).collect();
    by_y.sort_unstable_by(|&a, &b| v[a as usize * m + 1].total_cmp(&v[b as usize * m + 1]));
    let mut y = vec![0u32; n];
    let mut level = 0;
    for (i, &p) in by_y.iter().enumerate() {
        if i == 0 || v[p as usize * m + 1] > v[by_y[i - 1] as usize * m + 1] {
            level += 1;
        }
        y[p as usize] = level;
    }
    let mut dc = Dc {
        v,
        m,
        rank: vec![0; n],
        y,
        tree: vec![0; level as usize + 1],
        touched: Vec::new(),
    };
    let all: Vec<u32> = (0..n as u32).collect();
    dc.helper_a(&all, m - 1);
    dc.rank
}

struct Dc<'a> {
    v: &'a [f64],
    m: usize,
    rank: Vec<usize>,
    /// Dense rank of objective 1 per row (1-based).
    y: Vec<u32>,
    /// Fenwick tree of prefix maxima of `rank + 1` over `y` (0 = empty), cleared after each
    /// sweep through the positions in `touched`.
    tree: Vec<usize>,
    touched: Vec<u32>,
}

impl Dc<'_> {
    #[inline]
    fn val(&self, p: u32, k: usize) -> f64 {
        self.v[p as usize * self.m + k]
    }

    /// `q ≤ p` in objectives `1..=k` (objective 0 is the caller's position order).
    #[inline]
    fn leq(&self, q: u32, p: u32, k: usize) -> bool {
        let (a, b) = (q as usize * self.m, p as usize * self.m);
        self.v[a + 1..=a + k]
            .iter()
            .zip(&self.v[b + 1..=b + k])
            .all(|(x, y)| x <= y)
    }

    #[inline]
    fn raise(&mut self, p: u32, by: u32) {
        let r = self.rank[by as usize] + 1;
        if r > self.rank[p as usize] {
            self.rank[p as usize] = r;
        }
    }

    fn median(&self, parts: &[&[u32]], k: usize) -> f64 {
        let mut vals: Vec<f64> = parts
            .iter()
            .flat_map(|s| s.iter().map(|&p| self.val(p, k)))
            .collect();
        let mid = vals.len() / 2;
        *vals.select_nth_unstable_by(mid, |a, b| a.total_cmp(b)).1
    }

    /// Splits `s` (order kept) into rows with objective `k` below, equal to and above `med`.
    fn split(&self, s: &[u32], k: usize, med: f64) -> [Vec<u32>; 3] {
        let mut out = [Vec::new(), Vec::new(), Vec::new()];
        for &p in s {
            let x = self.val(p, k);
            let i = if x < med {
                0
            } else if x > med {
                2
            } else {
                1
            };
            out[i].push(p);
        }
        out
    }

    fn helper_a(&mut self, s: &[u32], k: usize) {
        if s.len() < 2 {
            return;
        }
        if s.len() <= SMALL_A {
            for i in 1..s.len() {
                for j in 0..i {
                    // The rank test is cheaper than the dominance test and often decides.
                    if self.rank[s[j] as usize] >= self.rank[s[i] as usize]
                        && self.leq(s[j], s[i], k)
                    {
                        self.raise(s[i], s[j]);
                    }
                }
            }
            return;
        }
        if k == 1 {
            self.sweep(s, &[]);
            return;
        }
        let (lo, hi) = self.bounds(s, k);
        if lo >= hi {
            self.helper_a(s, k - 1);
            return;
        }
        let med = self.median(&[s], k);
        let [l, e, h] = self.split(s, k, med);
        self.helper_a(&l, k);
        self.helper_b(&l, &e, k - 1);
        self.helper_a(&e, k - 1);
        let le = merge(&l, &e);
        self.helper_b(&le, &h, k - 1);
        self.helper_a(&h, k);
    }

    fn helper_b(&mut self, l: &[u32], h: &[u32], k: usize) {
        if l.is_empty() || h.is_empty() {
            return;
        }
        if l.len() * h.len() <= SMALL_B {
            // Rows of L by decreasing rank: the first dominator found gives the largest raise,
            // and once rank[q] + 1 cannot beat rank[p] no later q can either.
            let mut by_rank = l.to_vec();
            by_rank.sort_unstable_by(|&a, &b| self.rank[b as usize].cmp(&self.rank[a as usize]));
            for &p in h {
                for &q in &by_rank {
                    if self.rank[q as usize] < self.rank[p as usize] {
                        break;
                    }
                    if q < p && self.leq(q, p, k) {
                        self.raise(p, q);
                        break;
                    }
                }
            }
            return;
        }
        if k == 1 {
            self.sweep(l, h);
            return;
        }
        let (l_lo, l_hi) = self.bounds(l, k);
        let (h_lo, h_hi) = self.bounds(h, k);
        if l_hi <= h_lo {
            self.helper_b(l, h, k - 1);
            return;
        }
        if l_lo > h_hi {
            return;
        }
        let med = self.median(&[l, h], k);
        let [l1, l2, l3] = self.split(l, k, med);
        let [h1, h2, h3] = self.split(h, k, med);
        self.helper_b(&l1, &h1, k);
        self.helper_b(&merge(&l1, &l2), &merge(&h2, &h3), k - 1);
        self.helper_b(&l3, &h3, k);
    }

    fn bounds(&self, s: &[u32], k: usize) -> (f64, f64) {
        s.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &p| {
                let x = self.val(p, k);
                (lo.min(x), hi.max(x))
            })
    }

    /// Objective 1 sweep in position order. With `h` empty: ranks inside `s` (helper A);
    /// otherwise rows of `s` are applied to rows of `h` (helper B).
    fn sweep(&mut self, s: &[u32], h: &[u32]) {
        let within = h.is_empty();
        let (mut i, mut j) = (0, 0);
        while i < s.len() || j < h.len() {
            let from_s = j >= h.len() || (i < s.len() && s[i] < h[j]);
            let p = if from_s { s[i] } else { h[j] } as usize;
            if !from_s || within {
                // Largest rank + 1 among inserted rows with objective 1 at most p's.
                let mut best = 0;
                let mut k = self.y[p] as usize;
                while k > 0 {
                    best = best.max(self.tree[k]);
                    k &= k - 1;
                }
                if best > self.rank[p] {
                    self.rank[p] = best;
                }
            }
            if from_s {
                let r = self.rank[p] + 1;
                let mut k = self.y[p] as usize;
                self.touched.push(self.y[p]);
                while k < self.tree.len() {
                    if self.tree[k] < r {
                        self.tree[k] = r;
                    }
                    k += k & k.wrapping_neg();
                }
                i += 1;
            } else {
                j += 1;
            }
        }
        // Update paths merge once they meet, so a cleared node means the rest is clear too.
        for t in std::mem::take(&mut self.touched) {
            let mut k = t as usize;
            while k < self.tree.len() && self.tree[k] != 0 {
                self.tree[k] = 0;
                k += k & k.wrapping_neg();
            }
        }
    }
}

/// Merges two position-sorted lists.
fn merge(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] < b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}
