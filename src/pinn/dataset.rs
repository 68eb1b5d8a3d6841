//! Training and test data of a PINN problem: collocation points, initial/boundary points with
//! their values, noisy interior observations, and a test grid with the exact solution.
//!
//! Observation noise follows MoPINNEnKF: `u_obs = u + η · std(u) · ξ`, ξ ~ N(0, 1), with std
//! taken over the clean observation values and ξ drawn from the stream
//! `rng::stream(seed, "observation-noise", 0, i)` for observation i (one normal each), so the
//! data are reproducible and independent of how many points are drawn elsewhere.

use crate::error::{check_finite, Error, Result};

/// Points (row-major, `dim` coordinates each) with one value per point.
#[derive(Debug, Clone, PartialEq)]
pub struct PointSet {
    /// Coordinates per point.
    pub dim: usize,
    /// `len × dim` coordinates, row-major.
    pub points: Vec<f64>,
    /// One value per point.
    pub values: Vec<f64>,
}

impl PointSet {
    /// A point set; checks shapes and finiteness.
    pub fn new(dim: usize, points: Vec<f64>, values: Vec<f64>) -> Result<Self> {
        if dim == 0 {
            return Err(Error::config("dim", "points need at least one coordinate"));
        }
        if points.len() != values.len() * dim {
            return Err(Error::Shape {
                op: "PointSet::new",
                what: format!("coordinates ({} per value)", dim),
                expected: values.len() * dim,
                got: points.len(),
            });
        }
        check_finite("PointSet::new", "points", &points)?;
        check_finite("PointSet::new", "values", &values)?;
        Ok(PointSet {
            dim,
            points,
            values,
        })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when there are no points.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Coordinates of point `i`.
    pub fn point(&self, i: usize) -> &[f64] {
        &self.points[i * self.dim..(i + 1) * self.dim]
    }
}

/// Everything a PINN trainer and its evaluation need for one problem instance.
#[derive(Debug, Clone, PartialEq)]
pub struct PinnDataset {
    /// Collocation points of the PDE residual, `n × dim` row-major.
    pub collocation: Vec<f64>,
    /// Initial and boundary points with their prescribed values.
    pub boundary: PointSet,
    /// Interior observations with noise.
    pub observations: PointSet,
    /// The same observation points without noise (for diagnostics only, never for training).
    pub clean_observations: Vec<f64>,
    /// Test grid with the exact solution.
    pub test: PointSet,
    /// Noise level η.
    pub noise_level: f64,
}

/// Validates a noise level η (finite, ≥ 0).
pub fn check_noise_level(eta: f64) -> Result<()> {
    if eta.is_finite() && eta >= 0.0 {
        Ok(())
    } else {
        Err(Error::config(
            "noise_level",
            format!("must be finite and ≥ 0, got {eta}"),
        ))
    }
}

/// Adds `η · std(clean) · ξ_i` to every clean value (population standard deviation over the
/// given values).
pub fn add_observation_noise(clean: &[f64], eta: f64, seed: u64) -> Result<Vec<f64>> {
    check_noise_level(eta)?;
    check_finite("add_observation_noise", "clean values", clean)?;
    if clean.is_empty() {
        return Err(Error::Empty {
            op: "add_observation_noise",
            what: "observations",
        });
    }
    let n = clean.len() as f64;
    let mean = clean.iter().sum::<f64>() / n;
    let sd = (clean.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
    Ok(clean
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let xi = crate::rng::stream(seed, "observation-noise", 0, i as u64).normal_f64();
            v + eta * sd * xi
        })
        .collect())
}

/// `n` evenly spaced values from `a` to `b` inclusive (`n = 1` gives `a`).
pub fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    match n {
        0 => Vec::new(),
        1 => vec![a],
        _ => (0..n)
            .map(|i| a + (b - a) * i as f64 / (n - 1) as f64)
            .collect(),
    }
}

/// `count` distinct indices out of `0..n`, drawn by a partial Fisher–Yates shuffle on the
/// stream `(seed, purpose, 0, 0)`, in draw order.
pub fn sample_without_replacement(
    n: usize,
    count: usize,
    seed: u64,
    purpose: &str,
) -> Result<Vec<usize>> {
    if count > n {
        return Err(Error::config(
            "count",
            format!("cannot draw {count} distinct points out of {n}"),
        ));
    }
    let mut s = crate::rng::stream(seed, purpose, 0, 0);
    let mut idx: Vec<usize> = (0..n).collect();
    for i in 0..count {
        let j = i + s.below((n - i) as u64) as usize;
        idx.swap(i, j);
    }
    idx.truncate(count);
    Ok(idx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_has_the_requested_scale_and_is_reproducible() {
        let clean: Vec<f64> = (0..20_000).map(|i| ((i as f64) * 0.01).sin()).collect();
        let noisy = add_observation_noise(&clean, 0.5, 3).unwrap();
        let again = add_observation_noise(&clean, 0.5, 3).unwrap();
        assert!(noisy
            .iter()
            .zip(&again)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
        let n = clean.len() as f64;
        let mean = clean.iter().sum::<f64>() / n;
        let sd = (clean.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        let resid: Vec<f64> = noisy.iter().zip(&clean).map(|(a, b)| a - b).collect();
        let rsd = (resid.iter().map(|r| r * r).sum::<f64>() / n).sqrt();
        assert!(
            (rsd / (0.5 * sd) - 1.0).abs() < 0.03,
            "{rsd} vs {}",
            0.5 * sd
        );
        let zero = add_observation_noise(&clean, 0.0, 3).unwrap();
        assert!(zero
            .iter()
            .zip(&clean)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn bad_noise_and_data_are_rejected() {
        assert!(add_observation_noise(&[1.0], -0.1, 0).is_err());
        assert!(add_observation_noise(&[1.0], f64::NAN, 0).is_err());
        assert!(matches!(
            add_observation_noise(&[1.0, f64::NAN], 0.1, 0),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            add_observation_noise(&[], 0.1, 0),
            Err(Error::Empty { .. })
        ));
        assert!(matches!(
            PointSet::new(2, vec![0.0; 3], vec![1.0, 2.0]),
            Err(Error::Shape { .. })
        ));
        assert!(PointSet::new(1, vec![f64::INFINITY], vec![1.0]).is_err());
    }

    #[test]
    fn sampling_without_replacement_gives_distinct_indices() {
        let mut idx = sample_without_replacement(1000, 300, 1, "t").unwrap();
        idx.sort_unstable();
        idx.dedup();
        assert_eq!(idx.len(), 300);
        assert!(idx.iter().all(|&i| i < 1000));
        assert!(sample_without_replacement(5, 6, 1, "t").is_err());
    }
}
