//! RVEA (Cheng, Jin, Olhofer & Sendhoff 2016, doi:10.1109/TEVC.2016.2519378), as in
//! TensorRVEA (Liang et al. 2024) and pymoo 0.6.
//!
//! Each generation: random mating, SBX + polynomial mutation, then angle-penalised distance
//! (APD) selection of one survivor per reference vector among parents ∪ offspring:
//! objectives are translated by the ideal point (kept over all generations), every individual
//! joins the vector of smallest angle θ, and the survivor minimises
//! `‖f − z*‖ · (1 + M · (t / t_max)^α · θ / γ)`, with γ the angle from the vector to its
//! nearest neighbour, `t` the completed generations and α = 2. Every `⌈fr · t_max⌉`
//! generations (fr = 0.1) the vectors are re-scaled by the range of the surviving population.
//! The population can therefore be smaller than the number of vectors (empty niches).
//!
//! Constraints: within a niche a feasible individual beats an infeasible one; among
//! infeasible ones the smaller violation wins. Angles use the crate's own
//! [`acos_f64`] (not the platform's libm), which the
//! CUDA kernel `kernels/rvea.cu` reproduces bit for bit.
//!
//! ```
//! use pareto_sciml::moo::{das_dennis, rvea::Rvea, problems::Dtlz, problem::Evaluator};
//! use pareto_sciml::moo::algorithm::{run, Algorithm, Checkpointing};
//! use pareto_sciml::moo::observer::NoObserver;
//! let p = Dtlz::new(1, 7, 3).unwrap();
//! let mut alg = Rvea::new(&p, das_dennis(3, 4).unwrap(), 10, 3).unwrap();
//! run(&mut alg, &Evaluator::new(&p), 10, &mut NoObserver, &Checkpointing::never()).unwrap();
//! assert!(alg.core().len() <= 15);
//! ```

use crate::error::{Error, Result};
use crate::io::checkpoint::{StateReader, StateWriter};
use crate::math::inverse_trig::acos_f64;
use crate::moo::algorithm::{Algorithm, Core, Merged};
use crate::moo::kdtree::KdTree;
use crate::moo::nsga3::check_refs;
use crate::moo::operators::{random_mating, Variation};
use crate::moo::problem::Problem;

/// RVEA state.
#[derive(Debug, Clone, PartialEq)]
pub struct Rvea {
    core: Core,
    max_gen: u64,
    alpha: f64,
    fr: f64,
    /// Initial unit reference vectors.
    v0: Vec<f64>,
    /// Current unit reference vectors.
    v: Vec<f64>,
    ideal: Vec<f64>,
    /// Worst objective values of the last survivors (for adaptation).
    nadir: Vec<f64>,
    /// Angle from each vector in `v` to its nearest neighbour; derived from `v` and cached
    /// because it costs O(N²) and `v` only changes on adaptation.
    gamma: Vec<f64>,
    /// Nearest-neighbour index over `v`, derived from it (rebuilt whenever `v` changes).
    tree: KdTree,
}

pub(crate) fn unit_rows(v: &[f64], no: usize) -> Vec<f64> {
    v.chunks_exact(no)
        .flat_map(|w| {
            let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
            w.iter().map(move |x| x / norm)
        })
        .collect()
}

/// Angle from each unit vector to its nearest other vector (floored at 1e-64 so θ/γ exists;
/// π for a lone vector).
pub(crate) fn gammas(v: &[f64], no: usize, tree: &KdTree) -> Vec<f64> {
    v.chunks_exact(no)
        .enumerate()
        .map(|(k, a)| {
            let (nn, _) = tree.nearest(a, Some(k));
            if nn == usize::MAX {
                return std::f64::consts::PI;
            }
            let b = &v[nn * no..(nn + 1) * no];
            let dot = a.iter().zip(b).fold(0.0, |s, (x, y)| s + x * y);
            acos_f64(dot.clamp(-1.0, 1.0)).max(1e-64)
        })
        .collect()
}

impl Rvea {
    /// RVEA with reference vectors `refs` (row-major, e.g. [`crate::moo::das_dennis`]), for a
    /// run of `max_gen` generations (the penalty schedule needs it), α = 2, fr = 0.1; each
    /// generation makes one offspring per vector.
    pub fn new<P: Problem + ?Sized>(
        problem: &P,
        refs: Vec<f64>,
        max_gen: u64,
        seed: u64,
    ) -> Result<Self> {
        Self::with_options(problem, refs, max_gen, seed, 2.0, 0.1, Variation::default())
    }

