//! The ask/tell contract shared by NSGA-II, NSGA-III and RVEA, their common state, and the
//! [`run`] driver loop with checkpointing.
//!
//! An algorithm is a state machine: [`Algorithm::ask`] returns the decision vectors to
//! evaluate (the random initial population first, offspring afterwards) and
//! [`Algorithm::tell`] hands back their objectives and constraints and performs environmental
//! selection. The whole state, RNG position included (every draw comes from a stream named by
//! `(seed, purpose, generation, index)`, so the generation counter *is* the RNG position), is
//! serialised by [`Algorithm::save_checkpoint`]. [`run`] is only the loop
//! ask → evaluate → tell → observe → checkpoint.
//!
//! Generations are counted like pymoo's `n_gen`: the initial population is generation 1, so
//! `run(.., max_gen = 100, ..)` evaluates `100 × pop_size` individuals.

use crate::error::{check_len, Error, Result};
use crate::io::checkpoint::{self, StateReader, StateWriter};
use crate::moo::observer::{Control, GenerationReport, Observer};
use crate::moo::operators::{mutate_offspring, random_population, sbx_into, Variation};
use crate::moo::problem::{constraint_violation, Bounds, Evaluator, Problem};
use std::path::{Path, PathBuf};

/// State every algorithm shares: configuration, the current population and the pending
/// offspring.
#[derive(Debug, Clone, PartialEq)]
pub struct Core {
    /// Master seed.
    pub seed: u64,
    /// Number of objectives.
    pub n_obj: usize,
    /// Number of constraints.
    pub n_constr: usize,
    /// Decision-space bounds.
    pub bounds: Bounds,
    /// Individuals asked for per generation.
    pub pop_size: usize,
    /// SBX / mutation parameters.
    pub variation: Variation,
    /// Completed `tell`s (the initial population is generation 1).
    pub generation: u64,
    /// Current population, `len × n_var`.
    pub x: Vec<f64>,
    /// Its objectives as told (failed rows hold `+inf`).
    pub f: Vec<f64>,
    /// Its total constraint violations (`f64::MAX` for failed rows).
    pub cv: Vec<f64>,
    /// Decision vectors handed out by the last `ask`, awaiting `tell`.
    pub pending: Vec<f64>,
    /// Threads for variation (not part of the checkpointed state: offspring do not depend
    /// on it).
    pub threads: usize,
    /// Allocations of the previous generation, refilled by the next one.
    spare: Spare,
}

/// The population and offspring allocations a generation hands on to the next. At pop 8192 ×
/// 100 variables each is 6.5 MB; allocated afresh every generation, their first touches
/// (page faults) cost more than the copies themselves. Not part of the algorithm's state:
/// equal for any contents, and not checkpointed. A clone copies the contents, so a cloned
/// algorithm runs its next generation as warm as the original would.
#[derive(Clone, Default)]
struct Spare {
    x: Vec<f64>,
    kids: Vec<f64>,
}

impl PartialEq for Spare {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Spare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Spare")
    }
}

impl Core {
    /// Validated common configuration.
    pub fn new(
        bounds: Bounds,
        n_obj: usize,
        n_constr: usize,
        pop_size: usize,
        seed: u64,
        variation: Variation,
    ) -> Result<Self> {
        if n_obj == 0 {
            return Err(Error::config("n_obj", "must be at least 1"));
        }
        if pop_size < 2 {
            return Err(Error::config("pop_size", format!("{pop_size} < 2")));
        }
        variation.validate()?;
        Ok(Core {
            seed,
            n_obj,
            n_constr,
            bounds,
            pop_size,
            variation,
            generation: 0,
            x: Vec::new(),
            f: Vec::new(),
            cv: Vec::new(),
            pending: Vec::new(),
            threads: 1,
            spare: Spare::default(),
        })
    }

    /// Number of decision variables.
    pub fn n_var(&self) -> usize {
        self.bounds.len()
    }

    /// Number of individuals in the current population.
    pub fn len(&self) -> usize {
        self.cv.len()
    }

    /// True before the first `tell`.
    pub fn is_empty(&self) -> bool {
        self.cv.is_empty()
    }

    /// Fills `pending` with the initial population (first call) or with offspring of `pairs`
    /// (SBX then polynomial mutation, truncated to `pop_size`) and returns it.
    pub(crate) fn make_pending(&mut self, pairs: Option<&[(usize, usize)]>) -> Result<&[f64]> {
        if self.pending.is_empty() {
            let (lo, hi) = (self.bounds.lower(), self.bounds.upper());
            self.pending = match pairs {
                None => random_population(self.pop_size, lo, hi, self.seed),
                Some(pairs) => {
                    // Offspring of generation g + 1 draw from streams named by g + 1, so a
                    // resumed run (which restores g) continues the same streams.
                    let gen = self.generation + 1;
                    let mut kids = std::mem::take(&mut self.spare.kids);
                    sbx_into(
                        &mut kids,
                        &self.x,
                        pairs,
                        lo,
                        hi,
                        &self.variation,
                        self.seed,
                        gen,
                        self.threads,
                    )?;
                    kids.truncate(self.pop_size * self.n_var());
                    mutate_offspring(
                        &mut kids,
                        lo,
                        hi,
                        &self.variation,
                        self.seed,
                        gen,
                        0,
                        self.threads,
                    )?;
                    kids
                }
            };
        }
        Ok(&self.pending)
    }

