//! NSGA-PINN (NSGA-II) and NSGA-III-PINN: every loss term an objective, a population of
//! networks, `S` Adam steps on each evaluated individual (Lamarckian by default).

use super::{
    adam_steps, best_terms, check_weights, init_members, members_to_element, PinnOutcome, Progress,
};
use crate::backend::cpu::lanes::Real;
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::moo::algorithm::Algorithm;
use crate::moo::operators::{gaussian_perturbation, Variation};
use crate::moo::problem::{Bounds, Problem};
use crate::moo::{das_dennis, nondominated_sort, Nsga2, Nsga3};
use crate::nn::{Adam, Init, MlpSpec};
use crate::pinn::problem::{n_genes, PinnProblem};

/// Which evolutionary algorithm drives the population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emo {
    /// NSGA-II (rank and crowding): NSGA-PINN of Lu, Moya & Lin (2023).
    Nsga2,
    /// NSGA-III with Das–Dennis reference directions of `partitions` divisions: the
    /// NSGA-III-PINN of MoPINNEnKF.
    Nsga3 {
        /// Das–Dennis partitions per objective.
        partitions: usize,
    },
}

/// Settings of [`train_nsga_pinn`].
#[derive(Debug, Clone, PartialEq)]
pub struct NsgaPinnConfig {
    /// The algorithm.
    pub emo: Emo,
    /// Networks per generation (offspring count = population).
    pub pop_size: usize,
    /// Generations, counted like pymoo's `n_gen` (the initial population is generation 1).
    pub generations: usize,
    /// Adam steps `S` on every individual before it is evaluated.
    pub adam_steps: usize,
    /// Optimiser settings (each individual starts with a fresh Adam state).
    pub adam: Adam,
    /// Weights of the summed loss the Adam steps minimise.
    pub weights: Vec<f64>,
    /// Network weights live in `[−gene_bound, gene_bound]` (the box SBX and polynomial
    /// mutation need; trained weights are clipped into it).
    pub gene_bound: f64,
    /// SBX and polynomial-mutation parameters (used when `perturbation` is `None`).
    pub variation: Variation,
    /// `Some(σ)`: offspring are copies of the tournament winners with Gaussian noise of
    /// standard deviation σ added to every weight (and physical parameters multiplied by
    /// `exp(σ ξ)`), crossover and polynomial mutation off. Crossing two independently trained
    /// networks weight by weight mixes unrelated hidden units (the permutation symmetry of an
    /// MLP), so SBX children restart training almost from scratch; perturbed copies carry
    /// their parent's training forward. `None`: SBX + polynomial mutation per `variation`.
    pub perturbation: Option<f64>,
    /// Initialisation of the first population.
    pub init: Init,
    /// Master seed.
    pub seed: u64,
    /// Write the trained genes back into the population (Lamarckian, the default); `false`
    /// keeps the untrained genes and only uses the trained losses (Baldwinian).
    pub lamarckian: bool,
    /// Start from these members (row-major `pop_size × n_genes`) instead of a fresh
    /// initialisation (e.g. a previous MoPINNEnKF iteration's population).
    pub initial: Option<Vec<f64>>,
}

impl Default for NsgaPinnConfig {
    fn default() -> Self {
        NsgaPinnConfig {
            emo: Emo::Nsga3 { partitions: 4 },
            pop_size: 16,
            generations: 4,
            adam_steps: 1250,
            adam: Adam::default(),
            weights: vec![1.0, 1.0, 1.0],
            gene_bound: 5.0,
            variation: Variation::default(),
            perturbation: Some(0.01),
            init: Init::XavierUniform,
            seed: 0,
            lamarckian: true,
            initial: None,
        }
    }
}

/// The decision space of the evolutionary algorithm: genome box and physical bounds.
struct GeneSpace {
    bounds: Bounds,
    n_obj: usize,
}

