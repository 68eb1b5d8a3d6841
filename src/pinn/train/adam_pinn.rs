//! ADAM-PINN: Adam on the weighted sum of the loss terms.

use super::{
    adam_steps, best_terms, check_weights, init_members, members_to_element, Choice, PinnOutcome,
    Progress,
};
use crate::backend::cpu::lanes::Real;
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::nn::{Adam, Init, MlpSpec};
use crate::pinn::problem::{n_genes, PinnProblem};

/// Settings of [`train_adam_pinn`].
#[derive(Debug, Clone, PartialEq)]
pub struct AdamPinnConfig {
    /// Independent networks trained side by side (each its own run: member `m` is
    /// initialised from stream index `m`, and its trajectory does not depend on the others).
    pub networks: usize,
    /// Adam epochs (full-batch steps).
    pub epochs: usize,
    /// Optimiser settings.
    pub adam: Adam,
    /// Weight of each loss term in the sum (default all 1, as the paper's ADAM-PINN).
    pub weights: Vec<f64>,
    /// Weight initialisation.
    pub init: Init,
    /// Master seed.
    pub seed: u64,
    /// Record the best terms in the history every this many epochs (and at the end).
    pub record_every: usize,
}

impl Default for AdamPinnConfig {
    fn default() -> Self {
        AdamPinnConfig {
            networks: 1,
            epochs: 5000,
            adam: Adam::default(),
            weights: vec![1.0, 1.0, 1.0],
            init: Init::XavierUniform,
            seed: 0,
            record_every: 50,
        }
    }
}

/// Trains `cfg.networks` independent PINNs by Adam on `Σ_k w_k L_k`.
///
/// The outcome's `front` lists every network (each is its own run); `choice` is computed on
/// their terms all the same. A network whose loss diverges stops where it was and keeps its
/// (possibly infinite) terms.
///
/// ```
/// use pareto_sciml::backend::{cpu::Cpu, Backend};
/// use pareto_sciml::nn::{Activation, MlpSpec};
/// use pareto_sciml::pinn::burgers::{burgers_dataset, BurgersDataConfig, NU_FORWARD_MODEL};
/// use pareto_sciml::pinn::burgers_problem::BurgersProblem;
/// use pareto_sciml::pinn::train::{train_adam_pinn, AdamPinnConfig};
/// let data = burgers_dataset(&BurgersDataConfig {
///     n_observations: 100,
///     n_collocation: 100,
///     ..Default::default()
/// })
/// .unwrap();
/// let problem = BurgersProblem::<f32>::forward(data, NU_FORWARD_MODEL).unwrap();
/// let spec = MlpSpec::uniform(2, &[8], 1, Activation::Tanh).unwrap();
/// let cfg = AdamPinnConfig { epochs: 20, ..Default::default() };
/// let out = train_adam_pinn(&problem, &spec, &cfg, &Backend::cpu(Cpu::new(1)), &mut |_| {}).unwrap();
/// let first = &out.history[0].1;
/// let sum = |t: &[f64]| t.iter().sum::<f64>();
/// assert!(sum(out.member_terms(0)) < sum(first));
/// ```
pub fn train_adam_pinn<P: PinnProblem + ?Sized>(
    problem: &P,
    spec: &MlpSpec,
    cfg: &AdamPinnConfig,
    backend: &Backend,
    progress: &mut dyn FnMut(&Progress),
) -> Result<PinnOutcome> {
    cfg.adam.validate()?;
    check_weights(&cfg.weights, problem.n_terms())?;
    if cfg.networks == 0 {
        return Err(Error::config("networks", "must be at least 1"));
    }
    if cfg.epochs == 0 {
        return Err(Error::config("epochs", "must be at least 1"));
    }
    let start = std::time::Instant::now();
    let ng = n_genes(problem, spec);
    let k = problem.n_terms();
    let init = init_members(problem, spec, cfg.init, cfg.seed, cfg.networks);
    let mut members = members_to_element::<P::T>(&init)?;
    let mut states: Vec<_> = (0..cfg.networks).map(|_| cfg.adam.state(ng)).collect();
    let mut history = Vec::new();
    let every = cfg.record_every.max(1);
    let mut on_step = |step: usize, terms: &[f64]| {
        let best = best_terms(terms, k);
        if step % every == 0 {
            history.push((step, best.clone()));
        }
        progress(&Progress {
            phase: "adam",
            step,
            total: cfg.epochs,
            best_terms: best,
            elapsed: start.elapsed(),
        });
    };
    adam_steps(
        problem,
        spec,
        backend,
        &mut members,
        &mut states,
        &cfg.adam,
        &cfg.weights,
        cfg.epochs,
        &mut on_step,
    )?;
    let terms = problem.evaluate(backend, spec, &members, None)?.terms;
    let best = best_terms(&terms, k);
    history.push((cfg.epochs, best.clone()));
    progress(&Progress {
        phase: "adam",
        step: cfg.epochs,
        total: cfg.epochs,
        best_terms: best,
        elapsed: start.elapsed(),
    });
    let front: Vec<usize> = (0..cfg.networks).collect();
    let choice: Choice = super::choose(&terms, k, &front, problem.data_term())?;
    Ok(PinnOutcome {
        n_genes: ng,
        members: members.iter().map(|v| v.to_f64()).collect(),
        terms,
        term_names: problem.term_names().to_vec(),
        front,
        choice,
        history,
        elapsed: start.elapsed(),
    })
}
