//! NSGA-III-PINN as the forecast model of MoPINNEnKF: an implementation of
//! [`crate::da::mopinnenkf::PinnEnsemble`].

use super::{train_nsga_pinn, NsgaPinnConfig, PinnOutcome, Progress};
use crate::backend::Backend;
use crate::da::mopinnenkf::PinnEnsemble;
use crate::error::{Error, Result};
use crate::nn::MlpSpec;
use crate::pinn::problem::{predict, split_members, to_element, PinnProblem};

/// The ensemble of MoPINNEnKF (Algorithm 2): every iteration trains the population with
/// NSGA-PINN on the current data targets (warm-started from the previous iteration's
/// population), takes `n_members` members (the first front first, then the rest by summed
/// loss) and returns their predictions at the observation points.
///
/// Iteration 0 may reuse an outcome trained beforehand on the raw observations (the
/// NSGA-III-PINN run of the same reproduction), so the comparison row and the first
/// MoPINNEnKF forecast are the same networks.
pub struct NsgaPinnEnsemble<P: PinnProblem> {
    problem: P,
    spec: MlpSpec,
    cfg: NsgaPinnConfig,
    backend: Backend,
    n_members: usize,
    first: Option<PinnOutcome>,
    outcomes: Vec<PinnOutcome>,
    progress: Box<dyn FnMut(&Progress)>,
}

impl<P: PinnProblem> NsgaPinnEnsemble<P> {
    /// An ensemble of `n_members` (≥ 2, ≤ `cfg.pop_size`) networks; `retrain` configures every
    /// training round (its `initial` is replaced by the previous population, its seed offset
    /// by the iteration).
    pub fn new(
        problem: P,
        spec: MlpSpec,
        retrain: NsgaPinnConfig,
        backend: Backend,
        n_members: usize,
        first: Option<PinnOutcome>,
        progress: Box<dyn FnMut(&Progress)>,
    ) -> Result<Self> {
        if n_members < 2 || n_members > retrain.pop_size {
            return Err(Error::config(
                "n_members",
                format!(
                    "an EnKF ensemble needs 2 ≤ members ≤ population ({}), got {n_members}",
                    retrain.pop_size
                ),
            ));
        }
        Ok(NsgaPinnEnsemble {
            problem,
            spec,
            cfg: retrain,
            backend,
            n_members,
            first,
            outcomes: Vec::new(),
            progress,
        })
    }

    /// Outcomes of every training round so far.
    pub fn outcomes(&self) -> &[PinnOutcome] {
        &self.outcomes
    }

    /// The problem (with the latest data targets).
    pub fn problem(&self) -> &P {
        &self.problem
    }

    /// Members chosen for the ensemble from an outcome, in order.
    pub fn ensemble_members(&self, o: &PinnOutcome) -> Vec<usize> {
        let k = o.term_names.len();
        let p = o.terms.len() / k;
        let sum = |m: usize| -> f64 { o.member_terms(m).iter().sum() };
        let mut rest: Vec<usize> = (0..p).filter(|m| !o.front.contains(m)).collect();
        rest.sort_by(|&a, &b| sum(a).total_cmp(&sum(b)).then(a.cmp(&b)));
        let mut order = o.front.clone();
        order.extend(rest);
        order.truncate(self.n_members);
        order
    }

    /// Network values of the given members of `o` at `points` (`members × N`).
    pub fn predict_members(
        &self,
        o: &PinnOutcome,
        members: &[usize],
        points: &[f64],
    ) -> Result<Vec<f64>> {
        let rows: Vec<f64> = members.iter().flat_map(|&m| o.member(m).to_vec()).collect();
        let (genomes, _) = split_members(&rows, self.spec.n_params(), self.problem.n_physical());
        predict::<P::T>(&self.backend, &self.spec, &to_element(&genomes), points)
    }
}

impl<P: PinnProblem> PinnEnsemble for NsgaPinnEnsemble<P> {
    fn train_and_predict(&mut self, iteration: usize, targets: &[f64]) -> Result<Vec<f64>> {
        self.problem.set_data_targets(targets)?;
        let outcome = match (iteration, self.first.take()) {
            (0, Some(o)) => o,
            _ => {
                let mut cfg = self.cfg.clone();
                cfg.seed = self.cfg.seed.wrapping_add(iteration as u64);
                cfg.initial = self.outcomes.last().map(|o| o.members.clone());
                train_nsga_pinn(
                    &self.problem,
                    &self.spec,
                    &cfg,
                    &self.backend,
                    &mut *self.progress,
                )?
            }
        };
        let members = self.ensemble_members(&outcome);
        let points = self.problem.observations().points.clone();
        let forecast = self.predict_members(&outcome, &members, &points)?;
        self.outcomes.push(outcome);
        Ok(forecast)
    }

    /// Test mean squared error of the knee member of the latest round.
    fn test_error(&self) -> Option<f64> {
        let o = self.outcomes.last()?;
        let test = self.problem.test_set();
        let u = self
            .predict_members(o, &[o.choice.knee], &test.points)
            .ok()?;
        let n = u.len() as f64;
        Some(
            u.iter()
                .zip(&test.values)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                / n,
        )
    }
}
