//! The NSGA-NODE objectives and their genome gradients through the solver.
//!
//! For a member with genome `θ` (and trainable physics parameters, if any) the hybrid model
//! is integrated from `(t0, y0)` to the trajectory grid `t_1 < … < t_J` (observation and
//! collocation times and `t1`), and with the correction `c_j = λ·NN(y_j[, t_j]; θ)` (all
//! network outputs, in every hybrid form):
//! - **data misfit** `D = 1/(K·dim) Σ_k ‖y(t_k) − y_obs,k‖²` over the observations;
//! - **physics consistency** `P = 1/J Σ_j ‖c_j‖²` (how much the network changes the
//!   physics along the trajectory);
//! - **smoothness** (optional) `S = 1/(J−1) Σ_j ‖(c_{j+1} − c_j)/(t_{j+1} − t_j)‖²`.
//!
//! A member whose solve does not succeed (or whose objectives are not finite, e.g. a NaN
//! genome) gets `+∞` in every objective and a constraint value of 1; the others are
//! untouched. Gradients of `D + w_P·P + w_S·S` come from [`crate::ode::gradient`]
//! (discretise-then-optimise: the exact derivative of the computed solution) plus the direct
//! dependence of `P` and `S` on `θ` through the network's VJP.
//!
//! Sums run in a fixed order (grid points ascending, components ascending), so values and
//! gradients are the same bits for any thread count, and the objectives told to the
//! algorithm equal the training loss terms at the same genome.

use super::problem::NodeProblem;
use crate::backend::cpu::member::RowLayout;
use crate::error::{check_len, Error, Result};
use crate::ode::hybrid::NnInput;
use crate::ode::{BatchSystem, Status};
use std::sync::Mutex;

/// Objectives of a population.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// `n × n_obj`: data misfit, physics consistency[, smoothness]; `+∞` for a failed member.
    pub f: Vec<f64>,
    /// `n × 1`: 0, or 1 for a failed member.
    pub g: Vec<f64>,
    /// `n × J × dim` trajectories on [`NodeProblem::grid`] (NaN where a solve stopped).
    pub trajectories: Vec<f64>,
    /// Per-member solver status.
    pub status: Vec<Status>,
}

/// Weights of the summed training loss `D + physics·P + smoothness·S`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossWeights {
    /// Weight of the physics-consistency term.
    pub physics: f64,
    /// Weight of the smoothness term (used only when the problem has that objective).
    pub smoothness: f64,
}

impl LossWeights {
    pub(crate) fn validate(&self) -> Result<()> {
        for (name, w) in [
            ("physics weight", self.physics),
            ("smoothness weight", self.smoothness),
        ] {
            if !(w.is_finite() && w >= 0.0) {
                return Err(Error::config(name, format!("{w} is not finite and >= 0")));
            }
        }
        Ok(())
    }
}

/// Training losses and genome gradients of a population.
#[derive(Clone, Debug, PartialEq)]
pub struct LossGradient {
    /// `n × n_obj` loss terms (as in [`Evaluation::f`]; `+∞` for a failed member).
    pub terms: Vec<f64>,
    /// Per-member weighted sum.
    pub loss: Vec<f64>,
    /// `n × n_genome` gradient of `loss` (NaN for a failed member).
    pub grad: Vec<f64>,
}

/// `P`, `S` and, on request, their weighted gradients w.r.t. the trajectory and `θ`.
pub(crate) struct Terms {
    pub physics: f64,
    pub smooth: f64,
    /// `J × dim`.
    pub gy: Vec<f64>,
    /// `n_net`.
    pub gtheta: Vec<f64>,
}

impl<P: BatchSystem<f64>> NodeProblem<P> {
    /// Data misfit of one trajectory (`J × dim`); with `g`, adds `∂D/∂y` into it.
    fn data_misfit(&self, y: &[f64], mut g: Option<&mut [f64]>) -> f64 {
        let dim = self.data.y0.len();
        let scale = 1.0 / (self.obs_idx.len() * dim) as f64;
        let mut sum = 0.0;
        for (k, &j) in self.obs_idx.iter().enumerate() {
            for d in 0..dim {
                let r = y[j * dim + d] - self.data.y_obs[k * dim + d];
                sum = r.mul_add(r, sum);
                if let Some(g) = g.as_deref_mut() {
                    g[j * dim + d] += 2.0 * scale * r;
                }
            }
        }
        sum * scale
    }

