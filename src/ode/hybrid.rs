//! Hybrid neural ODEs: known physics plus a per-member MLP correction,
//! `y' = f_phys(t, y, p) + λ · NN(y[, t]; θ)` (hybrid form (1) of DESIGN §5).
//!
//! Every member's parameter row is `[p (physics), θ (genome, PyTorch order)]`, so the solver's
//! per-member parameters, its gradients and an evolutionary genome all see one flat vector.
//! The network runs on [`MemberMlp`]: vectorised across members, the same bits on the AVX2
//! path and the scalar twin. With `λ = 0` the network is not evaluated at all, so the system
//! equals the physics system bit for bit (and its genome gradient is zero).
//!
//! ```
//! use pareto_sciml::nn::{Activation, MlpSpec};
//! use pareto_sciml::ode::hybrid::{MlpCorrection, NnInput};
//! use pareto_sciml::ode::{solve, system::Oscillator, BatchSystem, SolveOptions};
//! let spec = MlpSpec::uniform(2, &[16, 16], 2, Activation::Tanh).unwrap();
//! let sys = MlpCorrection::new(Oscillator, spec, 1.0, NnInput::State).unwrap();
//! let np = BatchSystem::<f64>::n_params(&sys); // 2 physics + 354 genome
//! let mut p = vec![0.0; 2 * np];
//! p[0] = 1.0; // member 0: ω = 1, ζ = 0, zero network
//! p[np] = 2.0; // member 1: ω = 2
//! let sol = solve(&sys, &[1.0, 0.0, 1.0, 0.0], &p, 0.0, &[1.0], &SolveOptions::default()).unwrap();
//! assert!((sol.y[0] - 1.0f64.cos()).abs() < 1e-6);
//! ```

use super::real::Real;
use super::system::BatchSystem;
use crate::backend::cpu::member::{MemberMlp, RowLayout};
use crate::backend::cpu::{Cpu, Element};
use crate::nn::MlpSpec;
use crate::{Error, Result};

/// What the correction network sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NnInput {
    /// The state `y` (`n_in = dim`).
    State,
    /// The state and then the time, `[y, t]` (`n_in = dim + 1`).
    StateTime,
}

/// `y' = f_phys(t, y, p) + λ · NN(y[, t]; θ)` with per-member `p` and `θ` (module docs).
#[derive(Clone, Debug)]
pub struct MlpCorrection<P> {
    physics: P,
    net: MemberMlp,
    lambda: f64,
    input: NnInput,
}

impl<P> MlpCorrection<P> {
    /// Wraps `physics` (a [`BatchSystem`]) with the correction network `spec` scaled by
    /// `lambda`. The network runs single-threaded with [`crate::backend::cpu::Isa::Auto`] (the
    /// solver already spreads blocks of members over threads).
    ///
    /// Errors: [`Error::Shape`] if `spec`'s output width differs from the physics state
    /// dimension or its input width from what `input` provides; [`Error::NonFinite`] for a
    /// non-finite `lambda`.
    pub fn new(physics: P, spec: MlpSpec, lambda: f64, input: NnInput) -> Result<Self>
    where
        P: BatchSystem<f64>,
    {
        const OP: &str = "MlpCorrection::new";
        let dim = physics.dim();
        crate::error::check_len(OP, "spec output width (state dim)", dim, spec.n_out())?;
        let n_in = dim + usize::from(input == NnInput::StateTime);
        crate::error::check_len(OP, "spec input width", n_in, spec.n_in())?;
        if !lambda.is_finite() {
            return Err(Error::NonFinite {
                op: OP,
                what: "lambda",
                index: 0,
            });
        }
        Ok(Self {
            physics,
            net: MemberMlp::new(spec),
            lambda,
            input,
        })
    }

    /// Uses another CPU configuration for the network (e.g. [`crate::backend::cpu::Isa::Scalar`]
    /// for tests); results are the same bits. Keep `threads = 1` inside a solve.
    pub fn with_cpu(self, cpu: Cpu) -> Self {
        Self {
            net: self.net.with_cpu(cpu),
            ..self
        }
    }

    /// The physics part.
    pub fn physics(&self) -> &P {
        &self.physics
    }

