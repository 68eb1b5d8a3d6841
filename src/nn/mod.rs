//! PLACEHOLDER (session skeleton): filled this session.
