//! A small SVG plot writer.
//!
//! PLACEHOLDER (session skeleton): the elementary-function/io work fills this module.
