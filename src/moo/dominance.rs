//! Pareto dominance (minimisation) and constraint domination.
//!
//! PLACEHOLDER (session skeleton): straightforward versions; the EMO-core work owns this file.

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
pub fn compare(a: &[f64], b: &[f64]) -> Dominance {
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
/// Pareto dominance decides between feasible ones.
pub fn constrained_dominates(a: &[f64], cv_a: f64, b: &[f64], cv_b: f64) -> bool {
    match (cv_a > 0.0, cv_b > 0.0) {
        (false, false) => dominates(a, b),
        (false, true) => true,
        (true, false) => false,
        (true, true) => cv_a < cv_b,
    }
}
