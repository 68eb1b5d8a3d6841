//! The batched solve: input validation, blocks of members over threads, and the per-block
//! stepping loop with active-set compaction.

use super::real::Real;
use super::system::BatchSystem;
use super::tableau::Tableau;
use super::{MemberStats, SimdMode, Solution, SolveOptions, Status, StepMode};
use crate::error::{check_len, Error, Result};

/// Solves `members` initial-value problems `y' = f(t, y, p_m)`, `y(t0) = y0_m`, and returns
/// the solution at the shared output times `t_eval`.
///
/// - `y0`: `members × dim` row-major (`members = y0.len() / sys.dim()`, at least one);
/// - `params`: `members × sys.n_params()` row-major;
/// - `t_eval`: strictly monotone, on the side of `t0` it runs to (forward if
///   `t_eval.last() > t0`, backward if below); the solve ends at its last entry. An entry equal
///   to `t0` receives `y0`.
///
/// Non-finite parameters or states are a member [`Status::NonFinite`], not an error. Errors:
/// [`Error::Empty`] for zero members or no output times, [`Error::Shape`] for mismatched
/// lengths, [`Error::NonFinite`] for non-finite times, [`Error::InvalidConfig`] for
/// non-monotone times, a zero time span, non-positive or non-finite tolerances or steps,
/// `max_steps = 0`, or RK4 without [`StepMode::Fixed`].
pub fn solve<T: Real, S: BatchSystem<T>>(
    sys: &S,
    y0: &[T],
    params: &[T],
    t0: T,
    t_eval: &[T],
    opts: &SolveOptions,
) -> Result<Solution<T>> {
    let members = validate(sys, y0, params, t0, t_eval, opts)?;
    let (dim, np, n_out) = (sys.dim(), sys.n_params(), t_eval.len());
    let mut sol = Solution {
        y: vec![T::NAN; members * n_out * dim],
        status: vec![Status::Success; members],
        stats: vec![MemberStats::default(); members],
    };
    let threads = crate::parallel::resolve_threads(opts.threads).min(members);
    // Blocks of a size that keeps a block's buffers in cache; a member's bits do not depend on
    // which block it lands in (rows are independent), so neither size nor thread count matter.
    let block = members.div_ceil(threads.max(1)).clamp(1, 256);
    let n_blocks = members.div_ceil(block);
    let avx2 = opts.simd == SimdMode::Auto && has_avx2_fma();
    let run = |b: usize| {
        let lo = b * block;
        let hi = (lo + block).min(members);
        let cfg = Setup {
            tab: opts.method.tableau(),
            opts,
            t0,
            t_eval,
        };
        let mut out = BlockOut::new(hi - lo, n_out * dim);
        let inp = BlockIn {
            y0: &y0[lo * dim..hi * dim],
            p: &params[lo * np..hi * np],
        };
        if avx2 {
            // SAFETY: AVX2 and FMA were detected at run time just above.
            unsafe { block_avx2(sys, &cfg, &inp, &mut out) }
        } else {
            block_scalar(sys, &cfg, &inp, &mut out)
        }
        out
    };
    let outs = crate::parallel::map_indexed(n_blocks, threads, run);
    for (b, out) in outs.into_iter().enumerate() {
        let lo = b * block;
        let len = out.status.len();
        sol.y[lo * n_out * dim..(lo + len) * n_out * dim].copy_from_slice(&out.y);
        sol.status[lo..lo + len].copy_from_slice(&out.status);
        sol.stats[lo..lo + len].copy_from_slice(&out.stats);
    }
    Ok(sol)
}

/// Whether the AVX2 + FMA path can run on this CPU.
pub(crate) fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        crate::math::vector_lanes()
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