    /// `P` and `S` of one member (`theta`: its network weights, `y`: its `J × dim`
    /// trajectory); with `w`, also their weighted gradients.
    pub(crate) fn member_terms(&self, theta: &[f64], y: &[f64], w: Option<LossWeights>) -> Terms {
        let (grid, dim) = (&self.grid, self.data.y0.len());
        let jn = grid.len();
        let spec = self.sys.spec();
        let (n_in, n_out, n_net) = (spec.n_in(), spec.n_out(), spec.n_params());
        let x: Vec<f64> = match self.nn_input() {
            NnInput::State => y.to_vec(),
            NnInput::StateTime => y
                .chunks_exact(dim)
                .zip(grid)
                .flat_map(|(r, &t)| r.iter().copied().chain(std::iter::once(t)))
                .collect(),
        };
        let genomes: Vec<f64> = (0..jn).flat_map(|_| theta.iter().copied()).collect();
        let layout = RowLayout::packed(n_net);
        let mut o = vec![0.0; jn * n_out];
        self.net
            .forward(&x, &genomes, layout, &mut o)
            .expect("shapes fixed at construction");
        let lam = self.sys.lambda();
        let c: Vec<f64> = o.iter().map(|v| lam * v).collect();
        let physics = c.iter().fold(0.0, |s, v| v.mul_add(*v, s)) / jn as f64;
        let mut smooth = 0.0;
        let n_diff = (jn.max(2) - 1) as f64;
        if self.smoothness {
            for j in 0..jn.saturating_sub(1) {
                let dt = grid[j + 1] - grid[j];
                for k in 0..n_out {
                    let d = (c[(j + 1) * n_out + k] - c[j * n_out + k]) / dt;
                    smooth = d.mul_add(d, smooth);
                }
            }
            smooth /= n_diff;
        }
        let mut terms = Terms {
            physics,
            smooth,
            gy: Vec::new(),
            gtheta: Vec::new(),
        };
        let Some(w) = w else { return terms };
        // Adjoint of the outputs o: λ·(w_P ∂P/∂c + w_S ∂S/∂c).
        let mut gc: Vec<f64> = c.iter().map(|v| w.physics * 2.0 * v / jn as f64).collect();
        if self.smoothness && w.smoothness > 0.0 {
            for j in 0..jn.saturating_sub(1) {
                let dt = grid[j + 1] - grid[j];
                for k in 0..n_out {
                    let d = (c[(j + 1) * n_out + k] - c[j * n_out + k]) / dt;
                    let a = w.smoothness * 2.0 * d / (dt * n_diff);
                    gc[(j + 1) * n_out + k] += a;
                    gc[j * n_out + k] -= a;
                }
            }
        }
        let v: Vec<f64> = gc.iter().map(|g| lam * g).collect();
        let mut gx = vec![0.0; jn * n_in];
        let mut gg = vec![0.0; jn * n_net];
        self.net
            .vjp(&x, &genomes, layout, &v, &mut gx, &mut gg)
            .expect("shapes fixed at construction");
        terms.gy = gx
            .chunks_exact(n_in)
            .flat_map(|r| r[..dim].iter().copied())
            .collect();
        let mut gt = vec![0.0; n_net];
        for row in gg.chunks_exact(n_net) {
            gt.iter_mut().zip(row).for_each(|(a, b)| *a += b);
        }
        terms.gtheta = gt;
        terms
    }

