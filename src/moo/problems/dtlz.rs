//! DTLZ1–7: scalable objectives, box-bounded in `[0, 1]`, no constraints.
//!
//! With `M` objectives and `n_var` variables, the first `M − 1` variables position a point on
//! the front and the last `k = n_var − M + 1` set the distance `g` to it (`g = 0` on the
//! front).

use super::{partitions_for, KnownFront};
use crate::error::{check_len, Error, Result};
use crate::math::{cos_f64, pow_f64, sin_f64};
use crate::moo::problem::{check_rows, Bounds, Problem};
use std::f64::consts::{FRAC_PI_2, PI};

/// A DTLZ problem.
///
/// ```
/// use pareto_sciml::moo::problem::Problem;
/// use pareto_sciml::moo::problems::{Dtlz, KnownFront};
/// let p = Dtlz::new(2, 12, 3).unwrap();
/// let front = p.pareto_front(105).unwrap();
/// for r in front.chunks(3) {
///     assert!((r.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-12);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Dtlz {
    number: u8,
    n_obj: usize,
    bounds: Bounds,
}

/// The two pieces of each of DTLZ7's first `M − 1` objectives on the front (pymoo's values).
const DTLZ7_REGIONS: [(f64, f64); 2] = [
    (0.0, 0.251_411_836_088_9),
    (0.631_626_530_700_0, 0.859_400_856_644_7),
];

impl Dtlz {
    /// DTLZ`number` (1–7) with `n_var` variables and `n_obj ≥ 2` objectives
    /// (`n_var ≥ n_obj`).
    pub fn new(number: u8, n_var: usize, n_obj: usize) -> Result<Self> {
        if !(1..=7).contains(&number) {
            return Err(Error::config(
                "number",
                format!("DTLZ{number} does not exist (1..=7)"),
            ));
        }
        if n_obj < 2 {
            return Err(Error::config(
                "n_obj",
                format!("DTLZ needs at least 2 objectives, got {n_obj}"),
            ));
        }
        if n_var < n_obj {
            return Err(Error::config("n_var", format!("{n_var} < n_obj = {n_obj}")));
        }
        Ok(Dtlz {
            number,
            n_obj,
            bounds: Bounds::uniform(n_var, 0.0, 1.0)?,
        })
    }

    /// The problem number (1–7).
    pub fn number(&self) -> u8 {
        self.number
    }

    /// Multimodal distance `100 (k + Σ ((x − ½)² − cos 20π(x − ½)))` of DTLZ1 and DTLZ3.
    /// The cosines run on the math lanes over chunks of `xm` (bit-identical to
    /// [`cos_f64`]); the sum is still accumulated in variable order.
    fn g_rastrigin(xm: &[f64]) -> f64 {
        let mut c = [0.0; 64];
        let mut s = 0.0;
        for chunk in xm.chunks(c.len()) {
            let c = &mut c[..chunk.len()];
            for (ci, &v) in c.iter_mut().zip(chunk) {
                *ci = 20.0 * PI * (v - 0.5);
            }
            crate::moo::lanes::cos_in_place(c);
            s = chunk.iter().zip(c.iter()).fold(s, |a, (&v, &cv)| {
                let d = v - 0.5;
                a + (d * d - cv)
            });
        }
        100.0 * (xm.len() as f64 + s)
    }

    /// Sphere distance `Σ (x − ½)²` of DTLZ2, 4 and 5.
    fn g_sphere(xm: &[f64]) -> f64 {
        xm.iter().fold(0.0, |a, &v| a + (v - 0.5) * (v - 0.5))
    }

    /// The spherical objectives `(1+g) Π cos(θ π/2) · sin(θ π/2)` (pymoo's `obj_func`).
    fn sphere_objectives(theta: &[f64], g: f64, alpha: f64, f: &mut [f64]) {
        let m = f.len();
        let identity = alpha.to_bits() == 1.0f64.to_bits();
        let t = |v: f64| if identity { v } else { pow_f64(v, alpha) };
        for (i, fi) in f.iter_mut().enumerate() {
            let mut v = 1.0 + g;
            for &th in &theta[..m - 1 - i] {
                v *= cos_f64(t(th) * FRAC_PI_2);
            }
            if i > 0 {
                v *= sin_f64(t(theta[m - 1 - i]) * FRAC_PI_2);
            }
            *fi = v;
        }
    }

