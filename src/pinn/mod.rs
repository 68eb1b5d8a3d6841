//! Physics-informed neural networks: PDE problems, their reference solutions and data sets.
//!
//! - [`burgers`]: the Burgers benchmark (data set, viscosities) and [`burgers_reference`],
//!   its Cole–Hopf solution.
//! - [`tfmdwe`]: the time-fractional mixed diffusion-wave benchmark, with the L1 Caputo
//!   scheme of [`caputo`] and the special functions of [`special`].
//! - [`dataset`]: point sets, the observation-noise model, sampling helpers.

pub mod burgers;
pub mod burgers_problem;
pub mod burgers_reference;
pub mod caputo;
pub mod dataset;
pub mod problem;
pub mod quadrature;
pub mod special;
pub mod tfmdwe;
pub mod tfmdwe_problem;
pub mod train;
