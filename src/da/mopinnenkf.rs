//! The MoPINNEnKF iteration (Lu, Mou & Lin 2025, Algorithm 2), generic over the PINN trainer.
//!
//! 1. Train a population of PINNs with NSGA-III and gradient steps; keep N_s Pareto members.
//! 2. Evaluate them at the observation points: the forecast ensemble.
//! 3. EnKF analysis against the noisy observations with R = σ² I (σ = η · std(u_obs)).
//! 4. The analysis mean becomes the data-loss target; retrain (go to 1).
//! 5. Stop when the mean squared change of the ensemble-mean prediction at the observation
//!    points between two iterations is below ε_iter, or after `max_iterations`.
//!
//! The trainer is anything implementing [`PinnEnsemble`], so this loop is tested with small
//! closed-form models and drives the real NSGA-III-PINN trainer in the reproductions.

use crate::da::enkf::{
    enkf_analysis, EnkfConfig, ObservationError, ObservationOperator, Perturbations,
};
use crate::error::{check_finite, Error, Result};

/// A trainer that produces an ensemble of PINNs fitted to given data-loss targets.
pub trait PinnEnsemble {
    /// Trains (or continues training) with `targets` as the data-loss targets at the
    /// observation points, and returns the members' predictions there, `members × n_obs`
    /// row-major. `iteration` counts from 0.
    fn train_and_predict(&mut self, iteration: usize, targets: &[f64]) -> Result<Vec<f64>>;

    /// An error against the exact solution on a test set, if the trainer knows one
    /// (recorded in the history only; never used by the loop).
    fn test_error(&self) -> Option<f64> {
        None
    }
}

/// Settings of the iteration.
#[derive(Debug, Clone, PartialEq)]
pub struct MoPinnEnkfConfig {
    /// Upper bound on train → analysis rounds (the paper uses 3).
    pub max_iterations: usize,
    /// Threshold ε_iter on the mean squared change of the mean prediction.
    pub eps_iter: f64,
    /// Observation error standard deviation σ (R = σ² I), typically η · std(u_obs).
    pub obs_sigma: f64,
    /// EnKF variant and inflation.
    pub enkf: EnkfConfig,
    /// Seed of the observation perturbations.
    pub seed: u64,
}

/// What one iteration did.
#[derive(Debug, Clone, PartialEq)]
pub struct IterationRecord {
    /// Iteration index (0-based).
    pub iteration: usize,
    /// Mean squared change of the ensemble-mean prediction since the previous iteration
    /// (`None` for the first).
    pub change: Option<f64>,
    /// Mean over observation points of the ensemble variance of the forecast.
    pub forecast_spread: f64,
    /// Mean squared difference between the analysis mean and the observations.
    pub analysis_misfit: f64,
    /// The trainer's test error after this iteration's training, if it reports one.
    pub test_error: Option<f64>,
}

/// Why the loop stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The change fell below ε_iter.
    Converged,
    /// `max_iterations` rounds were run.
    IterationCap,
}

/// The outcome: the last targets handed to the trainer, the last forecast, and the history.
#[derive(Debug, Clone, PartialEq)]
pub struct MoPinnEnkfResult {
    /// The data-loss targets of the last training round (the last analysis mean, or the
    /// observations if no analysis ran).
    pub targets: Vec<f64>,
    /// The last forecast ensemble, `members × n_obs`.
    pub forecast: Vec<f64>,
    /// One record per iteration.
    pub history: Vec<IterationRecord>,
    /// Why it stopped.
    pub stop: StopReason,
}

