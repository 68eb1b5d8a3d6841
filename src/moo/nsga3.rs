//! NSGA-III (Deb & Jain 2014, doi:10.1109/TEVC.2013.2281535), in the reading of pymoo 0.6.
//!
//! Survival: constraint-domination fronts of parents ∪ offspring up to the front that
//! overflows; normalisation by the ideal point (kept over all generations), extreme points by
//! the achievement scalarising function (ASF, off-axis weight 10⁶, kept over all generations),
//! hyperplane intercepts by Gaussian elimination with fallback to the worst point of the first
//! front when the system is degenerate, and to the worst of the population where an axis
//! collapses; association to the reference direction of smallest perpendicular distance;
//! niche-preserving selection whose random choices come from the stream
//! `("niching", generation, 0)`. Mating: binary tournament on constraint violation, ties at
//! random.
//!
//! ```
//! use pareto_sciml::moo::{das_dennis, nsga3::Nsga3, problems::Dtlz, problem::Evaluator};
//! use pareto_sciml::moo::algorithm::{run, Algorithm, Checkpointing};
//! use pareto_sciml::moo::observer::NoObserver;
//! let p = Dtlz::new(2, 12, 3).unwrap();
//! let refs = das_dennis(3, 4).unwrap(); // 15 directions
//! let mut alg = Nsga3::new(&p, refs, 16, 1).unwrap();
//! run(&mut alg, &Evaluator::new(&p), 3, &mut NoObserver, &Checkpointing::never()).unwrap();
//! ```

use crate::error::{Error, Result};
use crate::io::checkpoint::{StateReader, StateWriter};
use crate::moo::algorithm::{Algorithm, Core, Merged};
use crate::moo::constrained_nondominated_sort;
use crate::moo::nsga2::fronts;
use crate::moo::operators::{binary_tournament, Variation};
use crate::moo::problem::Problem;
use crate::rng::stream;

/// NSGA-III state.
#[derive(Debug, Clone, PartialEq)]
pub struct Nsga3 {
    core: Core,
    refs: Vec<f64>,
    ideal: Vec<f64>,
    worst: Vec<f64>,
    extremes: Vec<f64>,
}

impl Nsga3 {
    /// Uses up to `threads` threads (0 = all cores) for variation; offspring are
    /// bit-identical for any thread count.
    pub fn threads(mut self, threads: usize) -> Self {
        self.core.threads = threads;
        self
    }

    /// NSGA-III with reference directions `refs` (row-major, `n_obj` columns, e.g. from
    /// [`crate::moo::das_dennis`]) and `pop_size` individuals (usually the number of
    /// directions).
    pub fn new<P: Problem + ?Sized>(
        problem: &P,
        refs: Vec<f64>,
        pop_size: usize,
        seed: u64,
    ) -> Result<Self> {
        Self::with_variation(problem, refs, pop_size, seed, Variation::default())
    }

    /// As [`new`](Self::new) with explicit operator parameters.
    pub fn with_variation<P: Problem + ?Sized>(
        problem: &P,
        refs: Vec<f64>,
        pop_size: usize,
        seed: u64,
        variation: Variation,
    ) -> Result<Self> {
        let m = problem.n_obj();
        let core = Core::new(
            problem.bounds().clone(),
            m,
            problem.n_constr(),
            pop_size,
            seed,
            variation,
        )?;
        check_refs("Nsga3::new", &refs, m)?;
        Ok(Nsga3 {
            core,
            refs,
            ideal: vec![f64::INFINITY; m],
            worst: vec![f64::NEG_INFINITY; m],
            extremes: Vec::new(),
        })
    }

    /// The reference directions.
    pub fn reference_directions(&self) -> &[f64] {
        &self.refs
    }

