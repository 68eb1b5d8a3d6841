//! Multi-objective optimisation: everything that only knows objective and decision vectors.
//!
//! Populations are row-major matrices (one row per individual). All objectives are minimised.

pub mod crowding;
pub mod dominance;
pub mod indicators;
pub mod nondominated_sort;
pub mod reference_points;

pub use crowding::crowding_distance;
pub use dominance::{compare, constrained_dominates, dominates, Dominance};
pub use indicators::hypervolume::hypervolume;
pub use indicators::igd::{igd, igd_plus};
pub use nondominated_sort::{constrained_nondominated_sort, nondominated_sort};
pub use reference_points::{das_dennis, das_dennis_count, das_dennis_layered};