    /// Validates told values for the pending rows; returns `(f, cv, f_for_selection)` where
    /// failed rows (an infinite objective) get `cv = f64::MAX` and objectives `f64::MAX` in the
    /// selection copy, so sorting and niching stay finite.
    pub(crate) fn check_tell(
        &self,
        f: &[f64],
        g: &[f64],
    ) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
        if self.pending.is_empty() {
            return Err(Error::config("tell", "called without a pending ask"));
        }
        let n = self.pending.len() / self.n_var();
        check_len("tell", "f.len()", n * self.n_obj, f.len())?;
        check_len("tell", "g.len()", n * self.n_constr, g.len())?;
        if let Some(index) = f.iter().position(|v| v.is_nan()) {
            return Err(Error::NonFinite {
                op: "tell",
                what: "objectives (NaN; mark failures with +inf)",
                index,
            });
        }
        if let Some(index) = g.iter().position(|v| v.is_nan()) {
            return Err(Error::NonFinite {
                op: "tell",
                what: "constraints",
                index,
            });
        }
        let mut cv = constraint_violation(g, self.n_constr, n);
        let mut sel = f.to_vec();
        for i in 0..n {
            let row = &mut sel[i * self.n_obj..(i + 1) * self.n_obj];
            if row.iter().any(|v| v.is_infinite()) || !cv[i].is_finite() {
                row.fill(f64::MAX);
                cv[i] = f64::MAX;
            }
        }
        Ok((f.to_vec(), cv, sel))
    }

    /// Parents ∪ told offspring (just the offspring on the first `tell`).
    pub(crate) fn merge(&self, f: Vec<f64>, cv: Vec<f64>, sel: Vec<f64>) -> Merged {
        // Decision vectors are not copied here: `commit` gathers the survivors' rows from the
        // parents and the pending offspring directly (at pop 8192 × 100 variables the copy
        // was 13 MB per generation).
        let mut m = Merged {
            f: self.f.clone(),
            cv: self.cv.clone(),
            sel: self.selection_f(),
        };
        m.f.extend(f);
        m.cv.extend(cv);
        m.sel.extend(sel);
        m
    }

    /// Keeps the rows `survivors` of `m` as the new population and ends the generation.
    pub(crate) fn commit(&mut self, m: &Merged, survivors: &[usize]) {
        let (nv, no) = (self.n_var(), self.n_obj);
        let n_par = self.cv.len();
        // On the threads: at pop 8192 × 100 variables this gather is 6.5 MB, first touches of
        // a fresh allocation included, and it was the largest serial part of a generation.
        let mut x = std::mem::take(&mut self.spare.x);
        // Every element is overwritten below; on a reused allocation this writes nothing.
        x.resize(survivors.len() * nv, 0.0);
        let (parents, pending) = (&self.x, &self.pending);
        crate::parallel::fill_rows(&mut x, nv.max(1), self.threads, |k, row| {
            let i = survivors[k];
            row.copy_from_slice(if i < n_par {
                &parents[i * nv..(i + 1) * nv]
            } else {
                &pending[(i - n_par) * nv..(i - n_par + 1) * nv]
            });
        });
        self.spare.x = std::mem::replace(&mut self.x, x);
        self.f = survivors
            .iter()
            .flat_map(|&i| m.f[i * no..(i + 1) * no].iter().copied())
            .collect();
        self.cv = survivors.iter().map(|&i| m.cv[i]).collect();
        self.spare.kids = std::mem::take(&mut self.pending);
        self.generation += 1;
    }

    /// Objectives of the current population with failed rows as `f64::MAX`.
    pub(crate) fn selection_f(&self) -> Vec<f64> {
        self.f
            .chunks_exact(self.n_obj)
            .zip(&self.cv)
            .flat_map(|(row, &c)| {
                let failed =
                    c.to_bits() == f64::MAX.to_bits() || row.iter().any(|v| v.is_infinite());
                row.iter().map(move |&v| if failed { f64::MAX } else { v })
            })
            .collect()
    }

    pub(crate) fn write(&self, w: &mut StateWriter) {
        w.u64(self.seed);
        w.u64(self.n_obj as u64);
        w.u64(self.n_constr as u64);
        w.f64s(self.bounds.lower());
        w.f64s(self.bounds.upper());
        w.u64(self.pop_size as u64);
        let v = &self.variation;
        for p in [
            v.eta_c,
            v.p_c,
            v.p_var,
            v.p_swap,
            v.eta_m,
            v.p_m.unwrap_or(f64::NAN),
        ] {
            w.f64(p);
        }
        w.u64(self.generation);
        for m in [&self.x, &self.f, &self.cv, &self.pending] {
            w.f64s(m);
        }
    }

    pub(crate) fn read(r: &mut StateReader) -> Result<Self> {
        let seed = r.u64()?;
        let n_obj = r.usize_max(1 << 20)?;
        let n_constr = r.usize_max(1 << 20)?;
        let bounds = Bounds::new(r.f64s()?, r.f64s()?)?;
        let pop_size = r.usize_max(1 << 40)?;
        let mut p = [0.0; 6];
        for v in p.iter_mut() {
            *v = r.f64()?;
        }
        let variation = Variation {
            eta_c: p[0],
            p_c: p[1],
            p_var: p[2],
            p_swap: p[3],
            eta_m: p[4],
            p_m: (!p[5].is_nan()).then_some(p[5]),
        };
        let mut core = Core::new(bounds, n_obj, n_constr, pop_size, seed, variation)?;
        core.generation = r.u64()?;
        core.x = r.f64s()?;
        core.f = r.f64s()?;
        core.cv = r.f64s()?;
        core.pending = r.f64s()?;
        let n = core.cv.len();
        if core.x.len() != n * core.n_var()
            || core.f.len() != n * n_obj
            || core.pending.len() % core.n_var() != 0
        {
            return Err(Error::format(
                "checkpoint",
                "population matrices have inconsistent sizes",
            ));
        }
        Ok(core)
    }
}

