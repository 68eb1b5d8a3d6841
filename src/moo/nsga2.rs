//! NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002, doi:10.1109/4235.996017).
//!
//! Mating: binary tournament on (constraint violation, rank, crowding); variation: SBX and
//! polynomial mutation; survival: constraint-domination fronts of parents ∪ offspring, the
//! last front cut by decreasing crowding distance (ties by position, so selection draws no
//! random numbers).
//!
//! ```
//! use pareto_sciml::moo::{nsga2::Nsga2, problems::Zdt, problem::Evaluator};
//! use pareto_sciml::moo::algorithm::{run, Algorithm, Checkpointing};
//! use pareto_sciml::moo::observer::NoObserver;
//! let p = Zdt::zdt1(10).unwrap();
//! let mut alg = Nsga2::new(&p, 20, 7).unwrap();
//! run(&mut alg, &Evaluator::new(&p), 5, &mut NoObserver, &Checkpointing::never()).unwrap();
//! assert_eq!(alg.core().f.len(), 40);
//! ```

use crate::error::Result;
use crate::io::checkpoint::{StateReader, StateWriter};
use crate::moo::algorithm::{Algorithm, Core, Merged};
use crate::moo::operators::{binary_tournament, Variation};
use crate::moo::problem::Problem;
use crate::moo::{constrained_nondominated_sort, crowding_distance};

/// NSGA-II state.
#[derive(Debug, Clone, PartialEq)]
pub struct Nsga2 {
    core: Core,
    rank: Vec<usize>,
    crowd: Vec<f64>,
}

/// Splits rows into fronts by rank, in rank order, members in index order.
pub(crate) fn fronts(rank: &[usize]) -> Vec<Vec<usize>> {
    let n_fronts = rank.iter().max().map_or(0, |&r| r + 1);
    let mut fronts = vec![Vec::new(); n_fronts];
    for (i, &r) in rank.iter().enumerate() {
        fronts[r].push(i);
    }
    fronts
}

/// Rank-and-crowding survival of `n_keep` rows; returns `(survivors, rank, crowding)`.
fn survive(m: &Merged, n_obj: usize, n_keep: usize) -> Result<(Vec<usize>, Vec<usize>, Vec<f64>)> {
    let rank = constrained_nondominated_sort(&m.sel, &m.cv, n_obj)?;
    let (mut keep, mut r_out, mut c_out) = (Vec::new(), Vec::new(), Vec::new());
    for (k, front) in fronts(&rank).into_iter().enumerate() {
        if keep.len() >= n_keep {
            break;
        }
        let crowd = crowding_distance(&m.sel, n_obj, &front)?;
        let mut order: Vec<usize> = (0..front.len()).collect();
        if keep.len() + front.len() > n_keep {
            order.sort_by(|&a, &b| crowd[b].total_cmp(&crowd[a]).then(a.cmp(&b)));
            order.truncate(n_keep - keep.len());
        }
        for p in order {
            keep.push(front[p]);
            r_out.push(k);
            c_out.push(crowd[p]);
        }
    }
    Ok((keep, r_out, c_out))
}

impl Nsga2 {
    /// Uses up to `threads` threads (0 = all cores) for variation; offspring are
    /// bit-identical for any thread count.
    pub fn threads(mut self, threads: usize) -> Self {
        self.core.threads = threads;
        self
    }

    /// NSGA-II on `problem` with `pop_size` individuals, DESIGN §5 operators and `seed`.
    pub fn new<P: Problem + ?Sized>(problem: &P, pop_size: usize, seed: u64) -> Result<Self> {
        Self::with_variation(problem, pop_size, seed, Variation::default())
    }

    /// As [`new`](Self::new) with explicit operator parameters.
    pub fn with_variation<P: Problem + ?Sized>(
        problem: &P,
        pop_size: usize,
        seed: u64,
        variation: Variation,
    ) -> Result<Self> {
        let core = Core::new(
            problem.bounds().clone(),
            problem.n_obj(),
            problem.n_constr(),
            pop_size,
            seed,
            variation,
        )?;
        Ok(Nsga2 {
            core,
            rank: Vec::new(),
            crowd: Vec::new(),
        })
    }

    /// Front rank of each member of the current population.
    pub fn rank(&self) -> &[usize] {
        &self.rank
    }

    /// Crowding distance of each member within its front.
    pub fn crowding(&self) -> &[f64] {
        &self.crowd
    }
}

impl Algorithm for Nsga2 {
    const TAG: &'static str = "nsga2";

    fn ask(&mut self) -> Result<&[f64]> {
        if self.core.is_empty() {
            return self.core.make_pending(None);
        }
        let c = &self.core;
        let pairs = binary_tournament(
            &c.cv,
            &self.rank,
            &self.crowd,
            c.pop_size.div_ceil(2),
            c.seed,
            c.generation + 1,
        )?;
        self.core.make_pending(Some(&pairs))
    }

    fn tell(&mut self, f: &[f64], g: &[f64]) -> Result<()> {
        let (f, cv, sel) = self.core.check_tell(f, g)?;
        let m = self.core.merge(f, cv, sel);
        let (keep, rank, crowd) = survive(&m, self.core.n_obj, self.core.pop_size)?;
        self.core.commit(&m, &keep);
        self.rank = rank;
        self.crowd = crowd;
        Ok(())
    }

    fn core(&self) -> &Core {
        &self.core
    }

    fn core_mut(&mut self) -> &mut Core {
        &mut self.core
    }

    fn write_extra(&self, w: &mut StateWriter) {
        w.usizes(&self.rank);
        w.f64s(&self.crowd);
    }

    fn read_extra(core: Core, r: &mut StateReader) -> Result<Self> {
        let rank = r.usizes()?;
        let crowd = r.f64s()?;
        if rank.len() != core.len() || crowd.len() != core.len() {
            return Err(crate::Error::format(
                "checkpoint",
                "NSGA-II rank/crowding sizes differ from the population",
            ));
        }
        Ok(Nsga2 { core, rank, crowd })
    }
}
