//! Reverse-mode gradients through the solve (discretise-then-optimise).
//!
//! The gradient is the exact derivative of the *computed* output (dense output included) with
//! respect to each member's parameters and initial state, with the sequence of accepted steps
//! `(t_n, h_n)` held fixed: step-size decisions are not differentiated (torchode's default
//! `backprop_through_step_size_control = False` does the same) and rejected steps contribute
//! nothing. One accepted step `y_{n+1} = y_n + h Σ b_s k_s`, `k_s = f(t_n + c_s h, Y_s, p)`,
//! `Y_s = y_n + h Σ_{j<s} a_sj k_j`, and an output `y_n + h Σ B_s(θ) k_s` are run backwards
//! with the system's VJPs:
//! `k̄_s = h (b_s ȳ_{n+1} + Σ_out B_s(θ) ȳ_out) + h Σ_{i>s} a_is Ȳ_i`,
//! `Ȳ_s = ∂f/∂yᵀ k̄_s`, `p̄ += ∂f/∂pᵀ k̄_s`, `ȳ_n = ȳ_{n+1} + Σ_out ȳ_out + Σ_s Ȳ_s`.
//!
//! **Memory.** Per member the tape keeps, for every accepted step, `t`, `h`, the reached time
//! and `y_n` (`dim + 3` floats), plus the stage derivatives (`stages × dim` floats) while the
//! tape stays within [`GradientOptions::memory_limit_bytes`]. Steps past the limit keep only
//! their checkpoint `y_n` and recompute their stages (one RHS call per stage, replaying the
//! recorded `h`) during the backward sweep. Stored or recomputed stages give the same gradient
//! (tested). Gradients are f64 only; the forward solve is generic over f32/f64.

// Index loops walk several parallel flat buffers at once; iterators would obscure that.
#![allow(clippy::needless_range_loop)]

use super::solve::{validate, BlockIn, BlockOut, Setup};
use super::stepper::{run_block, Recorder};
use super::system::BatchSystem;
use super::{Solution, SolveOptions, Status};
use crate::error::Result;
use std::ops::Range;

/// Options of [`gradient`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradientOptions {
    /// The forward solve.
    pub solve: SolveOptions,
    /// Bytes of stored stage derivatives per member before the tape falls back to
    /// recomputing stages from per-step checkpoints (default 64 MiB).
    pub memory_limit_bytes: usize,
}

impl Default for GradientOptions {
    fn default() -> Self {
        GradientOptions {
            solve: SolveOptions::default(),
            memory_limit_bytes: 64 << 20,
        }
    }
}

/// Losses, gradients and the forward solution.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradient {
    /// Per-member loss (`+∞` for a member whose solve did not succeed).
    pub loss: Vec<f64>,
    /// `members × n_params`: ∂loss/∂p (NaN for a failed member).
    pub d_params: Vec<f64>,
    /// `members × dim`: ∂loss/∂y0 (NaN for a failed member).
    pub d_y0: Vec<f64>,
    /// The forward solution (the same bits as [`super::solve()`]).
    pub solution: Solution<f64>,
    /// Per member: accepted steps whose stages were recomputed instead of stored.
    pub recomputed_steps: Vec<usize>,
}