    fn survive(&mut self, m: &Merged) -> Result<Vec<usize>> {
        let (no, n_keep) = (self.core.n_obj, self.core.pop_size);
        let rank = constrained_nondominated_sort(&m.sel, &m.cv, no)?;
        let fr = fronts(&rank);
        let mut chosen: Vec<usize> = Vec::new();
        let mut last = Vec::new();
        for front in fr {
            if chosen.len() + front.len() <= n_keep {
                chosen.extend(front);
                if chosen.len() == n_keep {
                    break;
                }
            } else {
                last = front;
                break;
            }
        }
        let feas: Vec<usize> = (0..m.cv.len()).filter(|&i| m.cv[i] <= 0.0).collect();
        if feas.is_empty() {
            // Nothing feasible: constraint-domination fronts order rows by violation already.
            chosen.extend(last.iter().take(n_keep - chosen.len()));
            return Ok(chosen);
        }
        // Under constraint domination feasible rows are ranked among themselves, so the
        // feasible rows of rank 0 are the first front of the feasible set.
        let first: Vec<usize> = feas.iter().copied().filter(|&i| rank[i] == 0).collect();
        let nadir = normalise(
            &mut self.ideal,
            &mut self.worst,
            &mut self.extremes,
            &m.sel,
            no,
            &feas,
            &first,
        );
        if last.is_empty() {
            return Ok(chosen);
        }
        if m.cv[last[0]] > 0.0 {
            // An infeasible overflow front shares one violation value: keep by position.
            chosen.extend(last.iter().take(n_keep - chosen.len()));
            return Ok(chosen);
        }
        let (niche, dist) = associate(&m.sel, no, &self.refs, &self.ideal, &nadir);
        let mut count = vec![0usize; self.refs.len() / no];
        chosen
            .iter()
            .filter(|&&i| m.cv[i] <= 0.0)
            .for_each(|&i| count[niche[i]] += 1);
        let remaining = n_keep - chosen.len();
        let picked = niching(
            &last,
            &niche,
            &dist,
            &mut count,
            remaining,
            self.core.seed,
            self.core.generation + 1,
        );
        chosen.extend(picked);
        Ok(chosen)
    }
}

/// NSGA-III normalisation: updates `ideal`, `worst` (kept over all generations) and the
/// extreme points (`extremes`, `n_obj × n_obj` or empty before the first call) from the
/// feasible rows `feas` of `sel` (`n × n_obj`), and returns the nadir estimate: the
/// hyperplane intercepts, or the worst of the first front `first` when the system is
/// degenerate, and the worst of `feas` on any axis that collapses. `feas` must not be empty.
/// The CPU twin of the device kernel `nsga3_normalise_f64`.
pub(crate) fn normalise(
    ideal: &mut [f64],
    worst: &mut [f64],
    extremes: &mut Vec<f64>,
    sel: &[f64],
    no: usize,
    feas: &[usize],
    first: &[usize],
) -> Vec<f64> {
    let row = |i: usize| &sel[i * no..(i + 1) * no];
    for &i in feas {
        for j in 0..no {
            ideal[j] = ideal[j].min(row(i)[j]);
            worst[j] = worst[j].max(row(i)[j]);
        }
    }
    // Extreme points: old extremes stay candidates so normalisation never loses them.
    let mut cand: Vec<f64> = extremes.clone();
    feas.iter().for_each(|&i| cand.extend_from_slice(row(i)));
    let mut ext = Vec::with_capacity(no * no);
    for axis in 0..no {
        let asf = |r: &[f64]| {
            (0..no).fold(f64::NEG_INFINITY, |a, j| {
                let d = r[j] - ideal[j];
                let d = if d < 1e-3 { 0.0 } else { d };
                a.max(if j == axis { d } else { d * 1e6 })
            })
        };
        let best = cand
            .chunks_exact(no)
            .enumerate()
            .min_by(|a, b| asf(a.1).total_cmp(&asf(b.1)).then(a.0.cmp(&b.0)))
            .map(|(k, _)| k)
            .expect("at least one feasible row");
        ext.extend_from_slice(&cand[best * no..(best + 1) * no]);
    }
    *extremes = ext;
    let max_over = |rows: &[usize]| {
        let mut w = vec![f64::NEG_INFINITY; no];
        for &i in rows {
            w.iter_mut().zip(row(i)).for_each(|(a, &v)| *a = a.max(v));
        }
        w
    };
    let mut nadir = match intercepts(extremes, ideal) {
        Some(icpt) => (0..no)
            .map(|j| (ideal[j] + icpt[j]).min(worst[j]))
            .collect(),
        None => max_over(first),
    };
    let worst_pop = max_over(feas);
    for j in 0..no {
        if nadir[j] - ideal[j] <= 1e-6 {
            nadir[j] = worst_pop[j];
        }
    }
    nadir
}

