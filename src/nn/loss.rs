//! Pointwise losses: what the engine back-propagates.
//!
//! A loss is a mean over points, `L = (1/N) Σ_p ℓ(x_p, aux_p, jet_p, θ)`, of a pointwise term
//! ℓ that sees the point's inputs, optional per-point data (`aux`, e.g. targets), the jets of
//! the network outputs and extra trainable scalars θ (e.g. a viscosity ν). The pointwise loss
//! returns ℓ and its adjoints `∂ℓ/∂jet` and `∂ℓ/∂θ`; the engine scales them by `1/N` and
//! back-propagates them through the jet recursion to the genome.
//!
//! Implementations are generic over the lane type so one body runs in the SIMD path and in
//! the scalar twin; mark `eval` `#[inline(always)]` so the SIMD instantiation is compiled with
//! AVX2/FMA. Use only [`Lane`] arithmetic (no horizontal operations) so both paths agree.

use super::JetSpec;
use crate::backend::cpu::lanes::{Lane, Real};
use crate::{Error, Result};

/// A pointwise loss term with its adjoints.
pub trait PointLoss: Sync {
    /// Number of extra trainable scalars θ (per population member).
    fn n_extra(&self) -> usize {
        0
    }
    /// Number of per-point data values (`aux` row width).
    fn aux_width(&self) -> usize {
        0
    }
    /// Checks that the loss can read what a network with `n_out` outputs and this `jet`
    /// provides (called once per evaluation, before any kernel runs).
    fn validate(&self, n_out: usize, jet: &JetSpec) -> Result<()> {
        let _ = (n_out, jet);
        Ok(())
    }
    /// Returns ℓ for each lane. `x`: one register per input; `aux`: one per aux column;
    /// `out`: output jets, `n_out × jet.n_comp()` unit-major; `extra`: θ broadcast.
    /// Writes `∂ℓ/∂out` into `adj` (same layout as `out`) and `∂ℓ/∂θ` into `adj_extra`; both
    /// arrive zeroed.
    #[allow(clippy::too_many_arguments)]
    fn eval<V: Lane>(
        &self,
        jet: &JetSpec,
        x: &[V],
        aux: &[V],
        out: &[V],
        extra: &[V],
        adj: &mut [V],
        adj_extra: &mut [V],
    ) -> V;
}

/// Mean squared misfit against per-point targets (`aux` = the `n_out` targets of the point):
/// `ℓ = (1/n_out) Σ_o (u_o − y_o)²`.
#[derive(Clone, Copy, Debug)]
pub struct MseLoss {
    /// Number of network outputs (= aux width).
    pub n_out: usize,
}

impl PointLoss for MseLoss {
    fn aux_width(&self) -> usize {
        self.n_out
    }
    fn validate(&self, n_out: usize, _jet: &JetSpec) -> Result<()> {
        crate::error::check_len("MseLoss", "n_out (network outputs)", n_out, self.n_out)
    }
    #[inline(always)]
    fn eval<V: Lane>(
        &self,
        jet: &JetSpec,
        _x: &[V],
        aux: &[V],
        out: &[V],
        _extra: &[V],
        adj: &mut [V],
        _adj_extra: &mut [V],
    ) -> V {
        let c = jet.n_comp();
        let inv = V::splat(V::T::ONE / V::T::from_f64(self.n_out as f64));
        let two_inv = inv.add(inv);
        let mut l = V::zero();
        for o in 0..self.n_out {
            let e = out[o * c].sub(aux[o]);
            l = e.fma(e, l);
            adj[o * c] = two_inv.mul(e);
        }
        l.mul(inv)
    }
}