/// Parents and offspring together, as environmental selection sees them.
#[derive(Debug, Clone)]
pub(crate) struct Merged {
    pub f: Vec<f64>,
    pub cv: Vec<f64>,
    /// Objectives with failed rows as `f64::MAX` (finite, so sorting accepts them).
    pub sel: Vec<f64>,
}

/// An ask/tell multi-objective algorithm whose whole state checkpoints to a file.
pub trait Algorithm: Sized {
    /// Tag stored in checkpoint files; a file of another algorithm is refused.
    const TAG: &'static str;
    /// The decision vectors to evaluate next (row-major). Calling `ask` twice without `tell`
    /// returns the same rows.
    fn ask(&mut self) -> Result<&[f64]>;
    /// Objectives (`n × n_obj`) and constraints (`n × n_constr`) of the rows of the last
    /// `ask`; NaN is an error, `+inf` marks a failed evaluation.
    fn tell(&mut self, f: &[f64], g: &[f64]) -> Result<()>;
    /// The shared state.
    fn core(&self) -> &Core;
    /// Mutable access to the shared state, for [`replace_pending`](Self::replace_pending).
    #[doc(hidden)]
    fn core_mut(&mut self) -> &mut Core;
    /// Serialises the algorithm-specific state after the core.
    fn write_extra(&self, w: &mut StateWriter);
    /// Rebuilds the algorithm from a core and its specific state.
    fn read_extra(core: Core, r: &mut StateReader) -> Result<Self>;

    /// Replaces the rows of the last `ask` before they are told: Lamarckian local search
    /// (e.g. Adam steps on offspring networks) hands back the improved vectors, and those
    /// are the ones that survive. Rows are clipped into the bounds (the projection a bounded
    /// search space implies), so a trained genome never leaves the box the operators assume.
    /// It also seeds the initial population with vectors of the caller's choice (PyTorch-style
    /// network initialisation instead of uniform draws).
    ///
    /// Errors: no pending `ask`, a length other than the pending rows', non-finite values.
    ///
    /// ```
    /// use pareto_sciml::moo::{nsga2::Nsga2, problems::Zdt};
    /// use pareto_sciml::moo::algorithm::Algorithm;
    /// let p = Zdt::zdt1(3).unwrap();
    /// let mut alg = Nsga2::new(&p, 4, 1).unwrap();
    /// let mut x = alg.ask().unwrap().to_vec();
    /// x[0] = 2.0; // outside [0, 1]: clipped
    /// alg.replace_pending(&x).unwrap();
    /// assert_eq!(alg.ask().unwrap()[0], 1.0);
    /// ```
    fn replace_pending(&mut self, x: &[f64]) -> Result<()> {
        let core = self.core_mut();
        if core.pending.is_empty() {
            return Err(Error::config(
                "replace_pending",
                "called without a pending ask",
            ));
        }
        check_len("replace_pending", "x.len()", core.pending.len(), x.len())?;
        crate::error::check_finite("replace_pending", "x", x)?;
        let nv = core.n_var();
        let (lo, hi) = (core.bounds.lower().to_vec(), core.bounds.upper().to_vec());
        for (row_new, row) in x.chunks_exact(nv).zip(core.pending.chunks_exact_mut(nv)) {
            for j in 0..nv {
                row[j] = row_new[j].clamp(lo[j], hi[j]);
            }
        }
        Ok(())
    }

