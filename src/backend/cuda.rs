//! CUDA backend.
//!
//! PLACEHOLDER (session skeleton): the GPU work fills this module.
