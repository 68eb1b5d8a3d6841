//! Versioned checkpoint files for algorithm state.
//!
//! PLACEHOLDER (session skeleton): the EMO-core work fills this module.
