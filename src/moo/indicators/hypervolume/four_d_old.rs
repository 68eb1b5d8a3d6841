//! The previous four-objective sweep (before HV4D+), compiled for the tests only: the reference
//! [`super::four_d`] is checked against. Sweep in the fourth objective over the 3-D front of the
//! points seen so far,
//! adding each point's exclusive 3-D contribution (the scheme of HV4D, Guerreiro & Fonseca 2018,
//! doi:10.1016/j.cor.2018.03.009).
//!
//! With the rows by increasing fourth objective, the hypervolume is `Σ_k V₃(S_k)·(w_{k+1} − w_k)`,
//! where `S_k` is the 3-D projection of the first `k` rows and `w_{N+1} = r₄`. `V₃(S_k)` grows
//! by the 3-D contribution of row `k`, computed by a sweep in the third objective over `S_k`
//! (kept sorted by that objective) that maintains the part of row `k`'s `(x, y)` box covered by
//! the boxes seen so far. That is `O(|S_k|)` visits per row (plus a binary search in the small
//! staircase), so `O(N²)` in all instead of WFG's `O(N² log N)`. `S_k` keeps only points no
//! other point of it weakly dominates in 3-D, which is what keeps it small on real fronts.

/// Volume of the union of `[p, r]` over the rows of the 4-column `pts` (all strictly inside `r`).
pub(super) fn volume(pts: &[f64], r: &[f64]) -> f64 {
    let mut order: Vec<[f64; 4]> = pts
        .chunks_exact(4)
        .map(|p| [p[0], p[1], p[2], p[3]])
        .collect();
    order.sort_unstable_by(|a, b| a[3].total_cmp(&b[3]));
    // The 3-D front, sorted by increasing third objective.
    let mut front: Vec<[f64; 3]> = Vec::with_capacity(order.len());
    // The same points by increasing first objective.
    let mut by_x: Vec<[f64; 3]> = Vec::with_capacity(order.len());
    let mut stair: Vec<[f64; 2]> = Vec::new();
    let mut v3 = 0.0;
    let mut total = 0.0;
    for (i, p) in order.iter().enumerate() {
        let q = [p[0], p[1], p[2]];
        if let Some((c, covers_some)) = contribution(&front, &by_x, q, r, &mut stair) {
            v3 += c;
            // Points p weakly dominates in 3-D lie inside its box: drop them (they can only sit
            // at or after p's position in either order), then insert p.
            let zat = front.partition_point(|s| s[2] < q[2]);
            let xat = by_x.partition_point(|s| s[0] < q[0]);
            if covers_some {
                drop_covered(&mut front, zat, q);
                drop_covered(&mut by_x, xat, q);
            }
            front.insert(zat, q);
            by_x.insert(xat, q);
        }
        let next = order.get(i + 1).map_or(r[3], |n| n[3]);
        total += v3 * (next - p[3]);
    }
    total
}

/// Removes from `v[from..]` the points `q` weakly dominates, keeping the order of the rest.
fn drop_covered(v: &mut Vec<[f64; 3]>, from: usize, q: [f64; 3]) {
    let mut w = from;
    for k in from..v.len() {
        let s = v[k];
        if !(s[0] >= q[0] && s[1] >= q[1] && s[2] >= q[2]) {
            v[w] = s;
            w += 1;
        }
    }
    v.truncate(w);
}

