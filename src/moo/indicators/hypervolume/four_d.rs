//! Four objectives: HV4D+ (Guerreiro & Fonseca 2018, doi:10.1109/TEVC.2017.2729550).
//!
//! With the rows by increasing fourth objective, the hypervolume is `Σ_k V₃(S_k)·(w_{k+1} − w_k)`,
//! where `S_k` is the 3-D projection of the first `k` rows and `w_{N+1} = r₄`. `V₃(S_k)` grows
//! by the 3-D contribution of row `k`, which [`Front3`] computes in `O(|S_k|)` visiting only the
//! points that delimit it, so `O(N²)` in all.

use super::plus::Front3;

/// Volume of the union of `[p, r]` over the rows of the 4-column `pts` (all strictly inside `r`).
pub(super) fn volume(pts: &[f64], r: &[f64]) -> f64 {
    let mut order: Vec<[f64; 4]> = pts
        .chunks_exact(4)
        .map(|p| [p[0], p[1], p[2], p[3]])
        .collect();
    order.sort_unstable_by(|a, b| a[3].total_cmp(&b[3]));
    let mut front = Front3::with_capacity(order.len());
    front.reset([r[0], r[1], r[2]]);
    let mut v3 = 0.0;
    let mut total = 0.0;
    for (i, p) in order.iter().enumerate() {
        if let Some(c) = front.add([p[0], p[1], p[2]]) {
            v3 += c;
        }
        let next = order.get(i + 1).map_or(r[3], |n| n[3]);
        total += v3 * (next - p[3]);
    }
    total
}
