//! Quality indicators of an approximation set.

pub mod hypervolume;
pub mod igd;
