//! Hybrid neural ODEs: known physics plus a per-member MLP, in the three forms of DESIGN §5
//! ([`HybridForm`]):
//! (1) additive `y' = f_phys(t, y, p) + λ · NN(y[, t]; θ)`,
//! (2) parametric `y' = f_phys(t, y, p + λ · NN(y[, t]; θ))`,
//! (3) both, with one network whose first `dim` outputs correct the state derivative and whose
//! remaining outputs perturb the physics parameters.
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
use super::system::{BatchSystem, ParamTiles};
use crate::backend::cpu::lanes::{Emu, Lane};
use crate::backend::cpu::member::{MemberMlp, RowLayout};
use crate::backend::cpu::{Cpu, Element};
use crate::nn::{activation, MlpSpec};
use crate::{Error, Result};
use std::borrow::Cow;

/// What the correction network sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NnInput {
    /// The state `y` (`n_in = dim`).
    State,
    /// The state and then the time, `[y, t]` (`n_in = dim + 1`).
    StateTime,
}

/// Where the network's output enters the physics (DESIGN §5, NSGA-NODE forms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HybridForm {
    /// (1) `f_phys(t, y, p) + λ·NN`: the network has `dim` outputs.
    Additive,
    /// (2) `f_phys(t, y, p + λ·NN)`: the network has one output per physics parameter.
    Parametric,
    /// (3) `f_phys(t, y, p + λ·NN_p) + λ·NN_y`: `dim + n_physics_params` outputs, the state
    /// correction first.
    Both,
}

/// A hybrid system with per-member `p` and `θ` in one of the [`HybridForm`]s (module docs).
#[derive(Clone, Debug)]
pub struct MlpCorrection<P> {
    physics: P,
    net: MemberMlp,
    lambda: f64,
    input: NnInput,
    form: HybridForm,
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
        Self::with_form(physics, spec, lambda, input, HybridForm::Additive)
    }

    /// Like [`new`](Self::new) for any [`HybridForm`]. The network's output width must be
    /// `dim` (additive), the number of physics parameters (parametric) or their sum (both).
    pub fn with_form(
        physics: P,
        spec: MlpSpec,
        lambda: f64,
        input: NnInput,
        form: HybridForm,
    ) -> Result<Self>
    where
        P: BatchSystem<f64>,
    {
        const OP: &str = "MlpCorrection::new";
        let dim = physics.dim();
        let n_out = match form {
            HybridForm::Additive => dim,
            HybridForm::Parametric => physics.n_params(),
            HybridForm::Both => dim + physics.n_params(),
        };
        crate::error::check_len(
            OP,
            "spec output width (for the hybrid form)",
            n_out,
            spec.n_out(),
        )?;
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
            form,
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

    /// The hybrid form.
    pub fn form(&self) -> HybridForm {
        self.form
    }

    /// What the network sees.
    pub fn input(&self) -> NnInput {
        self.input
    }

    fn lambda_is_zero(&self) -> bool {
        self.lambda.to_bits() == 0f64.to_bits() || self.lambda.to_bits() == (-0f64).to_bits()
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

/// The physics parameters of the combined rows (`rows × npp`): borrowed for a single row
/// (the gradient sweep's case), copied otherwise.
fn physics_params<T: Copy>(p: &[T], rows: usize, np: usize, npp: usize) -> Cow<'_, [T]> {
    if rows == 1 {
        return Cow::Borrowed(&p[..npp]);
    }
    let mut pp = Vec::with_capacity(rows * npp);
    for r in 0..rows {
        pp.extend_from_slice(&p[r * np..r * np + npp]);
    }
    Cow::Owned(pp)
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
        self.rhs_with(t, y, p, None, dy)
    }

    /// The genome (when the network runs at all): the solver then keeps it in tiles, so
    /// the network reads it in place instead of transposing every genome on every call.
    fn param_columns(&self) -> Option<std::ops::Range<usize>> {
        let (np, npp) = (BatchSystem::<T>::n_params(self), self.physics.n_params());
        (!self.lambda_is_zero()).then_some(npp..np)
    }

    #[inline(always)]
    fn rhs_columns(&self, t: &[T], y: &[T], p: &[T], cols: ParamTiles<'_, T>, dy: &mut [T]) {
        self.rhs_with(t, y, p, Some(cols), dy)
    }

    fn vjp(&self, t: &[T], y: &[T], p: &[T], v: &[T], gy: &mut [T], gp: &mut [T]) {
        self.vjp_rows(t, y, p, v, gy, gp)
    }
}

