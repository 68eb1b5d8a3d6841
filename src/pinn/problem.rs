//! The PDE-problem contract the PINN trainers optimise.
//!
//! A [`PinnProblem`] owns its point sets (collocation, initial/boundary, observations) and turns
//! a population of *members* into loss terms. A member is a flat vector
//! `[genome (MlpSpec order) | physical parameters]`: the network weights followed by the
//! trainable physical scalars of an inverse problem (ν for Burgers, α for TFMDWE). Each loss
//! term (residual, boundary, data) is one objective of the multi-objective trainers; ADAM-PINN
//! minimises their weighted sum. [`PinnProblem::evaluate`] returns every member's terms and,
//! when asked, the gradient of the weighted sum with respect to the whole member, computed by
//! the population kernels of a [`Backend`] (CPU or CUDA: the same bits for any thread count
//! and either backend).
//!
//! Implementations: [`BurgersProblem`](crate::pinn::burgers_problem::BurgersProblem) and
//! [`TfmdweProblem`](crate::pinn::tfmdwe_problem::TfmdweProblem).

use crate::backend::cpu::lanes::Real;
use crate::backend::cpu::Element;
use crate::backend::cuda::{DeviceFloat, DeviceLoss};
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::nn::{JetSpec, MlpSpec, PointLoss};
use crate::pinn::dataset::{PinnDataset, PointSet};

/// Loss terms of a population and, optionally, the gradient of their weighted sum.
#[derive(Debug, Clone, PartialEq)]
pub struct TermEval<T> {
    /// Terms per member, row-major `P × n_terms` (f64 whatever the element type).
    pub terms: Vec<f64>,
    /// Gradient of `Σ_k w_k L_k` per member, row-major `P × n_genes` (empty when no weights
    /// were given).
    pub grad: Vec<T>,
}

/// A PDE problem whose loss terms a population of networks is trained on.
pub trait PinnProblem: Sync {
    /// Element type of the network kernels (f32 in the reproductions, f64 in derivative tests).
    type T: DeviceFloat;

    /// Short name for logs and file names.
    fn name(&self) -> &str;
    /// Network inputs per point.
    fn n_in(&self) -> usize;
    /// Names of the loss terms, in objective order.
    fn term_names(&self) -> &[&'static str];
    /// Index of the data (observation) term among [`term_names`](Self::term_names).
    fn data_term(&self) -> usize;
    /// Names of the trainable physical parameters (empty for a forward problem).
    fn physical_names(&self) -> &[&'static str];
    /// Box of each physical parameter: initial draws are uniform in it and training keeps
    /// the parameter inside it (a projection after every optimiser step).
    fn physical_bounds(&self) -> &[(f64, f64)];
    /// Terms of `P` members (`members`: row-major `P × (spec.n_params() + n_physical)`) and,
    /// when `weights` is given (one per term), the gradient of the weighted sum.
    fn evaluate(
        &self,
        backend: &Backend,
        spec: &MlpSpec,
        members: &[Self::T],
        weights: Option<&[f64]>,
    ) -> Result<TermEval<Self::T>>;
    /// The observations as given (noisy values).
    fn observations(&self) -> &PointSet;
    /// The current data-loss targets at the observation points (the observations unless
    /// replaced, e.g. by an EnKF analysis mean).
    fn data_targets(&self) -> &[f64];
    /// Replaces the data-loss targets (same length as the observations, finite).
    fn set_data_targets(&mut self, targets: &[f64]) -> Result<()>;
    /// Test points with the reference solution.
    fn test_set(&self) -> &PointSet;

    /// Number of trainable physical parameters.
    fn n_physical(&self) -> usize {
        self.physical_bounds().len()
    }
    /// Number of terms (objectives).
    fn n_terms(&self) -> usize {
        self.term_names().len()
    }
}

/// Genes per member for `spec` on `problem`.
pub fn n_genes<P: PinnProblem + ?Sized>(problem: &P, spec: &MlpSpec) -> usize {
    spec.n_params() + problem.n_physical()
}

/// Checks `members` and `weights` against the problem and the network; returns `P`.
pub(crate) fn check_members<P: PinnProblem + ?Sized>(
    op: &'static str,
    problem: &P,
    spec: &MlpSpec,
    members: &[P::T],
    weights: Option<&[f64]>,
) -> Result<usize> {
    crate::error::check_len(op, "network inputs", problem.n_in(), spec.n_in())?;
    crate::error::check_len(op, "network outputs", 1, spec.n_out())?;
    let ng = n_genes(problem, spec);
    if members.is_empty() {
        return Err(Error::Empty {
            op,
            what: "members",
        });
    }
    if members.len() % ng != 0 {
        return Err(Error::Shape {
            op,
            what: format!("members.len() (a multiple of {ng} genes)"),
            expected: members.len().div_ceil(ng) * ng,
            got: members.len(),
        });
    }
    if let Some(i) = members.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            op,
            what: "members",
            index: i,
        });
    }
    if let Some(w) = weights {
        crate::error::check_len(op, "weights (one per term)", problem.n_terms(), w.len())?;
        crate::error::check_finite(op, "weights", w)?;
    }
    Ok(members.len() / ng)
}

