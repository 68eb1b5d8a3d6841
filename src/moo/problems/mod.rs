//! Standard test problems with analytic Pareto fronts: ZDT1–4, ZDT6 (Zitzler, Deb & Thiele
//! 2000) and DTLZ1–7 (Deb, Thiele, Laumanns & Zitzler 2005), with the objective formulas of
//! pymoo 0.6 (checked against it by `tests/moo_problems.rs`). All trigonometric, exponential
//! and power terms use [`crate::math`], so a GPU twin can reproduce them bit for bit.

mod dtlz;
mod zdt;

pub use dtlz::Dtlz;
pub use zdt::{Zdt, ZdtKind};

use crate::error::Result;
use crate::moo::problem::Problem;

/// A test problem whose Pareto front is known in closed form.
pub trait KnownFront: Problem {
    /// A short name such as `"ZDT1"` or `"DTLZ2"`.
    fn name(&self) -> String;
    /// Points on the true Pareto front, row-major `k × n_obj`. Two-objective fronts give
    /// exactly `n_points` points; simplex and sphere fronts give the smallest Das–Dennis set
    /// with at least `n_points` points; disconnected fronts give the non-dominated part of a
    /// grid with about `n_points` points.
    fn pareto_front(&self, n_points: usize) -> Result<Vec<f64>>;
}

/// Smallest Das–Dennis partition count giving at least `n_points` reference points.
pub(crate) fn partitions_for(n_obj: usize, n_points: usize) -> usize {
    let count = |p: usize| -> f64 {
        // C(p + m - 1, m - 1) in floating point (only compared, never used as an index).
        (1..n_obj).fold(1.0, |acc, i| acc * (p + i) as f64 / i as f64)
    };
    let mut p = 1;
    while count(p) < n_points as f64 {
        p += 1;
    }
    p
}

/// `n` equally spaced values from `a` to `b` inclusive (`n = 1` gives `a`).
pub(crate) fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    if n <= 1 {
        return vec![a; n];
    }
    (0..n)
        .map(|i| a + (b - a) * i as f64 / (n - 1) as f64)
        .collect()
}
