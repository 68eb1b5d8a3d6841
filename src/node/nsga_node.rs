//! NSGA-NODE: a population of hybrid neural ODEs evolved on their loss terms as objectives,
//! with Adam steps through the solver between generations (the NSGA-PINN idea, DESIGN §5).
//!
//! Each generation: the algorithm asks for offspring (the first time: the initial population,
//! replaced by network-style initialisations [`crate::nn::init_genome`] — uniform draws over
//! the weight box would start far from any usable network); every asked genome gets
//! `adam_steps` Adam steps on `D + w_P·P (+ w_S·S)` ([`super::objectives`]) with a fresh
//! Adam state; with `lamarckian` the trained genomes replace the asked ones (clipped into the
//! bounds), otherwise only their objectives are told (Baldwinian). A member whose solve fails
//! during training keeps its last finite genome and stops training; one that fails at
//! evaluation is told `+∞` with a violation and never crashes the run.

use super::objectives::LossWeights;
use super::problem::NodeProblem;
use crate::error::{Error, Result};
use crate::moo::algorithm::Algorithm;
use crate::moo::operators::{gaussian_perturbation, Variation};
use crate::moo::{das_dennis, Nsga2, Nsga3, Rvea};
use crate::nn::{init_genome, Adam, Init};
use crate::ode::BatchSystem;
use std::time::{Duration, Instant};

/// Which EMO algorithm selects survivors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selector {
    /// NSGA-II (default).
    Nsga2,
    /// NSGA-III with Das–Dennis references of `partitions` divisions; the population size is
    /// the configured one.
    Nsga3 {
        /// Das–Dennis divisions.
        partitions: usize,
    },
    /// RVEA with Das–Dennis reference vectors of `partitions` divisions; the population size
    /// is the number of vectors (the configured size is ignored).
    Rvea {
        /// Das–Dennis divisions.
        partitions: usize,
    },
}

/// NSGA-NODE settings.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeConfig {
    /// Population size (≥ 2).
    pub pop_size: usize,
    /// Generations, the initial population counting as the first (≥ 1).
    pub generations: u64,
    /// Adam steps per asked genome per generation (0 = pure evolution).
    pub adam_steps: usize,
    /// Adam hyper-parameters.
    pub adam: Adam,
    /// Write trained genomes back (true, default) or only use their objectives.
    pub lamarckian: bool,
    /// Survivor selection.
    pub selector: Selector,
    /// SBX and polynomial-mutation parameters (DESIGN §5 defaults; used when `perturbation`
    /// is `None`).
    pub variation: Variation,
    /// `Some(σ)`: offspring are Gaussian-perturbed copies of the tournament winners
    /// ([`crate::moo::operators::gaussian_perturbation`]: σ ξ on every weight, `exp(σ ξ)` on
    /// trainable physics parameters), crossover and mutation off. `None` (default): SBX + PM.
    pub perturbation: Option<f64>,
    /// Weights of the training loss.
    pub weights: LossWeights,
    /// Network initialisation of the first population.
    pub init: Init,
    /// Master seed.
    pub seed: u64,
    /// Threads for variation (solves use the problem's setting); results do not depend on it.
    pub threads: usize,
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            pop_size: 100,
            generations: 20,
            adam_steps: 10,
            adam: Adam {
                lr: 0.01,
                ..Adam::default()
            },
            lamarckian: true,
            selector: Selector::Nsga2,
            variation: Variation::default(),
            perturbation: None,
            weights: LossWeights {
                physics: 0.0,
                smoothness: 0.0,
            },
            init: Init::TorchDefault,
            seed: 0,
            threads: 1,
        }
    }
}

/// What the progress callback sees after each generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Completed generations.
    pub generation: u64,
    /// Planned generations.
    pub generations: u64,
    /// Per objective, the best value in the population (`+∞` if all failed).
    pub best: Vec<f64>,
    /// Members whose solve failed.
    pub failed: usize,
    /// Adam steps taken so far (member steps).
    pub adam_steps: u64,
    /// Wall time so far.
    pub elapsed: Duration,
}

/// The outcome of [`run_nsga_node`].
#[derive(Clone, Debug, PartialEq)]
pub struct NodeResult {
    /// Final population genomes, `n × n_genome`.
    pub genomes: Vec<f64>,
    /// Their objectives, `n × n_obj` (`+∞` for failed members).
    pub objectives: Vec<f64>,
    /// Their constraint violations (0 = solved).
    pub violation: Vec<f64>,
    /// Members of the first non-dominated front among the feasible ones, by increasing data
    /// misfit.
    pub front: Vec<usize>,
    /// The knee of the front: the member closest to the ideal point after scaling each
    /// objective to `[0, 1]` over the front.
    pub knee: usize,
    /// Trajectories of every member on [`NodeProblem::grid`], `n × J × dim`.
    pub trajectories: Vec<f64>,
    /// Genome length.
    pub n_genome: usize,
    /// Objectives per member.
    pub n_obj: usize,
    /// Total Adam member steps.
    pub adam_steps: u64,
}

