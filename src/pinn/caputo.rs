//! The Caputo fractional time derivative of order α ∈ (0, 1) by the L1 scheme, and its
//! derivative with respect to α (for inverse problems where α is trained).
//!
//! On the uniform grid t_n = n·Δt the L1 scheme reads
//!
//! `D^α u(t_n) ≈ c · Σ_{k=0}^{n−1} b_k (u_{n−k} − u_{n−k−1})`,
//! `c = Δt^{−α} / Γ(2 − α)`, `b_k = (k+1)^{1−α} − k^{1−α}`,
//!
//! which converges as O(Δt^{2−α}) for smooth u (tested on u = t³ in this module). All
//! coefficients are linear in the samples u_j, so a PINN residual that uses it back-propagates
//! through [`L1Caputo::coefficients`].

use crate::error::{Error, Result};
use crate::math::{exp_f64, ln_f64};
use crate::pinn::special::{digamma, gamma};

/// Precomputed L1 weights `w_k = c·b_k` and their α-derivatives for a fixed (α, Δt, N).
#[derive(Debug, Clone)]
pub struct L1Caputo {
    alpha: f64,
    dt: f64,
    weights: Vec<f64>,
    dweights: Vec<f64>,
}

impl L1Caputo {
    /// Weights for order `alpha ∈ (0, 1)`, step `dt > 0` and `n_steps ≥ 1` steps.
    pub fn new(alpha: f64, dt: f64, n_steps: usize) -> Result<Self> {
        if !(alpha.is_finite() && alpha > 0.0 && alpha < 1.0) {
            return Err(Error::config(
                "alpha",
                format!("the L1 scheme needs 0 < α < 1, got {alpha}"),
            ));
        }
        if !(dt.is_finite() && dt > 0.0) {
            return Err(Error::config(
                "dt",
                format!("must be finite and > 0, got {dt}"),
            ));
        }
        if n_steps == 0 {
            return Err(Error::config("n_steps", "must be at least 1"));
        }
        let beta = 1.0 - alpha;
        let c = exp_f64(-alpha * ln_f64(dt)) / gamma(2.0 - alpha);
        // d ln c / dα = −ln Δt + ψ(2 − α)
        let dlnc = -ln_f64(dt) + digamma(2.0 - alpha);
        let power = |k: usize| {
            if k == 0 {
                (0.0, 0.0)
            } else {
                let l = ln_f64(k as f64);
                let p = exp_f64(beta * l);
                // d/dα k^{1−α} = −k^{1−α} ln k
                (p, -p * l)
            }
        };
        let mut weights = Vec::with_capacity(n_steps);
        let mut dweights = Vec::with_capacity(n_steps);
        for k in 0..n_steps {
            let (p1, dp1) = power(k + 1);
            let (p0, dp0) = power(k);
            let b = p1 - p0;
            weights.push(c * b);
            dweights.push(c * (dlnc * b + (dp1 - dp0)));
        }
        Ok(L1Caputo {
            alpha,
            dt,
            weights,
            dweights,
        })
    }

    /// The order α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// The time step Δt.
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// The weights `w_k = c·b_k`, k = 0..N−1 (D^α u(t_n) = Σ_k w_k (u_{n−k} − u_{n−k−1})).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// `∂w_k/∂α`, k = 0..N−1.
    pub fn dweights(&self) -> &[f64] {
        &self.dweights
    }

    /// Number of steps N the weights cover (so samples u_0..u_N).
    pub fn n_steps(&self) -> usize {
        self.weights.len()
    }

    fn check(&self, u: &[f64], n: usize) -> Result<()> {
        if n == 0 || n > self.n_steps() {
            return Err(Error::config(
                "n",
                format!("time index must be in 1..={}, got {n}", self.n_steps()),
            ));
        }
        if u.len() <= n {
            return Err(Error::Shape {
                op: "L1Caputo",
                what: "samples u_0..u_n".into(),
                expected: n + 1,
                got: u.len(),
            });
        }
        Ok(())
    }

    /// D^α u at t_n from the samples `u[0..=n]` (`u[j] = u(t_j)`).
    pub fn derivative_at(&self, u: &[f64], n: usize) -> Result<f64> {
        self.check(u, n)?;
        Ok(Self::sum(&self.weights, u, n))
    }

    /// ∂/∂α of the L1 approximation of D^α u at t_n (samples held fixed).
    pub fn dalpha_at(&self, u: &[f64], n: usize) -> Result<f64> {
        self.check(u, n)?;
        Ok(Self::sum(&self.dweights, u, n))
    }

