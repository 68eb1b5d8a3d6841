//! The time-fractional mixed diffusion-wave equation `D_t^α u = u_xx + f` as a
//! [`PinnProblem`]: residual on the space–time grid with the Caputo derivative by the L1
//! scheme over the network's values at every time level, the initial/boundary misfit and the
//! observation misfit; α fixed (forward problem, with the possibly noisy source of the data
//! set as model error) or trainable (inverse problem, the last gene of every member).
//!
//! The L1 sum couples all time levels of a space point, so the residual is not pointwise: the
//! network's jets (u, u_xx) are computed on the grid, [`caputo_residual`] forms the residuals,
//! the loss, its adjoints with respect to every grid value and its α-derivative, and the
//! adjoints are pulled back to the genome through
//! [`GivenAdjoints`](crate::pinn::problem::GivenAdjoints), for every member in one call of the
//! backend ([`DeviceLoss::Adjoints`]: per-member adjoint rows). The same function scores
//! the exact solution in the tests, so the training loss is checked against `t³ sin x`.

use crate::backend::cuda::{AdjointComponents, DeviceFloat, DeviceLoss};
use crate::backend::Backend;
use crate::error::{check_finite, check_len, Error, Result};
use crate::nn::{JetSpec, MlpSpec};
use crate::pinn::caputo::L1Caputo;
use crate::pinn::dataset::{PinnDataset, PointSet};
use crate::pinn::problem::{
    check_members, n_genes, split_members, to_element, DataTerms, PinnProblem, TermEval,
    STANDARD_TERMS,
};
use crate::pinn::tfmdwe::TfmdweDataset;

/// Residuals, loss and adjoints of the L1-discretised TFMDWE on a grid.
#[derive(Debug, Clone, PartialEq)]
pub struct CaputoResidual {
    /// Mean squared residual over the `N × nx` grid points with t > 0.
    pub loss: f64,
    /// Residuals, row-major `N × nx` (time level n = 1..N, space index i).
    pub residual: Vec<f64>,
    /// `∂loss/∂u_{j,i}`, row-major `(N + 1) × nx` (j = 0..N).
    pub adj_u: Vec<f64>,
    /// `∂loss/∂(u_xx)_{j,i}`, row-major `(N + 1) × nx` (zero at j = 0, which has no residual).
    pub adj_uxx: Vec<f64>,
    /// `∂loss/∂α` with the values held fixed.
    pub dalpha: f64,
}

/// Residuals `r_{n,i} = D^α_{L1} u(t_n, x_i) − u_xx(t_n, x_i) − f_{n,i}` on the grid and
/// their mean square with adjoints.
///
/// `u`, `uxx`: `(N + 1) × nx` values at t_0..t_N; `source`: `N × nx` at t_1..t_N; `caputo`
/// covers N steps.
pub fn caputo_residual(
    u: &[f64],
    uxx: &[f64],
    source: &[f64],
    caputo: &L1Caputo,
    nx: usize,
) -> Result<CaputoResidual> {
    let op = "caputo_residual";
    let n = caputo.n_steps();
    if nx == 0 {
        return Err(Error::Empty {
            op,
            what: "space points",
        });
    }
    check_len(op, "u ((N + 1) × nx)", (n + 1) * nx, u.len())?;
    check_len(op, "uxx ((N + 1) × nx)", (n + 1) * nx, uxx.len())?;
    check_len(op, "source (N × nx)", n * nx, source.len())?;
    let (w, dw) = (caputo.weights(), caputo.dweights());
    let m = (n * nx) as f64;
    let mut residual = vec![0.0; n * nx];
    let mut adj_u = vec![0.0; (n + 1) * nx];
    let mut adj_uxx = vec![0.0; (n + 1) * nx];
    let (mut loss, mut dalpha) = (0.0, 0.0);
    let mut diff = vec![0.0; n + 1];
    let mut adj_diff = vec![0.0; n + 1];
    for i in 0..nx {
        // diff[j] = u_j − u_{j−1}: D^α u(t_n) = Σ_k w_k diff[n − k].
        for j in 1..=n {
            diff[j] = u[j * nx + i] - u[(j - 1) * nx + i];
        }
        adj_diff.iter_mut().for_each(|a| *a = 0.0);
        for level in 1..=n {
            let (mut d, mut dd) = (0.0, 0.0);
            for k in 0..level {
                d += w[k] * diff[level - k];
                dd += dw[k] * diff[level - k];
            }
            let r = d - uxx[level * nx + i] - source[(level - 1) * nx + i];
            residual[(level - 1) * nx + i] = r;
            loss += r * r;
            let c = 2.0 * r / m;
            dalpha += c * dd;
            adj_uxx[level * nx + i] = -c;
            for k in 0..level {
                adj_diff[level - k] += c * w[k];
            }
        }
        for j in 1..=n {
            adj_u[j * nx + i] += adj_diff[j];
            adj_u[(j - 1) * nx + i] -= adj_diff[j];
        }
    }
    Ok(CaputoResidual {
        loss: loss / m,
        residual,
        adj_u,
        adj_uxx,
        dalpha,
    })
}

