//! The Burgers benchmark of MoPINNEnKF §3.1 (DESIGN §6): `u_t + u u_x = ν u_xx` on
//! x ∈ [−1, 1], t ∈ [0, 1], u(x, 0) = −sin(πx), u(±1, t) = 0, true ν = 0.01/π; the forward
//! problem trains with the imperfect ν = 0.02/π.
//!
//! ```
//! use pareto_sciml::pinn::burgers::{burgers_dataset, BurgersDataConfig};
//! let cfg = BurgersDataConfig { n_observations: 200, n_collocation: 300, noise_level: 0.2, ..Default::default() };
//! let data = burgers_dataset(&cfg).unwrap();
//! assert_eq!(data.observations.len(), 200);
//! assert_eq!(data.test.len(), 256 * 100);
//! ```

use crate::error::{Error, Result};
use crate::pinn::burgers_reference::{BurgersReference, DEFAULT_QUADRATURE_NODES};
use crate::pinn::dataset::{
    add_observation_noise, check_noise_level, linspace, sample_without_replacement, PinnDataset,
    PointSet,
};
use std::f64::consts::PI;

/// The true viscosity 0.01/π.
pub const NU_TRUE: f64 = 0.01 / PI;
/// The imperfect viscosity of the forward problem, 0.02/π (model error).
pub const NU_FORWARD_MODEL: f64 = 0.02 / PI;

/// Sizes, noise and seed of a Burgers data set.
#[derive(Debug, Clone, PartialEq)]
pub struct BurgersDataConfig {
    /// Initial + boundary points, spaced evenly: half on t = 0, a quarter on each of x = ±1.
    pub n_initial_boundary: usize,
    /// Interior observations, drawn without replacement from Raissi's grid (t > 0, |x| < 1).
    pub n_observations: usize,
    /// Residual collocation points, uniform in [−1, 1] × [0, 1].
    pub n_collocation: usize,
    /// Observation noise η (0.2 = 20 %).
    pub noise_level: f64,
    /// Seed of every draw.
    pub seed: u64,
}

impl Default for BurgersDataConfig {
    /// The paper's sizes: 100 initial/boundary points, 10⁴ observations, 10⁴ collocation
    /// points, no noise.
    fn default() -> Self {
        BurgersDataConfig {
            n_initial_boundary: 100,
            n_observations: 10_000,
            n_collocation: 10_000,
            noise_level: 0.0,
            seed: 0,
        }
    }
}

/// Builds the Burgers data set; the test set is Raissi's full 256 × 100 grid of the Cole–Hopf
/// solution with ν = 0.01/π. Points are (x, t).
pub fn burgers_dataset(cfg: &BurgersDataConfig) -> Result<PinnDataset> {
    check_noise_level(cfg.noise_level)?;
    if cfg.n_initial_boundary < 4 {
        return Err(Error::config(
            "n_initial_boundary",
            "needs at least 4 points (initial line and both boundaries)",
        ));
    }
    if cfg.n_observations == 0 || cfg.n_collocation == 0 {
        return Err(Error::Empty {
            op: "burgers_dataset",
            what: "observation or collocation point set",
        });
    }
    let reference = BurgersReference::new(NU_TRUE, DEFAULT_QUADRATURE_NODES)?;
    let grid = reference.raissi_grid();
    let nx = grid.x.len();

    let n_ic = cfg.n_initial_boundary / 2;
    let n_left = (cfg.n_initial_boundary - n_ic) / 2;
    let n_right = cfg.n_initial_boundary - n_ic - n_left;
    let mut bpoints = Vec::with_capacity(2 * cfg.n_initial_boundary);
    let mut bvalues = Vec::with_capacity(cfg.n_initial_boundary);
    for x in linspace(-1.0, 1.0, n_ic) {
        bpoints.extend([x, 0.0]);
        bvalues.push(-crate::math::sin_f64(PI * x));
    }
    for (edge, n) in [(-1.0, n_left), (1.0, n_right)] {
        for t in linspace(0.0, 1.0, n) {
            bpoints.extend([edge, t]);
            bvalues.push(0.0);
        }
    }

    // Interior grid points: t index ≥ 1, x index 1..nx−1.
    let interior: Vec<(usize, usize)> = (1..grid.t.len())
        .flat_map(|it| (1..nx - 1).map(move |ix| (it, ix)))
        .collect();
    let picks = sample_without_replacement(
        interior.len(),
        cfg.n_observations,
        cfg.seed,
        "observation-points",
    )?;
    let mut opoints = Vec::with_capacity(2 * picks.len());
    let mut clean = Vec::with_capacity(picks.len());
    for &p in &picks {
        let (it, ix) = interior[p];
        opoints.extend([grid.x[ix], grid.t[it]]);
        clean.push(grid.u[it * nx + ix]);
    }
    let noisy = add_observation_noise(&clean, cfg.noise_level, cfg.seed)?;

    let mut colloc = Vec::with_capacity(2 * cfg.n_collocation);
    let mut s = crate::rng::stream(cfg.seed, "collocation", 0, 0);
    for _ in 0..cfg.n_collocation {
        colloc.push(s.uniform_range(-1.0, 1.0));
        colloc.push(s.uniform_f64());
    }

    let mut tpoints = Vec::with_capacity(2 * grid.u.len());
    for &t in &grid.t {
        for &x in &grid.x {
            tpoints.extend([x, t]);
        }
    }
    Ok(PinnDataset {
        collocation: colloc,
        boundary: PointSet::new(2, bpoints, bvalues)?,
        observations: PointSet::new(2, opoints, noisy)?,
        clean_observations: clean,
        test: PointSet::new(2, tpoints, grid.u)?,
        noise_level: cfg.noise_level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_has_the_requested_sizes_and_exact_boundary_values() {
        let cfg = BurgersDataConfig {
            n_observations: 500,
            n_collocation: 700,
            noise_level: 0.5,
            seed: 4,
            ..Default::default()
        };
        let d = burgers_dataset(&cfg).unwrap();
        assert_eq!(d.boundary.len(), 100);
        assert_eq!(d.observations.len(), 500);
        assert_eq!(d.collocation.len(), 1400);
        for i in 0..d.boundary.len() {
            let p = d.boundary.point(i);
            if p[1] <= 0.0 {
                assert!((d.boundary.values[i] + (PI * p[0]).sin()).abs() < 1e-15);
            } else {
                assert!((p[0].abs() - 1.0).abs() < 1e-15 && d.boundary.values[i].to_bits() == 0);
            }
        }
        for i in 0..d.observations.len() {
            let p = d.observations.point(i);
            assert!(p[0].abs() < 1.0 && p[1] > 0.0);
        }
        assert!(d
            .collocation
            .chunks(2)
            .all(|p| (-1.0..1.0).contains(&p[0]) && (0.0..1.0).contains(&p[1])));
        // same seed, same bits
        let again = burgers_dataset(&cfg).unwrap();
        assert_eq!(d, again);
    }

    #[test]
    fn bad_configurations_are_rejected() {
        let bad = |f: fn(&mut BurgersDataConfig)| {
            let mut c = BurgersDataConfig {
                n_observations: 10,
                n_collocation: 10,
                ..Default::default()
            };
            f(&mut c);
            burgers_dataset(&c).is_err()
        };
        assert!(bad(|c| c.noise_level = -0.2));
        assert!(bad(|c| c.noise_level = f64::NAN));
        assert!(bad(|c| c.n_observations = 0));
        assert!(bad(|c| c.n_collocation = 0));
        assert!(bad(|c| c.n_initial_boundary = 2));
        assert!(bad(|c| c.n_observations = 30_000));
    }
}
