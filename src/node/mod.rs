//! NSGA-NODE: hybrid neural ODEs trained as a multi-objective population (DESIGN §5).
//!
//! The NSGA-PINN idea applied to hybrid neural ODEs `y' = f_phys(t, y, p) ⊕ λ·NN(y; θ)`:
//! every loss term is an objective ([`objectives`]: data misfit of the integrated trajectory,
//! physics consistency = size of the correction, optionally smoothness), a population of
//! networks evolves under NSGA-II (or NSGA-III / RVEA), and each asked genome receives Adam
//! steps through the batched solver between generations ([`nsga_node`]). The result is a
//! Pareto front of trained models, a knee member and every member's trajectory. An outer
//! NSGA-II over (depth, width) searches the correction network's architecture
//! ([`architecture`]).
//!
//! - [`hybrid`]: the three hybrid forms (re-exported from [`crate::ode::hybrid`]).
//! - [`NodeProblem`]: system + data + genome layout; implements [`crate::moo::Problem`].
//! - [`run_nsga_node`] with [`NodeConfig`]; [`search_architectures`].
//!
//! ```
//! use pareto_sciml::nn::{Activation, MlpSpec};
//! use pareto_sciml::node::hybrid::{LotkaVolterraNoInteraction, MlpCorrection, NnInput};
//! use pareto_sciml::node::{run_nsga_node, NodeConfig, NodeData, NodeProblem};
//! // Known physics x' = 1.3x, y' = -1.8y; a 2-8-2 network must supply the rest.
//! let spec = MlpSpec::uniform(2, &[8], 2, Activation::Tanh).unwrap();
//! let sys = MlpCorrection::new(LotkaVolterraNoInteraction, spec, 1.0, NnInput::State).unwrap();
//! let data = NodeData {
//!     t0: 0.0,
//!     t1: 1.0,
//!     y0: vec![1.0, 1.0],
//!     t_obs: vec![0.5, 1.0],
//!     y_obs: vec![1.3, 0.6, 1.5, 0.45],
//! };
//! let problem = NodeProblem::new(sys, vec![1.3, 1.8], data).unwrap();
//! let cfg = NodeConfig { pop_size: 6, generations: 2, adam_steps: 2, ..NodeConfig::default() };
//! let result = run_nsga_node(&problem, &cfg, |_| {}).unwrap();
//! assert_eq!(result.objectives.len(), 6 * 2);
//! assert!(result.front.contains(&result.knee));
//! ```

pub mod architecture;
pub mod hybrid;
pub mod lv;
pub mod nsga_node;
pub mod objectives;
mod problem;

pub use architecture::{search_architectures, ArchConfig, ArchEval, ArchResult, ArchSpace};
pub use nsga_node::{
    front_and_knee, initial_genomes, run_nsga_node, train_genomes, NodeConfig, NodeResult,
    Progress, Selector,
};
pub use objectives::{Evaluation, LossGradient, LossWeights};
pub use problem::{NodeData, NodeProblem};
