//! Exact hypervolume (minimisation).
//!
//! The hypervolume of a set `S` with respect to a reference point `r` is the Lebesgue measure of
//! `⋃_{p ∈ S} [p, r]`, the region dominated by `S` and bounded by `r` (Zitzler & Thiele 1998).
//!
//! # Conventions
//! - A point that is not strictly better than `r` in every objective spans an empty box and is
//!   dropped before anything else (a point on the reference boundary contributes 0).
//! - Dominated and duplicated points do not change the value (they lie inside the union).
//! - An empty set (or one with no point better than `r`) has hypervolume `0.0`.
//! - NaN/±inf in the points or the reference is an [`Error::NonFinite`](crate::Error::NonFinite),
//!   a reference of the wrong length an [`Error::Shape`](crate::Error::Shape).
//!
//! # Algorithms
//! - `M = 1`: `r − min p`.
//! - `M = 2`: sweep in the first objective, `O(N log N)` (`two_d.rs`).
//! - `M = 3`: sweep in the third objective over the 2-D staircase of the points seen so far and
//!   its area (Beume et al. 2009, doi:10.1109/TEVC.2008.2007218), kept in a sorted array, moved
//!   into a balanced tree if it outgrows 1024 steps: `O(N log N)` (`three_d.rs`).
//! - `M = 4`: HV4D+ (Guerreiro & Fonseca 2018, doi:10.1109/TEVC.2017.2729550): sweep in the
//!   fourth objective adding each point's 3-D contribution, computed in `O(N)` by the linked
//!   point structure of `plus.rs`, `O(N²)` in all (`four_d.rs`).
//! - `M = 5`: sweep in the fifth objective adding each point's 4-D contribution, swept in the
//!   fourth objective over the other points clipped to its box with the same structure
//!   (`five_d.rs`).
//! - `M ≥ 6`: WFG (While, Bradstreet & Barone 2012, doi:10.1109/TEVC.2010.2077298), with the
//!   exclusive volumes sliced along the last objective so that the recursion bottoms out in the
//!   5-D sweep (`wfg.rs`).
//!
//! The value is a sum of products of differences of the inputs; different algorithms round
//! differently, so agreement between them is to a relative `1e-12`-ish, not to the bit. The
//! result for a given input is deterministic.

mod five_d;
mod four_d;
#[cfg(test)]
mod four_d_old;
mod plus;
mod three_d;
mod three_d_tree;
mod two_d;
mod wfg;

use crate::error::{check_finite, check_len, Result};
use crate::moo::nondominated_sort::check_matrix;

/// Hypervolume dominated by the rows of the row-major `n × n_obj` matrix `f` and bounded by
/// `reference` (minimisation). Points not strictly better than `reference` in every objective
/// contribute nothing; see the [module docs](self) for the conventions and algorithms.
///
/// ```
/// use pareto_sciml::moo::hypervolume;
/// // Two boxes of 2 × 1 and 1 × 2 overlapping in a 1 × 1 square; the third point is dominated,
/// // the fourth lies on the reference boundary.
/// let f = [1.0, 2.0, 2.0, 1.0, 2.5, 2.5, 0.0, 3.0];
/// let hv = hypervolume(&f, 2, &[3.0, 3.0]).unwrap();
/// assert!((hv - 3.0).abs() < 1e-12);
/// ```
pub fn hypervolume(f: &[f64], n_obj: usize, reference: &[f64]) -> Result<f64> {
    let n = check_matrix("hypervolume", f, n_obj)?;
    check_len("hypervolume", "reference.len()", n_obj, reference.len())?;
    check_finite("hypervolume", "reference", reference)?;
    let mut pts = Vec::with_capacity(f.len());
    for i in 0..n {
        let p = &f[i * n_obj..(i + 1) * n_obj];
        if p.iter().zip(reference).all(|(a, r)| a < r) {
            // `+ 0.0` folds -0.0 into 0.0 so that tree keys order like `<`.
            pts.extend(p.iter().map(|&x| x + 0.0));
        }
    }
    Ok(volume(&pts, n_obj, reference))
}

/// Hypervolume of the flat `d`-column matrix `pts`, all of whose rows are strictly better than
/// `r`.
pub(crate) fn volume(pts: &[f64], d: usize, r: &[f64]) -> f64 {
    if pts.is_empty() {
        return 0.0;
    }
    match d {
        1 => r[0] - pts.iter().copied().fold(f64::INFINITY, f64::min),
        2 => two_d::volume(pts, r),
        3 => three_d::volume(pts, r),
        4 => four_d::volume(pts, r),
        5 => five_d::volume(pts, r),
        _ => wfg::volume(pts, d, r),
    }
}

/// The plain slicing recursion (HSO): the reference the fast paths are tested against.
#[cfg(test)]
pub(crate) fn naive_volume(pts: Vec<Vec<f64>>, r: &[f64], d: usize) -> f64 {
    let mut pts: Vec<Vec<f64>> = pts
        .into_iter()
        .filter(|p| p.iter().zip(r).all(|(a, b)| a < b))
        .collect();
    if pts.is_empty() {
        return 0.0;
    }
    if d == 1 {
        return r[0] - pts.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min);
    }
    pts.sort_by(|a, b| a[d - 1].total_cmp(&b[d - 1]));
    let mut v = 0.0;
    for i in 0..pts.len() {
        let top = if i + 1 < pts.len() {
            pts[i + 1][d - 1]
        } else {
            r[d - 1]
        };
        let h = top - pts[i][d - 1];
        if h > 0.0 {
            v += h * naive_volume(pts[..=i].to_vec(), r, d - 1);
        }
    }
    v
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fast;
