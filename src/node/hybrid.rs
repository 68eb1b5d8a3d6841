//! The three hybrid forms of DESIGN §5, re-exported from [`crate::ode::hybrid`] (where the
//! solver-facing system and its exact vector–Jacobian products live), and the
//! Lotka–Volterra physics with its interaction terms removed.
//!
//! A user supplies the known physics `f_phys(t, y, p)` as a [`BatchSystem`] impl;
//! [`MlpCorrection::with_form`] builds (1) `f_phys + λ·NN`, (2) `f_phys(…, p + λ·NN)` or
//! (3) both, for a whole population at once.

pub use crate::ode::hybrid::*;
pub use crate::ode::system::{LotkaVolterra, LotkaVolterraNoInteraction};
pub use crate::ode::BatchSystem;
