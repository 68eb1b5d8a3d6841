//! The time-fractional mixed diffusion-wave benchmark of MoPINNEnKF §3.2 (DESIGN §6):
//! `D_t^α u = u_xx + f` on x ∈ [0, π], t ∈ [0, 1], u = 0 on the boundary and at t = 0,
//! `f = Γ(4)/Γ(4−α) t^{3−α} sin x + t³ sin x`, exact solution `u = t³ sin x`, α = 0.5.
//!
//! The Caputo derivative is taken by the L1 scheme ([`crate::pinn::caputo`]) on a uniform
//! time grid, so residual collocation points form a structured set: every spatial point x_i
//! at every grid time t_n, n ≥ 1, and the residual at (x_i, t_n) uses the network at
//! (x_i, t_0 … t_n).
//!
//! Model error of the forward problem: the source is replaced by
//! `f̃ = f + s · std(f) · ξ` at every collocation point (s = 0.5, ξ ~ N(0, 1) from the stream
//! `(seed, "source-noise", 0, k)`). The paper says only "adding 50 % Gaussian noise"; we read it
//! the same way as its observation noise (η · std).

use crate::error::{Error, Result};
use crate::math::{exp_f64, ln_f64, sin_f64};
use crate::pinn::caputo::L1Caputo;
use crate::pinn::dataset::{
    add_observation_noise, check_noise_level, linspace, PinnDataset, PointSet,
};
use crate::pinn::special::gamma;
use std::f64::consts::PI;

/// The true fractional order.
pub const ALPHA_TRUE: f64 = 0.5;

/// The exact solution t³ sin x.
pub fn exact_solution(x: f64, t: f64) -> f64 {
    t * t * t * sin_f64(x)
}

/// The source term f(x, t; α) = Γ(4)/Γ(4−α) t^{3−α} sin x + t³ sin x.
pub fn source(x: f64, t: f64, alpha: f64) -> f64 {
    let power = if t > 0.0 {
        exp_f64((3.0 - alpha) * ln_f64(t))
    } else {
        0.0
    };
    (6.0 / gamma(4.0 - alpha) * power + t * t * t) * sin_f64(x)
}

/// Checks 0 < α < 1 (the L1 scheme's range).
pub fn check_alpha(alpha: f64) -> Result<()> {
    if alpha.is_finite() && alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(Error::config(
            "alpha",
            format!("must lie in (0, 1), got {alpha}"),
        ))
    }
}

/// Sizes, noise and seed of a TFMDWE data set.
#[derive(Debug, Clone, PartialEq)]
pub struct TfmdweDataConfig {
    /// Initial + boundary points, evenly: half on t = 0, a quarter on each of x = 0 and x = π.
    pub n_initial_boundary: usize,
    /// Interior observations, uniform in (0, π) × (0, 1].
    pub n_observations: usize,
    /// Spatial collocation points (evenly spaced, interior of (0, π)).
    pub n_space: usize,
    /// Time steps of the L1 grid on [0, 1].
    pub n_time_steps: usize,
    /// Observation noise η.
    pub noise_level: f64,
    /// Relative source noise s (model error; 0.5 in the forward problem, 0 for a perfect model).
    pub source_noise: f64,
    /// The order α the model's source term uses.
    pub alpha: f64,
    /// Seed of every draw.
    pub seed: u64,
}

impl Default for TfmdweDataConfig {
    /// The paper's sizes: 100 initial/boundary points and 10⁴ observations; 100 × 100
    /// collocation grid; α = 0.5, no noise.
    fn default() -> Self {
        TfmdweDataConfig {
            n_initial_boundary: 100,
            n_observations: 10_000,
            n_space: 100,
            n_time_steps: 100,
            noise_level: 0.0,
            source_noise: 0.0,
            alpha: ALPHA_TRUE,
            seed: 0,
        }
    }
}