    /// As [`new`](Self::new) with explicit α, adaptation frequency `fr ∈ (0, 1]` and operators.
    pub fn with_options<P: Problem + ?Sized>(
        problem: &P,
        refs: Vec<f64>,
        max_gen: u64,
        seed: u64,
        alpha: f64,
        fr: f64,
        variation: Variation,
    ) -> Result<Self> {
        let no = problem.n_obj();
        check_refs("Rvea::new", &refs, no)?;
        if max_gen == 0 {
            return Err(Error::config("max_gen", "must be at least 1"));
        }
        if !(alpha.is_finite() && alpha >= 0.0) {
            return Err(Error::config(
                "alpha",
                format!("{alpha} is not finite and >= 0"),
            ));
        }
        if !(fr > 0.0 && fr <= 1.0) {
            return Err(Error::config("fr", format!("{fr} is not in (0, 1]")));
        }
        let pop = refs.len() / no;
        let core = Core::new(
            problem.bounds().clone(),
            no,
            problem.n_constr(),
            pop,
            seed,
            variation,
        )?;
        let v0 = unit_rows(&refs, no);
        Ok(Rvea {
            core,
            max_gen,
            alpha,
            fr,
            tree: KdTree::new(&v0, no),
            gamma: Vec::new(),
            v: v0.clone(),
            v0,
            ideal: vec![f64::INFINITY; no],
            nadir: Vec::new(),
        }
        .with_derived())
    }

    /// Uses up to `threads` threads (0 = all cores) for variation and association; the
    /// result is bit-identical for any thread count.
    pub fn threads(mut self, threads: usize) -> Self {
        self.core.threads = threads;
        self
    }

    /// The current (adapted) unit reference vectors.
    pub fn reference_vectors(&self) -> &[f64] {
        &self.v
    }

    fn survive(&mut self, m: &Merged) -> Vec<usize> {
        let no = self.core.n_obj;
        let n = m.cv.len();
        let feas: Vec<usize> = (0..n).filter(|&i| m.cv[i] <= 0.0).collect();
        // The ideal point comes from feasible rows; with none, from every row.
        let rows = if feas.is_empty() {
            (0..n).collect::<Vec<_>>()
        } else {
            feas
        };
        // A fold in row order with a strict comparison (NaN never replaces; of +0 and -0 the
        // earlier stays), so the device's tree reduction has one answer to reproduce
        // (`f64::min` leaves the sign of a zero unspecified).
        for &i in &rows {
            for j in 0..no {
                let x = m.sel[i * no + j];
                if x < self.ideal[j] {
                    self.ideal[j] = x;
                }
            }
        }
        let t = self.core.generation as f64;
        let penalty = no as f64 * crate::math::pow_f64(t / self.max_gen as f64, self.alpha);
        let gamma = &self.gamma;
        let n_vec = gamma.len();
        // Per niche: (is infeasible, violation, APD, row), smallest wins.
        // Association and APD per row are independent: computed on threads, reduced per
        // niche in row order (so the result does not depend on the thread count).
        let (v, ideal, tree) = (&self.v, &self.ideal, &self.tree);
        let assoc = crate::parallel::map_indexed(n, self.core.threads, |i| {
            // Stack buffers for the usual few objectives (no allocation per row).
            let (mut fp_buf, mut u_buf) = ([0.0; 16], [0.0; 16]);
            let (mut fp_vec, mut u_vec) = (Vec::new(), Vec::new());
            let (fp, u) = if no <= 16 {
                (&mut fp_buf[..no], &mut u_buf[..no])
            } else {
                fp_vec.resize(no, 0.0);
                u_vec.resize(no, 0.0);
                (&mut fp_vec[..], &mut u_vec[..])
            };
            for ((d, s), z) in fp.iter_mut().zip(&m.sel[i * no..(i + 1) * no]).zip(ideal) {
                *d = s - z;
            }
            let dist = fp.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-64);
            for (d, x) in u.iter_mut().zip(fp.iter()) {
                *d = x / dist;
            }
            // Smallest angle = nearest unit vector (|u − v|² = 2 − 2 cos θ).
            let (k, _) = tree.nearest(u, None);
            let w = &v[k * no..(k + 1) * no];
            let cos = u.iter().zip(w).fold(0.0, |s, (x, y)| s + x * y);
            let theta = acos_f64(cos.clamp(-1.0, 1.0));
            (k, dist * (1.0 + penalty * theta / gamma[k]))
        });
        let mut best: Vec<Option<(bool, f64, f64, usize)>> = vec![None; n_vec];
        for (i, (k_best, apd)) in assoc.into_iter().enumerate() {
            let key = (m.cv[i] > 0.0, m.cv[i], apd, i);
            let better = match best[k_best] {
                None => true,
                Some(b) => {
                    (key.0, key.1, key.2).partial_cmp(&(b.0, b.1, b.2))
                        == Some(std::cmp::Ordering::Less)
                }
            };
            if better {
                best[k_best] = Some(key);
            }
        }
        let survivors: Vec<usize> = best.into_iter().flatten().map(|b| b.3).collect();
        let mut nadir = vec![f64::NEG_INFINITY; no];
        for &i in &survivors {
            for (a, &s) in nadir.iter_mut().zip(&m.sel[i * no..(i + 1) * no]) {
                if s > *a {
                    *a = s;
                }
            }
        }
        self.nadir = nadir;
        survivors
    }

    /// Re-scales the initial vectors by the survivors' objective range (RVEA's adaptation).
    fn adapt(&mut self) {
        let no = self.core.n_obj;
        let range: Vec<f64> = (0..no).map(|j| self.nadir[j] - self.ideal[j]).collect();
        if range.iter().any(|r| !(r.is_finite() && *r > 0.0)) {
            return; // A collapsed or failed range carries no shape information.
        }
        let scaled: Vec<f64> = self
            .v0
            .chunks_exact(no)
            .flat_map(|w| w.iter().zip(&range).map(|(a, b)| a * b))
            .collect();
        self.v = unit_rows(&scaled, no);
        self.tree = KdTree::new(&self.v, no);
        self.gamma = gammas(&self.v, no, &self.tree);
    }

    /// Recomputes what derives from `v` (the tree and γ).
    fn with_derived(mut self) -> Self {
        let no = self.core.n_obj;
        self.tree = KdTree::new(&self.v, no);
        self.gamma = gammas(&self.v, no, &self.tree);
        self
    }
}

