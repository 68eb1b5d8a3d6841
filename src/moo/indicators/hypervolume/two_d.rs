//! Two objectives: one sweep in the first objective.

/// Area of the union of `[p, r]` over the rows of the 2-column `pts` (all strictly inside `r`).
pub(super) fn volume(pts: &[f64], r: &[f64]) -> f64 {
    let mut order: Vec<[f64; 2]> = pts.chunks_exact(2).map(|p| [p[0], p[1]]).collect();
    order.sort_unstable_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    let mut area = 0.0;
    let mut top = r[1];
    for [x, y] in order {
        // Rows come by increasing x, so a row adds the strip below the lowest y seen so far;
        // a row with y >= that is dominated (or a duplicate) and adds nothing.
        if y < top {
            area += (r[0] - x) * (top - y);
            top = y;
        }
    }
    area
}
