//! The 3-D point structure of HV4D+ (Guerreiro & Fonseca 2018, "Computing and updating
//! hypervolume contributions in up to four dimensions", doi:10.1109/TEVC.2017.2729550): a set of
//! 3-D points, none weakly dominating another, to which points are added one at a time, each
//! addition returning the volume the new point adds, in `O(n)` and without allocation (beyond
//! the arena's growth). The algorithm is the paper's; moocore's C sources were read for its
//! details (tie rules, sentinels), no code was taken from them.
//!
//! The points live in an arena and are kept in an array sorted lexicographically by `(z, y, x)`
//! ("below" means earlier in that order; the paper uses a linked list). Each point keeps two links into the points
//! below it: `cx`, the one with the least `x` among those with smaller `y` (its right neighbour in
//! the 2-D staircase of the points below it), and `cy`, the one with the least `y` among those
//! with smaller `x` (its left neighbour). Walking the points below a new point `n` and linking
//! each between its `cy` and `cx` rebuilds, in `O(1)` per point, the staircase of the `(x, y)`
//! projections at `n`'s height, and hence `n`'s exclusive area there; `n`'s volume is then swept
//! upwards, each point above cutting `n`'s region only where it touches it, until a point covers
//! `n`'s whole box. After `n` is inserted, one pass over the points above removes those `n`
//! weakly dominates and makes `n` their `cx`/`cy` where it is closer.
//!
//! Three sentinels bound everything: `LY = (−∞, r_y, ·)` (left end of every staircase),
//! `RX = (r_x, −∞, ·)` (right end) and `TOP = (−∞, −∞, r_z)` (the last entry of the `z` order,
//! covering everything at `r_z`). Only `LY`'s `y` and `RX`'s `x` ever enter an
//! area, so the infinities never reach the arithmetic.

/// Left end of every staircase: `(−∞, r_y, −∞)`.
const LY: u32 = 0;
/// Right end of every staircase: `(r_x, −∞, −∞)`.
const RX: u32 = 1;
/// Last entry of the `z` order: `(−∞, −∞, r_z)`.
const TOP: u32 = 2;

#[derive(Clone, Copy)]
struct Node {
    x: [f64; 3],
    /// Closest neighbours among the points below (see the module docs).
    cx: u32,
    cy: u32,
    /// Staircase links, valid only while a sweep uses them.
    right: u32,
    left: u32,
}

/// A growing 3-D point set that reports the volume each added point contributes.
pub(super) struct Front3 {
    nodes: Vec<Node>,
    /// The live points (never a sentinel) in `(z, y, x)` order, then `TOP`. An array rather than
    /// the paper's linked list: the walks then load independent entries instead of chasing
    /// links, which more than pays for the `O(n)` moves on insertion.
    order: Vec<u32>,
    /// The last point found to dominate a new one. Tried first: on sets where most points are
    /// dominated, one point usually dominates many. Any point ever added qualifies, removed or
    /// not (a removed point is dominated by a live one, which then dominates what it does).
    witness: u32,
    /// Scratch staircase of [`Self::build`]: `(x, y, node)` by increasing `x`.
    stair: Vec<(f64, f64, u32)>,
}

/// Where [`Front3::locate`] puts a new point: its closest neighbours and the node after it.
#[derive(Clone, Copy)]
struct Place {
    cx: u32,
    cy: u32,
    /// Position in `order` of the first point after it.
    at: usize,
}

impl Front3 {
    /// An empty set with room for `cap` points.
    pub(super) fn with_capacity(cap: usize) -> Self {
        Front3 {
            nodes: Vec::with_capacity(cap + 3),
            order: Vec::with_capacity(cap + 1),
            witness: TOP,
            stair: Vec::new(),
        }
    }

    /// Empties the set and sets the reference point (its first three objectives).
    pub(super) fn reset(&mut self, r: [f64; 3]) {
        let inf = f64::INFINITY;
        let node = |x| Node {
            x,
            cx: RX,
            cy: LY,
            right: RX,
            left: LY,
        };
        self.nodes.clear();
        self.nodes.push(node([-inf, r[1], -inf]));
        self.nodes.push(node([r[0], -inf, -inf]));
        self.nodes.push(node([-inf, -inf, r[2]]));
        self.order.clear();
        self.order.push(TOP);
        self.witness = TOP;
    }

