//! # pareto-sciml
//!
//! Multi-objective evolutionary training for scientific machine learning.
//!
//! Physics-informed neural networks and hybrid neural ODEs are usually trained on a weighted
//! sum of loss terms, with weights tuned by hand. pareto-sciml treats every loss term as its own
//! objective and evolves a *population* of networks with NSGA-II, NSGA-III or RVEA, with Adam
//! steps between generations, optionally feeding the Pareto members into an ensemble Kalman
//! filter. Everything is batched over the population, on SIMD CPUs and (feature `cuda`) on
//! NVIDIA GPUs through our own PTX kernels.
//!
//! ## Layers
//! - [`moo`]: dominance, non-dominated sorting, crowding, hypervolume, IGD, reference points,
//!   operators, test problems and the ask/tell algorithms. Knows nothing about networks.
//! - [`math`]: our own elementary functions, bit-identical across scalar, SIMD and GPU paths.
//! - [`rng`]: every random draw comes from a named ChaCha20 stream
//!   `(seed, purpose, generation, index)`.
//! - [`parallel`]: deterministic data parallelism on a pool of parked worker threads.
//! - [`io`]: CSV, `.npy`, JSON manifests, SVG plots, checkpoints.
//! - [`repro`]: the command line shared by the `reproduce_*` examples.
//! - [`node`]: NSGA-NODE, hybrid neural ODEs trained as a multi-objective population, and an
//!   architecture search around it.
//!
//! ## Example
//! ```
//! use pareto_sciml::moo::{nondominated_sort, hypervolume};
//! // Three points of a 2-objective minimisation problem, row-major.
//! let f = [1.0, 4.0, 2.0, 2.0, 3.0, 3.0];
//! assert_eq!(nondominated_sort(&f, 2).unwrap(), vec![0, 0, 1]);
//! let hv = hypervolume(&f, 2, &[5.0, 5.0]).unwrap();
//! assert!((hv - (4.0 * 1.0 + 3.0 * 2.0)).abs() < 1e-12);
//! ```
//!
//! ## Reproducibility contract
//! One master seed determines every result. Random streams are keyed by what they are for and
//! by which generation and individual they serve, never by which thread runs them, and every
//! reduction has a fixed order; so results are bit-identical for any thread count and across
//! runs, and the AVX2/FMA path agrees with the scalar path to the bit.
//!
//! ## Features
//! - `cuda`: the CUDA backend (cudarc with dynamic loading: builds without a CUDA install; at
//!   run time a missing driver is an [`Error::Cuda`], never a panic).

#![warn(missing_docs)]
#![deny(clippy::float_cmp)]

pub mod backend;
pub mod da;
pub mod error;
pub mod io;
pub mod math;
pub mod moo;
pub mod nn;
pub mod node;
pub mod ode;
pub mod parallel;
pub mod pinn;
pub mod repro;
pub mod rng;

pub use error::{Error, Result};
