//! A small static k-d tree for exact nearest-neighbour queries among reference vectors.
//!
//! RVEA associates every individual with the reference vector of smallest angle. For unit
//! vectors `|u − v|² = 2 − 2 u·v`, so that is the Euclidean nearest neighbour of the
//! normalised objective vector: a k-d tree answers it in about O(log N) instead of scanning
//! all N vectors (N = 8192 makes the scan 10⁸ dot products per generation).
//!
//! Construction splits at the median of the widest coordinate, with ties ordered by index, so
//! the tree (and every answer) is a pure function of the points; leaves of up to 8 points are
//! scanned linearly from contiguous memory. Queries return the smallest
//! squared distance and, among exactly equal distances, the smallest index.
//!
//! ```
//! use pareto_sciml::moo::kdtree::KdTree;
//! let pts = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0];
//! let t = KdTree::new(&pts, 2);
//! assert_eq!(t.nearest(&[0.9, 0.2], None).0, 1);
//! assert_eq!(t.nearest(&[0.9, 0.2], Some(1)).0, 0);
//! ```

/// Points per leaf: below this a linear scan is cheaper than descending further.
const LEAF: usize = 8;
// The vector leaf scan holds a whole leaf in one eight-lane register.
const _: () = assert!(LEAF <= 8);

/// A k-d tree over `n` points of dimension `dim` (row-major).
///
/// Leaves hold up to 8 points scanned linearly; points are stored in tree order, by axis, so
/// a leaf's values of one axis are one contiguous run of memory. An internal node of the index range `[lo, hi)`
/// splits at `mid = (lo + hi) / 2` (its axis and split value are stored at `mid`, unique
/// per internal node): `[lo, mid)` holds coordinates ≤ the split, `[mid, hi)` ≥ it.
#[derive(Debug, Clone, PartialEq)]
pub struct KdTree {
    dim: usize,
    /// Original index of the point at each tree position.
    order: Vec<usize>,
    /// Split axis of the internal node whose `mid` is this position.
    axis: Vec<usize>,
    /// Split value of the internal node whose `mid` is this position.
    split: Vec<f64>,
    /// Coordinates in tree order, by axis (`axis × n + position`).
    columns: Vec<f64>,
}