    /// Adds `x` (strictly inside the reference box) and returns the volume it adds, or `None`
    /// (leaving the set unchanged) when a point of the set weakly dominates it.
    pub(super) fn add(&mut self, x: [f64; 3]) -> Option<f64> {
        let place = self.locate(x)?;
        let v = self.sweep(x, place);
        let ni = self.nodes.len() as u32;
        self.nodes.push(Node {
            x,
            cx: place.cx,
            cy: place.cy,
            right: place.cx,
            left: place.cy,
        });
        self.order.insert(place.at, ni);
        self.update_links(ni, place.at);
        Some(v)
    }

    /// The volume `x` would add, or `None` when a point of the set weakly dominates it; the set
    /// is not changed.
    pub(super) fn contribution(&mut self, x: [f64; 3]) -> Option<f64> {
        let place = self.locate(x)?;
        Some(self.sweep(x, place))
    }

    /// Empties the set and fills it with `level` (points whose third objective is `z0`, in any
    /// order; sorted here) and then `rest` (third objective above `z0`, by increasing third
    /// objective), as adding them one by one would, but in `O(log n)` per point: each lands on
    /// top of the `z` order, so its neighbours are those in the staircase of the points before
    /// it, kept here as a sorted array.
    pub(super) fn build(
        &mut self,
        r: [f64; 3],
        level: &mut [[f64; 2]],
        z0: f64,
        rest: &[[f64; 3]],
    ) {
        self.reset(r);
        self.order.pop(); // TOP goes back at the end
        let mut stair = std::mem::take(&mut self.stair);
        stair.clear();
        // Points of equal z: only their 2-D staircase survives; in (z, y, x) order, each one's
        // left neighbour is LY (nothing before it is left of it) and its right neighbour is the
        // next step to the right. By increasing (x, y), a point is a step exactly when its y is
        // below the last step's (otherwise that step weakly dominates it): one pass after a
        // sort instead of a search and an insertion per point.
        level.sort_unstable_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
        let mut last_y = f64::INFINITY;
        for q in level.iter() {
            if q[1] < last_y {
                stair.push((q[0], q[1], 0));
                last_y = q[1];
            }
        }
        let mut right = RX;
        for step in stair.iter_mut().rev() {
            let id = self.nodes.len() as u32;
            self.nodes.push(Node {
                x: [step.0, step.1, z0],
                cx: right,
                cy: LY,
                right,
                left: LY,
            });
            self.order.push(id);
            step.2 = id;
            right = id;
        }
        let mut k = 0;
        while k < rest.len() {
            // Ties in z must go in (y, x) order; they are rare, so only those runs are sorted.
            let mut end = k + 1;
            while end < rest.len() && same(rest[end][2], rest[k][2]) {
                end += 1;
            }
            if end == k + 1 {
                self.push_top(&mut stair, rest[k]);
            } else {
                let mut tied = rest[k..end].to_vec();
                tied.sort_unstable_by(|a, b| a[1].total_cmp(&b[1]).then(a[0].total_cmp(&b[0])));
                for q in tied {
                    self.push_top(&mut stair, q);
                }
            }
            k = end;
        }
        self.order.push(TOP);
        self.stair = stair;
    }

    /// [`Self::build`]'s step: `q` goes on top of the `z` order unless the staircase of the
    /// points before it weakly dominates it.
    fn push_top(&mut self, stair: &mut Vec<(f64, f64, u32)>, q: [f64; 3]) {
        let id = self.nodes.len() as u32;
        if let Some((cy, cx)) = stair_place(stair, q[0], q[1], id) {
            self.nodes.push(Node {
                x: q,
                cx,
                cy,
                right: cx,
                left: cy,
            });
            self.order.push(id);
        }
    }