impl Problem for GeneSpace {
    fn n_var(&self) -> usize {
        self.bounds.len()
    }
    fn n_obj(&self) -> usize {
        self.n_obj
    }
    fn bounds(&self) -> &Bounds {
        &self.bounds
    }
    fn evaluate(&self, _x: &[f64], _f: &mut [f64], _g: &mut [f64]) -> Result<()> {
        Err(Error::config(
            "GeneSpace",
            "networks are evaluated by the PINN trainer, not through Problem::evaluate",
        ))
    }
}

/// Trains a population of PINNs with NSGA-II or NSGA-III over the loss terms.
///
/// Each generation: the algorithm asks for `pop_size` individuals (the initial population
/// comes from `cfg.init` or `cfg.initial`), every individual gets `adam_steps` Adam steps on
/// the weighted sum, its terms become its objectives, the trained genes replace the asked ones
/// (Lamarckian), and the algorithm's survival keeps the best `pop_size` of parents ∪
/// offspring. A network whose training diverges gets `+inf` objectives and never survives
/// ahead of a finite one. The outcome holds the final population and its first front.
///
/// ```
/// use pareto_sciml::backend::{cpu::Cpu, Backend};
/// use pareto_sciml::nn::{Activation, MlpSpec};
/// use pareto_sciml::pinn::burgers::{burgers_dataset, BurgersDataConfig, NU_FORWARD_MODEL};
/// use pareto_sciml::pinn::burgers_problem::BurgersProblem;
/// use pareto_sciml::pinn::train::{train_nsga_pinn, Emo, NsgaPinnConfig};
/// let data = burgers_dataset(&BurgersDataConfig {
///     n_observations: 64,
///     n_collocation: 64,
///     ..Default::default()
/// })
/// .unwrap();
/// let problem = BurgersProblem::<f32>::forward(data, NU_FORWARD_MODEL).unwrap();
/// let spec = MlpSpec::uniform(2, &[6], 1, Activation::Tanh).unwrap();
/// let cfg = NsgaPinnConfig {
///     emo: Emo::Nsga2,
///     pop_size: 6,
///     generations: 2,
///     adam_steps: 3,
///     ..Default::default()
/// };
/// let out = train_nsga_pinn(&problem, &spec, &cfg, &Backend::cpu(Cpu::new(1)), &mut |_| {}).unwrap();
/// assert_eq!(out.terms.len(), 6 * 3);
/// assert!(out.front.contains(&out.choice.knee));
/// ```
pub fn train_nsga_pinn<P: PinnProblem + ?Sized>(
    problem: &P,
    spec: &MlpSpec,
    cfg: &NsgaPinnConfig,
    backend: &Backend,
    progress: &mut dyn FnMut(&Progress),
) -> Result<PinnOutcome> {
    cfg.adam.validate()?;
    check_weights(&cfg.weights, problem.n_terms())?;
    if cfg.generations == 0 {
        return Err(Error::config("generations", "must be at least 1"));
    }
    if !(cfg.gene_bound.is_finite() && cfg.gene_bound > 0.0) {
        return Err(Error::config(
            "gene_bound",
            format!("must be finite and > 0, got {}", cfg.gene_bound),
        ));
    }
    let ng = n_genes(problem, spec);
    let variation = match cfg.perturbation {
        None => cfg.variation,
        Some(sigma) if sigma.is_finite() && sigma >= 0.0 => Variation {
            p_c: 0.0,
            p_m: Some(0.0),
            ..cfg.variation
        },
        Some(sigma) => {
            return Err(Error::config(
                "perturbation",
                format!("σ must be finite and ≥ 0, got {sigma}"),
            ))
        }
    };
    if let Some(init) = &cfg.initial {
        crate::error::check_len("train_nsga_pinn", "initial", cfg.pop_size * ng, init.len())?;
        crate::error::check_finite("train_nsga_pinn", "initial", init)?;
    }
    let mut lower = vec![-cfg.gene_bound; spec.n_params()];
    let mut upper = vec![cfg.gene_bound; spec.n_params()];
    for &(lo, hi) in problem.physical_bounds() {
        lower.push(lo);
        upper.push(hi);
    }
    let space = GeneSpace {
        bounds: Bounds::new(lower, upper)?,
        n_obj: problem.n_terms(),
    };
    match cfg.emo {
        Emo::Nsga2 => {
            let alg = Nsga2::with_variation(&space, cfg.pop_size, cfg.seed, variation)?
                .threads(backend.host().threads);
            drive(alg, problem, spec, cfg, backend, progress)
        }
        Emo::Nsga3 { partitions } => {
            let refs = das_dennis(problem.n_terms(), partitions)?;
            let alg = Nsga3::with_variation(&space, refs, cfg.pop_size, cfg.seed, variation)?
                .threads(backend.host().threads);
            drive(alg, problem, spec, cfg, backend, progress)
        }
    }
}

