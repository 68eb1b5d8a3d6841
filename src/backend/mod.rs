//! Where population kernels run: the CPU (threads + SIMD, with a scalar twin) and, with the
//! `cuda` feature, NVIDIA GPUs through our own PTX kernels. [`Backend`] picks one of the two
//! for the network kernels of the PINN problems and trainers.

pub mod cpu;
pub mod cuda;
mod population;

pub use population::Backend;