impl Algorithm for Rvea {
    const TAG: &'static str = "rvea";

    fn ask(&mut self) -> Result<&[f64]> {
        if self.core.is_empty() {
            return self.core.make_pending(None);
        }
        let c = &self.core;
        let pairs = random_mating(c.len(), c.pop_size.div_ceil(2), c.seed, c.generation + 1)?;
        self.core.make_pending(Some(&pairs))
    }

    fn tell(&mut self, f: &[f64], g: &[f64]) -> Result<()> {
        let (f, cv, sel) = self.core.check_tell(f, g)?;
        let m = self.core.merge(f, cv, sel);
        let keep = self.survive(&m);
        self.core.commit(&m, &keep);
        let period = ((self.fr * self.max_gen as f64).ceil() as u64).max(1);
        if self.core.generation % period == 0 {
            self.adapt();
        }
        Ok(())
    }

    fn core(&self) -> &Core {
        &self.core
    }

    fn core_mut(&mut self) -> &mut Core {
        &mut self.core
    }

    fn write_extra(&self, w: &mut StateWriter) {
        w.u64(self.max_gen);
        w.f64(self.alpha);
        w.f64(self.fr);
        for v in [&self.v0, &self.v, &self.ideal, &self.nadir] {
            w.f64s(v);
        }
    }

    fn read_extra(core: Core, r: &mut StateReader) -> Result<Self> {
        let (max_gen, alpha, fr) = (r.u64()?, r.f64()?, r.f64()?);
        let (v0, v, ideal, nadir) = (r.f64s()?, r.f64s()?, r.f64s()?, r.f64s()?);
        let no = core.n_obj;
        if v0.len() != v.len()
            || v.len() != core.pop_size * no
            || ideal.len() != no
            || !(nadir.is_empty() || nadir.len() == no)
        {
            return Err(Error::format(
                "checkpoint",
                "RVEA vector sizes are inconsistent",
            ));
        }
        Ok(Rvea {
            core,
            max_gen,
            alpha,
            fr,
            tree: KdTree::new(&v, no),
            gamma: Vec::new(),
            v0,
            v,
            ideal,
            nadir,
        }
        .with_derived())
    }
}
