//! Small multilayer perceptrons: genome layout, initialisation, forward values, forward-mode
//! jets (input first and second derivatives), reverse mode through the jets, and Adam.
//!
//! The genome is PyTorch's `parameters_to_vector` order ([`MlpSpec`]). A forward pass carries,
//! per point, the value and the chosen input derivatives of every unit ([`JetSpec`]); a loss
//! built from the output jets ([`PointLoss`], e.g. [`MseLoss`] or a PDE [`ResidualLoss`] such
//! as [`Burgers`]) returns its adjoints, and the engine back-propagates them through the jet
//! recursion to the genome (and to extra trainable scalars such as a viscosity).
//!
//! The kernels run in [`crate::backend::cpu`] for a whole population at once; [`Mlp`] is the
//! one-network convenience on top.
//!
//! ```
//! use pareto_sciml::nn::{init_genome, Activation, Burgers, Init, Mlp, MlpSpec, ResidualLoss};
//! let spec = MlpSpec::uniform(2, &[16, 16], 1, Activation::Tanh).unwrap();
//! let genome = init_genome(&spec, Init::XavierUniform, 42, 0);
//! let net = Mlp::new(&spec, &genome).unwrap();
//! let x = [0.1, 0.5, -0.4, 0.2]; // two points (x, t)
//! let lg = net
//!     .loss_grad(&x, &[], &[0.01], &Burgers::jet(), &ResidualLoss(Burgers { nu: None }))
//!     .unwrap();
//! assert_eq!(lg.grad.len(), spec.n_params());
//! assert_eq!(lg.grad_extra.len(), 1);
//! ```

pub mod activation;
pub mod adam;
pub(crate) mod backprop;
pub(crate) mod forward;
pub(crate) mod forward_fixed;
mod init;
mod jet;
mod layout;
mod loss;
mod single;

pub use adam::{Adam, AdamState};
pub use init::{init_genome, init_population, Init};
pub use jet::{JetSpec, MAX_JET_DIM};
pub use layout::{Activation, Layers, MlpSpec};
pub use loss::{Burgers, MseLoss, PointLoss, Residual, ResidualLoss};
pub use single::Mlp;
