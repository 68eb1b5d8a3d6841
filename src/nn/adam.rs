//! Adam with PyTorch's semantics (`torch.optim.Adam`, and `AdamW` when decoupled).
//!
//! Per step `t = 1, 2, ...`: `g ← g + λ p` (L2 weight decay, Adam) or `p ← p (1 − lr λ)`
//! (decoupled, AdamW); `m ← β1 m + (1 − β1) g`; `v ← β2 v + (1 − β2) g²`;
//! `p ← p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)` — ε is added *after* the
//! square root of the bias-corrected second moment, as PyTorch does.

use crate::backend::cpu::lanes::Real;
use crate::{Error, Result};

/// Adam hyper-parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adam {
    /// Learning rate (PyTorch default 1e-3).
    pub lr: f64,
    /// First-moment decay (0.9).
    pub beta1: f64,
    /// Second-moment decay (0.999).
    pub beta2: f64,
    /// Denominator guard (1e-8).
    pub eps: f64,
    /// Weight decay λ (0).
    pub weight_decay: f64,
    /// `true`: AdamW's decoupled decay; `false`: L2 added to the gradient (Adam).
    pub decoupled: bool,
}

impl Default for Adam {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
        }
    }
}

impl Adam {
    /// Validates the hyper-parameters ([`Error::InvalidConfig`]).
    pub fn validate(&self) -> Result<()> {
        let bad = |p: &str, r: &str| Err(Error::config(p, r));
        if !(self.lr.is_finite() && self.lr >= 0.0) {
            return bad("adam.lr", "must be finite and >= 0");
        }
        if !(0.0..1.0).contains(&self.beta1) || !(0.0..1.0).contains(&self.beta2) {
            return bad("adam.beta", "beta1 and beta2 must lie in [0, 1)");
        }
        if !(self.eps.is_finite() && self.eps >= 0.0) {
            return bad("adam.eps", "must be finite and >= 0");
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad("adam.weight_decay", "must be finite and >= 0");
        }
        Ok(())
    }

    /// Fresh state for `n` parameters.
    pub fn state<T: Real>(&self, n: usize) -> AdamState<T> {
        AdamState {
            t: 0,
            m: vec![T::ZERO; n],
            v: vec![T::ZERO; n],
        }
    }

    /// One step on `params` with gradient `grad`, updating `state`.
    ///
    /// ```
    /// use pareto_sciml::nn::Adam;
    /// let adam = Adam { lr: 0.1, ..Adam::default() };
    /// let mut p = vec![1.0f64, -2.0];
    /// let mut st = adam.state(2);
    /// adam.step(&mut p, &[0.5, -0.5], &mut st).unwrap();
    /// // First step moves each parameter by about lr against the gradient's sign.
    /// assert!((p[0] - 0.9).abs() < 1e-6 && (p[1] + 1.9).abs() < 1e-6);
    /// ```
    pub fn step<T: Real>(
        &self,
        params: &mut [T],
        grad: &[T],
        state: &mut AdamState<T>,
    ) -> Result<()> {
        self.validate()?;
        let op = "Adam::step";
        crate::error::check_len(op, "grad.len()", params.len(), grad.len())?;
        crate::error::check_len(op, "state.m.len()", params.len(), state.m.len())?;
        crate::error::check_len(op, "state.v.len()", params.len(), state.v.len())?;
        state.t += 1;
        let t = state.t as i32;
        let bc1 = 1.0 - self.beta1.powi(t);
        let bc2_sqrt = (1.0 - self.beta2.powi(t)).sqrt();
        let step = T::from_f64(self.lr / bc1);
        let (b1, b2) = (T::from_f64(self.beta1), T::from_f64(self.beta2));
        let (c1, c2) = (T::ONE - b1, T::ONE - b2);
        let eps = T::from_f64(self.eps);
        let wd = T::from_f64(self.weight_decay);
        let bc2s = T::from_f64(bc2_sqrt);
        let decay = T::from_f64(1.0 - self.lr * self.weight_decay);
        for i in 0..params.len() {
            let mut g = grad[i];
            let mut p = params[i];
            if self.weight_decay > 0.0 {
                if self.decoupled {
                    p = p * decay;
                } else {
                    g = g + wd * p;
                }
            }
            let m = b1 * state.m[i] + c1 * g;
            let v = b2 * state.v[i] + c2 * g * g;
            state.m[i] = m;
            state.v[i] = v;
            params[i] = p - step * (m / (v.sqrt() / bc2s + eps));
        }
        Ok(())
    }
}

/// Adam's moments and step count; serialisable with [`to_bytes`](Self::to_bytes).
#[derive(Clone, Debug, PartialEq)]
pub struct AdamState<T> {
    /// Steps taken.
    pub t: u64,
    /// First moments.
    pub m: Vec<T>,
    /// Second moments.
    pub v: Vec<T>,
}

const MAGIC: &[u8; 8] = b"PSADAM01";

impl<T: Real> AdamState<T> {
    /// Little-endian bytes: magic, element size, `t`, `n`, then `m` and `v` as `f64`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&(std::mem::size_of::<T>() as u64).to_le_bytes());
        b.extend_from_slice(&self.t.to_le_bytes());
        b.extend_from_slice(&(self.m.len() as u64).to_le_bytes());
        for x in self.m.iter().chain(&self.v) {
            b.extend_from_slice(&x.to_f64().to_le_bytes());
        }
        b
    }

    /// Reads [`to_bytes`](Self::to_bytes) output; a foreign, truncated or other-precision
    /// blob is an [`Error::Format`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bad = |r: &str| Err(Error::format("AdamState", r));
        if bytes.len() < 32 || &bytes[..8] != MAGIC {
            return bad("not an Adam state (magic)");
        }
        let word = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
        if word(8) != std::mem::size_of::<T>() as u64 {
            return bad("element size differs");
        }
        let (t, n) = (word(16), word(24) as usize);
        if bytes.len() != 32 + 16 * n {
            return bad("truncated or trailing bytes");
        }
        let vals: Vec<T> = (0..2 * n)
            .map(|i| T::from_f64(f64::from_bits(word(32 + 8 * i))))
            .collect();
        Ok(Self {
            t,
            m: vals[..n].to_vec(),
            v: vals[n..].to_vec(),
        })
    }
}