/// Niche-preserving selection of `remaining` rows from the overflowing front `last` (row
/// indices), given every row's niche and perpendicular distance and the niche counts of the
/// rows already chosen (updated here). Random choices come from the stream
/// `(seed, "niching", generation, 0)`. Returns the chosen rows in the order they are taken.
/// The CPU twin of the device kernel `nsga3_niching_u32`.
pub(crate) fn niching(
    last: &[usize],
    niche: &[usize],
    dist: &[f64],
    count: &mut [usize],
    remaining: usize,
    seed: u64,
    generation: u64,
) -> Vec<usize> {
    let mut chosen = Vec::with_capacity(remaining);
    let mut s = stream(seed, "niching", generation, 0);
    let mut open: Vec<bool> = vec![true; last.len()];
    while chosen.len() < remaining {
        let mut niches: Vec<usize> = last
            .iter()
            .zip(&open)
            .filter(|(_, &o)| o)
            .map(|(&i, _)| niche[i])
            .collect();
        niches.sort_unstable();
        niches.dedup();
        let min = niches
            .iter()
            .map(|&k| count[k])
            .min()
            .expect("open members remain");
        let mut cands: Vec<usize> = niches.into_iter().filter(|&k| count[k] == min).collect();
        s.shuffle(&mut cands);
        cands.truncate(remaining - (chosen.len()));
        for k in cands {
            let members: Vec<usize> = (0..last.len())
                .filter(|&p| open[p] && niche[last[p]] == k)
                .collect();
            let p = if count[k] == 0 {
                *members
                    .iter()
                    .min_by(|&&a, &&b| dist[last[a]].total_cmp(&dist[last[b]]).then(a.cmp(&b)))
                    .expect("niche has members")
            } else {
                members[s.below(members.len() as u64) as usize]
            };
            open[p] = false;
            chosen.push(last[p]);
            count[k] += 1;
        }
    }
    chosen
}

pub(crate) fn check_refs(op: &'static str, refs: &[f64], n_obj: usize) -> Result<()> {
    if refs.is_empty() {
        return Err(Error::Empty {
            op,
            what: "reference directions",
        });
    }
    crate::moo::nondominated_sort::check_matrix(op, refs, n_obj)?;
    if refs
        .chunks_exact(n_obj)
        .any(|r| r.iter().any(|&v| v < 0.0) || r.iter().all(|&v| v <= 0.0))
    {
        return Err(Error::config(
            "refs",
            "directions must be non-negative and non-zero",
        ));
    }
    Ok(())
}

/// Intercepts of the hyperplane through the extreme points (relative to the ideal point), or
/// `None` when the system is singular, inaccurate or gives an intercept ≤ 10⁻⁶.
pub(crate) fn intercepts(extremes: &[f64], ideal: &[f64]) -> Option<Vec<f64>> {
    let n = ideal.len();
    // Augmented matrix [E - ideal | 1], solved by Gaussian elimination with partial pivoting.
    let mut a: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let mut r: Vec<f64> = (0..n).map(|j| extremes[i * n + j] - ideal[j]).collect();
            r.push(1.0);
            r
        })
        .collect();
    let orig = a.clone();
    for c in 0..n {
        let p = (c..n).max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()).then(y.cmp(&x)))?;
        if a[p][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, p);
        for r in c + 1..n {
            let k = a[r][c] / a[c][c];
            let pivot = a[c].clone();
            for (x, p) in a[r][c..].iter_mut().zip(&pivot[c..]) {
                *x -= k * p;
            }
        }
    }
    let mut plane = vec![0.0; n];
    for c in (0..n).rev() {
        let s = (c + 1..n).fold(a[c][n], |acc, j| acc - a[c][j] * plane[j]);
        plane[c] = s / a[c][c];
    }
    let consistent = orig
        .iter()
        .all(|r| ((0..n).fold(0.0, |acc, j| acc + r[j] * plane[j]) - 1.0).abs() <= 1e-5 + 1e-8);
    let icpt: Vec<f64> = plane.iter().map(|&p| 1.0 / p).collect();
    (consistent && icpt.iter().all(|&v| v.is_finite() && v > 1e-6)).then_some(icpt)
}

