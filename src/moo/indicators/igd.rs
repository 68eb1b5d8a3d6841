//! Inverted generational distance.
//!
//! PLACEHOLDER (session skeleton): the EMO-core work owns this file.

use crate::error::{Error, Result};
use crate::moo::nondominated_sort::check_matrix;

/// Mean over the rows of `front` of the Euclidean distance to the nearest row of `approx`.
pub fn igd(approx: &[f64], front: &[f64], n_obj: usize) -> Result<f64> {
    let na = check_matrix("igd", approx, n_obj)?;
    let nf = check_matrix("igd", front, n_obj)?;
    if na == 0 || nf == 0 {
        return Err(Error::Empty {
            op: "igd",
            what: "approximation set or reference front",
        });
    }
    let mut total = 0.0;
    for r in front.chunks_exact(n_obj) {
        let mut best = f64::INFINITY;
        for a in approx.chunks_exact(n_obj) {
            let d2: f64 = a.iter().zip(r).map(|(x, y)| (x - y) * (x - y)).sum();
            best = best.min(d2);
        }
        total += best.sqrt();
    }
    Ok(total / nf as f64)
}
