//! Physics-informed neural networks: PDE problems, their reference solutions, and the trainers.

pub mod burgers_reference;
pub mod caputo;
pub mod quadrature;
pub mod special;