/// A PDE residual `r(x, aux, jet, θ)` with its partial derivatives.
pub trait Residual: Sync {
    /// Number of extra trainable scalars θ.
    fn n_extra(&self) -> usize {
        0
    }
    /// Per-point data width.
    fn aux_width(&self) -> usize {
        0
    }
    /// As [`PointLoss::validate`].
    fn validate(&self, n_out: usize, jet: &JetSpec) -> Result<()> {
        let _ = (n_out, jet);
        Ok(())
    }
    /// Returns `r` per lane, writes `∂r/∂out` into `d_out` and `∂r/∂θ` into `d_extra`
    /// (both zeroed on entry; layouts as in [`PointLoss::eval`]).
    #[allow(clippy::too_many_arguments)]
    fn residual<V: Lane>(
        &self,
        jet: &JetSpec,
        x: &[V],
        aux: &[V],
        out: &[V],
        extra: &[V],
        d_out: &mut [V],
        d_extra: &mut [V],
    ) -> V;
}

/// Mean squared residual: `ℓ = r²`, adjoints `2 r ∂r/∂·`.
#[derive(Clone, Copy, Debug)]
pub struct ResidualLoss<R>(pub R);

impl<R: Residual> PointLoss for ResidualLoss<R> {
    fn n_extra(&self) -> usize {
        self.0.n_extra()
    }
    fn aux_width(&self) -> usize {
        self.0.aux_width()
    }
    fn validate(&self, n_out: usize, jet: &JetSpec) -> Result<()> {
        self.0.validate(n_out, jet)
    }
    #[inline(always)]
    fn eval<V: Lane>(
        &self,
        jet: &JetSpec,
        x: &[V],
        aux: &[V],
        out: &[V],
        extra: &[V],
        adj: &mut [V],
        adj_extra: &mut [V],
    ) -> V {
        let r = self.0.residual(jet, x, aux, out, extra, adj, adj_extra);
        let two_r = r.add(r);
        for a in adj.iter_mut().chain(adj_extra.iter_mut()) {
            *a = two_r.mul(*a);
        }
        r.mul(r)
    }
}

/// Viscous Burgers in one space dimension, inputs `(x, t)`, one output `u`:
/// `r = u_t + u u_x − ν u_xx`. With `nu = None`, ν is the first extra trainable scalar (inverse
/// problem); otherwise it is fixed. Needs the jet [`Burgers::jet`].
#[derive(Clone, Copy, Debug)]
pub struct Burgers {
    /// Fixed viscosity, or `None` to train it as `extra[0]`.
    pub nu: Option<f64>,
}

impl Burgers {
    /// The jet the residual reads: `u, u_x, u_t, u_xx`.
    pub fn jet() -> JetSpec {
        JetSpec::with_pairs(2, vec![(0, 0)]).expect("valid pair")
    }
}

impl Residual for Burgers {
    fn n_extra(&self) -> usize {
        usize::from(self.nu.is_none())
    }
    fn validate(&self, n_out: usize, jet: &JetSpec) -> Result<()> {
        crate::error::check_len("Burgers", "n_out (network outputs)", 1, n_out)?;
        if jet.dim() != 2 || jet.grad(1).is_none() || jet.hess(0, 0).is_none() {
            return Err(Error::config(
                "jet",
                "Burgers reads u, u_x, u_t, u_xx of inputs (x, t): use Burgers::jet()",
            ));
        }
        Ok(())
    }
    #[inline(always)]
    fn residual<V: Lane>(
        &self,
        jet: &JetSpec,
        _x: &[V],
        _aux: &[V],
        out: &[V],
        extra: &[V],
        d_out: &mut [V],
        d_extra: &mut [V],
    ) -> V {
        let (ix, it) = (1, 2);
        let ixx = jet.hess(0, 0).expect("Burgers needs the (0, 0) pair");
        let nu = match self.nu {
            Some(v) => V::splat(V::T::from_f64(v)),
            None => extra[0],
        };
        let (u, ux, ut, uxx) = (out[0], out[ix], out[it], out[ixx]);
        let neg_nu = V::zero().sub(nu);
        let r = neg_nu.fma(uxx, u.fma(ux, ut));
        d_out[0] = ux;
        d_out[ix] = u;
        d_out[it] = V::splat(V::T::ONE);
        d_out[ixx] = neg_nu;
        if self.nu.is_none() {
            d_extra[0] = V::zero().sub(uxx);
        }
        r
    }
}