/// TFMDWE PINN problem on a [`TfmdweDataset`] (points `(x, t)`).
#[derive(Debug, Clone)]
pub struct TfmdweProblem<T> {
    nx: usize,
    dt: f64,
    n_steps: usize,
    caputo: Option<L1Caputo>,
    alpha_bounds: Vec<(f64, f64)>,
    source: Vec<f64>,
    grid: Vec<T>,
    terms: DataTerms<T>,
}

impl<T: DeviceFloat> TfmdweProblem<T> {
    /// Forward problem: α is the data set's (its L1 weights), the source is the data set's
    /// (noisy when it was built with `source_noise > 0`).
    pub fn forward(ds: TfmdweDataset) -> Result<Self> {
        let caputo = ds.caputo.clone();
        Self::build(ds, Some(caputo), Vec::new())
    }

    /// Inverse problem: α is trained, drawn initially uniform in `(lo, hi)` and kept there;
    /// `0 < lo < hi < 1` (the L1 scheme's range).
    pub fn inverse(ds: TfmdweDataset, lo: f64, hi: f64) -> Result<Self> {
        if !(lo.is_finite() && hi.is_finite() && 0.0 < lo && lo < hi && hi < 1.0) {
            return Err(Error::config(
                "alpha bounds",
                format!("need 0 < lo < hi < 1 (the L1 scheme's range), got ({lo}, {hi})"),
            ));
        }
        Self::build(ds, None, vec![(lo, hi)])
    }

    fn build(
        ds: TfmdweDataset,
        caputo: Option<L1Caputo>,
        alpha_bounds: Vec<(f64, f64)>,
    ) -> Result<Self> {
        let op = "TfmdweProblem";
        let data = ds.data;
        let (nx, n_steps) = (ds.x.len(), ds.caputo.n_steps());
        if nx == 0 {
            return Err(Error::Empty {
                op,
                what: "space grid",
            });
        }
        check_len(op, "time grid (N + 1 levels)", n_steps + 1, ds.t_grid.len())?;
        check_len(op, "source (N × nx)", n_steps * nx, ds.source.len())?;
        check_finite(op, "source", &ds.source)?;
        let mut grid = Vec::with_capacity(2 * (n_steps + 1) * nx);
        for &t in &ds.t_grid {
            for &x in &ds.x {
                grid.extend([x, t]);
            }
        }
        Ok(TfmdweProblem {
            nx,
            dt: ds.caputo.dt(),
            n_steps,
            caputo,
            alpha_bounds,
            source: ds.source,
            grid: to_element(&grid),
            terms: DataTerms::new(op, data)?,
        })
    }

    /// The data set (without the grid and source, which the problem keeps).
    pub fn dataset(&self) -> &PinnDataset {
        &self.terms.data
    }

    /// The fixed order α, or `None` for the inverse problem.
    pub fn fixed_alpha(&self) -> Option<f64> {
        self.caputo.as_ref().map(|c| c.alpha())
    }

    /// Residual loss and adjoints of one member whose network values `u` and `uxx` on the
    /// grid are given (`(N + 1) × nx` each), with order `alpha` when the problem trains it.
    pub fn residual_of_values(
        &self,
        u: &[f64],
        uxx: &[f64],
        alpha: Option<f64>,
    ) -> Result<CaputoResidual> {
        match (&self.caputo, alpha) {
            (Some(c), _) => caputo_residual(u, uxx, &self.source, c, self.nx),
            (None, Some(a)) => {
                let c = L1Caputo::new(a, self.dt, self.n_steps)?;
                caputo_residual(u, uxx, &self.source, &c, self.nx)
            }
            (None, None) => Err(Error::config(
                "alpha",
                "the inverse problem needs the member's α",
            )),
        }
    }
}

impl<T: DeviceFloat> PinnProblem for TfmdweProblem<T> {
    type T = T;