/// Runs the MoPINNEnKF iteration on `model` with the noisy `observations`.
pub fn run_mopinnenkf(
    model: &mut impl PinnEnsemble,
    observations: &[f64],
    config: &MoPinnEnkfConfig,
) -> Result<MoPinnEnkfResult> {
    const OP: &str = "run_mopinnenkf";
    if config.max_iterations == 0 {
        return Err(Error::config("max_iterations", "must be at least 1"));
    }
    if !(config.eps_iter.is_finite() && config.eps_iter >= 0.0) {
        return Err(Error::config(
            "eps_iter",
            format!("must be finite and ≥ 0, got {}", config.eps_iter),
        ));
    }
    if observations.is_empty() {
        return Err(Error::Empty {
            op: OP,
            what: "observations",
        });
    }
    check_finite(OP, "observations", observations)?;
    let n_obs = observations.len();
    let error = ObservationError::Isotropic {
        sigma: config.obs_sigma,
    };
    let mut targets = observations.to_vec();
    let mut previous_mean: Option<Vec<f64>> = None;
    let mut history = Vec::new();
    for iteration in 0..config.max_iterations {
        let forecast = model.train_and_predict(iteration, &targets)?;
        if forecast.is_empty() || forecast.len() % n_obs != 0 {
            return Err(Error::Shape {
                op: OP,
                what: "forecast (members × n_obs)".into(),
                expected: (forecast.len() / n_obs).max(1) * n_obs,
                got: forecast.len(),
            });
        }
        check_finite(OP, "forecast", &forecast)?;
        let members = forecast.len() / n_obs;
        let mean = column_mean(&forecast, members, n_obs);
        let spread = (0..n_obs)
            .map(|k| {
                let v: f64 = (0..members)
                    .map(|j| (forecast[j * n_obs + k] - mean[k]).powi(2))
                    .sum();
                v / (members.max(2) - 1) as f64
            })
            .sum::<f64>()
            / n_obs as f64;
        let change = previous_mean
            .as_ref()
            .map(|p| mean_squared_difference(p, &mean));
        let test_error = model.test_error();
        if change.is_some_and(|c| c < config.eps_iter) {
            history.push(IterationRecord {
                iteration,
                change,
                forecast_spread: spread,
                analysis_misfit: f64::NAN,
                test_error,
            });
            return Ok(MoPinnEnkfResult {
                targets,
                forecast,
                history,
                stop: StopReason::Converged,
            });
        }
        // The forecast *is* the state in observation space: predictions are the operator.
        let analysis = enkf_analysis(
            &config.enkf,
            &forecast,
            n_obs,
            ObservationOperator::Predictions(&forecast),
            observations,
            &error,
            Perturbations::Drawn {
                seed: config.seed,
                iteration: iteration as u64,
            },
        )?;
        let misfit = mean_squared_difference(&analysis.mean, observations);
        history.push(IterationRecord {
            iteration,
            change,
            forecast_spread: spread,
            analysis_misfit: misfit,
            test_error,
        });
        targets = analysis.mean;
        previous_mean = Some(mean);
        if iteration + 1 == config.max_iterations {
            return Ok(MoPinnEnkfResult {
                targets,
                forecast,
                history,
                stop: StopReason::IterationCap,
            });
        }
    }
    unreachable!("the loop returns on its last iteration")
}

fn column_mean(rows: &[f64], n_rows: usize, n_cols: usize) -> Vec<f64> {
    let mut mean = vec![0.0; n_cols];
    for row in rows.chunks_exact(n_cols) {
        mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
    }
    mean.iter_mut().for_each(|m| *m /= n_rows as f64);
    mean
}

