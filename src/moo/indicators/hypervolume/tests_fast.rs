//! The HV3D+/HV4D+ paths (`plus`, `four_d`, `five_d`) and the array staircase of `three_d`
//! against the algorithms they replaced and against independent oracles.
//!
//! Sums run in a different order than in the replaced code, so agreement is to a relative
//! `1e-12` ([`close`]), except for `three_d`, whose array and tree staircases accumulate in the
//! same order and must agree to the bit.

use super::plus::Front3;
use super::tests::{close, matrix, rows, sphere};
use super::*;
use proptest::prelude::*;

/// The rows of `f` strictly inside `r` (what `hypervolume` passes to the algorithms).
fn inside(f: &[f64], m: usize, r: &[f64]) -> Vec<f64> {
    f.chunks_exact(m)
        .filter(|p| p.iter().zip(r).all(|(a, b)| a < b))
        .flatten()
        .map(|&x| x + 0.0)
        .collect()
}

/// Rows pushed out of a sphere front by random factors: many dominated rows, a front that
/// shrinks as the sweeps go.
fn shell(m: usize, n: usize, seed: u64) -> Vec<f64> {
    let f = sphere(m, n, seed);
    let mut rng = crate::rng::stream(seed, "test.hv.fast.shell", m as u64, n as u64);
    f.chunks_exact(m)
        .flat_map(|p| {
            let s = 1.0 + 0.3 * rng.uniform_f64();
            p.iter().map(move |x| x * s).collect::<Vec<_>>()
        })
        .collect()
}