/// Solves like [`super::solve()`] and differentiates a per-member loss of the output.
///
/// `loss(member, y_out, g)` receives the member's `n_out × dim` output and must return the
/// loss and write ∂loss/∂y_out into `g` (same shape). Members run in parallel on
/// `opts.solve.threads`; results do not depend on the thread count. Errors as [`super::solve()`].
///
/// ```
/// use pareto_sciml::ode::{gradient, system::Decay, GradientOptions};
/// // loss = y(1) for y' = -λy, y(0) = 2: ∂/∂λ = -2 e^{-λ}, ∂/∂y0 = e^{-λ}.
/// let g = gradient(&Decay, &[2.0], &[0.5], 0.0, &[1.0], &GradientOptions::default(),
///     |_, y, g| { g[0] = 1.0; y[0] }).unwrap();
/// assert!((g.d_params[0] + 2.0 * (-0.5f64).exp()).abs() < 1e-5);
/// assert!((g.d_y0[0] - (-0.5f64).exp()).abs() < 1e-6);
/// ```
pub fn gradient<S, L>(
    sys: &S,
    y0: &[f64],
    params: &[f64],
    t0: f64,
    t_eval: &[f64],
    opts: &GradientOptions,
    loss: L,
) -> Result<Gradient>
where
    S: BatchSystem<f64>,
    L: Fn(usize, &[f64], &mut [f64]) -> f64 + Sync,
{
    let members = validate(sys, y0, params, t0, t_eval, &opts.solve)?;
    let (dim, np, n_out) = (sys.dim(), sys.n_params(), t_eval.len());
    let per = crate::parallel::map_indexed(members, opts.solve.threads, |m| {
        member_gradient(
            sys,
            &y0[m * dim..(m + 1) * dim],
            &params[m * np..(m + 1) * np],
            t0,
            t_eval,
            opts,
            |y, g| loss(m, y, g),
        )
    });
    let mut out = Gradient {
        loss: Vec::with_capacity(members),
        d_params: Vec::with_capacity(members * np),
        d_y0: Vec::with_capacity(members * dim),
        solution: Solution {
            y: Vec::with_capacity(members * n_out * dim),
            status: Vec::with_capacity(members),
            stats: Vec::with_capacity(members),
        },
        recomputed_steps: Vec::with_capacity(members),
    };
    for (bo, l, gp, gy, rc) in per {
        out.loss.push(l);
        out.d_params.extend_from_slice(&gp);
        out.d_y0.extend_from_slice(&gy);
        out.solution.y.extend_from_slice(&bo.y);
        out.solution.status.push(bo.status[0]);
        out.solution.stats.push(bo.stats[0]);
        out.recomputed_steps.push(rc);
    }
    Ok(out)
}

/// One accepted step on the tape.
struct Step {
    t: f64,
    h: f64,
    t_new: f64,
    outs: Range<usize>,
    /// Offset of the stored stages in `Tape::k`, if stored.
    k_at: Option<usize>,
}

struct Tape {
    dim: usize,
    limit: usize,
    steps: Vec<Step>,
    y: Vec<f64>,
    k: Vec<f64>,
}

impl Recorder<f64> for Tape {
    fn step(
        &mut self,
        _: usize,
        t: f64,
        h: f64,
        t_new: f64,
        y0: &[f64],
        outs: Range<usize>,
        k: &[Vec<f64>],
        row: Range<usize>,
    ) {
        self.y.extend_from_slice(y0);
        let need = (self.k.len() + k.len() * self.dim) * std::mem::size_of::<f64>();
        let k_at = (need <= self.limit).then(|| {
            let at = self.k.len();
            for ks in k {
                self.k.extend_from_slice(&ks[row.clone()]);
            }
            at
        });
        self.steps.push(Step {
            t,
            h,
            t_new,
            outs,
            k_at,
        });
    }
}

type MemberResult = (BlockOut<f64>, f64, Vec<f64>, Vec<f64>, usize);