impl<P> MlpCorrection<P> {
    /// The right-hand side; the network reads the genomes from `cols` when given (the same
    /// bits as from the rows).
    #[inline(always)]
    fn rhs_with<T>(&self, t: &[T], y: &[T], p: &[T], cols: Option<ParamTiles<'_, T>>, dy: &mut [T])
    where
        T: Real + Element,
        P: BatchSystem<T>,
    {
        let (rows, dim) = (t.len(), self.physics.dim());
        let (np, npp) = (BatchSystem::<T>::n_params(self), self.physics.n_params());
        let pp = physics_params(p, rows, np, npp);
        if self.lambda_is_zero() {
            self.physics.rhs(t, y, &pp, dy);
            return;
        }
        let o = self.network(t, y, p, cols, (rows, np, npp));
        let lam = <T as Real>::from_f64(self.lambda);
        let n_out = self.net.spec().n_out();
        let state_outputs = match self.form {
            HybridForm::Additive => {
                self.physics.rhs(t, y, &pp, dy);
                Some(0)
            }
            HybridForm::Parametric | HybridForm::Both => {
                let first = if self.form == HybridForm::Both {
                    dim
                } else {
                    0
                };
                let p_eff = perturbed_params(&pp, &o, lam, rows, npp, n_out, first);
                self.physics.rhs(t, y, &p_eff, dy);
                (self.form == HybridForm::Both).then_some(0)
            }
        };
        if let Some(start) = state_outputs {
            for r in 0..rows {
                for k in 0..dim {
                    let d = &mut dy[r * dim + k];
                    *d = lam.mul_add(o[r * n_out + start + k], *d);
                }
            }
        }
    }

    fn vjp_rows<T>(&self, t: &[T], y: &[T], p: &[T], v: &[T], gy: &mut [T], gp: &mut [T])
    where
        T: Real + Element,
        P: BatchSystem<T>,
    {
        let (rows, dim) = (t.len(), self.physics.dim());
        let (np, npp) = (BatchSystem::<T>::n_params(self), self.physics.n_params());
        let pp = physics_params(p, rows, np, npp);
        let mut gpp = vec![<T as Real>::ZERO; rows * npp];
        if self.lambda_is_zero() {
            self.physics.vjp(t, y, &pp, v, gy, &mut gpp);
            for r in 0..rows {
                gp[r * np..r * np + npp].copy_from_slice(&gpp[r * npp..(r + 1) * npp]);
                gp[r * np + npp..(r + 1) * np].fill(<T as Real>::ZERO);
            }
            return;
        }
        let lam = <T as Real>::from_f64(self.lambda);
        let n_out = self.net.spec().n_out();
        // Physics VJP at the parameters the forward pass used.
        let first_param_output = if self.form == HybridForm::Both {
            dim
        } else {
            0
        };
        match self.form {
            HybridForm::Additive => self.physics.vjp(t, y, &pp, v, gy, &mut gpp),
            HybridForm::Parametric | HybridForm::Both => {
                let o = self.network(t, y, p, None, (rows, np, npp));
                let p_eff = perturbed_params(&pp, &o, lam, rows, npp, n_out, first_param_output);
                self.physics.vjp(t, y, &p_eff, v, gy, &mut gpp);
            }
        }
        for r in 0..rows {
            gp[r * np..r * np + npp].copy_from_slice(&gpp[r * npp..(r + 1) * npp]);
        }
        // Adjoint of the network outputs: λ·v for state corrections, λ·∂L/∂p_eff for
        // parameter perturbations.
        let mut adjoint = vec![<T as Real>::ZERO; rows * n_out];
        for r in 0..rows {
            let row = &mut adjoint[r * n_out..(r + 1) * n_out];
            if self.form != HybridForm::Parametric {
                for k in 0..dim {
                    row[k] = lam * v[r * dim + k];
                }
            }
            if self.form != HybridForm::Additive {
                for k in 0..npp {
                    row[first_param_output + k] = lam * gpp[r * npp + k];
                }
            }
        }
        let mut buf = Vec::new();
        let x = self.inputs(t, y, dim, &mut buf);
        let n_in = self.net.spec().n_in();
        let mut gx = vec![<T as Real>::ZERO; rows * n_in];
        let layout = RowLayout {
            stride: np,
            offset: npp,
        };
        if rows == 1 && row_fits(self.net.spec()) {
            row_vjp(
                self.net.spec(),
                &p[npp..np],
                x,
                &adjoint,
                &mut gx,
                &mut gp[npp..np],
            );
        } else {
            self.net
                .vjp(x, p, layout, &adjoint, &mut gx, gp)
                .expect("shapes are fixed by the solver's validation and `new`");
        }
        for r in 0..rows {
            for k in 0..dim {
                gy[r * dim + k] = gy[r * dim + k] + gx[r * n_in + k];
            }
        }
    }
}

impl<P> MlpCorrection<P> {
    /// The network outputs of `rows` members (`rows × n_out`), genomes read from `cols` when
    /// given.
    fn network<T: Real + Element>(
        &self,
        t: &[T],
        y: &[T],
        p: &[T],
        cols: Option<ParamTiles<'_, T>>,
        (rows, np, npp): (usize, usize, usize),
    ) -> Vec<T> {
        let dim = y.len() / rows.max(1);
        let mut buf = Vec::new();
        let x = self.inputs(t, y, dim, &mut buf);
        let mut o = vec![<T as Real>::ZERO; rows * self.net.spec().n_out()];
        let layout = RowLayout {
            stride: np,
            offset: npp,
        };
        let fixed = "shapes are fixed by the solver's validation and `new`";
        if rows == 1 && row_fits(self.net.spec()) {
            row_forward(self.net.spec(), &p[npp..np], x, &mut o);
        } else if let Some(c) = cols {
            self.net.forward_tiled(x, c.data, &mut o).expect(fixed);
        } else {
            self.net.forward(x, p, layout, &mut o).expect(fixed);
        }
        o
    }
}

/// `p + λ·o[first..first + npp]` per row (one fused multiply-add per parameter).
fn perturbed_params<T: Real>(
    pp: &[T],
    o: &[T],
    lam: T,
    rows: usize,
    npp: usize,
    n_out: usize,
    first: usize,
) -> Vec<T> {
    let mut p_eff = Vec::with_capacity(rows * npp);
    for r in 0..rows {
        for k in 0..npp {
            p_eff.push(lam.mul_add(o[r * n_out + first + k], pp[r * npp + k]));
        }
    }
    p_eff
}

/// Units (input included) up to which one member's network runs on the row kernel below.
const ROW_UNITS: usize = 128;

fn row_fits(spec: &MlpSpec) -> bool {
    spec.widths().iter().sum::<usize>() <= ROW_UNITS
}

/// One lane: the scalar twin [`MemberMlp`] itself uses, so the row kernel below performs the
/// same operations in the same order (bias, then `fma(W_ok, h_k, acc)` for `k` ascending;
/// activations through [`activation::eval`]; in reverse `δ = ḡ·σ'`, `∂W = δ·h`,
/// `ḡ_k = fma(W_ok, δ, ḡ_k)` for `o` ascending) and gives the same bits (tested against
/// batched rows). It exists because the gradient sweep calls the system one member at a time,
/// where a 4-lane block would waste three lanes and transpose the genome on every call.
type One<T> = Emu<T, 1>;

/// Activations `h` (input first, then every layer) and `σ'` of one member.
#[inline(always)]
fn row_pass<T: Element>(spec: &MlpSpec, theta: &[T], x: &[T], h: &mut [T], d: &mut [T]) {
    let n_in = spec.n_in();
    h[..n_in].copy_from_slice(x);
    let mut at = 0;
    for l in 0..spec.n_layers() {
        let (ni, no) = spec.layer_shape(l);
        let base = spec.layer_offset(l);
        let act = spec.activations()[l];
        let (w, b) = (
            &theta[base..base + ni * no],
            &theta[base + ni * no..base + ni * no + no],
        );
        let (lo, hi) = h.split_at_mut(at + ni);
        let hin = &lo[at..];
        for o in 0..no {
            let mut acc = One::splat(b[o]);
            for k in 0..ni {
                acc = One::splat(w[o * ni + k]).fma(One::splat(hin[k]), acc);
            }
            let e = activation::eval(act, acc);
            hi[o] = e[0].0[0];
            d[at + ni + o] = e[1].0[0];
        }
        at += ni;
    }
}

/// Whether the row kernel can run compiled for AVX2/FMA (its `mul_add`s then become hardware
/// FMAs instead of calls to the libm routine; the bits are the same).
#[cfg(target_arch = "x86_64")]
fn row_avx2() -> bool {
    crate::ode::solve::has_avx2_fma()
}

/// `out = NN(x; θ)` for one member.
fn row_forward<T: Element>(spec: &MlpSpec, theta: &[T], x: &[T], out: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    if row_avx2() {
        // SAFETY: AVX2 and FMA were detected at run time.
        return unsafe { row_forward_avx2(spec, theta, x, out) };
    }
    row_forward_body(spec, theta, x, out)
}

/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn row_forward_avx2<T: Element>(spec: &MlpSpec, theta: &[T], x: &[T], out: &mut [T]) {
    row_forward_body(spec, theta, x, out)
}

/// `gx = vᵀ ∂NN/∂x`, `gθ = vᵀ ∂NN/∂θ` (both overwritten) for one member.
fn row_vjp<T: Element>(spec: &MlpSpec, theta: &[T], x: &[T], v: &[T], gx: &mut [T], gt: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    if row_avx2() {
        // SAFETY: AVX2 and FMA were detected at run time.
        return unsafe { row_vjp_avx2(spec, theta, x, v, gx, gt) };
    }
    row_vjp_body(spec, theta, x, v, gx, gt)
}

/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn row_vjp_avx2<T: Element>(
    spec: &MlpSpec,
    theta: &[T],
    x: &[T],
    v: &[T],
    gx: &mut [T],
    gt: &mut [T],
) {
    row_vjp_body(spec, theta, x, v, gx, gt)
}

#[inline(always)]
fn row_forward_body<T: Element>(spec: &MlpSpec, theta: &[T], x: &[T], out: &mut [T]) {
    let mut h = [<T as crate::backend::cpu::lanes::Real>::ZERO; ROW_UNITS];
    let mut d = [<T as crate::backend::cpu::lanes::Real>::ZERO; ROW_UNITS];
    row_pass(spec, theta, x, &mut h, &mut d);
    let units: usize = spec.widths().iter().sum();
    out.copy_from_slice(&h[units - spec.n_out()..units]);
}

#[inline(always)]
fn row_vjp_body<T: Element>(
    spec: &MlpSpec,
    theta: &[T],
    x: &[T],
    v: &[T],
    gx: &mut [T],
    gt: &mut [T],
) {
    let mut h = [<T as crate::backend::cpu::lanes::Real>::ZERO; ROW_UNITS];
    let mut d = [<T as crate::backend::cpu::lanes::Real>::ZERO; ROW_UNITS];
    row_pass(spec, theta, x, &mut h, &mut d);
    let mut ga = [<T as crate::backend::cpu::lanes::Real>::ZERO; ROW_UNITS];
    let mut gb = [<T as crate::backend::cpu::lanes::Real>::ZERO; ROW_UNITS];
    ga[..v.len()].copy_from_slice(v);
    let mut at: usize = spec.widths().iter().sum::<usize>() - spec.n_out();
    for l in (0..spec.n_layers()).rev() {
        let (ni, no) = spec.layer_shape(l);
        let base = spec.layer_offset(l);
        at -= ni;
        let hin = &h[at..at + ni];
        let dl = &d[at + ni..at + ni + no];
        gb[..ni].fill(<T as crate::backend::cpu::lanes::Real>::ZERO);
        for o in 0..no {
            let delta = One::splat(ga[o]).mul(One::splat(dl[o]));
            gt[base + ni * no + o] = delta.0[0];
            for k in 0..ni {
                let wk = base + o * ni + k;
                gt[wk] = delta.mul(One::splat(hin[k])).0[0];
                gb[k] = One::splat(theta[wk]).fma(delta, One::splat(gb[k])).0[0];
            }
        }
        ga[..ni].copy_from_slice(&gb[..ni]);
    }
    gx.copy_from_slice(&ga[..spec.n_in()]);
}
