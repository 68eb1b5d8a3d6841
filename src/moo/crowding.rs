//! Crowding distance (Deb et al. 2002).
//!
//! PLACEHOLDER (session skeleton): the EMO-core work owns this file.

use crate::error::{Error, Result};
use crate::moo::nondominated_sort::check_matrix;

/// Crowding distance of the rows `members` of `f` among themselves, in the order of `members`.
/// Boundary rows of every objective get `+inf`; each objective's gaps are divided by its
/// range over `members` (a zero range contributes nothing).
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
