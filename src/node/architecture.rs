//! Architecture search around NSGA-NODE: an outer NSGA-II over (depth, width) of the
//! correction network whose objectives are the best inner data misfit and the parameter count.
//!
//! Decision variables are continuous in `[d_min, d_max + 1)` × `[w_min, w_max + 1)` and
//! floored to integers, so SBX and polynomial mutation work unchanged. Every architecture's
//! inner run is reproducible on its own: its seed is drawn from
//! `rng::stream(seed, "node-arch", depth, width)`, so the same (seed, depth, width) gives the
//! same inner result whatever the outer run around it, and an architecture met twice is
//! evaluated once (cached).

use super::nsga_node::{front_and_knee, run_nsga_node, NodeConfig};
use super::problem::NodeProblem;
use crate::error::{Error, Result};
use crate::moo::algorithm::Algorithm;
use crate::moo::problem::{Bounds, Problem};
use crate::moo::Nsga2;
use crate::ode::BatchSystem;
use std::collections::BTreeMap;

/// The searched ranges (inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchSpace {
    /// Hidden layers, `(min, max)`, `min ≥ 1`.
    pub depth: (usize, usize),
    /// Units per hidden layer, `(min, max)`, `min ≥ 1`.
    pub width: (usize, usize),
}

/// Outer-loop settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchConfig {
    /// Outer population (≥ 2).
    pub pop_size: usize,
    /// Outer generations (≥ 1).
    pub generations: u64,
    /// Master seed of the outer run and of every inner seed.
    pub seed: u64,
}

/// One evaluated architecture.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchEval {
    /// Hidden layers.
    pub depth: usize,
    /// Units per hidden layer.
    pub width: usize,
    /// Network parameters.
    pub n_params: usize,
    /// Lowest data misfit of the inner final population (`+∞` if every member failed).
    pub best_misfit: f64,
    /// The inner run's seed.
    pub inner_seed: u64,
}

/// The outcome of [`search_architectures`].
#[derive(Clone, Debug, PartialEq)]
pub struct ArchResult {
    /// Every architecture evaluated, in order of first evaluation.
    pub evaluated: Vec<ArchEval>,
    /// Indices into `evaluated` of the non-dominated (misfit, parameter count) set, by
    /// increasing misfit.
    pub front: Vec<usize>,
}

/// The inner seed of an architecture.
pub fn inner_seed(seed: u64, depth: usize, width: usize) -> u64 {
    crate::rng::stream(seed, "node-arch", depth as u64, width as u64).next_u64()
}

/// Bounds-only problem the outer NSGA-II is built from (evaluation happens in the driver).
struct Space(Bounds);

impl Problem for Space {
    fn n_var(&self) -> usize {
        2
    }
    fn n_obj(&self) -> usize {
        2
    }
    fn n_constr(&self) -> usize {
        1
    }
    fn bounds(&self) -> &Bounds {
        &self.0
    }
    fn evaluate(&self, _: &[f64], _: &mut [f64], _: &mut [f64]) -> Result<()> {
        Err(Error::config(
            "ArchSpace",
            "evaluated by search_architectures",
        ))
    }
}

/// Runs the outer NSGA-II. `build(depth, width)` returns the inner problem for a network of
/// `depth` hidden layers of `width` units; each inner run uses `inner` with its seed replaced
/// by [`inner_seed`].
pub fn search_architectures<P, F>(
    space: ArchSpace,
    cfg: ArchConfig,
    inner: &NodeConfig,
    build: F,
) -> Result<ArchResult>
where
    P: BatchSystem<f64>,
    F: Fn(usize, usize) -> Result<NodeProblem<P>>,
{
    let (d, w) = (space.depth, space.width);
    if d.0 == 0 || w.0 == 0 || d.0 > d.1 || w.0 > w.1 {
        return Err(Error::config(
            "ArchSpace",
            format!("need 1 ≤ min ≤ max, got depth {d:?}, width {w:?}"),
        ));
    }
    if cfg.generations == 0 {
        return Err(Error::config("generations", "must be at least 1"));
    }
    // Just below max + 1, so flooring reaches max but never max + 1.
    let top = |m: usize| (m + 1) as f64 - 1e-9 * (m + 1) as f64;
    let bounds = Bounds::new(vec![d.0 as f64, w.0 as f64], vec![top(d.1), top(w.1)])?;
    let space_p = Space(bounds);
    let mut alg = Nsga2::new(&space_p, cfg.pop_size, cfg.seed)?;
    let mut cache: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut evaluated: Vec<ArchEval> = Vec::new();
    for _ in 0..cfg.generations {
        let x = alg.ask()?.to_vec();
        let mut f = Vec::with_capacity(x.len());
        let mut g = Vec::with_capacity(x.len() / 2);
        for row in x.chunks_exact(2) {
            let depth = (row[0].floor() as usize).clamp(d.0, d.1);
            let width = (row[1].floor() as usize).clamp(w.0, w.1);
            let idx = match cache.get(&(depth, width)) {
                Some(&i) => i,
                None => {
                    let e = evaluate_arch(depth, width, cfg.seed, inner, &build)?;
                    evaluated.push(e);
                    cache.insert((depth, width), evaluated.len() - 1);
                    evaluated.len() - 1
                }
            };
            let e = &evaluated[idx];
            f.extend([e.best_misfit, e.n_params as f64]);
            g.push(if e.best_misfit.is_finite() { 0.0 } else { 1.0 });
        }
        alg.tell(&f, &g)?;
    }
    let f: Vec<f64> = evaluated
        .iter()
        .flat_map(|e| [e.best_misfit, e.n_params as f64])
        .collect();
    let g: Vec<f64> = evaluated
        .iter()
        .map(|e| if e.best_misfit.is_finite() { 0.0 } else { 1.0 })
        .collect();
    let (front, _) = front_and_knee(&f, &g, 2);
    Ok(ArchResult { evaluated, front })
}

fn evaluate_arch<P, F>(
    depth: usize,
    width: usize,
    seed: u64,
    inner: &NodeConfig,
    build: &F,
) -> Result<ArchEval>
where
    P: BatchSystem<f64>,
    F: Fn(usize, usize) -> Result<NodeProblem<P>>,
{
    let problem = build(depth, width)?;
    let inner_seed = inner_seed(seed, depth, width);
    let cfg = NodeConfig {
        seed: inner_seed,
        ..inner.clone()
    };
    let r = run_nsga_node(&problem, &cfg, |_| {})?;
    let best_misfit = r
        .objectives
        .chunks_exact(r.n_obj)
        .map(|o| o[0])
        .fold(f64::INFINITY, f64::min);
    Ok(ArchEval {
        depth,
        width,
        n_params: problem.n_net(),
        best_misfit,
        inner_seed,
    })
}
