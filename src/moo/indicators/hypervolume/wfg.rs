//! Four or more objectives: WFG (While, Bradstreet & Barone 2012).
//!
//! With the rows sorted by the last objective in decreasing order, the hypervolume is the sum of
//! each row's volume *exclusive* of the rows after it. Those later rows are no worse in the last
//! objective, so inside row `k`'s box they cover its whole last-objective extent, and the
//! exclusive volume is `(r_d − p_d) ×` the `(d−1)`-D exclusive volume of `p` against the rows
//! after it *limited* to `p`'s box (`max(p, q)` per objective). The limited set is filtered to
//! its non-dominated rows, which is what keeps WFG fast, and the recursion ends in the 3-D sweep.

use super::volume as hv;

/// Volume of the union of `[p, r]` over the rows of the `d`-column `pts` (`d >= 4`).
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
    // For d = 4 the limited sets go to the 3-D sweep, which wants them sorted by objective 2.
    // `max(p, q)` is monotone in `q`, so visiting the rows in one global objective-2 order
    // yields every limited set already sorted.
    if e == 3 {
        let mut by_z: Vec<usize> = (0..n).collect();
        by_z.sort_unstable_by(|&a, &b| row(a)[2].total_cmp(&row(b)[2]));
        let mut lim: Vec<[f64; 3]> = Vec::with_capacity(n);
        let mut total = 0.0;
        for k in 0..n {
            let p = row(k);
            let incl = (r[0] - p[0]) * (r[1] - p[1]) * (r[2] - p[2]);
            lim.clear();
            lim.extend(by_z.iter().filter(|&&j| j > k).map(|&j| {
                let q = row(j);
                [p[0].max(q[0]), p[1].max(q[1]), p[2].max(q[2])]
            }));
            total += (r[e] - p[e]) * (incl - super::three_d::volume_sorted(&lim, r));
        }
        return total;
    }
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
    let mut rows: Vec<&[f64]> = pts.chunks_exact(d).collect();
    rows.sort_unstable_by(|a, b| {
        a.iter()
            .zip(b.iter())
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
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
