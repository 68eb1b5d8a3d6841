//! PINN trainers: ADAM-PINN (weighted sum of the loss terms, [`train_adam_pinn`]) and
//! NSGA-PINN / NSGA-III-PINN (each loss term an objective, a population of networks, `S` Adam
//! steps on every evaluated individual, Lamarckian write-back, [`train_nsga_pinn`]).
//!
//! Both return a [`PinnOutcome`]: the final members with their loss terms, the first
//! non-dominated front, the knee member and the member with the best data loss
//! ([`choose()`]), and a history of the terms. Progress goes to a callback once per epoch or
//! generation ([`Progress`]; [`stderr_progress`] prints a line every k calls).
//!
//! Determinism: every draw comes from `rng::stream(seed, purpose, generation, index)`; the
//! kernels reduce in a fixed order; so the outcome is bit-identical for any thread count.

mod adam_pinn;
mod choose;
mod ensemble;
mod nsga_pinn;

pub use adam_pinn::{train_adam_pinn, AdamPinnConfig};
pub use choose::{choose, Choice};
pub use ensemble::NsgaPinnEnsemble;
pub use nsga_pinn::{train_nsga_pinn, Emo, NsgaPinnConfig};

use crate::backend::cpu::lanes::Real;
use crate::backend::cpu::Element;
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::nn::{init_genome, Adam, AdamState, Init, MlpSpec};
use crate::pinn::problem::{n_genes, PinnProblem};
use std::time::Duration;

/// One progress report of a trainer.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// "adam" (ADAM-PINN epochs) or "nsga" (generations).
    pub phase: &'static str,
    /// Completed epochs or generations.
    pub step: usize,
    /// Total epochs or generations of the run.
    pub total: usize,
    /// Best value of each term over the members (after this step).
    pub best_terms: Vec<f64>,
    /// Wall time since the trainer started.
    pub elapsed: Duration,
}

impl Progress {
    /// Estimated time to completion by linear extrapolation.
    pub fn eta(&self) -> Duration {
        if self.step == 0 {
            return Duration::ZERO;
        }
        self.elapsed
            .mul_f64((self.total - self.step.min(self.total)) as f64 / self.step as f64)
    }
}

/// A progress callback that prints a line to stderr every `every` reports (and the last one).
pub fn stderr_progress(label: String, every: usize) -> impl FnMut(&Progress) {
    let every = every.max(1);
    move |p: &Progress| {
        if p.step % every == 0 || p.step == p.total {
            let terms: Vec<String> = p.best_terms.iter().map(|v| format!("{v:.3e}")).collect();
            eprintln!(
                "{label} {} {}/{} best terms [{}] elapsed {:.1}s eta {:.1}s",
                p.phase,
                p.step,
                p.total,
                terms.join(", "),
                p.elapsed.as_secs_f64(),
                p.eta().as_secs_f64()
            );
        }
    }
}