    /// Walks the points below `x`, rebuilding the staircase at `x`'s height, and finds `x`'s
    /// closest neighbours and place in the `z` order; `None` if one of them weakly dominates `x`.
    #[inline]
    fn locate(&mut self, n: [f64; 3]) -> Option<Place> {
        let nodes = &mut self.nodes[..];
        let w = nodes[self.witness as usize].x;
        if w[0] <= n[0] && w[1] <= n[1] && w[2] <= n[2] {
            return None;
        }
        nodes[LY as usize].right = RX;
        nodes[RX as usize].left = LY;
        // The running minima as order-preserving integer keys ([`key`]), `(x, y)` for `cx` and
        // `(y, x)` for `cy`. A point improves on one rarely (a predictable branch), and only
        // then are the second keys compared; no chain runs from one point to the next. As
        // float selects, the compiler packed both candidates into one vector chain several
        // times longer, which set the pace of this walk.
        let (mut cx, mut cy) = (RX, LY);
        let (mut cx_k, mut cx_k2) = (key(nodes[RX as usize].x[0]), key(f64::NEG_INFINITY));
        let (mut cy_k, mut cy_k2) = (key(nodes[LY as usize].x[1]), key(f64::NEG_INFINITY));
        for (at, &p) in self.order.iter().enumerate() {
            let node = nodes[p as usize];
            let px = node.x;
            let (le0, le1, le2) = (px[0] <= n[0], px[1] <= n[1], px[2] <= n[2]);
            if le0 & le1 & le2 {
                self.witness = p;
                return None;
            }
            // Stop at the first point after `n` in (z, y, x) order (never equal: that would
            // have been caught as dominating).
            if !(px[2] < n[2]
                || (same(px[2], n[2]) && (px[1] < n[1] || (same(px[1], n[1]) && le0))))
            {
                return Some(Place { cx, cy, at });
            }
            // Link p into the staircase between its neighbours, bypassing what it dominates.
            nodes[p as usize].right = node.cx;
            nodes[p as usize].left = node.cy;
            nodes[node.cx as usize].left = p;
            nodes[node.cy as usize].right = p;
            // p does not dominate n, so p.y < n.y means p.x > n.x and vice versa: p is a
            // candidate for exactly one side (or none). A non-candidate gets the largest key
            // (masks: an `if` here would be a branch on a coin toss).
            let below = px[1] < n[1];
            let left = !below & (px[0] < n[0]);
            let (k0, k1) = (key(px[0]), key(px[1]));
            let kx = k0 | u64::from(below).wrapping_sub(1);
            let ky = k1 | u64::from(left).wrapping_sub(1);
            if kx <= cx_k && (kx < cx_k || k1 < cx_k2) {
                (cx, cx_k, cx_k2) = (p, kx, k1);
            }
            if ky <= cy_k && (ky < cy_k || k0 < cy_k2) {
                (cy, cy_k, cy_k2) = (p, ky, k0);
            }
        }
        unreachable!("TOP ends the order and is never below a point inside the box")
    }

    /// The exclusive volume of `n` above its height, given the staircase [`Self::locate`] built.
    ///
    /// `n`'s exclusive region in the `(x, y)` plane is kept as a chain `l → inner points → r`
    /// through the staircase links: `l` bounds it from above (`l.x < n.x`), `r` on the right
    /// (`r.y < n.y`), and the inner points (`≥ n` in `x` and `y`) carve steps out of it.
    #[inline]
    fn sweep(&mut self, n: [f64; 3], place: Place) -> f64 {
        let nodes = &mut self.nodes[..];
        let (mut l, mut r) = (place.cy, place.cx);
        let mut area = chain_area(nodes, [n[0], n[1]], l, r);
        let mut vol = 0.0;
        let mut z = n[2];
        for &p in &self.order[place.at..] {
            let node = nodes[p as usize];
            let px = node.x;
            vol += area * (px[2] - z);
            if px[0] <= n[0] && px[1] <= n[1] {
                return vol; // p covers n's whole box from here up (TOP always does)
            }
            z = px[2];
            if px[0] < n[0] {
                // Left of n (and above it in y): lowers the region's top to p.y.
                if px[1] <= nodes[l as usize].x[1] {
                    let mut top = nodes[l as usize].x[1];
                    let mut cur = n[0];
                    let mut q = nodes[l as usize].right;
                    while nodes[q as usize].x[1] >= px[1] {
                        let qx = nodes[q as usize].x;
                        area -= (qx[0] - cur) * (top - px[1]);
                        (cur, top) = (qx[0], qx[1]);
                        q = nodes[q as usize].right;
                    }
                    area -= (nodes[q as usize].x[0] - cur) * (top - px[1]);
                    nodes[p as usize].right = q;
                    nodes[q as usize].left = p;
                    l = p;
                }
            } else if px[1] < n[1] {
                // Below n (and right of it in x): moves the region's right edge to p.x.
                if px[0] <= nodes[r as usize].x[0] {
                    let mut cur = nodes[r as usize].x[0];
                    let mut q = nodes[r as usize].left;
                    while nodes[q as usize].x[0] >= px[0] {
                        let qx = nodes[q as usize].x;
                        area -= (cur - qx[0]) * (qx[1] - n[1]);
                        cur = qx[0];
                        q = nodes[q as usize].left;
                    }
                    area -= (cur - px[0]) * (nodes[q as usize].x[1] - n[1]);
                    nodes[p as usize].left = q;
                    nodes[q as usize].right = p;
                    r = p;
                }
            } else {
                // Inside n's quadrant: its own exclusive area in the chain goes, and it joins
                // the chain between its neighbours (which are in the chain: the set holds no
                // point that weakly dominates another).
                area -= chain_area(nodes, [px[0], px[1]], node.cy, node.cx);
                nodes[p as usize].left = node.cy;
                nodes[p as usize].right = node.cx;
                nodes[node.cy as usize].right = p;
                nodes[node.cx as usize].left = p;
            }
        }
        unreachable!("TOP ends the order and covers every box")
    }

