//! Five objectives: a sweep in the fifth objective whose slices grow by one point's 4-D
//! contribution at a time, each computed by the HV4D+ sweep of [`Front3`] over the other points
//! clipped to the new point's box (the scheme of moocore's dimension sweep over HV4D+, Guerreiro
//! & Fonseca 2018, with the incremental 4-D step of their `onec4dplus`).
//!
//! With the rows by increasing fifth objective `v`, the hypervolume is
//! `Σ_k V₄(S_k)·(v_{k+1} − v_k)` and `V₄(S_k) = V₄(S_{k−1}) + c_k`, where `c_k` is row `k`'s
//! exclusive 4-D volume against `S_{k−1}`. Clipping every earlier row `q` to the box of row `p`
//! (`max(q, p)` per objective) leaves exactly the part of `p`'s box that `S_{k−1}` covers, so
//! `c_k` is swept in the fourth objective `w`: the rows with `w ≤ p_w` form the 3-D base at
//! `p_w`, `p`'s 3-D contribution to it is the slab height's factor, and each later row's clipped
//! 3-D contribution shrinks it, until a row covers `p`'s whole 3-D box. Rows another row weakly
//! dominates in 4-D are never needed again and are dropped, which keeps `S` small.

use super::plus::Front3;

/// Volume of the union of `[p, r]` over the rows of the 5-column `pts` (all strictly inside `r`).
pub(super) fn volume(pts: &[f64], r: &[f64]) -> f64 {
    let mut order: Vec<[f64; 5]> = pts
        .chunks_exact(5)
        .map(|p| [p[0], p[1], p[2], p[3], p[4]])
        .collect();
    order.sort_unstable_by(|a, b| a[4].total_cmp(&b[4]));
    let mut work = Work {
        front: Front3::with_capacity(order.len()),
        level: Vec::with_capacity(order.len()),
        rest: Vec::with_capacity(order.len()),
        r: [r[0], r[1], r[2], r[3]],
    };
    // The rows so far that no other one weakly dominates in 4-D, by increasing `z` and by
    // increasing `w`.
    let mut by_z: Vec<[f64; 4]> = Vec::with_capacity(order.len());
    let mut by_w: Vec<[f64; 4]> = Vec::with_capacity(order.len());
    let mut v4 = 0.0;
    let mut total = 0.0;
    for (i, p) in order.iter().enumerate() {
        let q = [p[0], p[1], p[2], p[3]];
        if let Some(c) = work.contribution(&mut by_z, &by_w, q) {
            v4 += c;
            if by_w.len() > by_z.len() {
                // The contribution dropped from by_z the rows q weakly dominates.
                by_w.retain(|s| !dominates4(&q, s));
            }
            let at = by_z.partition_point(|s| s[2] <= q[2]);
            by_z.insert(at, q);
            let at = by_w.partition_point(|s| s[3] <= q[3]);
            by_w.insert(at, q);
        }
        let next = order.get(i + 1).map_or(r[4], |n| n[4]);
        total += v4 * (next - p[4]);
    }
    total
}

/// `a ≤ b` in all four objectives.
#[inline]
fn dominates4(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0] <= b[0] && a[1] <= b[1] && a[2] <= b[2] && a[3] <= b[3]
}

/// Scratch space reused by every contribution.
struct Work {
    front: Front3,
    /// Clipped base rows at `p`'s own height, and those above it (by increasing `z`).
    level: Vec<[f64; 2]>,
    rest: Vec<[f64; 3]>,
    r: [f64; 4],
}

impl Work {
    /// The 4-D volume `p` adds to the set (`by_z`, `by_w`: the same rows by increasing `z` and
    /// `w`), or `None` when a row of the set weakly dominates `p`. Also drops from `by_z` the
    /// rows `p` weakly dominates (there are none when `p` is dominated: the set holds no
    /// dominated row).
    fn contribution(
        &mut self,
        by_z: &mut Vec<[f64; 4]>,
        by_w: &[[f64; 4]],
        p: [f64; 4],
    ) -> Option<f64> {
        let clip = |q: &[f64; 4]| [q[0].max(p[0]), q[1].max(p[1]), q[2].max(p[2])];
        let covers = |q: &[f64; 4]| q[0] <= p[0] && q[1] <= p[1] && q[2] <= p[2];
        self.level.clear();
        self.rest.clear();
        // The base: rows with w <= p_w, clipped; those with z <= p_z all land at p_z.
        let mut kept = 0;
        for k in 0..by_z.len() {
            let q = by_z[k];
            if q[3] <= p[3] {
                if covers(&q) {
                    return None;
                }
                if q[2] <= p[2] {
                    self.level.push([q[0].max(p[0]), q[1].max(p[1])]);
                } else {
                    self.rest.push(clip(&q));
                }
            }
            by_z[kept] = q;
            kept += usize::from(!dominates4(&p, &q));
        }
        by_z.truncate(kept);
        let r3 = [self.r[0], self.r[1], self.r[2]];
        self.front.build(r3, &mut self.level, p[2], &self.rest);
        let mut vol = self
            .front
            .contribution([p[0], p[1], p[2]])
            .expect("no base row covers p");
        let mut hv = 0.0;
        let mut w = p[3];
        let split = by_w.partition_point(|q| q[3] <= p[3]);
        for q in &by_w[split..] {
            hv += vol * (q[3] - w);
            w = q[3];
            if covers(q) {
                return Some(hv); // p's box is covered from here up
            }
            if let Some(c) = self.front.add(clip(q)) {
                vol -= c;
            }
        }
        Some(hv + vol * (self.r[3] - w))
    }
}
