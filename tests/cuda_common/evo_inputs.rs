//! Populations, bounds and operator settings for the variation kernels' tests (emulation and
//! GPU): random rows inside the bounds, duplicated parents (SBX's no-spread branch), fixed
//! variables (lower = upper), rows on the bounds, and non-default η and probabilities.

use pareto_sciml::backend::cuda::DeviceProblem;
use pareto_sciml::math::inverse_trig::acos_f64;
use pareto_sciml::moo::das_dennis;
use pareto_sciml::moo::kdtree::KdTree;
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
        // Long rows: many threads per pair or row, seeking far into each stream.
        (6, 1001, 3),
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
        // 300 variables: DTLZ1/DTLZ3 take their Rastrigin terms from the separate launch.
        for (n_var, n_obj) in [(2, 2), (7, 3), (12, 3), (9, 5), (4, 4), (300, 3)] {
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

/// One RVEA association input: objectives, ideal point, unit vectors, their neighbour angles
/// (as `Rvea` computes them) and a penalty.
#[derive(Debug, Clone)]
pub struct RveaCase {
    pub f: Vec<f64>,
    pub n_obj: usize,
    pub ideal: Vec<f64>,
    pub v: Vec<f64>,
    pub gamma: Vec<f64>,
    pub penalty: f64,
}

/// Unit rows of `w`, as `rvea.rs`'s `unit_rows`.
fn unit_rows(w: &[f64], m: usize) -> Vec<f64> {
    w.chunks_exact(m)
        .flat_map(|r| {
            let norm = r.iter().map(|x| x * x).sum::<f64>().sqrt();
            r.iter().map(move |x| x / norm)
        })
        .collect()
}

/// `rvea.rs`'s `gammas`: the angle to the nearest other vector, floored at 1e-64.
fn gammas(v: &[f64], m: usize) -> Vec<f64> {
    let tree = KdTree::new(v, m);
    v.chunks_exact(m)
        .enumerate()
        .map(|(k, a)| {
            let (nn, _) = tree.nearest(a, Some(k));
            if nn == usize::MAX {
                return std::f64::consts::PI;
            }
            let b = &v[nn * m..(nn + 1) * m];
            let dot = a.iter().zip(b).fold(0.0, |s, (x, y)| s + x * y);
            acos_f64(dot.clamp(-1.0, 1.0)).max(1e-64)
        })
        .collect()
}

/// The minimum of each of the `m` columns of `f` (the ideal point).
fn column_minima(f: &[f64], m: usize) -> Vec<f64> {
    (0..m)
        .map(|j| {
            f.iter()
                .skip(j)
                .step_by(m)
                .fold(f64::INFINITY, |a, &b| a.min(b))
        })
        .collect()
}

/// A case: DTLZ2/DTLZ1 objectives of random rows (`n` individuals, `m` objectives), Das–Dennis
/// vectors with `partitions`, the column minima as ideal point, generation `t` of 100.
pub fn rvea_case(seed: u64, n: usize, m: usize, partitions: usize, t: u64) -> RveaCase {
    let p = Dtlz::new(if seed % 2 == 0 { 2 } else { 1 }, m + 4, m).unwrap();
    let x = population(&p, n, seed);
    let f = cpu_objectives(&p, &x);
    let ideal = column_minima(&f, m);
    let v = unit_rows(&das_dennis(m, partitions).unwrap(), m);
    let gamma = gammas(&v, m);
    let penalty = m as f64 * pareto_sciml::math::pow_f64(t as f64 / 100.0, 2.0);
    RveaCase {
        f,
        n_obj: m,
        ideal,
        v,
        gamma,
        penalty,
    }
}

/// Exact ties across tiles: two objectives, `h` odd partitions (mirror-image unit vectors
/// `k` and `h − k`, none on the diagonal), rows on the diagonal (equidistant, to the bit, from
/// the two central vectors: a + b = b + a) and random rows; the tiling puts the central pair
/// in different tiles when `(h + 1) / 2` is a multiple of 32.
pub fn diagonal_tie_case(h: usize, seed: u64) -> RveaCase {
    let m = 2;
    let v = unit_rows(&das_dennis(m, h).unwrap(), m);
    let mut s = stream(seed, "diagonal-ties", 0, 0);
    let mut f = Vec::new();
    for i in 0..200 {
        let c = 0.01 + s.uniform_f64() * 3.0;
        if i % 2 == 0 {
            f.extend([c, c]);
        } else {
            f.extend([c, 0.01 + s.uniform_f64() * 3.0]);
        }
    }
    let gamma = gammas(&v, m);
    RveaCase {
        f,
        n_obj: m,
        ideal: vec![0.0, 0.0],
        v,
        gamma,
        penalty: 0.5,
    }
}

/// Random reference vectors instead of a lattice: unit rows spread over the positive orthant
/// with a fraction drawn near a few cluster centres and some exact copies (ties between
/// different indices, anywhere in the tiling), and random rows with objectives of mixed scale.
pub fn random_rvea_case(seed: u64, n: usize, m: usize, n_vec: usize) -> RveaCase {
    let mut s = stream(seed, "random-rvea-case", 0, 0);
    let centres: Vec<f64> = (0..3 * m).map(|_| s.uniform_f64() + 0.05).collect();
    let mut w: Vec<f64> = Vec::with_capacity(n_vec * m);
    for k in 0..n_vec {
        let kind = s.uniform_f64();
        if kind < 0.15 && k > 0 {
            let src = (s.uniform_f64() * k as f64) as usize;
            let copy: Vec<f64> = w[src * m..(src + 1) * m].to_vec();
            w.extend(copy);
            continue;
        }
        for j in 0..m {
            let x = if kind < 0.5 {
                centres[(k % 3) * m + j] + 0.01 * s.uniform_f64()
            } else {
                s.uniform_f64() + 1e-3
            };
            w.push(x);
        }
    }
    let v = unit_rows(&w, m);
    let f: Vec<f64> = (0..n * m)
        .map(|_| s.uniform_f64() * 10f64.powi((s.uniform_f64() * 4.0) as i32 - 1))
        .collect();
    let ideal = column_minima(&f, m);
    let gamma = gammas(&v, m);
    RveaCase {
        f,
        n_obj: m,
        ideal,
        v,
        gamma,
        penalty: 1.5,
    }
}

/// The CPU twin: the association closure of `Rvea::survive` (src/moo/rvea.rs), step for step.
pub fn cpu_rvea_apd(c: &RveaCase) -> (Vec<usize>, Vec<f64>) {
    let m = c.n_obj;
    let tree = KdTree::new(&c.v, m);
    c.f.chunks_exact(m)
        .map(|row| {
            let fp: Vec<f64> = row.iter().zip(&c.ideal).map(|(s, z)| s - z).collect();
            let dist = fp.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-64);
            let u: Vec<f64> = fp.iter().map(|x| x / dist).collect();
            let (k, _) = tree.nearest(&u, None);
            let w = &c.v[k * m..(k + 1) * m];
            let cos = u.iter().zip(w).fold(0.0, |s, (x, y)| s + x * y);
            let theta = acos_f64(cos.clamp(-1.0, 1.0));
            (k, dist * (1.0 + c.penalty * theta / c.gamma[k]))
        })
        .unzip()
}

