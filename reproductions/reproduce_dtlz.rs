//! PLACEHOLDER (session skeleton): filled by the EMO-core work this session.
fn main() {}