pub(crate) fn validate<T: Real, S: BatchSystem<T>>(
    sys: &S,
    y0: &[T],
    params: &[T],
    t0: T,
    t_eval: &[T],
    opts: &SolveOptions,
) -> Result<usize> {
    const OP: &str = "ode::solve";
    let dim = sys.dim();
    if y0.is_empty() || dim == 0 {
        return Err(Error::Empty {
            op: OP,
            what: "members (y0)",
        });
    }
    if t_eval.is_empty() {
        return Err(Error::Empty {
            op: OP,
            what: "t_eval",
        });
    }
    if y0.len() % dim != 0 {
        return Err(Error::Shape {
            op: OP,
            what: format!("y0.len() (a multiple of dim = {dim})"),
            expected: y0.len().div_ceil(dim) * dim,
            got: y0.len(),
        });
    }
    let members = y0.len() / dim;
    check_len(OP, "params.len()", members * sys.n_params(), params.len())?;
    if !t0.is_finite() {
        return Err(Error::NonFinite {
            op: OP,
            what: "t0",
            index: 0,
        });
    }
    if let Some(i) = t_eval.iter().position(|t| !t.is_finite()) {
        return Err(Error::NonFinite {
            op: OP,
            what: "t_eval",
            index: i,
        });
    }
    let t_end = t_eval[t_eval.len() - 1];
    if t_end.bits() == t0.bits() || (t_end - t0).bits() == T::ZERO.bits() {
        return Err(Error::config("t_eval", "the time span from t0 is empty"));
    }
    let dir = if t_end > t0 { T::ONE } else { -T::ONE };
    if dir * (t_eval[0] - t0) < T::ZERO {
        return Err(Error::config("t_eval", "t_eval[0] lies before t0"));
    }
    if let Some(i) = t_eval
        .windows(2)
        .position(|w| dir * (w[1] - w[0]) <= T::ZERO)
    {
        return Err(Error::config(
            "t_eval",
            format!("not strictly monotone at index {}", i + 1),
        ));
    }
    let positive = |name: &str, v: f64| {
        if v.is_finite() && v > 0.0 && T::from_f64(v) > T::ZERO {
            Ok(())
        } else {
            Err(Error::config(
                name,
                format!("must be finite and > 0, got {v}"),
            ))
        }
    };
    positive("rtol", opts.rtol)?;
    positive("atol", opts.atol)?;
    if let Some(h) = opts.h0 {
        positive("h0", h)?;
    }
    if opts.max_steps == 0 {
        return Err(Error::config("max_steps", "must be at least 1"));
    }
    match opts.steps {
        StepMode::Fixed(h) => positive("steps (fixed h)", h)?,
        StepMode::Adaptive(c) => {
            if opts.method.tableau().e.is_none() {
                return Err(Error::config(
                    "method",
                    format!(
                        "{:?} has no error estimate: use StepMode::Fixed",
                        opts.method
                    ),
                ));
            }
            positive("safety", c.safety)?;
            positive("factor_min", c.factor_min)?;
            if !(c.factor_max.is_finite() && c.factor_max >= c.factor_min) {
                return Err(Error::config(
                    "factor_max",
                    "must be finite and ≥ factor_min",
                ));
            }
            if let super::ControllerKind::Pi { pcoeff, icoeff } = c.kind {
                if !(pcoeff.is_finite() && icoeff.is_finite()) {
                    return Err(Error::config("pi coefficients", "must be finite"));
                }
            }
        }
    }
    Ok(members)
}

/// Read-only description of the solve shared by all blocks.
pub(crate) struct Setup<'a, T> {
    pub tab: &'static Tableau,
    pub opts: &'a SolveOptions,
    pub t0: T,
    pub t_eval: &'a [T],
}

pub(crate) struct BlockIn<'a, T> {
    pub y0: &'a [T],
    pub p: &'a [T],
}

/// A block's results, indexed by the member's position in the block.
pub(crate) struct BlockOut<T> {
    pub y: Vec<T>,
    pub status: Vec<Status>,
    pub stats: Vec<MemberStats>,
}

impl<T: Real> BlockOut<T> {
    pub(crate) fn new(members: usize, per_member: usize) -> Self {
        BlockOut {
            y: vec![T::NAN; members * per_member],
            status: vec![Status::Success; members],
            stats: vec![MemberStats::default(); members],
        }
    }
}

fn block_scalar<T: Real, S: BatchSystem<T>>(
    sys: &S,
    cfg: &Setup<'_, T>,
    inp: &BlockIn<'_, T>,
    out: &mut BlockOut<T>,
) {
    super::stepper::run_block(sys, cfg, inp, out, &mut ());
}

/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn block_avx2<T: Real, S: BatchSystem<T>>(
    sys: &S,
    cfg: &Setup<'_, T>,
    inp: &BlockIn<'_, T>,
    out: &mut BlockOut<T>,
) {
    super::stepper::run_block(sys, cfg, inp, out, &mut ());
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn block_avx2<T: Real, S: BatchSystem<T>>(
    sys: &S,
    cfg: &Setup<'_, T>,
    inp: &BlockIn<'_, T>,
    out: &mut BlockOut<T>,
) {
    block_scalar(sys, cfg, inp, out)
}