fn drive<A: Algorithm, P: PinnProblem + ?Sized>(
    mut alg: A,
    problem: &P,
    spec: &MlpSpec,
    cfg: &NsgaPinnConfig,
    backend: &Backend,
    progress: &mut dyn FnMut(&Progress),
) -> Result<PinnOutcome> {
    let start = std::time::Instant::now();
    let ng = n_genes(problem, spec);
    let k = problem.n_terms();
    let mut history = Vec::new();
    for gen in 0..cfg.generations {
        let asked = alg.ask()?.to_vec();
        let p = asked.len() / ng;
        let untrained = if gen == 0 {
            let x = match &cfg.initial {
                Some(init) => init.clone(),
                None => init_members(problem, spec, cfg.init, cfg.seed, p),
            };
            // The initial population is ours, not uniform draws over the weight box.
            alg.replace_pending(&x)?;
            alg.ask()?.to_vec()
        } else if let Some(sigma) = cfg.perturbation {
            let mut x = asked;
            let mask: Vec<bool> = (0..ng).map(|j| j >= spec.n_params()).collect();
            gaussian_perturbation(&mut x, &mask, sigma, cfg.seed, gen as u64)?;
            alg.replace_pending(&x)?;
            alg.ask()?.to_vec()
        } else {
            asked
        };
        let mut members = members_to_element::<P::T>(&untrained)?;
        let mut states: Vec<_> = (0..p).map(|_| cfg.adam.state(ng)).collect();
        let failed = adam_steps(
            problem,
            spec,
            backend,
            &mut members,
            &mut states,
            &cfg.adam,
            &cfg.weights,
            cfg.adam_steps,
            &mut |_, _| {},
        )?;
        let mut f = problem.evaluate(backend, spec, &members, None)?.terms;
        for (m, row) in f.chunks_exact_mut(k).enumerate() {
            if failed[m] || row.iter().any(|v| !v.is_finite()) {
                row.fill(f64::INFINITY);
            }
        }
        if cfg.lamarckian {
            let trained: Vec<f64> = members.iter().map(|v| v.to_f64()).collect();
            alg.replace_pending(&trained)?;
        }
        alg.tell(&f, &[])?;
        let best = best_terms(&alg.core().f, k);
        history.push((gen + 1, best.clone()));
        progress(&Progress {
            phase: "nsga",
            step: gen + 1,
            total: cfg.generations,
            best_terms: best,
            elapsed: start.elapsed(),
        });
    }
    let core = alg.core();
    let terms = core.f.clone();
    let sel: Vec<f64> = terms
        .chunks_exact(k)
        .flat_map(|row| {
            let bad = row.iter().any(|v| !v.is_finite());
            row.iter().map(move |&v| if bad { f64::MAX } else { v })
        })
        .collect();
    let rank = nondominated_sort(&sel, k)?;
    let front: Vec<usize> = (0..rank.len())
        .filter(|&m| rank[m] == 0 && terms[m * k..(m + 1) * k].iter().all(|v| v.is_finite()))
        .collect();
    let choice = super::choose(&terms, k, &front, problem.data_term())?;
    Ok(PinnOutcome {
        n_genes: ng,
        members: core.x.clone(),
        terms,
        term_names: problem.term_names().to_vec(),
        front,
        choice,
        history,
        elapsed: start.elapsed(),
    })
}