/// A TFMDWE data set: the generic part plus the structured residual grid.
#[derive(Debug, Clone)]
pub struct TfmdweDataset {
    /// Collocation (x_i, t_n) for n ≥ 1, n-major; boundary, observations and test grid.
    pub data: PinnDataset,
    /// Spatial collocation points.
    pub x: Vec<f64>,
    /// The L1 time grid t_0 = 0 … t_N = 1.
    pub t_grid: Vec<f64>,
    /// The model's source at every collocation point (noisy in the forward problem).
    pub source: Vec<f64>,
    /// L1 weights for α of the configuration and the grid's Δt.
    pub caputo: L1Caputo,
}

/// Builds the TFMDWE data set; the test set is a 100 × 100 grid with the exact solution.
pub fn tfmdwe_dataset(cfg: &TfmdweDataConfig) -> Result<TfmdweDataset> {
    check_noise_level(cfg.noise_level)?;
    check_alpha(cfg.alpha)?;
    if !(cfg.source_noise.is_finite() && cfg.source_noise >= 0.0) {
        return Err(Error::config(
            "source_noise",
            format!("must be finite and ≥ 0, got {}", cfg.source_noise),
        ));
    }
    if cfg.n_initial_boundary < 4 {
        return Err(Error::config(
            "n_initial_boundary",
            "needs at least 4 points",
        ));
    }
    if cfg.n_observations == 0 || cfg.n_space == 0 || cfg.n_time_steps == 0 {
        return Err(Error::Empty {
            op: "tfmdwe_dataset",
            what: "observation or collocation point set",
        });
    }
    let n_ic = cfg.n_initial_boundary / 2;
    let n_left = (cfg.n_initial_boundary - n_ic) / 2;
    let n_right = cfg.n_initial_boundary - n_ic - n_left;
    let mut bpoints = Vec::new();
    for x in linspace(0.0, PI, n_ic) {
        bpoints.extend([x, 0.0]);
    }
    for (edge, n) in [(0.0, n_left), (PI, n_right)] {
        for t in linspace(0.0, 1.0, n) {
            bpoints.extend([edge, t]);
        }
    }
    let bvalues = vec![0.0; bpoints.len() / 2];

    let mut s = crate::rng::stream(cfg.seed, "observation-points", 0, 0);
    let mut opoints = Vec::with_capacity(2 * cfg.n_observations);
    let mut clean = Vec::with_capacity(cfg.n_observations);
    for _ in 0..cfg.n_observations {
        // x in (0, π), t in (0, 1]: 1 − u avoids t = 0 where u vanishes identically.
        let x = PI * (1.0 - s.uniform_f64()).min(1.0 - f64::EPSILON);
        let t = 1.0 - s.uniform_f64();
        opoints.extend([x, t]);
        clean.push(exact_solution(x, t));
    }
    let noisy = add_observation_noise(&clean, cfg.noise_level, cfg.seed)?;

    let dx = PI / (cfg.n_space + 1) as f64;
    let x: Vec<f64> = (1..=cfg.n_space).map(|i| i as f64 * dx).collect();
    let t_grid = linspace(0.0, 1.0, cfg.n_time_steps + 1);
    let mut colloc = Vec::with_capacity(2 * cfg.n_space * cfg.n_time_steps);
    let mut clean_source = Vec::with_capacity(cfg.n_space * cfg.n_time_steps);
    for &t in &t_grid[1..] {
        for &xi in &x {
            colloc.extend([xi, t]);
            clean_source.push(source(xi, t, cfg.alpha));
        }
    }
    let source_values = if cfg.source_noise > 0.0 {
        // Same noise model as the observations, on its own stream.
        add_observation_noise(
            &clean_source,
            cfg.source_noise,
            cfg.seed ^ crate::rng::purpose_hash("source-noise"),
        )?
    } else {
        clean_source
    };

    let tx = linspace(0.0, PI, 100);
    let tt = linspace(0.0, 1.0, 100);
    let mut tpoints = Vec::with_capacity(2 * 100 * 100);
    let mut tvalues = Vec::with_capacity(100 * 100);
    for &t in &tt {
        for &xi in &tx {
            tpoints.extend([xi, t]);
            tvalues.push(exact_solution(xi, t));
        }
    }
    let caputo = L1Caputo::new(cfg.alpha, 1.0 / cfg.n_time_steps as f64, cfg.n_time_steps)?;
    Ok(TfmdweDataset {
        data: PinnDataset {
            collocation: colloc,
            boundary: PointSet::new(2, bpoints, bvalues)?,
            observations: PointSet::new(2, opoints, noisy)?,
            clean_observations: clean,
            test: PointSet::new(2, tpoints, tvalues)?,
            noise_level: cfg.noise_level,
        },
        x,
        t_grid,
        source: source_values,
        caputo,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The residual D^α u − u_xx − f of the exact solution through the L1 scheme: what a PINN
    /// with the exact function in place of the network would see. It vanishes as Δt → 0 at
    /// the L1 order 2 − α.
    fn max_exact_residual(n_steps: usize) -> f64 {
        let cfg = TfmdweDataConfig {
            n_observations: 10,
            n_space: 20,
            n_time_steps: n_steps,
            ..Default::default()
        };
        let d = tfmdwe_dataset(&cfg).unwrap();
        let mut worst = 0.0f64;
        for (i, &x) in d.x.iter().enumerate() {
            let u: Vec<f64> = d.t_grid.iter().map(|&t| exact_solution(x, t)).collect();
            for n in 1..=n_steps {
                let t = d.t_grid[n];
                let uxx = -exact_solution(x, t);
                let f = d.source[(n - 1) * d.x.len() + i];
                let r = d.caputo.derivative_at(&u, n).unwrap() - uxx - f;
                worst = worst.max(r.abs());
            }
        }
        worst
    }

    #[test]
    fn exact_solution_has_vanishing_residual_through_the_l1_scheme() {
        let (coarse, fine) = (max_exact_residual(50), max_exact_residual(400));
        // Ratio 8 in Δt at order 1.5 gives a factor 8^1.5 ≈ 22.6.
        assert!(fine < 2e-3, "{fine}");
        assert!(coarse / fine > 15.0, "{coarse} / {fine}");
    }

    #[test]
    fn source_matches_its_definition() {
        let f = source(1.0, 0.5, 0.5);
        let expected = (6.0 / gamma(3.5) * 0.5f64.powf(2.5) + 0.125) * 1.0f64.sin();
        assert!((f - expected).abs() < 1e-14);
        assert!(source(0.3, 0.0, 0.5).abs() < 1e-300);
    }

    #[test]
    fn dataset_shapes_and_noise() {
        let cfg = TfmdweDataConfig {
            n_observations: 300,
            n_space: 10,
            n_time_steps: 20,
            noise_level: 0.2,
            source_noise: 0.5,
            seed: 2,
            ..Default::default()
        };
        let d = tfmdwe_dataset(&cfg).unwrap();
        assert_eq!(d.data.collocation.len(), 2 * 10 * 20);
        assert_eq!(d.source.len(), 200);
        assert_eq!(d.data.observations.len(), 300);
        assert_eq!(d.t_grid.len(), 21);
        let clean = tfmdwe_dataset(&TfmdweDataConfig {
            source_noise: 0.0,
            ..cfg.clone()
        })
        .unwrap();
        assert!(d
            .source
            .iter()
            .zip(&clean.source)
            .any(|(a, b)| a.to_bits() != b.to_bits()));
    }

    #[test]
    fn bad_configurations_are_rejected() {
        for alpha in [0.0, 1.0, 1.2, -0.1, f64::NAN] {
            let c = TfmdweDataConfig {
                alpha,
                n_observations: 5,
                ..Default::default()
            };
            assert!(
                matches!(tfmdwe_dataset(&c), Err(Error::InvalidConfig { .. })),
                "{alpha}"
            );
        }
        let c = TfmdweDataConfig {
            noise_level: -1.0,
            n_observations: 5,
            ..Default::default()
        };
        assert!(tfmdwe_dataset(&c).is_err());
        let c = TfmdweDataConfig {
            n_space: 0,
            ..Default::default()
        };
        assert!(matches!(tfmdwe_dataset(&c), Err(Error::Empty { .. })));
    }
}