impl KdTree {
    /// Builds the tree over `points` (`n × dim`, row-major; `dim ≥ 1`).
    pub fn new(points: &[f64], dim: usize) -> Self {
        let dim = dim.max(1);
        let n = points.len() / dim;
        let mut order: Vec<usize> = (0..n).collect();
        let (mut axis, mut split) = (vec![0; n], vec![0.0; n]);
        build(
            &points[..n * dim],
            dim,
            &mut order,
            0,
            &mut axis,
            &mut split,
        );
        let columns = (0..dim)
            .flat_map(|a| order.iter().map(move |&i| points[i * dim + a]))
            .collect();
        KdTree {
            dim,
            order,
            axis,
            split,
            columns,
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether the tree has no point.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The nearest point to `q` other than `exclude`: `(index, squared distance)`.
    /// Returns `(usize::MAX, +inf)` when no point qualifies.
    pub fn nearest(&self, q: &[f64], exclude: Option<usize>) -> (usize, f64) {
        let q = &q[..self.dim];
        let exclude = exclude.unwrap_or(usize::MAX);
        #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
        if crate::math::vector_lanes() && crate::math::simd512::has_avx512f() {
            // SAFETY: the CPU has AVX-512F (checked just above).
            return unsafe { self.search_avx512(q, exclude) };
        }
        self.search(q, |lo, hi, best| self.scan_leaf(lo, hi, q, exclude, best))
    }

    /// The descent, far sides on an explicit stack (visited after the near side, as a
    /// recursion would); `leaf(lo, hi, best)` scans the leaf of tree positions `[lo, hi)`.
    #[inline(always)]
    fn search(
        &self,
        q: &[f64],
        mut leaf: impl FnMut(usize, usize, &mut (usize, f64)),
    ) -> (usize, f64) {
        let mut best = (usize::MAX, f64::INFINITY);
        // Depth is at most log₂(n / LEAF) + 1: 64 entries cover any addressable n. Left
        // uninitialised: zeroing 1.5 kB per query cost more than a leaf scan.
        let mut stack = [std::mem::MaybeUninit::<(usize, usize, f64)>::uninit(); 64];
        let mut top = 0;
        let (mut lo, mut hi) = (0, self.order.len());
        loop {
            if hi - lo <= LEAF {
                leaf(lo, hi, &mut best);
                // Every point beyond a split is at least |diff| away along its axis (rounding
                // is monotone, so also in floating point); `<=` also visits a side that can
                // only tie, so ties resolve to the smallest index.
                loop {
                    if top == 0 {
                        return best;
                    }
                    top -= 1;
                    // SAFETY: entries below `top` were written by the push below.
                    let (flo, fhi, d2) = unsafe { stack[top].assume_init() };
                    if d2 <= best.1 {
                        (lo, hi) = (flo, fhi);
                        break;
                    }
                }
                continue;
            }
            let mid = (lo + hi) / 2;
            let diff = q[self.axis[mid]] - self.split[mid];
            let (near, far) = if diff < 0.0 {
                ((lo, mid), (mid, hi))
            } else {
                ((mid, hi), (lo, mid))
            };
            stack[top].write((far.0, far.1, diff * diff));
            top += 1;
            (lo, hi) = near;
        }
    }

    /// The leaf `[lo, hi)` point by point.
    #[inline(always)]
    fn scan_leaf(&self, lo: usize, hi: usize, q: &[f64], exclude: usize, best: &mut (usize, f64)) {
        let n = self.order.len();
        for pos in lo..hi {
            let p = self.order[pos];
            let d2 = q.iter().enumerate().fold(0.0, |s, (a, &qa)| {
                let d = self.columns[a * n + pos] - qa;
                s + d * d
            });
            // The answer is the smallest (distance, index): independent of tree shape.
            if p != exclude && (d2 < best.1 || (d2 <= best.1 && p < best.0)) {
                *best = (p, d2);
            }
        }
    }

    /// [`Self::search`] with the leaves' distances on eight AVX-512 lanes: the same
    /// operations per point as [`Self::scan_leaf`]. Only
    /// points no farther than the best so far (usually none) go through the scalar update,
    /// in position order: a farther point can never be taken, because the best distance
    /// only falls during a leaf.
    ///
    /// # Safety
    /// The CPU must support AVX-512F.
    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    #[target_feature(enable = "avx512f")]
    unsafe fn search_avx512(&self, q: &[f64], exclude: usize) -> (usize, f64) {
        use std::arch::x86_64::*;
        let n = self.order.len();
        self.search(q, |lo, hi, best| {
            let valid = ((1u32 << (hi - lo)) - 1) as __mmask8;
            let mut d2 = _mm512_setzero_pd();
            for (a, &qa) in q.iter().enumerate() {
                let c = _mm512_maskz_loadu_pd(valid, self.columns.as_ptr().add(a * n + lo));
                let d = _mm512_sub_pd(c, _mm512_set1_pd(qa));
                d2 = _mm512_add_pd(d2, _mm512_mul_pd(d, d));
            }
            let near = _mm512_mask_cmp_pd_mask::<_CMP_LE_OQ>(valid, d2, _mm512_set1_pd(best.1));
            if near == 0 {
                return;
            }
            let mut dist = [0.0; 8];
            _mm512_storeu_pd(dist.as_mut_ptr(), d2);
            let mut bits = near;
            while bits != 0 {
                let k = bits.trailing_zeros() as usize;
                let (p, d2) = (self.order[lo + k], dist[k]);
                if p != exclude && (d2 < best.1 || (d2 <= best.1 && p < best.0)) {
                    *best = (p, d2);
                }
                bits &= bits - 1;
            }
        })
    }
}

/// Orders `order` (tree positions `base..base + order.len()`) into a k-d tree: split at the
/// median of the widest coordinate, ties by index, so the tree is a pure function of the
/// points.
fn build(
    points: &[f64],
    dim: usize,
    order: &mut [usize],
    base: usize,
    axis: &mut [usize],
    split: &mut [f64],
) {
    let n = order.len();
    if n <= LEAF {
        return;
    }
    let spread = |a: usize| {
        let (mut mn, mut mx) = (f64::INFINITY, f64::NEG_INFINITY);
        for &i in order.iter() {
            mn = mn.min(points[i * dim + a]);
            mx = mx.max(points[i * dim + a]);
        }
        mx - mn
    };
    let a = (0..dim)
        .map(|a| (a, spread(a)))
        .fold((0, f64::NEG_INFINITY), |b, c| if c.1 > b.1 { c } else { b })
        .0;
    let mid = n / 2;
    order.select_nth_unstable_by(mid, |&x, &y| {
        points[x * dim + a]
            .total_cmp(&points[y * dim + a])
            .then(x.cmp(&y))
    });
    // The node of the absolute range [base, base + n) has its mid at base + n / 2.
    // The split value is recorded now: building the right half moves other points to `mid`.
    axis[base + mid] = a;
    split[base + mid] = points[order[mid] * dim + a];
    let (left, right) = order.split_at_mut(mid);
    build(points, dim, left, base, axis, split);
    build(points, dim, right, base + mid, axis, split);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn matches_a_linear_scan(seed in 0u64..1000, n in 1usize..300, dim in 1usize..5) {
            let mut s = crate::rng::stream(seed, "kdtree-test", 0, 0);
            // Coarse coordinates make exact ties common.
            let pts: Vec<f64> = (0..n * dim).map(|_| (s.below(8) as f64) / 4.0).collect();
            let t = KdTree::new(&pts, dim);
            for _ in 0..20 {
                let q: Vec<f64> = (0..dim).map(|_| s.uniform_f64() * 2.0).collect();
                let ex = if s.below(2) == 0 { None } else { Some(s.below(n as u64) as usize) };
                let mut want = (usize::MAX, f64::INFINITY);
                for i in 0..n {
                    if Some(i) == ex { continue; }
                    let d2 = (0..dim).fold(0.0, |acc, a| acc + (pts[i * dim + a] - q[a]) * (pts[i * dim + a] - q[a]));
                    if d2 < want.1 { want = (i, d2); }
                }
                let got = t.nearest(&q, ex);
                prop_assert_eq!(got.0, want.0);
                prop_assert_eq!(got.1.to_bits(), want.1.to_bits());
                // The portable leaf scan too (`nearest` takes the vector one where it can).
                let e = ex.unwrap_or(usize::MAX);
                let scalar = t.search(&q, |lo, hi, best| t.scan_leaf(lo, hi, &q, e, best));
                prop_assert_eq!(scalar.0, want.0);
                prop_assert_eq!(scalar.1.to_bits(), want.1.to_bits());
            }
        }
    }
}