/// What a trainer returns.
#[derive(Debug, Clone, PartialEq)]
pub struct PinnOutcome {
    /// Genes per member (`n_params + n_physical`).
    pub n_genes: usize,
    /// Final members, row-major `P × n_genes` (f64; exact copies of the kernels' values).
    pub members: Vec<f64>,
    /// Their loss terms, row-major `P × n_terms`.
    pub terms: Vec<f64>,
    /// Names of the terms.
    pub term_names: Vec<&'static str>,
    /// Members on the first non-dominated front of `terms` (all members for ADAM-PINN runs
    /// of independent networks: each is its own run).
    pub front: Vec<usize>,
    /// Knee member and best-data member of the front.
    pub choice: Choice,
    /// `(step, best term values)` after every epoch/generation that was recorded.
    pub history: Vec<(usize, Vec<f64>)>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl PinnOutcome {
    /// Genes of member `m`.
    pub fn member(&self, m: usize) -> &[f64] {
        &self.members[m * self.n_genes..(m + 1) * self.n_genes]
    }
    /// Loss terms of member `m`.
    pub fn member_terms(&self, m: usize) -> &[f64] {
        let k = self.term_names.len();
        &self.terms[m * k..(m + 1) * k]
    }
}

/// `p` members: network weights by `init` from streams `(seed, "init", 0, m)` and physical
/// parameters uniform in their bounds from `(seed, "physical-init", 0, m)`.
pub fn init_members<P: PinnProblem + ?Sized>(
    problem: &P,
    spec: &MlpSpec,
    init: Init,
    seed: u64,
    p: usize,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(p * n_genes(problem, spec));
    for m in 0..p as u64 {
        out.extend(init_genome(spec, init, seed, m));
        let mut s = crate::rng::stream(seed, "physical-init", 0, m);
        for &(lo, hi) in problem.physical_bounds() {
            out.push(s.uniform_range(lo, hi));
        }
    }
    out
}

/// Best (smallest) value of each term over the members; non-finite values are skipped.
pub(crate) fn best_terms(terms: &[f64], k: usize) -> Vec<f64> {
    (0..k)
        .map(|j| {
            terms
                .iter()
                .skip(j)
                .step_by(k)
                .copied()
                .filter(|v| v.is_finite())
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}

pub(crate) fn check_weights(weights: &[f64], k: usize) -> Result<()> {
    crate::error::check_len("pinn trainer", "weights (one per term)", k, weights.len())?;
    if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) || weights.iter().all(|w| *w == 0.0) {
        return Err(Error::config(
            "weights",
            "loss weights must be finite, ≥ 0 and not all zero",
        ));
    }
    Ok(())
}

/// `steps` Adam steps on the weighted sum of the terms for every member at once, each member
/// with its own state; physical parameters are projected into their bounds after each step.
/// A member whose loss or gradient turns non-finite is frozen (its genes stay at the last
/// finite values) and reported in the returned mask, so one diverging network never stops the
/// others. `on_step(step, terms)` sees the terms evaluated before each update.
#[allow(clippy::too_many_arguments)]
pub(crate) fn adam_steps<P: PinnProblem + ?Sized>(
    problem: &P,
    spec: &MlpSpec,
    backend: &Backend,
    members: &mut [P::T],
    states: &mut [AdamState<P::T>],
    adam: &Adam,
    weights: &[f64],
    steps: usize,
    on_step: &mut dyn FnMut(usize, &[f64]),
) -> Result<Vec<bool>> {
    let ng = n_genes(problem, spec);
    let np = spec.n_params();
    let p = members.len() / ng;
    let k = problem.n_terms();
    let mut failed = vec![false; p];
    let bounds = problem.physical_bounds().to_vec();
    for step in 0..steps {
        let eval = problem.evaluate(backend, spec, members, Some(weights))?;
        on_step(step, &eval.terms);
        for m in 0..p {
            if failed[m] {
                continue;
            }
            let g = &eval.grad[m * ng..(m + 1) * ng];
            let t = &eval.terms[m * k..(m + 1) * k];
            if g.iter().any(|v| !v.is_finite()) || t.iter().any(|v| !v.is_finite()) {
                failed[m] = true;
                continue;
            }
            let row = &mut members[m * ng..(m + 1) * ng];
            let mut trial = row.to_vec();
            adam.step(&mut trial, g, &mut states[m])?;
            if trial.iter().any(|v| !v.is_finite()) {
                failed[m] = true;
                continue;
            }
            for (j, &(lo, hi)) in bounds.iter().enumerate() {
                let v = trial[np + j].to_f64().clamp(lo, hi);
                trial[np + j] = <P::T as Real>::from_f64(v);
            }
            row.copy_from_slice(&trial);
        }
    }
    Ok(failed)
}

/// Converts f64 members to the element type; values beyond its range are an error.
pub(crate) fn members_to_element<T: Element>(v: &[f64]) -> Result<Vec<T>> {
    let out: Vec<T> = v.iter().map(|&x| T::from_f64(x)).collect();
    match out.iter().position(|x| !x.is_finite()) {
        None => Ok(out),
        Some(index) => Err(Error::NonFinite {
            op: "pinn trainer",
            what: "members (in the kernel element type)",
            index,
        }),
    }
}