/// The volume of `[p, r]` (3-D) not covered by the boxes of `front` (sorted by the third
/// objective), or `None` when a single point of `front` weakly dominates `p`; the flag says
/// whether `p` may weakly dominate points of `front` (never a false `false`).
///
/// Sweeps `front` upwards in the third objective; `stair` holds the staircase of the covered
/// part of `p`'s `(x, y)` box (each point clipped to it), and the uncovered area times the
/// height to the next event is accumulated from `p`'s own height on.
fn contribution(
    front: &[[f64; 3]],
    by_x: &[[f64; 3]],
    p: [f64; 3],
    r: &[f64],
    stair: &mut Vec<[f64; 2]>,
) -> Option<(f64, bool)> {
    let [px, py, pz] = p;
    let (rx, ry) = (r[0], r[1]);
    let area = (rx - px) * (ry - py);
    stair.clear();
    let mut covered = 0.0;
    let mut vol = 0.0;
    // Points at or below pz set the cover at pz; each later one closes a slab.
    let below = front.partition_point(|s| s[2] <= pz);
    // Below pz the order does not matter, so walk the front by increasing x: a point left of
    // p's box clips to its left column, where only the lowest counts; inside the box, a point
    // is a new step iff it is lower than every step before it; the first point under the box
    // (y <= py) clips to its bottom row and covers everything to its right.
    let mut left = ry;
    let mut inside = false;
    for s in by_x {
        if s[2] > pz {
            continue;
        }
        if s[0] <= px {
            if s[1] <= py {
                return None;
            }
            left = left.min(s[1]);
            continue;
        }
        if !inside {
            inside = true;
            if left < ry {
                stair.push([px, left]);
            }
        }
        if s[1] <= py {
            stair.push([s[0], py]);
            break;
        }
        if s[1] < stair.last().map_or(ry, |t| t[1]) {
            stair.push([s[0], s[1]]);
        }
    }
    if !inside && left < ry {
        stair.push([px, left]);
    }
    for (k, t) in stair.iter().enumerate() {
        let next = stair.get(k + 1).map_or(rx, |u| u[0]);
        covered += (next - t[0]) * (ry - t[1]);
    }
    // Points p could weakly dominate have z >= pz: those at z == pz sit at the end of the
    // below part, the others are checked as the upper sweep visits them.
    let mut covers_some = front[..below]
        .iter()
        .rev()
        .take_while(|s| s[2] >= pz)
        .any(|s| s[0] >= px && s[1] >= py);
    let mut z = pz;
    for s in &front[below..] {
        vol += (area - covered) * (s[2] - z);
        z = s[2];
        if s[0] <= px && s[1] <= py {
            // From here up, p's box is covered entirely. No later point can be dominated by p:
            // s would weakly dominate it, and the front holds no such pairs.
            return Some((vol, covers_some));
        }
        covers_some |= s[0] >= px && s[1] >= py;
        covered += insert(stair, s[0].max(px), s[1].max(py), rx, ry);
    }
    Some((vol + (area - covered) * (r[2] - z), covers_some))
}

/// Adds the box `[(x, y), (rx, ry)]` to the staircase `s` (sorted by increasing `x`, strictly
/// decreasing `y`) and returns the area it covers that was not covered before.
#[inline]
fn insert(s: &mut Vec<[f64; 2]>, x: f64, y: f64, rx: f64, ry: f64) -> f64 {
    let lo = s.partition_point(|e| e[0] < x);
    if lo > 0 && s[lo - 1][1] <= y {
        return 0.0; // a step left of x is at least as low
    }
    if lo < s.len() && s[lo][0] <= x && s[lo][1] <= y {
        return 0.0; // same x, at least as low
    }
    // Steps from `lo` with y' >= y are now covered; each column [cur, next) gains
    // (top − y) × width, `top` being the lower edge of what covered it before.
    let mut top = if lo > 0 { s[lo - 1][1] } else { ry };
    let mut cur = x;
    let mut added = 0.0;
    let mut k = lo;
    while k < s.len() && s[k][1] >= y {
        added += (s[k][0] - cur) * (top - y);
        cur = s[k][0];
        top = s[k][1];
        k += 1;
    }
    let next = if k < s.len() { s[k][0] } else { rx };
    added += (next - cur) * (top - y);
    if k > lo {
        s[lo] = [x, y];
        s.drain(lo + 1..k);
    } else {
        s.insert(lo, [x, y]);
    }
    added
}