impl NodeResult {
    /// Genome of member `i`.
    pub fn genome(&self, i: usize) -> &[f64] {
        &self.genomes[i * self.n_genome..(i + 1) * self.n_genome]
    }
    /// Objectives of member `i`.
    pub fn objectives_of(&self, i: usize) -> &[f64] {
        &self.objectives[i * self.n_obj..(i + 1) * self.n_obj]
    }
    /// The feasible member with the lowest data misfit.
    pub fn best_fit(&self) -> usize {
        self.front[0]
    }
}

impl NodeConfig {
    fn validate(&self) -> Result<()> {
        if self.generations == 0 {
            return Err(Error::config("generations", "must be at least 1"));
        }
        self.adam.validate()?;
        if let Some(sigma) = self.perturbation {
            if !(sigma.is_finite() && sigma >= 0.0) {
                return Err(Error::config(
                    "perturbation",
                    format!("σ must be finite and ≥ 0, got {sigma}"),
                ));
            }
        }
        self.weights.validate()
    }

    /// The operator parameters the algorithm runs with: crossover and mutation off when
    /// offspring are perturbed copies.
    fn effective_variation(&self) -> Variation {
        match self.perturbation {
            Some(_) => Variation {
                p_c: 0.0,
                p_m: Some(0.0),
                ..self.variation
            },
            None => self.variation,
        }
    }
}

/// Runs NSGA-NODE on `problem`; `progress` is called after every generation.
///
/// Errors: invalid configuration ([`Error::InvalidConfig`]: zero generations, a population
/// below 2, bad Adam or loss weights, impossible reference partitions); errors of the solver
/// configuration. Failed members are results, not errors.
pub fn run_nsga_node<P: BatchSystem<f64>>(
    problem: &NodeProblem<P>,
    cfg: &NodeConfig,
    progress: impl FnMut(&Progress),
) -> Result<NodeResult> {
    cfg.validate()?;
    let no = problem.n_objectives();
    let variation = cfg.effective_variation();
    match cfg.selector {
        Selector::Nsga2 => {
            let alg = Nsga2::with_variation(problem, cfg.pop_size, cfg.seed, variation)?
                .threads(cfg.threads);
            drive(problem, cfg, alg, progress)
        }
        Selector::Nsga3 { partitions } => {
            let refs = das_dennis(no, partitions)?;
            let alg = Nsga3::with_variation(problem, refs, cfg.pop_size, cfg.seed, variation)?
                .threads(cfg.threads);
            drive(problem, cfg, alg, progress)
        }
        Selector::Rvea { partitions } => {
            let refs = das_dennis(no, partitions)?;
            let alg = Rvea::with_options(
                problem,
                refs,
                cfg.generations,
                cfg.seed,
                2.0,
                0.1,
                variation,
            )?
            .threads(cfg.threads);
            drive(problem, cfg, alg, progress)
        }
    }
}

/// The initial genomes: the physics values (if trainable), then a network initialisation
/// from `rng::stream(seed, "init", 0, member)`.
pub fn initial_genomes<P>(problem: &NodeProblem<P>, init: Init, seed: u64, n: usize) -> Vec<f64> {
    let spec = problem.system().spec();
    (0..n as u64)
        .flat_map(|m| {
            let phys = if problem.physics_trainable() {
                problem.physics_params().to_vec()
            } else {
                Vec::new()
            };
            phys.into_iter().chain(init_genome(spec, init, seed, m))
        })
        .collect()
}

/// `steps` Adam steps on every genome of `x` (fresh state per genome). A member whose loss
/// or gradient turns non-finite keeps its last finite genome and stops. Returns the trained
/// genomes and the number of member steps taken.
pub fn train_genomes<P: BatchSystem<f64>>(
    problem: &NodeProblem<P>,
    x: &[f64],
    steps: usize,
    adam: &Adam,
    weights: LossWeights,
) -> Result<(Vec<f64>, u64)> {
    let ng = problem.n_genome();
    let mut x = x.to_vec();
    let n = x.len() / ng;
    let mut states: Vec<_> = (0..n).map(|_| adam.state::<f64>(ng)).collect();
    let mut active: Vec<usize> = (0..n).collect();
    let mut taken = 0u64;
    for _ in 0..steps {
        if active.is_empty() {
            break;
        }
        let sub: Vec<f64> = active
            .iter()
            .flat_map(|&m| x[m * ng..(m + 1) * ng].iter().copied())
            .collect();
        let lg = problem.loss_gradient(&sub, weights)?;
        let mut still = Vec::with_capacity(active.len());
        for (k, &m) in active.iter().enumerate() {
            let g = &lg.grad[k * ng..(k + 1) * ng];
            if !lg.loss[k].is_finite() || g.iter().any(|v| !v.is_finite()) {
                continue;
            }
            let mut row = x[m * ng..(m + 1) * ng].to_vec();
            adam.step(&mut row, g, &mut states[m])?;
            taken += 1;
            if row.iter().all(|v| v.is_finite()) {
                x[m * ng..(m + 1) * ng].copy_from_slice(&row);
                still.push(m);
            }
        }
        active = still;
    }
    Ok((x, taken))
}

