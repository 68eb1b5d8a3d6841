//! Non-dominated sorting.
//!
//! PLACEHOLDER (session skeleton): the O(M·N²) textbook loop; the EMO-core work replaces it.

use crate::error::{check_finite, Error, Result};
use crate::moo::dominance::dominates;

pub(crate) fn check_matrix(op: &'static str, f: &[f64], n_obj: usize) -> Result<usize> {
    if n_obj == 0 {
        return Err(Error::config("n_obj", "must be at least 1"));
    }
    if f.len() % n_obj != 0 {
        return Err(Error::Shape {
            op,
            what: format!("f.len() (a multiple of n_obj = {n_obj})"),
            expected: f.len() / n_obj * n_obj,
            got: f.len(),
        });
    }
    check_finite(op, "objectives", f)?;
    Ok(f.len() / n_obj)
}

/// 0-based front rank of every row of the row-major `n × n_obj` matrix `f` (minimisation).
pub fn nondominated_sort(f: &[f64], n_obj: usize) -> Result<Vec<usize>> {
    let n = check_matrix("nondominated_sort", f, n_obj)?;
    let row = |i: usize| &f[i * n_obj..(i + 1) * n_obj];
    let mut dominated_by = vec![0usize; n];
    let mut dominates_list = vec![Vec::new(); n];
    for (i, list) in dominates_list.iter_mut().enumerate() {
        for (j, count) in dominated_by.iter_mut().enumerate() {
            if i != j && dominates(row(i), row(j)) {
                list.push(j);
                *count += 1;
            }
        }
    }
    let mut rank = vec![usize::MAX; n];
    let mut current: Vec<usize> = (0..n).filter(|&i| dominated_by[i] == 0).collect();
    let mut k = 0;
    while !current.is_empty() {
        let mut next = Vec::new();
        for &i in &current {
            rank[i] = k;
            for &j in &dominates_list[i] {
                dominated_by[j] -= 1;
                if dominated_by[j] == 0 {
                    next.push(j);
                }
            }
        }
        current = next;
        k += 1;
    }
    Ok(rank)
}

/// Ranks under constraint domination: feasible rows (`cv == 0`) are sorted by
/// [`nondominated_sort`]; infeasible rows follow, one front per distinct violation value in
/// ascending order.
pub fn constrained_nondominated_sort(f: &[f64], cv: &[f64], n_obj: usize) -> Result<Vec<usize>> {
    let n = check_matrix("constrained_nondominated_sort", f, n_obj)?;
    crate::error::check_len("constrained_nondominated_sort", "cv.len()", n, cv.len())?;
    check_finite("constrained_nondominated_sort", "cv", cv)?;
    let feasible: Vec<usize> = (0..n).filter(|&i| cv[i] <= 0.0).collect();
    let sub: Vec<f64> = feasible
        .iter()
        .flat_map(|&i| f[i * n_obj..(i + 1) * n_obj].iter().copied())
        .collect();
    let sub_rank = nondominated_sort(&sub, n_obj)?;
    let mut rank = vec![0usize; n];
    let mut next = 0;
    for (k, &i) in feasible.iter().enumerate() {
        rank[i] = sub_rank[k];
        next = next.max(sub_rank[k] + 1);
    }
    let mut infeasible: Vec<usize> = (0..n).filter(|&i| cv[i] > 0.0).collect();
    infeasible.sort_by(|&a, &b| cv[a].total_cmp(&cv[b]).then(a.cmp(&b)));
    let mut last: Option<f64> = None;
    for &i in &infeasible {
        if let Some(v) = last {
            if cv[i] > v {
                next += 1;
            }
        }
        rank[i] = next;
        last = Some(cv[i]);
    }
    Ok(rank)
}