    /// Objectives of the genomes `x` (`n × n_genome`), without training. Failed members get
    /// `+∞` and a violation of 1 (never an error).
    pub fn evaluate_genomes(&self, x: &[f64]) -> Result<Evaluation> {
        let rows = self.param_rows(x)?;
        let n = x.len() / self.n_genome();
        let (dim, jn, no) = (self.data.y0.len(), self.grid.len(), self.n_objectives());
        let y0: Vec<f64> = (0..n).flat_map(|_| self.data.y0.iter().copied()).collect();
        let sol = self.solve_rows(&y0, &rows, &self.grid)?;
        let np = rows.len() / n;
        let n_phys = np - self.n_net();
        let per = crate::parallel::map_indexed(n, self.opts.solve.threads, |m| {
            if sol.status[m] != Status::Success {
                return None;
            }
            let y = &sol.y[m * jn * dim..(m + 1) * jn * dim];
            let t = self.member_terms(&rows[m * np + n_phys..(m + 1) * np], y, None);
            Some([self.data_misfit(y, None), t.physics, t.smooth])
        });
        let mut f = Vec::with_capacity(n * no);
        let mut g = Vec::with_capacity(n);
        for v in per {
            match v.filter(|v| v[..no].iter().all(|x| x.is_finite())) {
                Some(v) => {
                    f.extend_from_slice(&v[..no]);
                    g.push(0.0);
                }
                None => {
                    f.extend(std::iter::repeat_n(f64::INFINITY, no));
                    g.push(1.0);
                }
            }
        }
        Ok(Evaluation {
            f,
            g,
            trajectories: sol.y,
            status: sol.status,
        })
    }

    /// Loss terms and the gradient of `D + w.physics·P + w.smoothness·S` w.r.t. each genome
    /// of `x` (`n × n_genome`), through the solver.
    pub fn loss_gradient(&self, x: &[f64], w: LossWeights) -> Result<LossGradient> {
        w.validate()?;
        let rows = self.param_rows(x)?;
        let n = x.len() / self.n_genome();
        let (no, ng) = (self.n_objectives(), self.n_genome());
        let np = rows.len() / n;
        let n_phys = np - self.n_net();
        let y0: Vec<f64> = (0..n).flat_map(|_| self.data.y0.iter().copied()).collect();
        let direct: Vec<Mutex<(Vec<f64>, [f64; 3])>> =
            (0..n).map(|_| Mutex::new((Vec::new(), [0.0; 3]))).collect();
        let weights = LossWeights {
            physics: w.physics,
            smoothness: if self.smoothness { w.smoothness } else { 0.0 },
        };
        let grad = crate::ode::gradient(
            &self.sys,
            &y0,
            &rows,
            self.data.t0,
            &self.grid,
            &self.opts,
            |m, y, g| {
                g.fill(0.0);
                let d = self.data_misfit(y, Some(g));
                let t = self.member_terms(&rows[m * np + n_phys..(m + 1) * np], y, Some(weights));
                g.iter_mut().zip(&t.gy).for_each(|(a, b)| *a += b);
                let loss = weights
                    .smoothness
                    .mul_add(t.smooth, weights.physics.mul_add(t.physics, d));
                // Each member's slot is written by its own call only: no ordering issue.
                *direct[m].lock().expect("no panics while held") =
                    (t.gtheta, [d, t.physics, t.smooth]);
                loss
            },
        )?;
        let mut out = LossGradient {
            terms: Vec::with_capacity(n * no),
            loss: Vec::with_capacity(n),
            grad: Vec::with_capacity(n * ng),
        };
        for (m, slot) in direct.into_iter().enumerate() {
            let (gtheta, terms) = slot.into_inner().expect("no panics while held");
            let ok = grad.solution.status[m] == Status::Success && grad.loss[m].is_finite();
            if !ok {
                out.terms.extend(std::iter::repeat_n(f64::INFINITY, no));
                out.loss.push(f64::INFINITY);
                out.grad.extend(std::iter::repeat_n(f64::NAN, ng));
                continue;
            }
            out.terms.extend_from_slice(&terms[..no]);
            out.loss.push(grad.loss[m]);
            let gp = &grad.d_params[m * np..(m + 1) * np];
            let skip = if self.trainable { 0 } else { n_phys };
            out.grad.extend_from_slice(&gp[skip..n_phys]);
            out.grad
                .extend(gp[n_phys..].iter().zip(&gtheta).map(|(a, b)| a + b));
        }
        check_len("loss_gradient", "grad.len()", n * ng, out.grad.len())?;
        Ok(out)
    }
}
