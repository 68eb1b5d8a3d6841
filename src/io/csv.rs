//! CSV output: a header line and rows of numbers, written with Rust's shortest round-trip float
//! formatting so that `numpy.loadtxt(path, delimiter=",", skiprows=1)` recovers every bit.

use crate::error::{Error, Result};
use std::fmt::Write as _;
use std::path::Path;

/// Formats a header and a row-major table of `f64` as CSV text.
///
/// ```
/// let text = pareto_sciml::io::csv::to_csv_string(&["a", "b"], &[1.0, 2.5, -3.0, f64::INFINITY]).unwrap();
/// assert_eq!(text, "a,b\n1,2.5\n-3,inf\n");
/// ```
pub fn to_csv_string(header: &[&str], values: &[f64]) -> Result<String> {
    let cols = header.len();
    if cols == 0 {
        return Err(Error::Empty {
            op: "to_csv_string",
            what: "header",
        });
    }
    if values.len() % cols != 0 {
        return Err(Error::Shape {
            op: "to_csv_string",
            what: format!("values.len() (a multiple of {cols} columns)"),
            expected: values.len() / cols * cols,
            got: values.len(),
        });
    }
    let mut out = header.join(",");
    out.push('\n');
    for row in values.chunks_exact(cols) {
        for (j, v) in row.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            write!(out, "{v}").expect("writing to a String cannot fail");
        }
        out.push('\n');
    }
    Ok(out)
}

/// Writes a CSV table (see [`to_csv_string`]) to `path`, creating parent directories.
pub fn write_csv(path: impl AsRef<Path>, header: &[&str], values: &[f64]) -> Result<()> {
    let text = to_csv_string(header, values)?;
    super::write_atomic(path.as_ref(), text.as_bytes())
}

/// Writes CSV rows whose cells are already text (labels mixed with numbers). Every row must
/// have as many cells as the header.
pub fn write_csv_text(path: impl AsRef<Path>, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut out = header.join(",");
    out.push('\n');
    for (i, row) in rows.iter().enumerate() {
        if row.len() != header.len() {
            return Err(Error::Shape {
                op: "write_csv_text",
                what: format!("cells in row {i}"),
                expected: header.len(),
                got: row.len(),
            });
        }
        out.push_str(&row.join(","));
        out.push('\n');
    }
    super::write_atomic(path.as_ref(), out.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_round_trip_through_text() {
        let v = [0.1 + 0.2, 1e-300, -2.5e17, 1.0 / 3.0];
        let text = to_csv_string(&["x"], &v).unwrap();
        let back: Vec<f64> = text.lines().skip(1).map(|l| l.parse().unwrap()).collect();
        for (a, b) in v.iter().zip(&back) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
    }

    #[test]
    fn ragged_values_are_rejected() {
        let err = to_csv_string(&["a", "b"], &[1.0, 2.0, 3.0]).unwrap_err();
        assert!(matches!(err, Error::Shape { got: 3, .. }));
    }
}
