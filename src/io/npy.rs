//! `.npy` reading and writing.
//!
//! PLACEHOLDER (session skeleton): the small-MLP engine work fills this module.