/// Arguments for the arccosine: uniform on [−1, 1], clustered near ±1 and 0, and specials.
pub fn acos_inputs(n: usize) -> Vec<f64> {
    let mut s = stream(9, "acos-inputs", 0, 0);
    let mut x = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        -2.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1e-300,
        -1e-300,
        5e-324,
        0.4999999999999999,
        0.5000000000000001,
        0.975,
        -0.975,
        0.9999999999999999,
        -0.9999999999999999,
    ];
    for i in 0..n {
        let u = s.uniform_f64();
        x.push(match i % 4 {
            0 => 2.0 * u - 1.0,
            1 => 1.0 - u * u * u * 1e-3,
            2 => -1.0 + u * u * u * 1e-3,
            _ => (u - 0.5) * 1e-6,
        });
    }
    x
}

/// The CPU twin of the survivor choice: the per-niche fold of `Rvea::survive`.
pub fn cpu_rvea_select(
    niche: &[usize],
    apd: &[f64],
    cv: &[f64],
    n_vec: usize,
) -> Vec<Option<usize>> {
    let mut best: Vec<Option<(bool, f64, f64, usize)>> = vec![None; n_vec];
    for (i, &k) in niche.iter().enumerate() {
        let key = (cv[i] > 0.0, cv[i], apd[i], i);
        let better = match best[k] {
            None => true,
            Some(b) => {
                (key.0, key.1, key.2).partial_cmp(&(b.0, b.1, b.2))
                    == Some(std::cmp::Ordering::Less)
            }
        };
        if better {
            best[k] = Some(key);
        }
    }
    best.into_iter().map(|b| b.map(|b| b.3)).collect()
}

/// Violations for a selection test: mostly feasible (0, sometimes −0), some infeasible with
/// repeated values, and APD ties made by copying an APD within its niche.
pub fn selection_inputs(niche: &[usize], apd: &[f64], seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut s = stream(seed, "rvea-select", 0, 0);
    let cv = (0..niche.len())
        .map(|i| match i % 9 {
            0 => -0.0,
            1 | 2 => (s.below(3) + 1) as f64 * 0.5,
            _ => 0.0,
        })
        .collect();
    let mut apd = apd.to_vec();
    for i in 1..apd.len() {
        if niche[i] == niche[i - 1] && s.uniform_f64() < 0.3 {
            apd[i] = apd[i - 1];
        }
    }
    (cv, apd)
}
