//! Burgers' equation `u_t + u u_x = ν u_xx` as a [`PinnProblem`]: residual on the collocation
//! points, the initial/boundary misfit and the observation misfit, with ν fixed (forward
//! problem, possibly the imperfect 0.02/π) or trainable (inverse problem, the last gene of
//! every member).
//!
//! ```
//! use pareto_sciml::backend::{cpu::Cpu, Backend};
//! use pareto_sciml::nn::{init_genome, Activation, Init, MlpSpec};
//! use pareto_sciml::pinn::burgers::{burgers_dataset, BurgersDataConfig, NU_FORWARD_MODEL};
//! use pareto_sciml::pinn::burgers_problem::BurgersProblem;
//! use pareto_sciml::pinn::problem::PinnProblem;
//! let data = burgers_dataset(&BurgersDataConfig {
//!     n_observations: 200,
//!     n_collocation: 300,
//!     ..Default::default()
//! })
//! .unwrap();
//! let problem = BurgersProblem::<f64>::forward(data, NU_FORWARD_MODEL).unwrap();
//! let spec = MlpSpec::uniform(2, &[8, 8], 1, Activation::Tanh).unwrap();
//! let member = init_genome(&spec, Init::XavierUniform, 1, 0);
//! let e = problem.evaluate(&Backend::cpu(Cpu::new(1)), &spec, &member, Some(&[1.0, 1.0, 1.0])).unwrap();
//! assert_eq!(e.terms.len(), 3); // residual, boundary, data
//! assert_eq!(e.grad.len(), spec.n_params());
//! ```

use crate::backend::cuda::{DeviceFloat, DeviceLoss};
use crate::backend::Backend;
use crate::error::{check_finite, Error, Result};
use crate::nn::{Burgers, MlpSpec};
use crate::pinn::dataset::{PinnDataset, PointSet};
use crate::pinn::problem::{
    accumulate, check_members, n_genes, split_members, to_element, DataTerms, PinnProblem,
    TermEval, STANDARD_TERMS,
};

/// Burgers PINN problem on a [`PinnDataset`] (points `(x, t)`).
#[derive(Debug, Clone)]
pub struct BurgersProblem<T> {
    nu: Option<f64>,
    nu_bounds: Vec<(f64, f64)>,
    collocation: Vec<T>,
    terms: DataTerms<T>,
}

fn check_nu(nu: f64) -> Result<()> {
    if nu.is_finite() && nu > 0.0 {
        Ok(())
    } else {
        Err(Error::config(
            "nu",
            format!("the viscosity must be finite and > 0, got {nu}"),
        ))
    }
}

impl<T: DeviceFloat> BurgersProblem<T> {
    /// Forward problem with the fixed viscosity `nu` (> 0).
    pub fn forward(data: PinnDataset, nu: f64) -> Result<Self> {
        check_nu(nu)?;
        Self::build(data, Some(nu), Vec::new())
    }

    /// Inverse problem: ν is trained, drawn initially uniform in `(lo, hi)` and kept there
    /// (`0 < lo < hi`; the paper draws it in (0, 1)).
    pub fn inverse(data: PinnDataset, lo: f64, hi: f64) -> Result<Self> {
        check_nu(lo)?;
        if !(hi.is_finite() && hi > lo) {
            return Err(Error::config(
                "nu bounds",
                format!("need 0 < lo < hi, got ({lo}, {hi})"),
            ));
        }
        Self::build(data, None, vec![(lo, hi)])
    }

    fn build(data: PinnDataset, nu: Option<f64>, nu_bounds: Vec<(f64, f64)>) -> Result<Self> {
        let op = "BurgersProblem";
        if data.collocation.is_empty() || data.collocation.len() % 2 != 0 {
            return Err(Error::Empty {
                op,
                what: "collocation points (x, t)",
            });
        }
        check_finite(op, "collocation", &data.collocation)?;
        Ok(BurgersProblem {
            collocation: to_element(&data.collocation),
            nu,
            nu_bounds,
            terms: DataTerms::new(op, data)?,
        })
    }

    /// The data set.
    pub fn dataset(&self) -> &PinnDataset {
        &self.terms.data
    }

    /// The fixed viscosity, or `None` for the inverse problem.
    pub fn fixed_nu(&self) -> Option<f64> {
        self.nu
    }
}

impl<T: DeviceFloat> PinnProblem for BurgersProblem<T> {
    type T = T;

    fn name(&self) -> &str {
        if self.nu.is_some() {
            "burgers-forward"
        } else {
            "burgers-inverse"
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
        if self.nu.is_some() {
            &[]
        } else {
            &["nu"]
        }
    }
    fn physical_bounds(&self) -> &[(f64, f64)] {
        &self.nu_bounds
    }

    fn evaluate(
        &self,
        backend: &Backend,
        spec: &MlpSpec,
        members: &[T],
        weights: Option<&[f64]>,
    ) -> Result<TermEval<T>> {
        let p = check_members("BurgersProblem::evaluate", self, spec, members, weights)?;
        let (np, ne) = (spec.n_params(), self.n_physical());
        let ng = n_genes(self, spec);
        let (genomes, physical) = split_members(members, np, ne);
        let mut grad = vec![T::ZERO; if weights.is_some() { p * ng } else { 0 }];
        let w = |k: usize| weights.map(|w| w[k]);

        let residual = DeviceLoss::Burgers { nu: self.nu };
        let (x, jet) = (&self.collocation, Burgers::jet());
        // Without weights only the values are wanted: no backward sweep (same loss bits).
        let res_loss = match w(0) {
            Some(w0) => {
                let lg = backend.loss_grad(spec, &genomes, x, &[], &physical, &jet, residual)?;
                accumulate(&lg.grad, np, w0, &mut grad, ng, 0);
                accumulate(&lg.grad_extra, ne, w0, &mut grad, ng, np);
                lg.loss
            }
            None => backend.loss_values(spec, &genomes, x, &[], &physical, &jet, residual)?,
        };
        let res: Vec<f64> = res_loss.iter().map(|v| v.to_f64()).collect();
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
            .set_targets("BurgersProblem::set_data_targets", targets)
    }
    fn test_set(&self) -> &PointSet {
        &self.terms.data.test
    }
}