/// Splits members into a contiguous genome block `P × n_params` and physical parameters
/// `P × n_physical`.
pub(crate) fn split_members<T: Copy>(
    members: &[T],
    n_params: usize,
    n_physical: usize,
) -> (Vec<T>, Vec<T>) {
    let ng = n_params + n_physical;
    let mut genomes = Vec::with_capacity(members.len() / ng * n_params);
    let mut physical = Vec::with_capacity(members.len() / ng * n_physical);
    for m in members.chunks_exact(ng) {
        genomes.extend_from_slice(&m[..n_params]);
        physical.extend_from_slice(&m[n_params..]);
    }
    (genomes, physical)
}

/// Converts f64 data to the kernel element type.
pub(crate) fn to_element<T: Element>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&x| T::from_f64(x)).collect()
}

/// Mean squared misfit of the network value against `targets` at `points`, per member, with
/// `w ·` its genome gradient accumulated into `grad` (`P × n_genes`, genome part).
#[allow(clippy::too_many_arguments)]
fn mse_term<T: DeviceFloat>(
    backend: &Backend,
    spec: &MlpSpec,
    genomes: &[T],
    points: &[T],
    targets: &[T],
    weight: Option<f64>,
    grad: &mut [T],
    n_genes: usize,
) -> Result<Vec<f64>> {
    let loss = DeviceLoss::Mse;
    let jet = JetSpec::value(spec.n_in());
    let Some(w) = weight else {
        let values = backend.loss_values(spec, genomes, points, targets, &[], &jet, loss)?;
        return Ok(values.iter().map(|v| v.to_f64()).collect());
    };
    let lg = backend.loss_grad(spec, genomes, points, targets, &[], &jet, loss)?;
    accumulate(&lg.grad, spec.n_params(), w, grad, n_genes, 0);
    Ok(lg.loss.iter().map(|v| v.to_f64()).collect())
}

/// Names of the three loss terms of the reproduced problems, in objective order.
pub(crate) const STANDARD_TERMS: [&str; 3] = ["residual", "boundary", "data"];

/// The initial/boundary and observation terms every problem shares: the data set, the current
/// data targets (f64 for callers, element type for the kernels) and the point sets as the
/// kernels read them.
#[derive(Debug, Clone)]
pub(crate) struct DataTerms<T> {
    pub(crate) data: PinnDataset,
    targets: Vec<f64>,
    boundary_x: Vec<T>,
    boundary_u: Vec<T>,
    obs_x: Vec<T>,
    obs_u: Vec<T>,
}

impl<T: DeviceFloat> DataTerms<T> {
    /// Checks that the boundary and observation sets are non-empty, 2-D and finite.
    pub(crate) fn new(op: &'static str, data: PinnDataset) -> Result<Self> {
        for (what, set) in [
            ("boundary", &data.boundary),
            ("observations", &data.observations),
        ] {
            if set.is_empty() {
                return Err(Error::Empty { op, what });
            }
            crate::error::check_len(op, "point dimension", 2, set.dim)?;
            crate::error::check_finite(op, what, &set.values)?;
        }
        Ok(DataTerms {
            targets: data.observations.values.clone(),
            boundary_x: to_element(&data.boundary.points),
            boundary_u: to_element(&data.boundary.values),
            obs_x: to_element(&data.observations.points),
            obs_u: to_element(&data.observations.values),
            data,
        })
    }

