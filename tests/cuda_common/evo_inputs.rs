//! Populations, bounds and operator settings for the variation kernels' tests (emulation and
//! GPU): random rows inside the bounds, duplicated parents (SBX's no-spread branch), fixed
//! variables (lower = upper), rows on the bounds, and non-default η and probabilities.

use pareto_sciml::moo::operators::Variation;
use pareto_sciml::rng::stream;

/// One variation test case.
#[derive(Debug, Clone)]
pub struct EvoCase {
    pub n_var: usize,
    pub pop: Vec<f64>,
    pub pairs: Vec<(usize, usize)>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub v: Variation,
    pub seed: u64,
    pub generation: u64,
    pub first_index: u64,
}

impl EvoCase {
    /// Rows of the population.
    pub fn rows(&self) -> usize {
        self.pop.len() / self.n_var
    }
}

/// A case drawn from `seed`: `n` rows of `n_var` variables and `n_pairs` pairs.
pub fn evo_case(seed: u64, n: usize, n_var: usize, n_pairs: usize) -> EvoCase {
    let mut s = stream(seed, "evo-case", 0, 0);
    let mut lower = Vec::with_capacity(n_var);
    let mut upper = Vec::with_capacity(n_var);
    for j in 0..n_var {
        let lo = (s.uniform_f64() - 0.5) * 10.0;
        // Every seventh variable is fixed (lower = upper): the operators leave it alone.
        let width = if j % 7 == 6 {
            0.0
        } else {
            0.1 + 5.0 * s.uniform_f64()
        };
        lower.push(lo);
        upper.push(lo + width);
    }
    let mut pop = Vec::with_capacity(n * n_var);
    for i in 0..n {
        for j in 0..n_var {
            let t = match (i + j) % 11 {
                0 => 0.0,
                1 => 1.0,
                _ => s.uniform_f64(),
            };
            pop.push(lower[j] + t * (upper[j] - lower[j]));
        }
    }
    // Row 1 duplicates row 0, so pairs (0, 1) have identical parents.
    if n > 1 {
        let (a, b) = pop.split_at_mut(n_var);
        b[..n_var].copy_from_slice(a);
    }
    let pairs = (0..n_pairs)
        .map(|k| {
            if k == 0 && n > 1 {
                (0, 1)
            } else {
                (s.below(n as u64) as usize, s.below(n as u64) as usize)
            }
        })
        .collect();
    let v = match seed % 3 {
        0 => Variation::default(),
        1 => Variation {
            eta_c: 2.0 + 30.0 * s.uniform_f64(),
            p_c: 0.9,
            p_var: 1.0,
            p_swap: 0.0,
            eta_m: 1.0 + 40.0 * s.uniform_f64(),
            p_m: Some(0.6),
        },
        _ => Variation {
            eta_c: 15.0,
            p_c: 1.0,
            p_var: 0.7,
            p_swap: 1.0,
            eta_m: 0.0,
            p_m: Some(1.0),
        },
    };
    EvoCase {
        n_var,
        pop,
        pairs,
        lower,
        upper,
        v,
        seed: seed.wrapping_mul(0x9e37_79b9),
        generation: seed % 5,
        first_index: seed % 4 * 100,
    }
}

/// The cases every variation test runs: sizes around the 256-thread block and n_var = 1.
pub fn evo_cases() -> Vec<EvoCase> {
    let shapes = [
        (2, 1, 1),
        (5, 3, 4),
        (30, 30, 15),
        (64, 12, 255),
        (40, 7, 256),
        (50, 5, 257),
        (300, 2, 300),
    ];
    shapes
        .iter()
        .enumerate()
        .map(|(i, &(n, nv, np))| evo_case(i as u64 + 1, n, nv, np))
        .collect()
}
