//! CPU population kernels.
//!
//! PLACEHOLDER (session skeleton): the small-MLP engine work fills this module.