    fn sum(w: &[f64], u: &[f64], n: usize) -> f64 {
        (0..n).map(|k| w[k] * (u[n - k] - u[n - k - 1])).sum()
    }

    /// Coefficients a_j with D^α u(t_n) = Σ_{j=0}^{n} a_j u_j: the adjoint a reverse pass needs.
    pub fn coefficients(&self, n: usize) -> Result<Vec<f64>> {
        if n == 0 || n > self.n_steps() {
            return Err(Error::config(
                "n",
                format!("time index must be in 1..={}, got {n}", self.n_steps()),
            ));
        }
        let mut a = vec![0.0; n + 1];
        for k in 0..n {
            a[n - k] += self.weights[k];
            a[n - k - 1] -= self.weights[k];
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exact Caputo derivative of t³: Γ(4)/Γ(4−α) t^{3−α}.
    fn exact(alpha: f64, t: f64) -> f64 {
        6.0 / gamma(4.0 - alpha) * t.powf(3.0 - alpha)
    }

    fn error_at_one(alpha: f64, n: usize) -> f64 {
        let dt = 1.0 / n as f64;
        let u: Vec<f64> = (0..=n).map(|j| (j as f64 * dt).powi(3)).collect();
        let l1 = L1Caputo::new(alpha, dt, n).unwrap();
        (l1.derivative_at(&u, n).unwrap() - exact(alpha, 1.0)).abs()
    }

    #[test]
    fn converges_at_order_two_minus_alpha() {
        for alpha in [0.3, 0.5, 0.8] {
            let ns = [40usize, 80, 160, 320, 640];
            let pts: Vec<(f64, f64)> = ns
                .iter()
                .map(|&n| ((1.0 / n as f64).ln(), error_at_one(alpha, n).ln()))
                .collect();
            // least-squares slope of ln(error) against ln(dt)
            let m = pts.len() as f64;
            let (sx, sy) = pts.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
            let (mx, my) = (sx / m, sy / m);
            let num: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
            let den: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
            let slope = num / den;
            assert!(
                (slope - (2.0 - alpha)).abs() < 0.08,
                "alpha {alpha}: slope {slope}"
            );
        }
    }

    #[test]
    fn alpha_derivative_matches_finite_differences() {
        let n = 50;
        let dt = 1.0 / n as f64;
        let u: Vec<f64> = (0..=n)
            .map(|j| (j as f64 * dt).powi(3) + 0.3 * (j as f64 * dt))
            .collect();
        for alpha in [0.2, 0.5, 0.7] {
            let h = 1e-6;
            let plus = L1Caputo::new(alpha + h, dt, n)
                .unwrap()
                .derivative_at(&u, n)
                .unwrap();
            let minus = L1Caputo::new(alpha - h, dt, n)
                .unwrap()
                .derivative_at(&u, n)
                .unwrap();
            let fd = (plus - minus) / (2.0 * h);
            let an = L1Caputo::new(alpha, dt, n)
                .unwrap()
                .dalpha_at(&u, n)
                .unwrap();
            assert!((an - fd).abs() < 1e-6 * fd.abs().max(1.0), "{an} vs {fd}");
        }
    }

    #[test]
    fn coefficients_reproduce_the_sum() {
        let l1 = L1Caputo::new(0.5, 0.1, 10).unwrap();
        let u: Vec<f64> = (0..=10).map(|j| (j as f64 * 0.37).sin()).collect();
        for n in 1..=10 {
            let a = l1.coefficients(n).unwrap();
            let via: f64 = a.iter().zip(&u).map(|(a, u)| a * u).sum();
            assert!((via - l1.derivative_at(&u, n).unwrap()).abs() < 1e-12);
            // a constant has zero derivative: coefficients sum to zero
            assert!(a.iter().sum::<f64>().abs() < 1e-12);
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        for alpha in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
            assert!(matches!(
                L1Caputo::new(alpha, 0.1, 10),
                Err(Error::InvalidConfig { .. })
            ));
        }
        assert!(L1Caputo::new(0.5, 0.0, 10).is_err());
        assert!(L1Caputo::new(0.5, 0.1, 0).is_err());
        let l1 = L1Caputo::new(0.5, 0.1, 10).unwrap();
        assert!(matches!(
            l1.derivative_at(&[0.0; 3], 5),
            Err(Error::Shape { .. })
        ));
        assert!(l1.derivative_at(&[0.0; 12], 11).is_err());
        assert!(l1.derivative_at(&[0.0; 12], 0).is_err());
    }
}
