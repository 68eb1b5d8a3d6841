//! Non-dominated sorting (minimisation).
//!
//! The rank of a row is its textbook front index: rank 0 holds the rows no other row
//! dominates, rank `k` the rows dominated only by rows of ranks `< k` (so
//! `rank(p) = 1 + max{rank(q) : q dominates p}`).
//!
//! # Conventions
//! - Dominance is Pareto dominance for minimisation: `q` dominates `p` when `q ≤ p` in every
//!   objective and `q < p` in at least one ([`crate::moo::dominates`]).
//! - Duplicated rows (equal in every objective, `-0.0 == 0.0`) do not dominate each other and
//!   always share a rank.
//! - NaN or ±inf objectives are an [`Error::NonFinite`]; `n_obj == 0` an [`Error::InvalidConfig`];
//!   a length that is not a multiple of `n_obj` an [`Error::Shape`]. An empty matrix gives an
//!   empty rank vector.
//!
//! # Algorithms
//! All start from one lexicographic sort of the rows (a radix sort of integer keys of objective
//! 0 from 2048 rows on, `radix.rs`), after which a row can only be dominated by rows before it.
//! - `M = 1`: ranks are the dense ranks of the values.
//! - `M = 2, 3`: each front keeps a summary, and a row's rank is found by binary search over
//!   the fronts, because "dominated by some row of front `k`" is monotone in `k` (a dominator
//!   in front `k + 1` is itself dominated by a row of front `k`, which by transitivity dominates
//!   the row too). For `M = 2` the summary is the last row of each front (its smallest second
//!   objective): `O(N log N)` (Jensen 2003's sweep). For `M = 3` it is a 2-D staircase over
//!   objectives 1 and 2 (a sorted `Vec`): `O(N log N)` searches plus `O(front)` moves per
//!   insertion, short in practice.
//! - `M ≥ 4`: dominator bitsets block by block (`blocked.rs`): for each row, the rows before
//!   it that are no worse in each objective, one prefix bitset per objective, intersected word
//!   by word; blocks of 2048 rows keep the bitsets in the L2 cache and the memory at `O(M·N)`.
//!   `O(M·N²/64)` word operations with no data-dependent branches: at `M = 5` faster than the
//!   divide and conquer of Jensen (2003) / Buzdalov & Shalyto (2014), `O(N log^{M−1} N)`, at
//!   every size measured, `N ≤ 10⁵` (`divide.rs`, now an independent test oracle).
//!
//! Duplicated rows are collapsed before any of these run and get the rank of their copy.

mod blocked;
#[cfg(test)]
mod divide;
mod radix;
mod sweep;

pub(crate) use sweep::ord_key;

use crate::error::{check_finite, check_len, Error, Result};

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
///
/// See the [module docs](self) for the definition, the conventions on duplicates and the
/// algorithms (an `O(N log N)` sweep for two objectives).
///
/// ```
/// use pareto_sciml::moo::nondominated_sort;
/// // (1,4) and (2,2) are non-dominated, (3,3) is dominated by (2,2), (1,4) appears twice.
/// let f = [1.0, 4.0, 2.0, 2.0, 3.0, 3.0, 1.0, 4.0];
/// assert_eq!(nondominated_sort(&f, 2).unwrap(), vec![0, 0, 1, 0]);
/// ```
pub fn nondominated_sort(f: &[f64], n_obj: usize) -> Result<Vec<usize>> {
    let n = check_matrix("nondominated_sort", f, n_obj)?;
    Ok(sweep::rank(f, n, n_obj))
}

/// Ranks under Deb's constraint domination ([`crate::moo::constrained_dominates`]).
///
/// Feasible rows (`cv <= 0`) get their [`nondominated_sort`] rank among the feasible rows;
/// infeasible rows (`cv > 0`) follow, one front per distinct violation value in ascending
/// order. `cv` must have one finite entry per row.
///
/// ```
/// use pareto_sciml::moo::constrained_nondominated_sort;
/// let f = [1.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.5, 0.5];
/// let cv = [0.0, 0.0, 3.0, 1.0];
/// assert_eq!(constrained_nondominated_sort(&f, &cv, 2).unwrap(), vec![0, 0, 2, 1]);
/// ```
pub fn constrained_nondominated_sort(f: &[f64], cv: &[f64], n_obj: usize) -> Result<Vec<usize>> {
    let n = check_matrix("constrained_nondominated_sort", f, n_obj)?;
    check_len("constrained_nondominated_sort", "cv.len()", n, cv.len())?;
    check_finite("constrained_nondominated_sort", "cv", cv)?;
    let feasible: Vec<usize> = (0..n).filter(|&i| cv[i] <= 0.0).collect();
    let sub: Vec<f64> = feasible
        .iter()
        .flat_map(|&i| f[i * n_obj..(i + 1) * n_obj].iter().copied())
        .collect();
    let sub_rank = sweep::rank(&sub, feasible.len(), n_obj);
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

/// The `O(M·N²)` textbook loop (Deb et al. 2002): the reference the fast sorts are tested
/// against. Assumes a validated matrix.
#[cfg(test)]
pub(crate) fn naive_rank(f: &[f64], n_obj: usize) -> Vec<usize> {
    use crate::moo::dominance::dominates;
    let n = f.len() / n_obj;
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
    rank
}

#[cfg(test)]
mod tests;
