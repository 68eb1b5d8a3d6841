//! The process-wide switch between the crate's vector lanes and its portable scalar loops.
//!
//! Every vector path of the crate (the EMO lanes, the non-dominated sort's sweeps, the
//! network kernels, the batched ODE steps, the ChaCha blocks) equals its scalar loop bit for
//! bit, so the switch changes how fast a result comes, never the result. It exists to
//! measure what the lanes buy: `reproduce_scaling` times its "CPU scalar" column with the
//! lanes off. Scalar code keeps the hardware FMA instruction where the CPU has one (a
//! scalar instruction, not a lane).
//!
//! ```
//! use pareto_sciml::math::{set_vector_lanes, vector_lanes};
//! assert!(vector_lanes());
//! set_vector_lanes(false); // every kernel now takes its scalar loop
//! assert!(!vector_lanes());
//! set_vector_lanes(true);
//! ```

use std::sync::atomic::{AtomicBool, Ordering};

static LANES: AtomicBool = AtomicBool::new(true);

/// Turns the vector lanes on (the default: used wherever the CPU has them) or off (every
/// kernel runs its scalar loop). Takes effect for calls that start afterwards.
pub fn set_vector_lanes(on: bool) {
    LANES.store(on, Ordering::Relaxed);
}

/// Whether the vector lanes may be used (they still need the CPU to have them).
#[inline]
pub fn vector_lanes() -> bool {
    LANES.load(Ordering::Relaxed)
}
