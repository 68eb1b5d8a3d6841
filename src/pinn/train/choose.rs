//! Choosing one network from a front: the knee and the best data fit.

use crate::error::{Error, Result};

/// Members picked from a front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// Closest to the ideal point after min–max normalisation of the front's terms.
    pub knee: usize,
    /// Smallest data loss (ties: lowest index).
    pub best_data: usize,
}

/// Picks the knee and the best-data member among `front` (indices into `terms`, row-major
/// `P × k`). Knee: every term is scaled to [0, 1] by its minimum and maximum over the front
/// (a constant term scales to 0), and the member with the smallest Euclidean norm wins, ties
/// to the lowest index. Members with a non-finite term are skipped.
///
/// ```
/// use pareto_sciml::pinn::train::choose;
/// // Three members with (residual, data): the middle one balances both.
/// let terms = [0.0, 1.0, 0.2, 0.2, 1.0, 0.0];
/// let c = choose(&terms, 2, &[0, 1, 2], 1).unwrap();
/// assert_eq!((c.knee, c.best_data), (1, 2));
/// ```
pub fn choose(terms: &[f64], k: usize, front: &[usize], data_term: usize) -> Result<Choice> {
    let op = "choose";
    if k == 0 || data_term >= k || terms.len() % k != 0 {
        return Err(Error::config(
            "choose",
            format!(
                "{k} terms with data term {data_term} do not fit {} values",
                terms.len()
            ),
        ));
    }
    let p = terms.len() / k;
    if let Some(&bad) = front.iter().find(|&&m| m >= p) {
        return Err(Error::config("front", format!("member {bad} out of {p}")));
    }
    let row = |m: usize| &terms[m * k..(m + 1) * k];
    let finite: Vec<usize> = front
        .iter()
        .copied()
        .filter(|&m| row(m).iter().all(|v| v.is_finite()))
        .collect();
    if finite.is_empty() {
        return Err(Error::Numerical {
            op,
            reason: "no member of the front has finite loss terms".into(),
        });
    }
    let mut lo = vec![f64::INFINITY; k];
    let mut hi = vec![f64::NEG_INFINITY; k];
    for &m in &finite {
        for (j, &v) in row(m).iter().enumerate() {
            lo[j] = lo[j].min(v);
            hi[j] = hi[j].max(v);
        }
    }
    let norm = |m: usize| -> f64 {
        row(m)
            .iter()
            .enumerate()
            .map(|(j, &v)| {
                let span = hi[j] - lo[j];
                let s = if span > 0.0 { (v - lo[j]) / span } else { 0.0 };
                s * s
            })
            .sum()
    };
    let pick = |key: &dyn Fn(usize) -> f64| {
        finite
            .iter()
            .copied()
            .min_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)))
            .expect("non-empty")
    };
    Ok(Choice {
        knee: pick(&norm),
        best_data: pick(&|m| row(m)[data_term]),
    })
}