fn mean_squared_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>() / a.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::da::enkf::Variant;

    /// A model whose members fit the targets up to fixed member offsets and a relaxation:
    /// prediction_l = (1 − r)·previous + r·targets + offset_l. Converges geometrically.
    struct Relaxing {
        state: Vec<f64>,
        offsets: Vec<Vec<f64>>,
        rate: f64,
        calls: usize,
    }

    impl PinnEnsemble for Relaxing {
        fn train_and_predict(&mut self, _iteration: usize, targets: &[f64]) -> Result<Vec<f64>> {
            self.calls += 1;
            for (s, t) in self.state.iter_mut().zip(targets) {
                *s = (1.0 - self.rate) * *s + self.rate * t;
            }
            Ok(self
                .offsets
                .iter()
                .flat_map(|o| self.state.iter().zip(o).map(|(s, d)| s + d))
                .collect())
        }
    }

    fn model(rate: f64) -> Relaxing {
        let n_obs = 50;
        let mut offsets: Vec<Vec<f64>> = (0..6)
            .map(|j| {
                let mut s = crate::rng::stream(1, "offsets", 0, j);
                (0..n_obs).map(|_| 0.1 * s.normal_f64()).collect()
            })
            .collect();
        // Centred, so the ensemble mean is the model state and a fixed point exists.
        for k in 0..n_obs {
            let mean = offsets.iter().map(|o| o[k]).sum::<f64>() / offsets.len() as f64;
            offsets.iter_mut().for_each(|o| o[k] -= mean);
        }
        Relaxing {
            state: vec![0.0; n_obs],
            offsets,
            rate,
            calls: 0,
        }
    }

    fn observations() -> Vec<f64> {
        (0..50).map(|k| (k as f64 * 0.2).sin()).collect()
    }

    fn config(max_iterations: usize, eps_iter: f64) -> MoPinnEnkfConfig {
        MoPinnEnkfConfig {
            max_iterations,
            eps_iter,
            obs_sigma: 0.05,
            enkf: EnkfConfig {
                variant: Variant::Stochastic,
                inflation: 1.0,
            },
            seed: 3,
        }
    }

    #[test]
    fn stops_on_the_threshold() {
        // The ETKF's analysis is deterministic, so the iteration has a fixed point; the
        // stochastic variant settles at a noise floor set by its perturbations instead.
        let mut m = model(0.8);
        let mut c = config(100, 1e-6);
        c.enkf.variant = Variant::Etkf;
        let r = run_mopinnenkf(&mut m, &observations(), &c).unwrap();
        assert_eq!(r.stop, StopReason::Converged);
        let last = r.history.last().unwrap();
        assert!(last.change.unwrap() < 1e-6);
        // every earlier recorded change was at or above the threshold
        assert!(r.history[1..r.history.len() - 1]
            .iter()
            .all(|h| h.change.unwrap() >= 1e-6));
        assert!(r.history.len() < 100);
        assert_eq!(m.calls, r.history.len());
    }

    #[test]
    fn stops_on_the_iteration_cap() {
        let mut m = model(0.1);
        let r = run_mopinnenkf(&mut m, &observations(), &config(3, 0.0)).unwrap();
        assert_eq!(r.stop, StopReason::IterationCap);
        assert_eq!(r.history.len(), 3);
        assert_eq!(m.calls, 3);
        assert!(r.history[0].change.is_none());
    }

    #[test]
    fn analysis_pulls_targets_toward_the_observations() {
        let mut m = model(1.0);
        let obs = observations();
        let r = run_mopinnenkf(&mut m, &obs, &config(2, 0.0)).unwrap();
        // After one analysis, the targets are much closer to the observations than the
        // forecast mean of the first round (state 0 + offsets).
        assert!(
            r.history[0].analysis_misfit
                < 0.05 * mean_squared_difference(&vec![0.0; obs.len()], &obs)
        );
    }

    #[test]
    fn is_deterministic() {
        let run = || run_mopinnenkf(&mut model(0.5), &observations(), &config(4, 0.0)).unwrap();
        let (a, b) = (run(), run());
        assert!(a
            .targets
            .iter()
            .zip(&b.targets)
            .all(|(x, y)| x.to_bits() == y.to_bits()));
    }

    #[test]
    fn bad_input_is_rejected() {
        let obs = observations();
        assert!(run_mopinnenkf(&mut model(0.5), &obs, &config(0, 0.0)).is_err());
        assert!(run_mopinnenkf(&mut model(0.5), &obs, &config(3, -1.0)).is_err());
        assert!(matches!(
            run_mopinnenkf(&mut model(0.5), &[], &config(3, 0.0)),
            Err(Error::Empty { .. })
        ));
        let mut nan = obs.clone();
        nan[3] = f64::NAN;
        assert!(matches!(
            run_mopinnenkf(&mut model(0.5), &nan, &config(3, 0.0)),
            Err(Error::NonFinite { .. })
        ));
        let mut c = config(3, 0.0);
        c.obs_sigma = 0.0;
        assert!(matches!(
            run_mopinnenkf(&mut model(0.5), &obs, &c),
            Err(Error::InvalidConfig { .. })
        ));
        struct Single;
        impl PinnEnsemble for Single {
            fn train_and_predict(&mut self, _: usize, t: &[f64]) -> Result<Vec<f64>> {
                Ok(t.to_vec())
            }
        }
        // one member: the EnKF needs at least two
        assert!(matches!(
            run_mopinnenkf(&mut Single, &obs, &config(3, 0.0)),
            Err(Error::InvalidConfig { .. })
        ));
    }
}