    /// Completed generations (the initial population counts as 1).
    fn generation(&self) -> u64 {
        self.core().generation
    }

    /// The whole state as checkpoint payload bytes.
    fn state_bytes(&self) -> Vec<u8> {
        let mut w = StateWriter::default();
        self.core().write(&mut w);
        self.write_extra(&mut w);
        w.into_bytes()
    }

    /// Rebuilds from [`state_bytes`](Self::state_bytes).
    fn from_state_bytes(payload: &[u8], name: &str) -> Result<Self> {
        let mut r = StateReader::new(payload, name);
        let core = Core::read(&mut r)?;
        let alg = Self::read_extra(core, &mut r)?;
        r.finish()?;
        Ok(alg)
    }

    /// Writes the state to a versioned checkpoint file, atomically.
    fn save_checkpoint(&self, path: impl AsRef<Path>) -> Result<()> {
        checkpoint::write(path, Self::TAG, &self.state_bytes())
    }

    /// Restores an algorithm from a checkpoint file.
    fn load_checkpoint(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let payload = checkpoint::read(path, Self::TAG)?;
        Self::from_state_bytes(&payload, &path.display().to_string())
    }
}

/// When [`run`] writes checkpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointFrequency {
    /// Never.
    Never,
    /// After every generation whose number is a multiple of `n` (`n ≥ 1`).
    Every(u64),
    /// After every generation.
    Always,
}

/// Where and how often [`run`] checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpointing {
    /// The checkpoint file (overwritten atomically each time).
    pub path: PathBuf,
    /// How often.
    pub frequency: CheckpointFrequency,
}

impl Checkpointing {
    /// No checkpoints.
    pub fn never() -> Self {
        Checkpointing {
            path: PathBuf::new(),
            frequency: CheckpointFrequency::Never,
        }
    }
    /// Checkpoints to `path` at `frequency`.
    pub fn new(path: impl Into<PathBuf>, frequency: CheckpointFrequency) -> Result<Self> {
        if frequency == CheckpointFrequency::Every(0) {
            return Err(Error::config(
                "frequency",
                "Every(0) never fires; use Never",
            ));
        }
        Ok(Checkpointing {
            path: path.into(),
            frequency,
        })
    }
    fn due(&self, generation: u64) -> bool {
        match self.frequency {
            CheckpointFrequency::Never => false,
            CheckpointFrequency::Every(n) => n > 0 && generation % n == 0,
            CheckpointFrequency::Always => true,
        }
    }
}

/// How a [`run`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOutcome {
    /// Generations completed (as counted by [`Algorithm::generation`]).
    pub generations: u64,
    /// Whether an observer stopped the run early.
    pub stopped_early: bool,
}

/// Runs `alg` until it has completed `max_gen` generations or an observer stops it:
/// ask → evaluate → tell → observe → checkpoint. A restored algorithm continues where its
/// checkpoint left off (it already holds a population, so initialisation is not repeated).
pub fn run<A: Algorithm, P: Problem + ?Sized>(
    alg: &mut A,
    evaluator: &Evaluator<P>,
    max_gen: u64,
    observer: &mut dyn Observer,
    checkpointing: &Checkpointing,
) -> Result<RunOutcome> {
    let problem = evaluator.problem();
    let core = alg.core();
    check_len("run", "problem.n_var()", core.n_var(), problem.n_var())?;
    check_len("run", "problem.n_obj()", core.n_obj, problem.n_obj())?;
    check_len(
        "run",
        "problem.n_constr()",
        core.n_constr,
        problem.n_constr(),
    )?;
    let start = std::time::Instant::now();
    let first = alg.generation();
    while alg.generation() < max_gen {
        let (f, g) = evaluator.evaluate(alg.ask()?)?;
        alg.tell(&f, &g)?;
        let gen = alg.generation();
        if checkpointing.due(gen) {
            alg.save_checkpoint(&checkpointing.path)?;
        }
        let c = alg.core();
        let report = GenerationReport {
            generation: gen,
            first_generation: first,
            max_gen,
            evaluations: evaluator.evaluations(),
            n_obj: c.n_obj,
            x: &c.x,
            f: &c.f,
            cv: &c.cv,
            elapsed: start.elapsed(),
        };
        if observer.observe(&report)? == Control::Stop {
            return Ok(RunOutcome {
                generations: gen,
                stopped_early: true,
            });
        }
    }
    Ok(RunOutcome {
        generations: alg.generation(),
        stopped_early: false,
    })
}