/// Points in `[0, 1]^m` from a grid of three values: ties and duplicates in every coordinate.
fn coarse(m: usize, max_n: usize) -> impl Strategy<Value = Vec<f64>> {
    let value = prop::sample::select(vec![0.0, 0.5, 0.75]);
    prop::collection::vec(prop::collection::vec(value, m), 0..max_n).prop_map(|rows| rows.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every addition to the HV4D+ structure, in any order (not only the 4-D sweep's), returns
    /// exactly the growth of the 3-D hypervolume of the points added so far; `contribution`
    /// returns the same without changing the set; a dominated point returns `None`.
    #[test]
    fn front3_additions_are_volume_increments(f in prop_oneof![matrix(3, 40), coarse(3, 40)]) {
        let r = [1.0; 3];
        let pts = inside(&f, 3, &r);
        let mut front = Front3::with_capacity(pts.len());
        front.reset(r);
        let mut sum = 0.0;
        for (k, p) in pts.chunks_exact(3).enumerate() {
            let before = three_d::volume(&pts[..3 * k], &r);
            let after = three_d::volume(&pts[..3 * (k + 1)], &r);
            let peek = front.contribution([p[0], p[1], p[2]]);
            let got = front.add([p[0], p[1], p[2]]);
            prop_assert_eq!(peek.map(f64::to_bits), got.map(f64::to_bits));
            match got {
                Some(c) => {
                    prop_assert!(c > 0.0, "row {}: zero contribution {}", k, c);
                    sum += c;
                }
                None => prop_assert!(
                    pts[..3 * k].chunks_exact(3).any(|q| q.iter().zip(p).all(|(a, b)| a <= b)),
                    "row {} refused but not dominated", k
                ),
            }
            prop_assert!(close(sum, after), "row {}: sum {} volume {} (before {})", k, sum, after, before);
        }
    }

    /// `Front3::build` (the 5-D sweep's base) leaves the same set as adding the points one by
    /// one: the contribution of any probe point agrees.
    #[test]
    fn front3_build_equals_additions(
        level in coarse(2, 20),
        rest in prop_oneof![matrix(3, 20), coarse(3, 20)],
        probe in prop::collection::vec(0.0..1.0f64, 3),
    ) {
        let r = [1.0; 3];
        let z0 = 0.25;
        let level: Vec<[f64; 2]> = level.chunks_exact(2).filter(|p| p[0] < 1.0 && p[1] < 1.0).map(|p| [p[0], p[1]]).collect();
        let mut rest: Vec<[f64; 3]> = inside(&rest, 3, &r).chunks_exact(3).map(|p| [p[0], p[1], p[2].max(0.3)]).collect();
        rest.sort_by(|a, b| a[2].total_cmp(&b[2]));
        let mut built = Front3::with_capacity(64);
        // `build` sorts its level points; the additions below take them in the drawn order.
        built.build(r, &mut level.clone(), z0, &rest);
        let mut added = Front3::with_capacity(64);
        added.reset(r);
        for p in &level {
            added.add([p[0], p[1], z0]);
        }
        for &p in &rest {
            added.add(p);
        }
        let q = [probe[0], probe[1], probe[2]];
        match (built.contribution(q), added.contribution(q)) {
            (Some(a), Some(b)) => prop_assert!(close(a, b), "{} vs {}", a, b),
            (a, b) => prop_assert_eq!(a.is_some(), b.is_some()),
        }
    }

    /// HV4D+ against the previous 4-D sweep, on grids with ties, duplicates, dominated rows and
    /// rows on the reference boundary.
    #[test]
    fn four_d_equals_previous_sweep(f in prop_oneof![matrix(4, 80), coarse(4, 80)]) {
        let r = [1.0; 4];
        let pts = inside(&f, 4, &r);
        prop_assume!(!pts.is_empty());
        let new = four_d::volume(&pts, &r);
        let old = four_d_old::volume(&pts, &r);
        prop_assert!(close(new, old), "new {} old {}", new, old);
    }

    /// The 5-D sweep against WFG (the previous 5-D path) and, on small sets, the slicing
    /// recursion.
    #[test]
    fn five_d_equals_wfg_and_slicing(f in prop_oneof![matrix(5, 40), coarse(5, 40)]) {
        let r = [1.0; 5];
        let pts = inside(&f, 5, &r);
        prop_assume!(!pts.is_empty());
        let new = five_d::volume(&pts, &r);
        let wfg = wfg::volume(&pts, 5, &r);
        prop_assert!(close(new, wfg), "new {} wfg {}", new, wfg);
        if pts.len() <= 5 * 14 {
            let slow = naive_volume(rows(&f, 5), &r, 5);
            prop_assert!(close(new, slow), "new {} slicing {}", new, slow);
        }
    }

    /// The array staircase equals the tree staircase to the bit, whether the sweep switches to
    /// the tree early, late or never.
    #[test]
    fn three_d_array_equals_tree_to_the_bit(
        f in prop_oneof![matrix(3, 60), coarse(3, 60)],
        switch in 0usize..8,
    ) {
        let r = [1.0; 3];
        let pts = inside(&f, 3, &r);
        prop_assume!(!pts.is_empty());
        let tree = three_d_tree::volume(&pts, &r);
        let mut order: Vec<[f64; 3]> = pts.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
        order.sort_unstable_by(|a, b| a[2].total_cmp(&b[2]));
        let mixed = three_d::volume_sorted(&order, &r, switch);
        prop_assert_eq!(three_d::volume(&pts, &r).to_bits(), tree.to_bits());
        prop_assert_eq!(mixed.to_bits(), tree.to_bits());
    }
}

#[test]
fn four_and_five_d_on_fronts_and_shells_agree_with_previous_paths() {
    for (seed, n4, n5) in [(1, 300, 120), (2, 200, 80)] {
        for (m, n) in [(4, n4), (5, n5)] {
            let r = vec![1.4; m];
            for (what, f) in [("sphere", sphere(m, n, seed)), ("shell", shell(m, n, seed))] {
                let new = volume(&f, m, &r);
                let old = if m == 4 {
                    four_d_old::volume(&f, &r)
                } else {
                    wfg::volume(&f, 5, &r)
                };
                assert!(
                    close(new, old),
                    "m = {m} {what} n = {n}: new {new} old {old}"
                );
            }
        }
    }
}

#[test]
fn three_d_switches_to_the_tree_on_a_wide_staircase() {
    // (x, y) on the anti-diagonal, z increasing: no point ever covers another's projection, so
    // the staircase holds every point and outgrows the array.
    let n = 3000;
    let mut rng = crate::rng::stream(5, "test.hv.fast.diagonal", 3, n as u64);
    let f: Vec<f64> = (0..n)
        .flat_map(|k| {
            let t = rng.uniform_f64();
            [t, 1.0 - t, k as f64 / n as f64]
        })
        .collect();
    let r = [1.5; 3];
    let tree = three_d_tree::volume(&f, &r);
    assert_eq!(volume(&f, 3, &r).to_bits(), tree.to_bits());
    assert!(tree > 0.0);
}
