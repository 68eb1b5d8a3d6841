//! The exact solution of the viscous Burgers equation
//! `u_t + u u_x = ν u_xx`, `u(x, 0) = −sin(πx)`, `u(±1, t) = 0`, by the Cole–Hopf transform.
//!
//! With `φ(y) = exp(−cos(πy) / (2πν))` the solution is
//!
//! `u(x, t) = −∫ sin(π y) φ(y) e^{−z²} dz / ∫ φ(y) e^{−z²} dz`, `y = x − √(4νt)·z`,
//!
//! evaluated by Gauss–Hermite quadrature in z. The exponent `−cos(πy)/(2πν)` reaches ±50 for
//! ν = 0.01/π, so both sums are taken in log space (shifted by their largest term), in f64.
//! This is the reference of Raissi et al.'s `burgers_shock` data set: 256 points in x on
//! [−1, 1] and 100 times t = 0, 0.01, …, 0.99.

use crate::error::{Error, Result};
use crate::math::{cos_f64, exp_f64, sin_f64};
use crate::pinn::quadrature::gauss_hermite;
use std::f64::consts::PI;

/// Quadrature nodes used by [`BurgersReference::new`] unless told otherwise; measured against
/// an independent fine-grid finite-difference solution in `tests/burgers_reference.rs`.
pub const DEFAULT_QUADRATURE_NODES: usize = 200;

/// Evaluator of the Cole–Hopf solution for one viscosity.
#[derive(Debug, Clone)]
pub struct BurgersReference {
    nu: f64,
    nodes: Vec<f64>,
    log_weights: Vec<f64>,
}

/// The solution sampled on a grid: `u[it * x.len() + ix]` is `u(x[ix], t[it])`.
#[derive(Debug, Clone)]
pub struct BurgersGrid {
    /// Spatial points.
    pub x: Vec<f64>,
    /// Times.
    pub t: Vec<f64>,
    /// Values, time-major.
    pub u: Vec<f64>,
}

impl BurgersReference {
    /// A reference for viscosity `nu > 0` with `quadrature_nodes` Gauss–Hermite nodes.
    pub fn new(nu: f64, quadrature_nodes: usize) -> Result<Self> {
        if !(nu.is_finite() && nu > 0.0) {
            return Err(Error::config(
                "nu",
                format!("must be finite and > 0, got {nu}"),
            ));
        }
        let (nodes, log_weights) = gauss_hermite(quadrature_nodes)?;
        Ok(BurgersReference {
            nu,
            nodes,
            log_weights,
        })
    }

    /// The viscosity.
    pub fn nu(&self) -> f64 {
        self.nu
    }

    /// u(x, t); `t = 0` gives the initial condition exactly.
    pub fn value(&self, x: f64, t: f64) -> f64 {
        if t <= 0.0 {
            return -sin_f64(PI * x);
        }
        let spread = (4.0 * self.nu * t).sqrt();
        let inv = 1.0 / (2.0 * PI * self.nu);
        // Largest log-term first, then the two sums relative to it: no overflow at ±50.
        let log_term = |k: usize| {
            let y = x - spread * self.nodes[k];
            self.log_weights[k] - cos_f64(PI * y) * inv
        };
        let shift = (0..self.nodes.len())
            .map(log_term)
            .fold(f64::NEG_INFINITY, f64::max);
        let (mut num, mut den) = (0.0, 0.0);
        for k in 0..self.nodes.len() {
            let y = x - spread * self.nodes[k];
            let w = exp_f64(log_term(k) - shift);
            num += w * sin_f64(PI * y);
            den += w;
        }
        -num / den
    }

    /// The solution on the grid `x × t` (time-major).
    pub fn grid(&self, x: &[f64], t: &[f64]) -> BurgersGrid {
        let mut u = Vec::with_capacity(x.len() * t.len());
        for &tj in t {
            u.extend(x.iter().map(|&xi| self.value(xi, tj)));
        }
        BurgersGrid {
            x: x.to_vec(),
            t: t.to_vec(),
            u,
        }
    }

    /// Raissi's grid: 256 points in x (linspace over [−1, 1]) and t = 0, 0.01, …, 0.99.
    pub fn raissi_grid(&self) -> BurgersGrid {
        let x: Vec<f64> = (0..256).map(|i| -1.0 + 2.0 * i as f64 / 255.0).collect();
        let t: Vec<f64> = (0..100).map(|j| j as f64 / 100.0).collect();
        self.grid(&x, &t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_condition_and_boundaries() {
        let r = BurgersReference::new(0.01 / PI, 64).unwrap();
        assert!((r.value(0.5, 0.0) + 1.0).abs() < 1e-15);
        for t in [0.1, 0.5, 0.99] {
            assert!(r.value(-1.0, t).abs() < 1e-12);
            assert!(r.value(1.0, t).abs() < 1e-12);
            // odd symmetry u(−x) = −u(x)
            assert!((r.value(0.3, t) + r.value(-0.3, t)).abs() < 1e-12);
        }
    }

    #[test]
    fn small_time_matches_the_initial_condition() {
        let r = BurgersReference::new(0.01 / PI, 200).unwrap();
        for x in [-0.7, -0.2, 0.4, 0.9] {
            let u = r.value(x, 1e-6);
            assert!((u + (PI * x).sin()).abs() < 1e-4, "x={x}: {u}");
        }
    }

    #[test]
    fn bad_viscosity_is_rejected() {
        for nu in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                BurgersReference::new(nu, 64),
                Err(Error::InvalidConfig { .. })
            ));
        }
    }
}
