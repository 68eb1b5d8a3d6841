//! ZDT1–4 and ZDT6: two objectives, box-bounded, no constraints.

use super::{linspace, KnownFront};
use crate::error::{Error, Result};
use crate::math::{exp_f64, pow_f64, sin_f64};
use crate::moo::problem::{Bounds, Problem};
use std::f64::consts::PI;

/// Which ZDT problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZdtKind {
    /// Convex front `f2 = 1 − √f1`.
    Zdt1,
    /// Concave front `f2 = 1 − f1²`.
    Zdt2,
    /// Disconnected front.
    Zdt3,
    /// Multimodal (21⁹ local fronts), ZDT1's front.
    Zdt4,
    /// Non-uniform density, front `f2 = 1 − f1²` for `f1 ≥ 0.2807753191`.
    Zdt6,
}

/// A ZDT problem.
///
/// ```
/// use pareto_sciml::moo::problem::Problem;
/// use pareto_sciml::moo::problems::{KnownFront, Zdt};
/// let p = Zdt::zdt1(30).unwrap();
/// let (mut f, mut g) = (vec![0.0; 2], vec![]);
/// p.evaluate(&vec![0.25; 30].iter().enumerate().map(|(j, v)| if j == 0 { *v } else { 0.0 }).collect::<Vec<_>>(), &mut f, &mut g).unwrap();
/// assert!((f[1] - 0.5).abs() < 1e-15); // on the front: 1 - sqrt(0.25)
/// assert_eq!(p.pareto_front(11).unwrap().len(), 22);
/// ```
#[derive(Debug, Clone)]
pub struct Zdt {
    kind: ZdtKind,
    bounds: Bounds,
}

/// The five connected pieces of ZDT3's front in `f1` (pymoo's values).
const ZDT3_REGIONS: [(f64, f64); 5] = [
    (0.0, 0.083_001_534_9),
    (0.182_228_780, 0.257_762_363_4),
    (0.409_313_674_8, 0.453_882_104_1),
    (0.618_396_794_4, 0.652_511_703_8),
    (0.823_331_798_3, 0.851_832_865_4),
];

impl Zdt {
    /// ZDT problem `kind` with `n_var ≥ 2` variables.
    pub fn new(kind: ZdtKind, n_var: usize) -> Result<Self> {
        if n_var < 2 {
            return Err(Error::config(
                "n_var",
                format!("ZDT needs at least 2 variables, got {n_var}"),
            ));
        }
        let bounds = if kind == ZdtKind::Zdt4 {
            let mut lo = vec![-5.0; n_var];
            let mut hi = vec![5.0; n_var];
            (lo[0], hi[0]) = (0.0, 1.0);
            Bounds::new(lo, hi)?
        } else {
            Bounds::uniform(n_var, 0.0, 1.0)?
        };
        Ok(Zdt { kind, bounds })
    }
    /// ZDT1.
    pub fn zdt1(n_var: usize) -> Result<Self> {
        Self::new(ZdtKind::Zdt1, n_var)
    }
    /// ZDT2.
    pub fn zdt2(n_var: usize) -> Result<Self> {
        Self::new(ZdtKind::Zdt2, n_var)
    }
    /// ZDT3.
    pub fn zdt3(n_var: usize) -> Result<Self> {
        Self::new(ZdtKind::Zdt3, n_var)
    }
    /// ZDT4.
    pub fn zdt4(n_var: usize) -> Result<Self> {
        Self::new(ZdtKind::Zdt4, n_var)
    }
    /// ZDT6.
    pub fn zdt6(n_var: usize) -> Result<Self> {
        Self::new(ZdtKind::Zdt6, n_var)
    }
    /// Which problem this is.
    pub fn kind(&self) -> ZdtKind {
        self.kind
    }

