//! Das–Dennis reference points on the unit simplex.
//!
//! PLACEHOLDER (session skeleton): the EMO-core work owns this file.

use crate::error::{Error, Result};

/// All points of the simplex `{w ≥ 0, Σw = 1}` in `n_obj` dimensions whose coordinates are
/// multiples of `1/partitions`, row-major: C(partitions + n_obj − 1, n_obj − 1) rows.
pub fn das_dennis(n_obj: usize, partitions: usize) -> Result<Vec<f64>> {
    if n_obj == 0 {
        return Err(Error::config("n_obj", "must be at least 1"));
    }
    if partitions == 0 && n_obj > 1 {
        return Err(Error::config(
            "partitions",
            "0 partitions give no reference point",
        ));
    }
    let mut out = Vec::new();
    let mut current = vec![0usize; n_obj];
    fill(n_obj, partitions, 0, partitions, &mut current, &mut out);
    Ok(out)
}

fn fill(n_obj: usize, p: usize, dim: usize, left: usize, cur: &mut [usize], out: &mut Vec<f64>) {
    if dim == n_obj - 1 {
        cur[dim] = left;
        let denom = p.max(1) as f64;
        out.extend(cur.iter().map(|&c| c as f64 / denom));
        return;
    }
    for c in (0..=left).rev() {
        cur[dim] = c;
        fill(n_obj, p, dim + 1, left - c, cur, out);
    }
}
