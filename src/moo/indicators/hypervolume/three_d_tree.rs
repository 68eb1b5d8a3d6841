//! The 2-D staircase of the three-objective sweep as a balanced tree: `O(log n)` per step even
//! when the staircase grows to thousands of steps, where [`super::three_d`]'s array would move
//! too much memory. The area is accumulated in exactly the array's order, so switching from
//! one to the other mid-sweep changes no bit.

use crate::moo::nondominated_sort::ord_key;
use std::collections::BTreeMap;

/// The minimal staircase of 2-D points seen so far, keyed by `x` with `y` strictly decreasing,
/// and the area its boxes cover up to the reference `(rx, ry)`.
pub(super) struct Staircase {
    steps: BTreeMap<u64, (f64, f64)>,
    area: f64,
    rx: f64,
    ry: f64,
}

impl Staircase {
    #[cfg(test)]
    pub(super) fn new(rx: f64, ry: f64) -> Self {
        Staircase {
            steps: BTreeMap::new(),
            area: 0.0,
            rx,
            ry,
        }
    }

    /// The staircase with these steps (by increasing `x`, strictly decreasing `y`) and area.
    pub(super) fn from_steps(steps: &[(f64, f64)], area: f64, rx: f64, ry: f64) -> Self {
        Staircase {
            steps: steps.iter().map(|&(x, y)| (ord_key(x), (x, y))).collect(),
            area,
            rx,
            ry,
        }
    }

    pub(super) fn area(&self) -> f64 {
        self.area
    }

    /// Adds the box `[(x, y), (rx, ry)]`, adding exactly its area not yet covered.
    pub(super) fn insert(&mut self, x: f64, y: f64) {
        let key = ord_key(x);
        let mut top = self.ry;
        if let Some((&k, &(_, py))) = self.steps.range(..=key).next_back() {
            if py <= y {
                return; // dominated or duplicate in 2-D: covers nothing new
            }
            top = if k == key {
                // Same x, higher y: that step goes below; the column's cover starts before it.
                self.steps
                    .range(..key)
                    .next_back()
                    .map_or(self.ry, |(_, s)| s.1)
            } else {
                py
            };
        }
        // Walk the steps at x' >= x: those with y' >= y are now covered and go; the first with
        // y' < y closes the new region. Each column [cur, next) gains (top − y) × width, where
        // `top` is the lower edge of what covered that column before.
        let mut cur = x;
        let mut added = 0.0;
        loop {
            match self.steps.range(key..).next() {
                Some((&k, &(sx, sy))) if sy >= y => {
                    added += (sx - cur) * (top - y);
                    cur = sx;
                    top = sy;
                    self.steps.remove(&k);
                }
                Some((_, &(sx, _))) => {
                    added += (sx - cur) * (top - y);
                    break;
                }
                None => {
                    added += (self.rx - cur) * (top - y);
                    break;
                }
            }
        }
        self.steps.insert(key, (x, y));
        self.area += added;
    }
}

/// The whole sweep on the tree alone (the reference the array and the switch are tested
/// against).
#[cfg(test)]
pub(super) fn volume(pts: &[f64], r: &[f64]) -> f64 {
    let mut order: Vec<[f64; 3]> = pts.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
    order.sort_unstable_by(|a, b| a[2].total_cmp(&b[2]));
    let mut stair = Staircase::new(r[0], r[1]);
    let mut vol = 0.0;
    for (i, p) in order.iter().enumerate() {
        stair.insert(p[0], p[1]);
        let next = order.get(i + 1).map_or(r[2], |q| q[2]);
        vol += stair.area() * (next - p[2]);
    }
    vol
}