    fn eval_row(&self, x: &[f64], f: &mut [f64]) {
        let n = x.len();
        let tail = &x[1..];
        let x1 = x[0];
        let (f1, g) = match self.kind {
            ZdtKind::Zdt4 => {
                // Cosines on the math lanes per chunk (bit-identical), summed in order.
                let mut c = [0.0; 64];
                let mut s = 0.0;
                for chunk in tail.chunks(c.len()) {
                    let c = &mut c[..chunk.len()];
                    for (ci, &v) in c.iter_mut().zip(chunk) {
                        *ci = 4.0 * PI * v;
                    }
                    crate::moo::lanes::cos_in_place(c);
                    s = chunk
                        .iter()
                        .zip(c.iter())
                        .fold(s, |a, (&v, &cv)| a + (v * v - 10.0 * cv));
                }
                (x1, 1.0 + 10.0 * (n - 1) as f64 + s)
            }
            ZdtKind::Zdt6 => {
                let s6 = sin_f64(6.0 * PI * x1);
                let f1 = 1.0 - exp_f64(-4.0 * x1) * pow_f64(s6, 6.0);
                let s = tail.iter().fold(0.0, |a, &v| a + v);
                (f1, 1.0 + 9.0 * pow_f64(s / (n - 1) as f64, 0.25))
            }
            _ => {
                let s = tail.iter().fold(0.0, |a, &v| a + v);
                (x1, 1.0 + 9.0 / (n - 1) as f64 * s)
            }
        };
        let r = f1 / g;
        let h = match self.kind {
            ZdtKind::Zdt1 | ZdtKind::Zdt4 => 1.0 - r.sqrt(),
            ZdtKind::Zdt2 | ZdtKind::Zdt6 => 1.0 - r * r,
            ZdtKind::Zdt3 => 1.0 - r.sqrt() - r * sin_f64(10.0 * PI * f1),
        };
        f[0] = f1;
        f[1] = g * h;
    }
}

impl Problem for Zdt {
    fn n_var(&self) -> usize {
        self.bounds.len()
    }
    fn n_obj(&self) -> usize {
        2
    }
    fn bounds(&self) -> &Bounds {
        &self.bounds
    }
    fn evaluate(&self, x: &[f64], f: &mut [f64], g: &mut [f64]) -> Result<()> {
        let nv = self.n_var();
        let n = crate::moo::problem::check_rows("Zdt::evaluate", x, nv)?;
        crate::error::check_len("Zdt::evaluate", "f.len()", 2 * n, f.len())?;
        crate::error::check_len("Zdt::evaluate", "g.len()", 0, g.len())?;
        for (xr, fr) in x.chunks_exact(nv).zip(f.chunks_exact_mut(2)) {
            self.eval_row(xr, fr);
        }
        Ok(())
    }
}

impl KnownFront for Zdt {
    fn name(&self) -> String {
        format!("{:?}", self.kind).to_uppercase()
    }
    fn pareto_front(&self, n_points: usize) -> Result<Vec<f64>> {
        if n_points == 0 {
            return Err(Error::config("n_points", "must be at least 1"));
        }
        let f1: Vec<f64> = match self.kind {
            ZdtKind::Zdt6 => linspace(0.280_775_319_1, 1.0, n_points),
            ZdtKind::Zdt3 => {
                let total: f64 = ZDT3_REGIONS.iter().map(|(a, b)| b - a).sum();
                let mut v = Vec::with_capacity(n_points + 5);
                for (a, b) in ZDT3_REGIONS {
                    let k = ((b - a) / total * n_points as f64).round().max(1.0) as usize;
                    v.extend(linspace(a, b, k));
                }
                v
            }
            _ => linspace(0.0, 1.0, n_points),
        };
        let front: Vec<f64> = f1
            .iter()
            .flat_map(|&a| {
                let f2 = match self.kind {
                    ZdtKind::Zdt1 | ZdtKind::Zdt4 => 1.0 - a.sqrt(),
                    ZdtKind::Zdt2 | ZdtKind::Zdt6 => 1.0 - a * a,
                    ZdtKind::Zdt3 => 1.0 - a.sqrt() - a * sin_f64(10.0 * PI * a),
                };
                [a, f2]
            })
            .collect();
        if self.kind != ZdtKind::Zdt3 {
            return Ok(front);
        }
        // pymoo's region ends are rounded to 10 digits: drop the few points they make dominated.
        let rank = crate::moo::nondominated_sort(&front, 2)?;
        Ok(front
            .chunks_exact(2)
            .zip(rank)
            .filter(|(_, r)| *r == 0)
            .flat_map(|(row, _)| row.iter().copied())
            .collect())
    }
}