    fn name(&self) -> &str {
        if self.caputo.is_some() {
            "tfmdwe-forward"
        } else {
            "tfmdwe-inverse"
        }
    }
    fn n_in(&self) -> usize {
        2
    }
    fn term_names(&self) -> &[&'static str] {
        &STANDARD_TERMS
    }
    fn data_term(&self) -> usize {
        2
    }
    fn physical_names(&self) -> &[&'static str] {
        if self.caputo.is_some() {
            &[]
        } else {
            &["alpha"]
        }
    }
    fn physical_bounds(&self) -> &[(f64, f64)] {
        &self.alpha_bounds
    }

    fn evaluate(
        &self,
        backend: &Backend,
        spec: &MlpSpec,
        members: &[T],
        weights: Option<&[f64]>,
    ) -> Result<TermEval<T>> {
        let p = check_members("TfmdweProblem::evaluate", self, spec, members, weights)?;
        let (np, ne) = (spec.n_params(), self.n_physical());
        let ng = n_genes(self, spec);
        let (genomes, physical) = split_members(members, np, ne);
        let mut grad = vec![T::ZERO; if weights.is_some() { p * ng } else { 0 }];
        let w = |k: usize| weights.map(|w| w[k]);

        // u, u_x, u_t, u_xx on the grid; the residual reads components 0 and 3.
        let jet = JetSpec::with_pairs(2, vec![(0, 0)])?;
        let ixx = jet.hess(0, 0).expect("pair (0, 0) is carried");
        let nc = jet.n_comp();
        let n_grid = self.grid.len() / 2;
        let jets = backend.jets(spec, &genomes, &self.grid, &jet)?;
        // The Caputo sums couple a member's time levels, so they run on the host, one member
        // per work item; the adjoints are then pulled back through every member at once.
        let per_member = crate::parallel::map_indexed(
            p,
            backend.host().threads,
            |m| -> Result<(f64, Vec<T>, f64)> {
                let block = &jets[m * n_grid * nc..(m + 1) * n_grid * nc];
                let u: Vec<f64> = block.chunks_exact(nc).map(|c| c[0].to_f64()).collect();
                let uxx: Vec<f64> = block.chunks_exact(nc).map(|c| c[ixx].to_f64()).collect();
                let alpha = (ne == 1).then(|| physical[m].to_f64());
                let cr = self.residual_of_values(&u, &uxx, alpha)?;
                let Some(w0) = w(0) else {
                    return Ok((cr.loss, Vec::new(), 0.0));
                };
                // The engine averages over points: scale the adjoints by the point count.
                let scale = w0 * n_grid as f64;
                let aux: Vec<T> = cr
                    .adj_u
                    .iter()
                    .zip(&cr.adj_uxx)
                    .flat_map(|(a, b)| [T::from_f64(scale * a), T::from_f64(scale * b)])
                    .collect();
                Ok((cr.loss, aux, w0 * cr.dalpha))
            },
        );
        let mut res = Vec::with_capacity(p);
        let mut aux = Vec::with_capacity(if weights.is_some() { p * n_grid * 2 } else { 0 });
        let mut dalpha = Vec::with_capacity(p);
        for item in per_member {
            let (loss, a, da) = item?;
            res.push(loss);
            aux.extend(a);
            dalpha.push(da);
        }
        if weights.is_some() {
            let pull = DeviceLoss::Adjoints(AdjointComponents::new(&[0, ixx])?);
            let lg = backend.loss_grad(spec, &genomes, &self.grid, &aux, &[], &jet, pull)?;
            for m in 0..p {
                let row = &mut grad[m * ng..(m + 1) * ng];
                for (a, b) in row[..np].iter_mut().zip(&lg.grad[m * np..(m + 1) * np]) {
                    *a = *a + *b;
                }
                if ne == 1 {
                    row[np] = row[np] + T::from_f64(dalpha[m]);
                }
            }
        }
        let (bnd, dat) = self
            .terms
            .evaluate(backend, spec, &genomes, weights, &mut grad, ng)?;
        let terms = (0..p).flat_map(|m| [res[m], bnd[m], dat[m]]).collect();
        Ok(TermEval { terms, grad })
    }

    fn observations(&self) -> &PointSet {
        &self.terms.data.observations
    }
    fn data_targets(&self) -> &[f64] {
        self.terms.targets()
    }
    fn set_data_targets(&mut self, targets: &[f64]) -> Result<()> {
        self.terms
            .set_targets("TfmdweProblem::set_data_targets", targets)
    }
    fn test_set(&self) -> &PointSet {
        &self.terms.data.test
    }
}