fn member_gradient<S: BatchSystem<f64>>(
    sys: &S,
    y0: &[f64],
    p: &[f64],
    t0: f64,
    t_eval: &[f64],
    opts: &GradientOptions,
    loss: impl Fn(&[f64], &mut [f64]) -> f64,
) -> MemberResult {
    let (dim, np, n_out) = (sys.dim(), sys.n_params(), t_eval.len());
    let method = opts.solve.method;
    let tab = method.tableau();
    let ns = tab.stages;
    let cfg = Setup {
        tab,
        opts: &opts.solve,
        t0,
        t_eval,
    };
    let mut bo = BlockOut::new(1, n_out * dim);
    let mut tape = Tape {
        dim,
        limit: opts.memory_limit_bytes,
        steps: Vec::new(),
        y: Vec::new(),
        k: Vec::new(),
    };
    run_block(sys, &cfg, &BlockIn { y0, p }, &mut bo, &mut tape);
    if bo.status[0] != Status::Success {
        return (
            bo,
            f64::INFINITY,
            vec![f64::NAN; np],
            vec![f64::NAN; dim],
            0,
        );
    }
    let mut gout = vec![0.0; n_out * dim];
    let l = loss(&bo.y, &mut gout);

    let mut ybar = vec![0.0; dim];
    let mut pbar = vec![0.0; np];
    let mut k = vec![vec![0.0; dim]; ns];
    let mut ys = vec![vec![0.0; dim]; ns];
    let mut kbar = vec![vec![0.0; dim]; ns];
    let (mut gy, mut gp) = (vec![0.0; dim], vec![0.0; np]);
    let mut bw = vec![0.0; ns];
    let mut recomputed = 0;
    let hh_one = |h: f64| vec![h; dim];
    for (n, st) in tape.steps.iter().enumerate().rev() {
        let yn = &tape.y[n * dim..(n + 1) * dim];
        let hh = hh_one(st.h);
        // Stage derivatives: stored, or recomputed from the checkpoint with the recorded h.
        match st.k_at {
            Some(at) => {
                for (s, ks) in k.iter_mut().enumerate() {
                    ks.copy_from_slice(&tape.k[at + s * dim..at + (s + 1) * dim]);
                }
            }
            None => {
                recomputed += 1;
                // An FSAL first stage was evaluated at the end of the previous step, at the
                // time the forward pass computed there; reuse that time so the recomputed
                // stages equal the stored ones bit for bit even for time-dependent systems.
                let t1 = match (tab.fsal, n) {
                    (true, n) if n > 0 => {
                        let prev = &tape.steps[n - 1];
                        tab.c[ns - 1].mul_add(prev.h, prev.t)
                    }
                    _ => st.t,
                };
                sys.rhs(&[t1], yn, p, &mut k[0]);
                for s in 1..ns {
                    let coef = &tab.a[s];
                    let mut yt = vec![0.0; dim];
                    super::kernels::combine(&mut yt, yn, &hh, &k[..s], coef);
                    sys.rhs(&[tab.c[s].mul_add(st.h, st.t)], &yt, p, &mut k[s]);
                }
            }
        }
        ys[0].copy_from_slice(yn);
        for s in 1..ns {
            super::kernels::combine(&mut ys[s], yn, &hh, &k[..s], tab.a[s]);
        }
        // Outputs of this step.
        for j in st.outs.clone() {
            let g = &gout[j * dim..(j + 1) * dim];
            if t_eval[j].to_bits() == st.t_new.to_bits() {
                ybar.iter_mut().zip(g).for_each(|(a, b)| *a += b);
            }
        }
        kbar.iter_mut()
            .for_each(|v| v.iter_mut().for_each(|x| *x = 0.0));
        for s in 0..ns {
            for d in 0..dim {
                kbar[s][d] = st.h * tab.b[s] * ybar[d];
            }
        }
        for j in st.outs.clone() {
            if t_eval[j].to_bits() == st.t_new.to_bits() {
                continue;
            }
            let g = &gout[j * dim..(j + 1) * dim];
            method.dense_weights((t_eval[j] - st.t) / st.h, &mut bw);
            for s in 0..ns {
                for d in 0..dim {
                    kbar[s][d] += st.h * bw[s] * g[d];
                }
            }
            ybar.iter_mut().zip(g).for_each(|(a, b)| *a += b);
        }
        for s in (0..ns).rev() {
            if kbar[s].iter().all(|&x| x.to_bits() == 0) {
                continue;
            }
            let ts = tab.c[s].mul_add(st.h, st.t);
            sys.vjp(&[ts], &ys[s], p, &kbar[s], &mut gy, &mut gp);
            pbar.iter_mut().zip(&gp).for_each(|(a, b)| *a += b);
            for d in 0..dim {
                ybar[d] += gy[d];
            }
            for j in 0..s {
                let a = tab.a[s][j];
                for d in 0..dim {
                    kbar[j][d] += st.h * a * gy[d];
                }
            }
        }
    }
    if t_eval[0].to_bits() == t0.to_bits() {
        ybar.iter_mut().zip(&gout[..dim]).for_each(|(a, b)| *a += b);
    }
    (bo, l, pbar, ybar, recomputed)
}
