//! Inverted generational distance: IGD (Coello & Reyes Sierra 2004) and IGD+ (Ishibuchi et al.
//! 2015, doi:10.1007/978-3-319-15892-1_8).
//!
//! Both average, over the rows `z` of a reference `front`, the distance from `z` to the nearest
//! row `a` of the approximation set `approx`:
//! - IGD: the Euclidean distance `‖a − z‖`;
//! - IGD+: the dominance-aware distance `‖max(a − z, 0)‖`, which counts only the objectives in
//!   which `a` is worse than `z` (minimisation), so IGD+ is weakly Pareto compliant.
//!
//! The mean is the plain left-to-right sum over `front` divided by its row count. Both sets
//! must be non-empty, finite and have `n_obj` columns, else an [`Error`].

use crate::error::{Error, Result};
use crate::moo::nondominated_sort::check_matrix;

/// IGD: mean over the rows of `front` of the Euclidean distance to the nearest row of `approx`.
///
/// ```
/// use pareto_sciml::moo::igd;
/// let front = [0.0, 1.0, 1.0, 0.0];
/// let approx = [0.0, 2.0];
/// // distances 1 and sqrt(5)
/// let v = igd(&approx, &front, 2).unwrap();
/// assert!((v - (1.0 + 5f64.sqrt()) / 2.0).abs() < 1e-12);
/// ```
pub fn igd(approx: &[f64], front: &[f64], n_obj: usize) -> Result<f64> {
    mean_nearest("igd", approx, front, n_obj, |a, z| a - z)
}

/// IGD+: mean over the rows `z` of `front` of `min_a ‖max(a − z, 0)‖` over the rows `a` of
/// `approx` (minimisation).
///
/// ```
/// use pareto_sciml::moo::igd_plus;
/// let front = [0.0, 1.0, 1.0, 0.0];
/// let approx = [0.5, 0.5];
/// // a is worse than (0,1) by 0.5 in f0 only, and than (1,0) by 0.5 in f1 only
/// assert!((igd_plus(&approx, &front, 2).unwrap() - 0.5).abs() < 1e-12);
/// ```
pub fn igd_plus(approx: &[f64], front: &[f64], n_obj: usize) -> Result<f64> {
    mean_nearest("igd_plus", approx, front, n_obj, |a, z| (a - z).max(0.0))
}

fn mean_nearest(
    op: &'static str,
    approx: &[f64],
    front: &[f64],
    n_obj: usize,
    diff: impl Fn(f64, f64) -> f64,
) -> Result<f64> {
    let na = check_matrix(op, approx, n_obj)?;
    let nf = check_matrix(op, front, n_obj)?;
    if na == 0 {
        return Err(Error::Empty {
            op,
            what: "approximation set",
        });
    }
    if nf == 0 {
        return Err(Error::Empty {
            op,
            what: "reference front",
        });
    }
    let mut total = 0.0;
    for z in front.chunks_exact(n_obj) {
        let mut best = f64::INFINITY;
        for a in approx.chunks_exact(n_obj) {
            let d2: f64 = a
                .iter()
                .zip(z)
                .map(|(&x, &y)| {
                    let d = diff(x, y);
                    d * d
                })
                .sum();
            best = best.min(d2);
        }
        total += best.sqrt();
    }
    Ok(total / nf as f64)
}
