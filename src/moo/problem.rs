//! The [`Problem`] trait (DESIGN §3) and the [`Evaluator`] that runs it on a population.
//!
//! A problem evaluates a whole row-major population at once. Constraint values `g > 0` are
//! violations. An individual whose evaluation failed should get `f = +inf`; the evaluator
//! also turns any NaN it finds in a row into `f = +inf` for that row (and `g = +inf` when the
//! problem has constraints), so one bad individual never stops a run. The algorithms treat a
//! row with an infinite objective as maximally infeasible.
//!
//! ```
//! use pareto_sciml::moo::problem::{Evaluator, Problem};
//! use pareto_sciml::moo::problems::Zdt;
//! let p = Zdt::zdt1(30).unwrap();
//! let ev = Evaluator::new(&p).threads(2);
//! let x = vec![0.5; 4 * p.n_var()];
//! let (f, g) = ev.evaluate(&x).unwrap();
//! assert_eq!((f.len(), g.len(), ev.evaluations()), (8, 0, 4));
//! ```

use crate::error::{check_len, Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};

/// Box bounds of the decision space, validated on construction.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl Bounds {
    /// Bounds with `lower[j] <= upper[j]`, all finite, at least one variable.
    pub fn new(lower: Vec<f64>, upper: Vec<f64>) -> Result<Self> {
        if lower.is_empty() {
            return Err(Error::Empty {
                op: "Bounds::new",
                what: "lower bounds",
            });
        }
        check_len("Bounds::new", "upper.len()", lower.len(), upper.len())?;
        for (j, (&l, &u)) in lower.iter().zip(&upper).enumerate() {
            if !l.is_finite() || !u.is_finite() {
                return Err(Error::config(
                    format!("bounds[{j}]"),
                    format!("[{l}, {u}] is not finite"),
                ));
            }
            if l > u {
                return Err(Error::config(
                    format!("bounds[{j}]"),
                    format!("lower {l} > upper {u}"),
                ));
            }
        }
        Ok(Bounds { lower, upper })
    }

    /// `n_var` copies of `[lower, upper]`.
    pub fn uniform(n_var: usize, lower: f64, upper: f64) -> Result<Self> {
        Self::new(vec![lower; n_var], vec![upper; n_var])
    }

    /// Lower bounds.
    pub fn lower(&self) -> &[f64] {
        &self.lower
    }
    /// Upper bounds.
    pub fn upper(&self) -> &[f64] {
        &self.upper
    }
    /// Number of variables.
    pub fn len(&self) -> usize {
        self.lower.len()
    }
    /// Always false (bounds have at least one variable); present for API completeness.
    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }
}

/// A multi-objective minimisation problem evaluated on whole populations.
pub trait Problem: Sync {
    /// Number of decision variables.
    fn n_var(&self) -> usize;
    /// Number of objectives (at least 1).
    fn n_obj(&self) -> usize;
    /// Number of inequality constraints (`g > 0` is a violation).
    fn n_constr(&self) -> usize {
        0
    }
    /// Box bounds of the decision variables.
    fn bounds(&self) -> &Bounds;
    /// Evaluates the `n × n_var` row-major `x` into `f` (`n × n_obj`) and `g`
    /// (`n × n_constr`). Rows must be independent of each other (the evaluator may split the
    /// population across threads). Failed individuals get `f = +inf`; an `Err` is for input
    /// that makes the whole call meaningless.
    fn evaluate(&self, x: &[f64], f: &mut [f64], g: &mut [f64]) -> Result<()>;
}

/// Total constraint violation `Σ max(g_j, 0)` per row, summed in column order.
pub fn constraint_violation(g: &[f64], n_constr: usize, n: usize) -> Vec<f64> {
    if n_constr == 0 {
        return vec![0.0; n];
    }
    g.chunks_exact(n_constr)
        .map(|row| row.iter().fold(0.0, |acc, &v| acc + v.max(0.0)))
        .collect()
}

/// Runs a [`Problem`] on populations: checks shapes, counts evaluations, splits rows across
/// threads in contiguous blocks (bit-identical for any thread count because rows are
/// independent), and marks failed rows.
pub struct Evaluator<'a, P: Problem + ?Sized> {
    problem: &'a P,
    threads: usize,
    evaluations: AtomicU64,
}

impl<'a, P: Problem + ?Sized> Evaluator<'a, P> {
    /// An evaluator on one thread.
    pub fn new(problem: &'a P) -> Self {
        Evaluator {
            problem,
            threads: 1,
            evaluations: AtomicU64::new(0),
        }
    }
    /// Uses up to `threads` threads (0 = all cores).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }
    /// The wrapped problem.
    pub fn problem(&self) -> &P {
        self.problem
    }
    /// Individuals evaluated so far.
    pub fn evaluations(&self) -> u64 {
        self.evaluations.load(Ordering::Relaxed)
    }

    /// Evaluates the row-major population `x`; returns `(f, g)`.
    pub fn evaluate(&self, x: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
        let p = self.problem;
        let (n_var, n_obj, n_con) = (p.n_var(), p.n_obj(), p.n_constr());
        if n_var == 0 || n_obj == 0 {
            return Err(Error::config(
                "problem",
                "n_var and n_obj must be at least 1",
            ));
        }
        if x.is_empty() {
            return Err(Error::Empty {
                op: "Evaluator::evaluate",
                what: "population",
            });
        }
        if x.len() % n_var != 0 {
            return Err(Error::Shape {
                op: "Evaluator::evaluate",
                what: format!("x.len() (a multiple of n_var = {n_var})"),
                expected: x.len() / n_var * n_var,
                got: x.len(),
            });
        }
        let n = x.len() / n_var;
        let threads = crate::parallel::resolve_threads(self.threads).min(n);
        let block = n.div_ceil(threads.max(1));
        let blocks = n.div_ceil(block);
        let parts = crate::parallel::map_indexed(blocks, threads, |b| {
            let (r0, r1) = (b * block, ((b + 1) * block).min(n));
            let mut f = vec![0.0; (r1 - r0) * n_obj];
            let mut g = vec![0.0; (r1 - r0) * n_con];
            p.evaluate(&x[r0 * n_var..r1 * n_var], &mut f, &mut g)
                .map(|()| (f, g))
        });
        let mut f = Vec::with_capacity(n * n_obj);
        let mut g = Vec::with_capacity(n * n_con);
        for part in parts {
            let (pf, pg) = part?;
            f.extend_from_slice(&pf);
            g.extend_from_slice(&pg);
        }
        for i in 0..n {
            let fr = &mut f[i * n_obj..(i + 1) * n_obj];
            let gr = &mut g[i * n_con..(i + 1) * n_con];
            let failed =
                fr.iter().any(|v| v.is_nan() || v.is_infinite()) || gr.iter().any(|v| v.is_nan());
            if failed {
                fr.fill(f64::INFINITY);
                gr.fill(f64::INFINITY);
            }
        }
        self.evaluations.fetch_add(n as u64, Ordering::Relaxed);
        Ok((f, g))
    }
}

/// Number of rows of the row-major `x` with `n_var` columns; a ragged or empty `x` is an error.
pub(crate) fn check_rows(op: &'static str, x: &[f64], n_var: usize) -> Result<usize> {
    if x.is_empty() {
        return Err(Error::Empty {
            op,
            what: "population",
        });
    }
    if n_var == 0 || x.len() % n_var != 0 {
        return Err(Error::Shape {
            op,
            what: format!("x.len() (a multiple of n_var = {n_var})"),
            expected: x.len() / n_var.max(1) * n_var,
            got: x.len(),
        });
    }
    Ok(x.len() / n_var)
}
