//! Exact hypervolume (minimisation).
//!
//! PLACEHOLDER (session skeleton): a plain slicing recursion; the EMO-core work replaces it.

use crate::error::{check_finite, check_len, Result};
use crate::moo::nondominated_sort::check_matrix;

/// Hypervolume dominated by the rows of `f` and bounded by `reference`. Points that are not
/// strictly better than the reference in every objective contribute nothing.
pub fn hypervolume(f: &[f64], n_obj: usize, reference: &[f64]) -> Result<f64> {
    let n = check_matrix("hypervolume", f, n_obj)?;
    check_len("hypervolume", "reference.len()", n_obj, reference.len())?;
    check_finite("hypervolume", "reference", reference)?;
    let pts: Vec<Vec<f64>> = (0..n)
        .map(|i| f[i * n_obj..(i + 1) * n_obj].to_vec())
        .filter(|p| p.iter().zip(reference).all(|(a, r)| a < r))
        .collect();
    Ok(slice_volume(pts, reference, n_obj))
}

fn slice_volume(mut pts: Vec<Vec<f64>>, reference: &[f64], d: usize) -> f64 {
    if pts.is_empty() {
        return 0.0;
    }
    if d == 1 {
        let best = pts.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min);
        return reference[0] - best;
    }
    pts.sort_by(|a, b| a[d - 1].total_cmp(&b[d - 1]));
    let mut volume = 0.0;
    for i in 0..pts.len() {
        let top = if i + 1 < pts.len() {
            pts[i + 1][d - 1]
        } else {
            reference[d - 1]
        };
        let height = top - pts[i][d - 1];
        if height > 0.0 {
            volume += height * slice_volume(pts[..=i].to_vec(), reference, d - 1);
        }
    }
    volume
}
