//! Das–Dennis reference points on the unit simplex (Das & Dennis 1998,
//! doi:10.1137/S1052623496307510) and the two-layer variant of NSGA-III (Deb & Jain 2014,
//! doi:10.1109/TEVC.2013.2281535).
//!
//! Rows are row-major, `n_obj` columns, in a fixed order: the first coordinate counts down from
//! `partitions`, then the second, and so on (e.g. `(1,0), (½,½), (0,1)` for two objectives and
//! two partitions). Coordinates are `c / partitions` for integer `c`, so every row sums to 1
//! within rounding.

use crate::error::{Error, Result};

/// Upper bound on the number of generated rows: far above any population size, it turns an
/// accidental `(n_obj, partitions)` with an astronomical count into an error, not an abort.
const MAX_ROWS: usize = 50_000_000;

/// Number of Das–Dennis points, `C(partitions + n_obj − 1, n_obj − 1)`, or `None` on overflow.
pub fn das_dennis_count(n_obj: usize, partitions: usize) -> Option<usize> {
    if n_obj == 0 {
        return Some(0);
    }
    // C(p + m − 1, m − 1) built up as a product of exact binomials C(p + i, i).
    let mut c: u128 = 1;
    for i in 1..n_obj as u128 {
        c = c.checked_mul(partitions as u128 + i)? / i;
        if c > usize::MAX as u128 {
            return None;
        }
    }
    usize::try_from(c).ok()
}

/// All points of the simplex `{w ≥ 0, Σw = 1}` in `n_obj` dimensions whose coordinates are
/// multiples of `1/partitions`, row-major: `C(partitions + n_obj − 1, n_obj − 1)` rows.
///
/// `n_obj == 0`, `partitions == 0` (no grid) or a row count above 5·10⁷ are an
/// [`Error::InvalidConfig`].
///
/// ```
/// use pareto_sciml::moo::das_dennis;
/// let w = das_dennis(3, 2).unwrap();
/// assert_eq!(w.len(), 6 * 3);
/// assert_eq!(&w[..3], &[1.0, 0.0, 0.0]);
/// ```
pub fn das_dennis(n_obj: usize, partitions: usize) -> Result<Vec<f64>> {
    if n_obj == 0 {
        return Err(Error::config("n_obj", "must be at least 1"));
    }
    if partitions == 0 {
        return Err(Error::config(
            "partitions",
            "0 partitions give no reference point",
        ));
    }
    let rows = das_dennis_count(n_obj, partitions)
        .filter(|&r| r <= MAX_ROWS)
        .ok_or_else(|| {
            Error::config(
                "partitions",
                format!("{n_obj} objectives with {partitions} partitions give more than {MAX_ROWS} points"),
            )
        })?;
    let mut out = Vec::with_capacity(rows * n_obj);
    let mut current = vec![0usize; n_obj];
    fill(partitions, 0, partitions, &mut current, &mut out);
    Ok(out)
}

/// Two-layer reference points (Deb & Jain 2014): the [`das_dennis`] rows with
/// `outer_partitions`, followed by the rows with `inner_partitions` shrunk halfway to the
/// centroid, `w ↦ (w + 1/n_obj) / 2`. Both partition counts must be positive.
///
/// ```
/// use pareto_sciml::moo::das_dennis_layered;
/// let w = das_dennis_layered(3, 1, 1).unwrap();
/// assert_eq!(w.len(), 6 * 3);
/// let inner = &w[9..12];
/// assert!((inner[0] - 2.0 / 3.0).abs() < 1e-15 && (inner[1] - 1.0 / 6.0).abs() < 1e-15);
/// ```
pub fn das_dennis_layered(
    n_obj: usize,
    outer_partitions: usize,
    inner_partitions: usize,
) -> Result<Vec<f64>> {
    let mut out = das_dennis(n_obj, outer_partitions)?;
    let inner = das_dennis(n_obj, inner_partitions).map_err(|e| match e {
        Error::InvalidConfig { reason, .. } => Error::config("inner_partitions", reason),
        other => other,
    })?;
    let centre = 1.0 / n_obj as f64;
    out.extend(inner.iter().map(|&w| (w + centre) / 2.0));
    Ok(out)
}

fn fill(p: usize, dim: usize, left: usize, cur: &mut [usize], out: &mut Vec<f64>) {
    let n_obj = cur.len();
    if dim == n_obj - 1 {
        cur[dim] = left;
        out.extend(cur.iter().map(|&c| c as f64 / p as f64));
        return;
    }
    for c in (0..=left).rev() {
        cur[dim] = c;
        fill(p, dim + 1, left - c, cur, out);
    }
}
