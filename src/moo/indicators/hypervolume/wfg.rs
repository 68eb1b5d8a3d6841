//! Six or more objectives: WFG (While, Bradstreet & Barone 2012).
//!
//! With the rows sorted by the last objective in decreasing order, the hypervolume is the sum of
//! each row's volume *exclusive* of the rows after it. Those later rows are no worse in the last
//! objective, so inside row `k`'s box they cover its whole last-objective extent, and the
//! exclusive volume is `(r_d − p_d) ×` the `(d−1)`-D exclusive volume of `p` against the rows
//! after it *limited* to `p`'s box (`max(p, q)` per objective). The limited set is filtered to
//! its non-dominated rows, which is what keeps WFG fast, and the recursion ends in the 5-D sweep.

use super::volume as hv;
use crate::moo::nondominated_sort::ord_key;

/// Volume of the union of `[p, r]` over the rows of the `d`-column `pts` (`d >= 6`; the tests
/// also run it at `d = 5` against the 5-D sweep).
pub(super) fn volume(pts: &[f64], d: usize, r: &[f64]) -> f64 {
    let n = pts.len() / d;
    if n == 1 {
        return pts.iter().zip(r).map(|(p, r)| r - p).product();
    }
    let mut rows: Vec<&[f64]> = pts.chunks_exact(d).collect();
    rows.sort_unstable_by(|a, b| b[d - 1].total_cmp(&a[d - 1]));
    let sorted: Vec<f64> = rows.concat();
    let row = |i: usize| &sorted[i * d..(i + 1) * d];
    let e = d - 1;
    let mut total = 0.0;
    let mut limited = Vec::with_capacity(sorted.len());
    for k in 0..n {
        let p = row(k);
        let height = r[e] - p[e];
        let incl: f64 = p[..e].iter().zip(r).map(|(p, r)| r - p).product();
        limited.clear();
        for j in k + 1..n {
            limited.extend(p[..e].iter().zip(&row(j)[..e]).map(|(a, b)| a.max(*b)));
        }
        let covered = hv(&nondominated(&limited, e), e, r);
        total += height * (incl - covered);
    }
    total
}

/// The non-dominated rows of the `d`-column `pts`, duplicates kept once (minimisation).
fn nondominated(pts: &[f64], d: usize) -> Vec<f64> {
    // Lexicographic order, comparing integer keys of the first objective and the other
    // objectives only on ties (the slice comparison alone dominated the profile).
    let mut keys: Vec<(u64, u32)> = pts
        .chunks_exact(d)
        .enumerate()
        .map(|(i, p)| (ord_key(p[0]), i as u32))
        .collect();
    let row = |i: u32| &pts[i as usize * d..(i as usize + 1) * d];
    keys.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            row(a.1)
                .iter()
                .zip(row(b.1))
                .map(|(x, y)| x.total_cmp(y))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        })
    });
    let rows = keys.iter().map(|&(_, i)| row(i));
    // After the lexicographic sort only earlier rows can dominate (or equal) a row.
    let mut kept: Vec<f64> = Vec::new();
    for p in rows {
        let covered = kept
            .chunks_exact(d)
            .rev()
            .any(|q| q.iter().zip(p).all(|(a, b)| a <= b));
        if !covered {
            kept.extend_from_slice(p);
        }
    }
    kept
}
