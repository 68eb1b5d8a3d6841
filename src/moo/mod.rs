//! Multi-objective optimisation: everything that only knows objective and decision vectors.
//!
//! Populations are row-major matrices (one row per individual). All objectives are minimised.

pub mod algorithm;
pub mod crowding;
pub mod dominance;
pub mod indicators;
pub mod kdtree;
mod lanes;
pub mod nondominated_sort;
pub mod nsga2;
pub mod nsga3;
pub mod observer;
pub mod operators;
pub mod problem;
pub mod problems;
pub mod reference_points;
pub mod rvea;
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
mod variation_avx512;

pub use algorithm::{run, Algorithm, CheckpointFrequency, Checkpointing};
pub use crowding::crowding_distance;
pub use dominance::{compare, constrained_dominates, dominates, Dominance};
pub use indicators::hypervolume::hypervolume;
pub use indicators::igd::{igd, igd_plus};
pub use nondominated_sort::{constrained_nondominated_sort, nondominated_sort};
pub use nsga2::Nsga2;
pub use nsga3::Nsga3;
pub use problem::{Bounds, Evaluator, Problem};
pub use reference_points::{das_dennis, das_dennis_count, das_dennis_layered};
pub use rvea::Rvea;