    /// The correction network's description.
    pub fn spec(&self) -> &MlpSpec {
        self.net.spec()
    }

    /// The correction scale λ.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The network inputs of `rows` members: `y` itself, or `[y, t]` rows.
    fn inputs<'a, T: Copy>(&self, t: &[T], y: &'a [T], dim: usize, buf: &'a mut Vec<T>) -> &'a [T] {
        match self.input {
            NnInput::State => y,
            NnInput::StateTime => {
                buf.clear();
                for (row, &ti) in y.chunks_exact(dim).zip(t) {
                    buf.extend_from_slice(row);
                    buf.push(ti);
                }
                buf
            }
        }
    }
}

/// Copies the physics parameters out of the combined rows (`rows × npp`).
fn physics_params<T: Copy + Default>(p: &[T], rows: usize, np: usize, npp: usize) -> Vec<T> {
    let mut pp = Vec::with_capacity(rows * npp);
    for r in 0..rows {
        pp.extend_from_slice(&p[r * np..r * np + npp]);
    }
    pp
}

impl<T, P> BatchSystem<T> for MlpCorrection<P>
where
    T: Real + Element,
    P: BatchSystem<T>,
{
    fn dim(&self) -> usize {
        self.physics.dim()
    }

    fn n_params(&self) -> usize {
        self.physics.n_params() + self.net.spec().n_params()
    }

    #[inline(always)]
    fn rhs(&self, t: &[T], y: &[T], p: &[T], dy: &mut [T]) {
        let (rows, dim) = (t.len(), self.physics.dim());
        let (np, npp) = (BatchSystem::<T>::n_params(self), self.physics.n_params());
        let pp = physics_params(p, rows, np, npp);
        self.physics.rhs(t, y, &pp, dy);
        if self.lambda.to_bits() == 0f64.to_bits() || self.lambda.to_bits() == (-0f64).to_bits() {
            return;
        }
        let mut buf = Vec::new();
        let x = self.inputs(t, y, dim, &mut buf);
        let mut o = vec![<T as Real>::ZERO; rows * dim];
        let layout = RowLayout {
            stride: np,
            offset: npp,
        };
        self.net
            .forward(x, p, layout, &mut o)
            .expect("shapes are fixed by the solver's validation and `new`");
        let lam = <T as Real>::from_f64(self.lambda);
        for (d, &c) in dy.iter_mut().zip(&o) {
            *d = lam.mul_add(c, *d);
        }
    }

    fn vjp(&self, t: &[T], y: &[T], p: &[T], v: &[T], gy: &mut [T], gp: &mut [T]) {
        let (rows, dim) = (t.len(), self.physics.dim());
        let (np, npp) = (BatchSystem::<T>::n_params(self), self.physics.n_params());
        let pp = physics_params(p, rows, np, npp);
        let mut gpp = vec![<T as Real>::ZERO; rows * npp];
        self.physics.vjp(t, y, &pp, v, gy, &mut gpp);
        for r in 0..rows {
            gp[r * np..r * np + npp].copy_from_slice(&gpp[r * npp..(r + 1) * npp]);
        }
        if self.lambda.to_bits() == 0f64.to_bits() || self.lambda.to_bits() == (-0f64).to_bits() {
            for r in 0..rows {
                gp[r * np + npp..(r + 1) * np].fill(<T as Real>::ZERO);
            }
            return;
        }
        let lam = <T as Real>::from_f64(self.lambda);
        let lv: Vec<T> = v.iter().map(|&x| lam * x).collect();
        let mut buf = Vec::new();
        let x = self.inputs(t, y, dim, &mut buf);
        let n_in = self.net.spec().n_in();
        let mut gx = vec![<T as Real>::ZERO; rows * n_in];
        let layout = RowLayout {
            stride: np,
            offset: npp,
        };
        self.net
            .vjp(x, p, layout, &lv, &mut gx, gp)
            .expect("shapes are fixed by the solver's validation and `new`");
        for r in 0..rows {
            for k in 0..dim {
                gy[r * dim + k] = gy[r * dim + k] + gx[r * n_in + k];
            }
        }
    }
}
