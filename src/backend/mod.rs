//! Where population kernels run: the CPU (threads + SIMD, with a scalar twin) and, with the
//! `cuda` feature, NVIDIA GPUs through our own PTX kernels.

pub mod cpu;
pub mod cuda;