    fn eval_row(&self, x: &[f64], f: &mut [f64], theta: &mut [f64]) {
        let m = self.n_obj;
        let (xp, xm) = x.split_at(m - 1);
        match self.number {
            1 => {
                let g = Self::g_rastrigin(xm);
                for (i, fi) in f.iter_mut().enumerate() {
                    let mut v = 0.5 * (1.0 + g);
                    for &xj in &xp[..m - 1 - i] {
                        v *= xj;
                    }
                    if i > 0 {
                        v *= 1.0 - xp[m - 1 - i];
                    }
                    *fi = v;
                }
            }
            2 => Self::sphere_objectives(xp, Self::g_sphere(xm), 1.0, f),
            3 => Self::sphere_objectives(xp, Self::g_rastrigin(xm), 1.0, f),
            4 => Self::sphere_objectives(xp, Self::g_sphere(xm), 100.0, f),
            5 | 6 => {
                let g = if self.number == 5 {
                    Self::g_sphere(xm)
                } else {
                    xm.iter().fold(0.0, |a, &v| a + pow_f64(v, 0.1))
                };
                theta[0] = xp[0];
                for j in 1..m - 1 {
                    theta[j] = 1.0 / (2.0 * (1.0 + g)) * (1.0 + 2.0 * g * xp[j]);
                }
                Self::sphere_objectives(&theta[..m - 1], g, 1.0, f);
            }
            _ => {
                let k = xm.len() as f64;
                let g = 1.0 + 9.0 / k * xm.iter().fold(0.0, |a, &v| a + v);
                let h = xp.iter().fold(m as f64, |a, &fi| {
                    a - fi / (1.0 + g) * (1.0 + sin_f64(3.0 * PI * fi))
                });
                f[..m - 1].copy_from_slice(xp);
                f[m - 1] = (1.0 + g) * h;
            }
        }
    }
}

impl Problem for Dtlz {
    fn n_var(&self) -> usize {
        self.bounds.len()
    }
    fn n_obj(&self) -> usize {
        self.n_obj
    }
    fn bounds(&self) -> &Bounds {
        &self.bounds
    }
    fn evaluate(&self, x: &[f64], f: &mut [f64], g: &mut [f64]) -> Result<()> {
        let (nv, m) = (self.n_var(), self.n_obj);
        let n = check_rows("Dtlz::evaluate", x, nv)?;
        check_len("Dtlz::evaluate", "f.len()", n * m, f.len())?;
        check_len("Dtlz::evaluate", "g.len()", 0, g.len())?;
        let mut theta = vec![0.0; m];
        for (xr, fr) in x.chunks_exact(nv).zip(f.chunks_exact_mut(m)) {
            self.eval_row(xr, fr, &mut theta);
        }
        Ok(())
    }
}

impl KnownFront for Dtlz {
    fn name(&self) -> String {
        format!("DTLZ{}", self.number)
    }

    fn pareto_front(&self, n_points: usize) -> Result<Vec<f64>> {
        if n_points == 0 {
            return Err(Error::config("n_points", "must be at least 1"));
        }
        let m = self.n_obj;
        match self.number {
            1 => Ok(crate::moo::das_dennis(m, partitions_for(m, n_points))?
                .into_iter()
                .map(|w| 0.5 * w)
                .collect()),
            2..=4 => {
                let mut w = crate::moo::das_dennis(m, partitions_for(m, n_points))?;
                for r in w.chunks_exact_mut(m) {
                    let norm = r.iter().map(|v| v * v).sum::<f64>().sqrt();
                    r.iter_mut().for_each(|v| *v /= norm);
                }
                Ok(w)
            }
            5 | 6 => {
                // The front is a curve: θ₀ free, every other angle π/4 (g = 0).
                let mut out = Vec::with_capacity(n_points * m);
                let mut theta = vec![0.5; m - 1];
                let mut f = vec![0.0; m];
                for t in super::linspace(0.0, 1.0, n_points) {
                    theta[0] = t;
                    Self::sphere_objectives(&theta, 0.0, 1.0, &mut f);
                    out.extend_from_slice(&f);
                }
                Ok(out)
            }
            _ => {
                // A grid over the 2^(M-1) pieces at g = 1, keeping its non-dominated part.
                let per_dim = (n_points as f64).powf(1.0 / (m - 1) as f64).ceil().max(2.0) as usize;
                let half = per_dim.div_ceil(2).max(2);
                let axis: Vec<f64> = DTLZ7_REGIONS
                    .iter()
                    .flat_map(|&(a, b)| super::linspace(a, b, half))
                    .collect();
                let mut out = Vec::new();
                let mut idx = vec![0usize; m - 1];
                'grid: loop {
                    let xp: Vec<f64> = idx.iter().map(|&i| axis[i]).collect();
                    let h = xp.iter().fold(m as f64, |a, &fi| {
                        a - fi / 2.0 * (1.0 + sin_f64(3.0 * PI * fi))
                    });
                    out.extend_from_slice(&xp);
                    out.push(2.0 * h);
                    for d in idx.iter_mut() {
                        *d += 1;
                        if *d < axis.len() {
                            continue 'grid;
                        }
                        *d = 0;
                    }
                    break;
                }
                let rank = crate::moo::nondominated_sort(&out, m)?;
                Ok(out
                    .chunks_exact(m)
                    .zip(rank)
                    .filter(|(_, r)| *r == 0)
                    .flat_map(|(row, _)| row.iter().copied())
                    .collect())
            }
        }
    }
}
