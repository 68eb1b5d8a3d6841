//! Crowding distance (Deb et al. 2002, doi:10.1109/4235.996017).
//!
//! # The exact arithmetic (a contract)
//! A GPU kernel twin replicates this computation bit for bit, so the order of operations is
//! part of the API. With `k = members.len()` and `d = [0.0; k]`:
//! 1. if `k < 3`, every member gets `+inf` and nothing else happens;
//! 2. for each objective `m = 0, 1, …, M−1`, in this order:
//!    - sort the member *positions* `0..k` by `(value, position)` ascending, where `value` is
//!      objective `m` of the row `members[position]` (`f64::total_cmp`; ties keep the order of
//!      `members`, so equal rows are handled deterministically);
//!    - the first and last position in that order get `d = +inf`;
//!    - `range = v[last] − v[first]`; if `range > 0`, each interior position `w` (in sorted
//!      order) gets `d[w] += (v[next] − v[prev]) / range`, one division per term, accumulated
//!      objective by objective; a zero range adds nothing (all members tie in `m`).
//!
//! # Conventions
//! - Boundary members of every objective have `+inf`, and `+inf` stays `+inf`.
//! - Duplicated rows are distinct members: the tie order decides which one is the boundary, and
//!   an interior duplicate gets the gap to its neighbours like any other member.
//! - The distances are not divided by `M`; only their order matters to NSGA-II.
//! - pymoo 0.6.2's `calc_crowding_distance` (NSGA-II's `"cd"`, no duplicate filtering) computes
//!   `ours / M`, up to rounding (it normalises the gap to each neighbour separately), with the
//!   same stable tie order; it differs only for an objective with zero range, where it adds 0
//!   to the boundary rows too (NaN replaced by 0) while we give them `+inf`. Checked to a
//!   relative 1e-12 in `tests/moo_indicator_oracle.rs`.

use crate::error::{Error, Result};
use crate::moo::nondominated_sort::check_matrix;

/// Crowding distance of the rows `members` of `f` among themselves, in the order of `members`.
/// Boundary rows of every objective get `+inf`; each objective's gaps are divided by its
/// range over `members` (a zero range contributes nothing). See the [module docs](self) for the
/// exact arithmetic. A member index `>= n` is an [`Error::Shape`]; `f` is validated like
/// [`nondominated_sort`](fn@crate::moo::nondominated_sort).
///
/// ```
/// use pareto_sciml::moo::crowding_distance;
/// let f = [0.0, 4.0, 1.0, 2.0, 3.0, 1.0, 4.0, 0.0];
/// let d = crowding_distance(&f, 2, &[0, 1, 2, 3]).unwrap();
/// assert!(d[0].is_infinite() && d[3].is_infinite());
/// // (3 − 0)/4 + (4 − 1)/4
/// assert!((d[1] - 1.5).abs() < 1e-15);
/// ```
pub fn crowding_distance(f: &[f64], n_obj: usize, members: &[usize]) -> Result<Vec<f64>> {
    let n = check_matrix("crowding_distance", f, n_obj)?;
    if let Some(&bad) = members.iter().find(|&&i| i >= n) {
        return Err(Error::Shape {
            op: "crowding_distance",
            what: "member index (must be < number of rows)".into(),
            expected: n,
            got: bad,
        });
    }
    let k = members.len();
    let mut d = vec![0.0; k];
    if k <= 2 {
        return Ok(vec![f64::INFINITY; k]);
    }
    let mut order: Vec<usize> = (0..k).collect();
    for m in 0..n_obj {
        let v = |p: usize| f[members[p] * n_obj + m];
        order.sort_by(|&a, &b| v(a).total_cmp(&v(b)).then(a.cmp(&b)));
        let range = v(order[k - 1]) - v(order[0]);
        d[order[0]] = f64::INFINITY;
        d[order[k - 1]] = f64::INFINITY;
        if range > 0.0 {
            for w in 1..k - 1 {
                d[order[w]] += (v(order[w + 1]) - v(order[w - 1])) / range;
            }
        }
    }
    Ok(d)
}
