//! Per-generation observers: progress output, logging, early stopping.
//!
//! Observers receive a [`GenerationReport`] after every `tell` in [`crate::moo::run`] and
//! answer [`Control::Continue`] or [`Control::Stop`]. They never live inside the algorithms.
//!
//! ```
//! use pareto_sciml::moo::observer::{Control, FnObserver, GenerationReport, Observer};
//! let mut stop_at_5 = FnObserver(|r: &GenerationReport| {
//!     Ok(if r.generation >= 5 { Control::Stop } else { Control::Continue })
//! });
//! # let _ = &mut stop_at_5 as &mut dyn Observer;
//! ```

use crate::error::Result;
use std::time::Duration;

/// Whether the run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Go on.
    Continue,
    /// Stop after this generation.
    Stop,
}

/// What an observer sees after a generation.
#[derive(Debug, Clone, Copy)]
pub struct GenerationReport<'a> {
    /// Generations completed.
    pub generation: u64,
    /// Generations already completed when this `run` call started (non-zero on resume).
    pub first_generation: u64,
    /// Planned generations.
    pub max_gen: u64,
    /// Individuals evaluated so far by this run's evaluator.
    pub evaluations: u64,
    /// Number of objectives.
    pub n_obj: usize,
    /// Current population (row-major).
    pub x: &'a [f64],
    /// Its objectives (`+inf` for failed rows).
    pub f: &'a [f64],
    /// Its constraint violations.
    pub cv: &'a [f64],
    /// Time since this `run` call started.
    pub elapsed: Duration,
}

impl GenerationReport<'_> {
    /// Smallest value of each objective over the feasible rows (`+inf` when none is feasible).
    pub fn best_objectives(&self) -> Vec<f64> {
        let mut best = vec![f64::INFINITY; self.n_obj];
        for (row, &c) in self.f.chunks_exact(self.n_obj).zip(self.cv) {
            if c <= 0.0 {
                for (b, &v) in best.iter_mut().zip(row) {
                    *b = b.min(v);
                }
            }
        }
        best
    }

    /// Feasible, finite rows of `f`, row-major.
    pub fn feasible_f(&self) -> Vec<f64> {
        self.f
            .chunks_exact(self.n_obj)
            .zip(self.cv)
            .filter(|(row, &c)| c <= 0.0 && row.iter().all(|v| v.is_finite()))
            .flat_map(|(row, _)| row.iter().copied())
            .collect()
    }

    /// Estimated time to `max_gen` from the pace of this run.
    pub fn eta(&self) -> Duration {
        let done = self.generation.saturating_sub(self.first_generation).max(1);
        let left = self.max_gen.saturating_sub(self.generation);
        self.elapsed.mul_f64(left as f64 / done as f64)
    }

    /// Key-value metrics: `generation`, `evaluations`, `feasible`, `elapsed_s`, `best_f<j>`.
    pub fn metrics(&self) -> Vec<(String, f64)> {
        let feasible = self.cv.iter().filter(|&&c| c <= 0.0).count();
        let mut kv = vec![
            ("generation".to_string(), self.generation as f64),
            ("evaluations".to_string(), self.evaluations as f64),
            ("feasible".to_string(), feasible as f64),
            ("elapsed_s".to_string(), self.elapsed.as_secs_f64()),
        ];
        for (j, b) in self.best_objectives().into_iter().enumerate() {
            kv.push((format!("best_f{j}"), b));
        }
        kv
    }
}

/// A per-generation callback.
pub trait Observer {
    /// Called after every generation.
    fn observe(&mut self, report: &GenerationReport) -> Result<Control>;
}

/// Observes nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoObserver;

impl Observer for NoObserver {
    fn observe(&mut self, _: &GenerationReport) -> Result<Control> {
        Ok(Control::Continue)
    }
}

/// Wraps a closure as an observer.
pub struct FnObserver<F>(pub F);

impl<F: FnMut(&GenerationReport) -> Result<Control>> Observer for FnObserver<F> {
    fn observe(&mut self, report: &GenerationReport) -> Result<Control> {
        (self.0)(report)
    }
}

/// Calls several observers in order; stops if any asks to.
pub struct Observers<'a>(pub Vec<&'a mut dyn Observer>);

impl Observer for Observers<'_> {
    fn observe(&mut self, report: &GenerationReport) -> Result<Control> {
        let mut control = Control::Continue;
        for o in self.0.iter_mut() {
            if o.observe(report)? == Control::Stop {
                control = Control::Stop;
            }
        }
        Ok(control)
    }
}

/// Prints generation, best objectives, IGD (given a reference front) or hypervolume (given a
/// reference point), elapsed time and ETA to stderr every `every` generations.
#[derive(Debug, Clone)]
pub struct ProgressObserver {
    every: u64,
    front: Option<Vec<f64>>,
    hv_reference: Option<Vec<f64>>,
}

impl ProgressObserver {
    /// Prints every `every` generations (0 behaves as 1).
    pub fn new(every: u64) -> Self {
        ProgressObserver {
            every: every.max(1),
            front: None,
            hv_reference: None,
        }
    }
    /// Also prints the IGD to this row-major reference front.
    pub fn with_front(mut self, front: Vec<f64>) -> Self {
        self.front = Some(front);
        self
    }
    /// Also prints the hypervolume with this reference point.
    pub fn with_hv_reference(mut self, reference: Vec<f64>) -> Self {
        self.hv_reference = Some(reference);
        self
    }
    /// The line printed for `report`.
    pub fn line(&self, r: &GenerationReport) -> Result<String> {
        let best: Vec<String> = r
            .best_objectives()
            .iter()
            .map(|v| format!("{v:.4e}"))
            .collect();
        let mut s = format!(
            "gen {:>5}/{} best [{}]",
            r.generation,
            r.max_gen,
            best.join(", ")
        );
        let feasible = r.feasible_f();
        if !feasible.is_empty() {
            if let Some(front) = &self.front {
                s += &format!(" igd {:.4e}", crate::moo::igd(&feasible, front, r.n_obj)?);
            }
            if let Some(reference) = &self.hv_reference {
                s += &format!(
                    " hv {:.4e}",
                    crate::moo::hypervolume(&feasible, r.n_obj, reference)?
                );
            }
        }
        s += &format!(
            " elapsed {:.2}s eta {:.2}s",
            r.elapsed.as_secs_f64(),
            r.eta().as_secs_f64()
        );
        Ok(s)
    }
}

impl Observer for ProgressObserver {
    fn observe(&mut self, r: &GenerationReport) -> Result<Control> {
        if r.generation % self.every == 0 || r.generation == r.max_gen {
            eprintln!("{}", self.line(r)?);
        }
        Ok(Control::Continue)
    }
}
