//! PLACEHOLDER (session skeleton): filled by the owning work item this session.
fn main() {}