fn drive<P: BatchSystem<f64>, A: Algorithm>(
    problem: &NodeProblem<P>,
    cfg: &NodeConfig,
    mut alg: A,
    mut progress: impl FnMut(&Progress),
) -> Result<NodeResult> {
    let start = Instant::now();
    let no = problem.n_objectives();
    let mut adam_total = 0u64;
    for gen in 0..cfg.generations {
        let asked = alg.ask()?.to_vec();
        if gen == 0 {
            let n = asked.len() / problem.n_genome();
            alg.replace_pending(&initial_genomes(problem, cfg.init, cfg.seed, n))?;
        } else if let Some(sigma) = cfg.perturbation {
            // Genome layout: trainable physics parameters first, then the network.
            let n_phys = if problem.physics_trainable() {
                problem.physics_params().len()
            } else {
                0
            };
            let mask: Vec<bool> = (0..problem.n_genome()).map(|j| j < n_phys).collect();
            let mut x = asked;
            gaussian_perturbation(&mut x, &mask, sigma, cfg.seed, gen)?;
            alg.replace_pending(&x)?;
        }
        let x = alg.ask()?.to_vec();
        let (trained, taken) = train_genomes(problem, &x, cfg.adam_steps, &cfg.adam, cfg.weights)?;
        adam_total += taken;
        let eval_x = if cfg.lamarckian {
            alg.replace_pending(&trained)?;
            alg.ask()?.to_vec()
        } else {
            trained
        };
        let e = problem.evaluate_genomes(&eval_x)?;
        alg.tell(&e.f, &e.g)?;
        let c = alg.core();
        let mut best = vec![f64::INFINITY; no];
        for row in c.f.chunks_exact(no) {
            best.iter_mut().zip(row).for_each(|(b, v)| *b = b.min(*v));
        }
        progress(&Progress {
            generation: gen + 1,
            generations: cfg.generations,
            best,
            failed: c.cv.iter().filter(|v| **v > 0.0).count(),
            adam_steps: adam_total,
            elapsed: start.elapsed(),
        });
    }
    let c = alg.core();
    // The told objectives of a Baldwinian run belong to the trained genomes; re-evaluate the
    // kept genomes so the result's objectives and trajectories describe what it returns.
    let e = problem.evaluate_genomes(&c.x)?;
    let (front, knee) = front_and_knee(&e.f, &e.g, no);
    Ok(NodeResult {
        genomes: c.x.clone(),
        objectives: e.f,
        violation: e.g,
        front,
        knee,
        trajectories: e.trajectories,
        n_genome: problem.n_genome(),
        n_obj: no,
        adam_steps: adam_total,
    })
}

/// The feasible non-dominated members (by increasing first objective) and the knee: the
/// member nearest the ideal point with every objective scaled to `[0, 1]` over the front.
/// With no feasible member the front is every member and the knee is member 0.
pub fn front_and_knee(f: &[f64], g: &[f64], n_obj: usize) -> (Vec<usize>, usize) {
    let feas: Vec<usize> = (0..g.len()).filter(|&i| g[i] <= 0.0).collect();
    if feas.is_empty() {
        return ((0..g.len()).collect(), 0);
    }
    let sub: Vec<f64> = feas
        .iter()
        .flat_map(|&i| f[i * n_obj..(i + 1) * n_obj].iter().copied())
        .collect();
    let rank = crate::moo::nondominated_sort(&sub, n_obj).expect("finite feasible objectives");
    let mut front: Vec<usize> = feas
        .iter()
        .zip(&rank)
        .filter(|(_, r)| **r == 0)
        .map(|(i, _)| *i)
        .collect();
    front.sort_by(|&a, &b| f[a * n_obj].total_cmp(&f[b * n_obj]).then(a.cmp(&b)));
    let mut lo = vec![f64::INFINITY; n_obj];
    let mut hi = vec![f64::NEG_INFINITY; n_obj];
    for &i in &front {
        for k in 0..n_obj {
            lo[k] = lo[k].min(f[i * n_obj + k]);
            hi[k] = hi[k].max(f[i * n_obj + k]);
        }
    }
    let dist = |i: usize| {
        (0..n_obj).fold(0.0, |s, k| {
            let span = hi[k] - lo[k];
            let v = if span > 0.0 {
                (f[i * n_obj + k] - lo[k]) / span
            } else {
                0.0
            };
            v.mul_add(v, s)
        })
    };
    let knee = front
        .iter()
        .copied()
        .min_by(|&a, &b| dist(a).total_cmp(&dist(b)).then(a.cmp(&b)))
        .expect("non-empty front");
    (front, knee)
}
