//! The 2-D/3-D sweeps and WFG against the plain slicing recursion.

use super::*;
use crate::error::Error;
use proptest::prelude::*;

pub(super) fn rows(f: &[f64], m: usize) -> Vec<Vec<f64>> {
    f.chunks_exact(m).map(|r| r.to_vec()).collect()
}

/// Points in `[0, 1]^m` on a coarse grid (ties, duplicates, points on the reference boundary at
/// 1.0) or continuous, some beyond the reference.
pub(super) fn matrix(m: usize, max_n: usize) -> impl Strategy<Value = Vec<f64>> {
    let grid = prop::sample::select(vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    let value = prop_oneof![grid, 0.0..1.2f64];
    prop::collection::vec(prop::collection::vec(value, m), 0..max_n).prop_map(|rows| rows.concat())
}

pub(super) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn fast_equals_slicing(
        (m, f) in (1usize..=6).prop_flat_map(|m| (Just(m), matrix(m, if m >= 5 { 12 } else { 30 })))
    ) {
        let r = vec![1.0; m];
        let fast = hypervolume(&f, m, &r).unwrap();
        let slow = naive_volume(rows(&f, m), &r, m);
        prop_assert!(close(fast, slow), "fast {} slow {}", fast, slow);
    }
}

#[test]
fn larger_random_fronts_agree_with_slicing() {
    // Points on the sphere octant: mutually non-dominated, the expensive case for every path.
    for (m, n) in [(3, 300), (4, 60), (5, 25)] {
        let mut rng = crate::rng::stream(11, "test.hv", m as u64, 0);
        let mut f = Vec::new();
        for _ in 0..n {
            let v: Vec<f64> = (0..m).map(|_| rng.normal_f64().abs() + 1e-3).collect();
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            f.extend(v.iter().map(|x| x / norm));
        }
        let r = vec![1.1; m];
        let fast = hypervolume(&f, m, &r).unwrap();
        let slow = naive_volume(rows(&f, m), &r, m);
        assert!(close(fast, slow), "m = {m}: fast {fast} slow {slow}");
    }
}

#[test]
fn bad_input_is_an_error() {
    assert!(matches!(
        hypervolume(&[0.0, 0.0], 2, &[1.0]),
        Err(Error::Shape {
            expected: 2,
            got: 1,
            ..
        })
    ));
    assert!(matches!(
        hypervolume(&[0.0, 0.0], 2, &[1.0, f64::NAN]),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        hypervolume(&[0.0, f64::NEG_INFINITY], 2, &[1.0, 1.0]),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        hypervolume(&[0.0], 0, &[]),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        hypervolume(&[0.0, 0.0, 0.0], 2, &[1.0, 1.0]),
        Err(Error::Shape { .. })
    ));
    assert_eq!(
        hypervolume(&[], 3, &[1.0; 3]).unwrap().to_bits(),
        0f64.to_bits()
    );
    assert_eq!(
        hypervolume(&[1.0, 0.0], 2, &[1.0, 1.0]).unwrap().to_bits(),
        0f64.to_bits()
    );
}

/// Rows on the positive octant of the unit sphere (mutually non-dominated), from a named stream.
pub(super) fn sphere(m: usize, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = crate::rng::stream(seed, "test.hv.sphere", m as u64, n as u64);
    let mut f = Vec::with_capacity(m * n);
    for _ in 0..n {
        let v: Vec<f64> = (0..m).map(|_| rng.normal_f64().abs() + 1e-3).collect();
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        f.extend(v.iter().map(|x| x / norm));
    }
    f
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// The 4-D sweep (HV4D scheme) on coarse grids: many ties in every objective, duplicates,
    /// dominated rows and rows on the reference boundary, up to 60 rows.
    #[test]
    fn four_d_sweep_equals_slicing_with_ties(f in matrix(4, 60)) {
        let r = vec![1.0; 4];
        let fast = hypervolume(&f, 4, &r).unwrap();
        let slow = naive_volume(rows(&f, 4), &r, 4);
        prop_assert!(close(fast, slow), "fast {} slow {}", fast, slow);
    }

    /// Shuffling the rows does not change the 4-D or 5-D value beyond rounding.
    #[test]
    fn four_and_five_d_are_order_invariant(
        (m, f, seed) in (4usize..=5).prop_flat_map(|m| (Just(m), matrix(m, 40), any::<u64>()))
    ) {
        let r = vec![1.0; m];
        let a = hypervolume(&f, m, &r).unwrap();
        let mut rs = rows(&f, m);
        crate::rng::stream(seed, "test.hv.shuffle", 0, 0).shuffle(&mut rs);
        let b = hypervolume(&rs.concat(), m, &r).unwrap();
        prop_assert!(close(a, b), "{} vs {}", a, b);
    }
}

#[test]
fn four_d_sweep_on_fronts_and_shells_agrees_with_slicing() {
    // Non-dominated sphere points (a large 3-D front under the sweep) and the same points pushed
    // out by random factors (many dominated rows, a front that shrinks as the sweep goes).
    for (n, seed) in [(80, 1), (120, 2)] {
        let f = sphere(4, n, seed);
        let r = vec![1.1; 4];
        let fast = hypervolume(&f, 4, &r).unwrap();
        let slow = naive_volume(rows(&f, 4), &r, 4);
        assert!(close(fast, slow), "sphere n = {n}: fast {fast} slow {slow}");
        let mut rng = crate::rng::stream(seed, "test.hv.shell", 4, n as u64);
        let g: Vec<f64> = f
            .chunks_exact(4)
            .flat_map(|p| {
                let s = 1.0 + 0.3 * rng.uniform_f64();
                p.iter().map(move |x| x * s).collect::<Vec<_>>()
            })
            .collect();
        let r = vec![1.4; 4];
        let fast = hypervolume(&g, 4, &r).unwrap();
        let slow = naive_volume(rows(&g, 4), &r, 4);
        assert!(close(fast, slow), "shell n = {n}: fast {fast} slow {slow}");
    }
}