    /// After inserting `ni`: removes the points above it that it weakly dominates and makes it
    /// the `cx`/`cy` of those it is closer to than their current ones.
    #[inline]
    fn update_links(&mut self, ni: u32, at: usize) {
        let nodes = &mut self.nodes[..];
        let order = &mut self.order;
        let n = nodes[ni as usize].x;
        // Survivors are compacted down to `w`.
        let mut w = at + 1;
        for k in at + 1..order.len() {
            let p = order[k];
            let node = nodes[p as usize];
            let px = node.x;
            if px[0] <= n[0] && px[1] <= n[1] && (px[0] < n[0] || px[1] < n[1]) {
                // p is closer than n for every point above it that n could serve, and every
                // point n dominates would be dominated by p. TOP always stops here.
                if w < k {
                    order.copy_within(k.., w);
                    order.truncate(order.len() - (k - w));
                }
                return;
            }
            if n[0] <= px[0] {
                if n[1] <= px[1] {
                    continue; // dominated by n: dropped
                } else if n[0] < px[0] {
                    let c = nodes[node.cy as usize].x;
                    if n[1] < c[1] || (same(n[1], c[1]) && n[0] <= c[0]) {
                        nodes[p as usize].cy = ni;
                    }
                }
            } else if n[1] < px[1] {
                let c = nodes[node.cx as usize].x;
                if n[0] < c[0] || (same(n[0], c[0]) && n[1] <= c[1]) {
                    nodes[p as usize].cx = ni;
                }
            }
            order[w] = p;
            w += 1;
        }
        unreachable!("TOP ends the order and stops the walk")
    }
}

/// The area of the quadrant of `c` bounded by `cy` (top, `cy.x < c.x`) and `cx` (right,
/// `cx.y < c.y`) minus the quadrants of the staircase points linked between them.
#[inline]
fn chain_area(nodes: &[Node], c: [f64; 2], cy: u32, cx: u32) -> f64 {
    let mut top = nodes[cy as usize].x[1];
    let mut cur = c[0];
    let mut area = 0.0;
    let mut q = nodes[cy as usize].right;
    while q != cx {
        let qx = nodes[q as usize].x;
        area += (qx[0] - cur) * (top - c[1]);
        (cur, top) = (qx[0], qx[1]);
        q = nodes[q as usize].right;
    }
    area + (nodes[cx as usize].x[0] - cur) * (top - c[1])
}

/// Puts `(x, y)` into the 2-D staircase `stair` (by increasing `x`, strictly decreasing `y`) as
/// `id`, dropping the steps it weakly dominates, and returns its left and right neighbours
/// there (`LY`/`RX` at the ends); `None`, leaving `stair` unchanged, when a step weakly
/// dominates it.
fn stair_place(stair: &mut Vec<(f64, f64, u32)>, x: f64, y: f64, id: u32) -> Option<(u32, u32)> {
    let i = stair.partition_point(|s| s.0 < x);
    if i > 0 && stair[i - 1].1 <= y {
        return None;
    }
    if i < stair.len() && same(stair[i].0, x) && stair[i].1 <= y {
        return None;
    }
    let mut j = i;
    while j < stair.len() && stair[j].1 >= y {
        j += 1;
    }
    let left = if i > 0 { stair[i - 1].2 } else { LY };
    let right = if j < stair.len() { stair[j].2 } else { RX };
    if j > i {
        stair[i] = (x, y, id);
        stair.drain(i + 1..j);
    } else {
        stair.insert(i, (x, y, id));
    }
    Some((left, right))
}

/// An integer that orders like `a` (for non-NaN `a`, `-0.0` excluded as for [`same`]): the
/// sign bit flipped for non-negative values, all bits for negative ones.
#[inline(always)]
fn key(a: f64) -> u64 {
    let b = a.to_bits();
    b ^ (((b as i64) >> 63) as u64 | 1 << 63)
}

/// Exact equality of coordinates. Points are never NaN nor `-0.0` (`hypervolume` folds it into
/// `0.0`, and clipping by `max` keeps it out), and a sentinel's finite coordinate is the
/// reference's, which no point inside the box equals, so the bits decide.
#[inline]
pub(super) fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
}
