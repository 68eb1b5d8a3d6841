//! Three objectives: sweep in the third objective over a 2-D staircase (Beume et al. 2009,
//! doi:10.1109/TEVC.2008.2007218).
//!
//! The staircase is a sorted array: a point finds its place by binary search and the steps it
//! covers are contiguous, so an insertion is one search plus one move of the tail. On fronts the
//! staircase stays far smaller than `N`, and the array avoids a tree's allocation per step,
//! which dominated small inputs (3–4× faster than the `BTreeMap` staircase at `N = 10²…10⁴` on
//! the bench's sphere fronts). Should the staircase outgrow [`TREE_ABOVE`] steps (a front whose
//! `(x, y)` projections stay mutually non-dominated as `z` grows), the sweep moves it into the
//! tree of [`super::three_d_tree`], `O(log n)` per step; both accumulate the area in the same
//! order, so the result does not depend on the switch, to the bit.

use super::plus::same;
use super::three_d_tree;

/// Steps beyond which the array staircase is moved into the tree (a move of up to 16 KiB per
/// insertion still beats the tree's pointer chasing below this).
const TREE_ABOVE: usize = 1024;

/// The minimal staircase of 2-D points seen so far, by increasing `x` and strictly decreasing
/// `y`, and the area its boxes cover up to the reference `(rx, ry)`.
pub(super) struct Staircase {
    steps: Vec<(f64, f64)>,
    area: f64,
    rx: f64,
    ry: f64,
}

impl Staircase {
    pub(super) fn new(rx: f64, ry: f64) -> Self {
        Staircase {
            steps: Vec::new(),
            area: 0.0,
            rx,
            ry,
        }
    }

    pub(super) fn area(&self) -> f64 {
        self.area
    }

    /// Adds the box `[(x, y), (rx, ry)]`, adding exactly its area not yet covered.
    pub(super) fn insert(&mut self, x: f64, y: f64) {
        let s = &mut self.steps;
        let i = s.partition_point(|e| e.0 < x);
        if i > 0 && s[i - 1].1 <= y {
            return; // a step left of x is at least as low
        }
        if i < s.len() && same(s[i].0, x) && s[i].1 <= y {
            return; // same x, at least as low
        }
        // Steps from `i` with y' >= y are now covered; each column [cur, next) gains
        // (top − y) × width, `top` being the lower edge of what covered it before.
        let mut top = if i > 0 { s[i - 1].1 } else { self.ry };
        let mut cur = x;
        let mut added = 0.0;
        let mut j = i;
        while j < s.len() && s[j].1 >= y {
            added += (s[j].0 - cur) * (top - y);
            (cur, top) = s[j];
            j += 1;
        }
        let next = if j < s.len() { s[j].0 } else { self.rx };
        added += (next - cur) * (top - y);
        if j > i {
            s[i] = (x, y);
            s.drain(i + 1..j);
        } else {
            s.insert(i, (x, y));
        }
        self.area += added;
    }
}

/// Volume of the union of `[p, r]` over the rows of the 3-column `pts` (all strictly inside `r`).
pub(super) fn volume(pts: &[f64], r: &[f64]) -> f64 {
    let mut order: Vec<[f64; 3]> = pts.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
    order.sort_unstable_by(|a, b| a[2].total_cmp(&b[2]));
    volume_sorted(&order, r, TREE_ABOVE)
}

/// [`volume`] of rows sorted by the third objective, switching to the tree past `tree_above`
/// steps.
pub(super) fn volume_sorted(order: &[[f64; 3]], r: &[f64], tree_above: usize) -> f64 {
    let mut stair = Staircase::new(r[0], r[1]);
    let mut vol = 0.0;
    for (i, p) in order.iter().enumerate() {
        stair.insert(p[0], p[1]);
        let next = order.get(i + 1).map_or(r[2], |q| q[2]);
        vol += stair.area() * (next - p[2]);
        if stair.steps.len() > tree_above {
            let mut tree =
                three_d_tree::Staircase::from_steps(&stair.steps, stair.area, r[0], r[1]);
            for (k, p) in order.iter().enumerate().skip(i + 1) {
                tree.insert(p[0], p[1]);
                let next = order.get(k + 1).map_or(r[2], |q| q[2]);
                vol += tree.area() * (next - p[2]);
            }
            return vol;
        }
    }
    vol
}
