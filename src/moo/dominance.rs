//! Pareto dominance (minimisation) and constraint domination.
//!
//! `a` dominates `b` when `a ≤ b` in every objective and `a < b` in at least one. This is a
//! strict partial order (irreflexive, asymmetric, transitive) on finite vectors; `-0.0` and
//! `0.0` compare equal. These are per-pair predicates on hot paths, so they do not validate:
//! the slices must have the same length (checked in debug builds) and NaN compares as neither
//! better nor worse. The sorting and indicator functions reject NaN/inf before calling them.

/// Outcome of comparing two objective vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dominance {
    /// The first vector dominates the second.
    Dominates,
    /// The second vector dominates the first.
    DominatedBy,
    /// Neither dominates (and they are not equal).
    Incomparable,
    /// Equal in every objective.
    Equal,
}

/// Compares `a` and `b` under Pareto dominance for minimisation.
///
/// ```
/// use pareto_sciml::moo::{compare, Dominance};
/// assert_eq!(compare(&[1.0, 2.0], &[1.0, 3.0]), Dominance::Dominates);
/// assert_eq!(compare(&[1.0, 4.0], &[2.0, 3.0]), Dominance::Incomparable);
/// assert_eq!(compare(&[1.0, -0.0], &[1.0, 0.0]), Dominance::Equal);
/// ```
pub fn compare(a: &[f64], b: &[f64]) -> Dominance {
    debug_assert_eq!(a.len(), b.len(), "compare: vectors of different lengths");
    let (mut a_better, mut b_better) = (false, false);
    for (x, y) in a.iter().zip(b) {
        if x < y {
            a_better = true;
        } else if y < x {
            b_better = true;
        }
    }
    match (a_better, b_better) {
        (true, false) => Dominance::Dominates,
        (false, true) => Dominance::DominatedBy,
        (false, false) => Dominance::Equal,
        (true, true) => Dominance::Incomparable,
    }
}

/// True when `a` Pareto-dominates `b` (no worse everywhere, strictly better somewhere).
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    compare(a, b) == Dominance::Dominates
}

/// Deb's constraint domination with total violations `cv_a`, `cv_b` (0 = feasible): a feasible
/// vector beats an infeasible one, the smaller violation wins between infeasible ones, and
/// Pareto dominance decides between feasible ones. A violation `<= 0` counts as feasible.
///
/// ```
/// use pareto_sciml::moo::constrained_dominates;
/// assert!(constrained_dominates(&[9.0], 0.0, &[1.0], 0.5)); // feasible beats infeasible
/// assert!(constrained_dominates(&[9.0], 0.1, &[1.0], 0.5)); // smaller violation wins
/// assert!(!constrained_dominates(&[1.0], 0.0, &[1.0], 0.0)); // equal: no domination
/// ```
pub fn constrained_dominates(a: &[f64], cv_a: f64, b: &[f64], cv_b: f64) -> bool {
    match (cv_a > 0.0, cv_b > 0.0) {
        (false, false) => dominates(a, b),
        (false, true) => true,
        (true, false) => false,
        (true, true) => cv_a < cv_b,
    }
}
