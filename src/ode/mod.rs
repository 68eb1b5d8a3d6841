//! Batched adaptive explicit Runge–Kutta integration with per-member step control.
//!
//! Solves `members` initial-value problems `y' = f(t, y, p_m)` at once, every member with its
//! own parameters, step size, error control, step counts and [`Status`] (torchode semantics;
//! DESIGN §5). Members that finish or fail leave the active set and stop costing work; one
//! diverging member never changes another member's bits.
//!
//! - [`solve()`]: solution at shared output times (dense output, forward or backward in time).
//! - [`gradient`]: exact reverse-mode gradient of a loss on that output with respect to each
//!   member's parameters and initial state (discretise-then-optimise, see [`sensitivity`]).
//! - Test systems in [`system`]; tableaus in [`tableau`]; step-size laws in [`controller`].
//!
//! Vector work runs on AVX2/FMA when the CPU has it, else on a scalar twin with the same
//! operations in the same order ([`SimdMode`]); members are split into blocks over threads.
//! Results are bit-identical for either path and any thread count.
//!
//! ```
//! use pareto_sciml::ode::{solve, system::Decay, SolveOptions, Status};
//! // Two members of y' = -λ y with λ = 1 and λ = 2, from y(0) = 1, out to t = 1.
//! let sol = solve(&Decay, &[1.0, 1.0], &[1.0, 2.0], 0.0, &[0.5, 1.0], &SolveOptions::default())
//!     .unwrap();
//! assert!(sol.status.iter().all(|s| *s == Status::Success));
//! assert!((sol.y[3] - (-2.0f64).exp()).abs() < 1e-6); // member 1, output 1, component 0
//! ```

pub mod controller;
pub mod hybrid;
mod kernels;
pub mod real;
pub mod sensitivity;
mod solve;
mod stepper;
pub mod system;
pub mod tableau;

pub use controller::{ControllerConfig, ControllerKind};
pub use real::Real;
pub use sensitivity::{gradient, Gradient, GradientOptions};
pub use solve::solve;
pub use system::BatchSystem;
pub use tableau::Method;

/// How a member's solve ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Status {
    /// Reached the last output time (also the state before a solve starts).
    #[default]
    Success,
    /// Took `max_steps` trial steps without reaching the end.
    MaxSteps,
    /// The step size fell below the resolution of `t` (`|h| ≤ 4·ε·max(|t|, 1)` after a
    /// rejection): typically a finite-time blow-up.
    StepTooSmall,
    /// A NaN or infinity appeared in the state, the stage derivatives or the error estimate.
    NonFinite,
}

/// Per-member step statistics.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct MemberStats {
    /// Accepted steps.
    pub accepted: u32,
    /// Rejected steps.
    pub rejected: u32,
    /// Right-hand side evaluations (rows) spent on this member, initial step selection
    /// included.
    pub rhs_evals: u32,
    /// Time reached (the last output time on success).
    pub t: f64,
    /// The next step size the controller proposed.
    pub h: f64,
    /// Error ratio of the last trial step.
    pub error_ratio: f64,
}

/// How steps are chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StepMode {
    /// Adaptive steps with error control.
    Adaptive(ControllerConfig),
    /// Fixed step of this magnitude (direction taken from the time span); the last step is
    /// shortened to land on the final output time. Any method, RK4 included.
    Fixed(f64),
}

/// Which instruction set runs the vector work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SimdMode {
    /// AVX2/FMA when the CPU has it, else scalar.
    #[default]
    Auto,
    /// The portable scalar twin (same bits, for tests and machines without AVX2).
    Scalar,
}

/// Options of a batched solve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SolveOptions {
    /// Runge–Kutta method.
    pub method: Method,
    /// Adaptive (default, integral controller) or fixed steps.
    pub steps: StepMode,
    /// Relative tolerance (> 0).
    pub rtol: f64,
    /// Absolute tolerance (> 0).
    pub atol: f64,
    /// Maximum trial steps per member (≥ 1).
    pub max_steps: u32,
    /// First step magnitude; `None` selects it by Hairer's algorithm.
    pub h0: Option<f64>,
    /// Worker threads (0 = all cores). Results do not depend on it.
    pub threads: usize,
    /// Vector instruction set. Results do not depend on it.
    pub simd: SimdMode,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            method: Method::Dopri5,
            steps: StepMode::Adaptive(ControllerConfig::default()),
            rtol: 1e-6,
            atol: 1e-8,
            max_steps: 100_000,
            h0: None,
            threads: 1,
            simd: SimdMode::Auto,
        }
    }
}

/// The result of a batched solve.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution<T> {
    /// `members × n_out × dim` row-major; outputs a failed member never reached are NaN.
    pub y: Vec<T>,
    /// Per-member outcome.
    pub status: Vec<Status>,
    /// Per-member statistics.
    pub stats: Vec<MemberStats>,
}
