//! Populations, bounds and operator settings for the variation kernels' tests (emulation and
//! GPU): random rows inside the bounds, duplicated parents (SBX's no-spread branch), fixed
//! variables (lower = upper), rows on the bounds, and non-default η and probabilities.

use pareto_sciml::backend::cuda::DeviceProblem;
use pareto_sciml::moo::operators::Variation;
use pareto_sciml::moo::problems::{Dtlz, Zdt};
use pareto_sciml::moo::Problem;
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

/// Every DTLZ and ZDT problem in a few shapes (k = n_var − n_obj + 1 from 1 up, 2 to 5
/// objectives, ZDT with 2 to 30 variables), with the device twin of each.
pub fn problem_cases() -> Vec<(String, DeviceProblem, Box<dyn Problem>)> {
    let mut out: Vec<(String, DeviceProblem, Box<dyn Problem>)> = Vec::new();
    for number in 1..=7u8 {
        for (n_var, n_obj) in [(2, 2), (7, 3), (12, 3), (9, 5), (4, 4)] {
            let p = Dtlz::new(number, n_var, n_obj).unwrap();
            out.push((
                format!("DTLZ{number} n_var {n_var} n_obj {n_obj}"),
                DeviceProblem::dtlz(&p),
                Box::new(p),
            ));
        }
    }
    for n_var in [2, 10, 30] {
        for (name, p) in [
            ("ZDT1", Zdt::zdt1(n_var).unwrap()),
            ("ZDT2", Zdt::zdt2(n_var).unwrap()),
            ("ZDT3", Zdt::zdt3(n_var).unwrap()),
            ("ZDT4", Zdt::zdt4(n_var).unwrap()),
            ("ZDT6", Zdt::zdt6(n_var).unwrap()),
        ] {
            out.push((
                format!("{name} n_var {n_var}"),
                DeviceProblem::zdt(&p),
                Box::new(p),
            ));
        }
    }
    out
}

/// `n` rows inside the problem's bounds: the lower corner, the upper corner, the centre,
/// then uniform draws (which include the many-variable and near-bound cases).
pub fn population(p: &dyn Problem, n: usize, seed: u64) -> Vec<f64> {
    let (lo, hi) = (p.bounds().lower(), p.bounds().upper());
    let mut s = stream(seed, "evo-population", 0, p.n_var() as u64);
    let mut x = Vec::with_capacity(n * lo.len());
    for i in 0..n {
        for j in 0..lo.len() {
            let t = match i {
                0 => 0.0,
                1 => 1.0,
                2 => 0.5,
                _ => s.uniform_f64(),
            };
            x.push(lo[j] + t * (hi[j] - lo[j]));
        }
    }
    x
}

/// The CPU objectives of `x`.
pub fn cpu_objectives(p: &dyn Problem, x: &[f64]) -> Vec<f64> {
    let mut f = vec![0.0; x.len() / p.n_var() * p.n_obj()];
    p.evaluate(x, &mut f, &mut []).unwrap();
    f
}