/// Niche (nearest reference direction by perpendicular distance, first on ties) and distance
/// of every row of `sel` (`n × no`), in objectives normalised by `(f − ideal) / (nadir − ideal)`.
pub(crate) fn associate(
    sel: &[f64],
    no: usize,
    refs: &[f64],
    ideal: &[f64],
    nadir: &[f64],
) -> (Vec<usize>, Vec<f64>) {
    let units: Vec<f64> = refs
        .chunks_exact(no)
        .flat_map(|w| {
            let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
            w.iter().map(move |v| v / norm)
        })
        .collect();
    let denom: Vec<f64> = (0..no)
        .map(|j| {
            let d = nadir[j] - ideal[j];
            if d == 0.0 {
                1e-12
            } else {
                d
            }
        })
        .collect();
    let n = sel.len() / no;
    let (mut niche, mut dist) = (vec![0; n], vec![f64::INFINITY; n]);
    let mut p = vec![0.0; no];
    for i in 0..n {
        for j in 0..no {
            p[j] = (sel[i * no + j] - ideal[j]) / denom[j];
        }
        for (k, u) in units.chunks_exact(no).enumerate() {
            let dot = p.iter().zip(u).fold(0.0, |a, (x, y)| a + x * y);
            let d2 = p.iter().zip(u).fold(0.0, |a, (x, y)| {
                let r = x - dot * y;
                a + r * r
            });
            let d = d2.sqrt();
            if d < dist[i] {
                dist[i] = d;
                niche[i] = k;
            }
        }
    }
    (niche, dist)
}

impl Algorithm for Nsga3 {
    const TAG: &'static str = "nsga3";

    fn ask(&mut self) -> Result<&[f64]> {
        if self.core.is_empty() {
            return self.core.make_pending(None);
        }
        let c = &self.core;
        let n = c.len();
        let pairs = binary_tournament(
            &c.cv,
            &vec![0; n],
            &vec![0.0; n],
            c.pop_size.div_ceil(2),
            c.seed,
            c.generation + 1,
        )?;
        self.core.make_pending(Some(&pairs))
    }

    fn tell(&mut self, f: &[f64], g: &[f64]) -> Result<()> {
        let (f, cv, sel) = self.core.check_tell(f, g)?;
        let m = self.core.merge(f, cv, sel);
        let keep = self.survive(&m)?;
        self.core.commit(&m, &keep);
        Ok(())
    }

    fn core(&self) -> &Core {
        &self.core
    }

    fn core_mut(&mut self) -> &mut Core {
        &mut self.core
    }

    fn write_extra(&self, w: &mut StateWriter) {
        for v in [&self.refs, &self.ideal, &self.worst, &self.extremes] {
            w.f64s(v);
        }
    }

    fn read_extra(core: Core, r: &mut StateReader) -> Result<Self> {
        let (refs, ideal, worst, extremes) = (r.f64s()?, r.f64s()?, r.f64s()?, r.f64s()?);
        let no = core.n_obj;
        check_refs("Nsga3::load", &refs, no)
            .map_err(|e| Error::format("checkpoint", e.to_string()))?;
        if ideal.len() != no
            || worst.len() != no
            || !(extremes.is_empty() || extremes.len() == no * no)
        {
            return Err(Error::format(
                "checkpoint",
                "NSGA-III normalisation sizes are inconsistent",
            ));
        }
        Ok(Nsga3 {
            core,
            refs,
            ideal,
            worst,
            extremes,
        })
    }
}