    pub(crate) fn targets(&self) -> &[f64] {
        &self.targets
    }

    pub(crate) fn set_targets(&mut self, op: &'static str, targets: &[f64]) -> Result<()> {
        crate::error::check_len(op, "targets", self.targets.len(), targets.len())?;
        crate::error::check_finite(op, "targets", targets)?;
        self.targets = targets.to_vec();
        self.obs_u = to_element(targets);
        Ok(())
    }

    /// Boundary and data terms per member; with weights, `w[1]` and `w[2]` times their genome
    /// gradients are added into `grad` (`P × n_genes`).
    pub(crate) fn evaluate(
        &self,
        backend: &Backend,
        spec: &MlpSpec,
        genomes: &[T],
        weights: Option<&[f64]>,
        grad: &mut [T],
        n_genes: usize,
    ) -> Result<(Vec<f64>, Vec<f64>)> {
        let w = |k: usize| weights.map(|w| w[k]);
        let (bx, bu) = (&self.boundary_x, &self.boundary_u);
        let bnd = mse_term(backend, spec, genomes, bx, bu, w(1), grad, n_genes)?;
        let dat = mse_term(
            backend,
            spec,
            genomes,
            &self.obs_x,
            &self.obs_u,
            w(2),
            grad,
            n_genes,
        )?;
        Ok((bnd, dat))
    }
}

/// `dst[m, offset + j] += w · src[m, j]` for every member `m`.
pub(crate) fn accumulate<T: Element>(
    src: &[T],
    width: usize,
    w: f64,
    dst: &mut [T],
    n_genes: usize,
    offset: usize,
) {
    if width == 0 {
        return;
    }
    let wt = T::from_f64(w);
    for (s, d) in src.chunks_exact(width).zip(dst.chunks_exact_mut(n_genes)) {
        for (a, b) in d[offset..offset + width].iter_mut().zip(s) {
            *a = *a + wt * *b;
        }
    }
}

/// A pointwise loss that pulls given adjoints back through the network:
/// `ℓ_p = Σ_c aux_{p,c} · out_p[components[c]]`, so the engine's genome gradient is
/// `(1/N) Σ_p Σ_c aux_{p,c} ∂out_p[c]/∂θ`. Non-local residuals (the L1 Caputo sum couples
/// all time levels of a space point) compute their adjoints outside the engine and pass them
/// here, scaled by `N`.
#[derive(Clone, Debug)]
pub struct GivenAdjoints {
    /// Jet component indices (output 0) the adjoints belong to.
    pub components: Vec<usize>,
}

impl PointLoss for GivenAdjoints {
    fn aux_width(&self) -> usize {
        self.components.len()
    }
    fn validate(&self, n_out: usize, jet: &JetSpec) -> Result<()> {
        crate::error::check_len("GivenAdjoints", "n_out (network outputs)", 1, n_out)?;
        if let Some(&c) = self.components.iter().find(|&&c| c >= jet.n_comp()) {
            return Err(Error::config(
                "GivenAdjoints.components",
                format!(
                    "component {c} is not carried by a jet of {} components",
                    jet.n_comp()
                ),
            ));
        }
        Ok(())
    }
    #[inline(always)]
    fn eval<V: crate::backend::cpu::lanes::Lane>(
        &self,
        _jet: &JetSpec,
        _x: &[V],
        aux: &[V],
        out: &[V],
        _extra: &[V],
        adj: &mut [V],
        _adj_extra: &mut [V],
    ) -> V {
        let mut l = V::zero();
        for (k, &c) in self.components.iter().enumerate() {
            l = aux[k].fma(out[c], l);
            adj[c] = adj[c].add(aux[k]);
        }
        l
    }
}

/// Network values of `P` genomes (`P × n_params`, element type `T`) at `points` (f64,
/// `N × n_in`): returns `P × N` values in f64.
pub fn predict<T: DeviceFloat>(
    backend: &Backend,
    spec: &MlpSpec,
    genomes: &[T],
    points: &[f64],
) -> Result<Vec<f64>> {
    let x: Vec<T> = to_element(points);
    let jet = JetSpec::value(spec.n_in());
    let out = backend.jets(spec, genomes, &x, &jet)?;
    // One output and one component per point: the layout is already P × N.
    Ok(out.iter().map(|v| v.to_f64()).collect())
}
