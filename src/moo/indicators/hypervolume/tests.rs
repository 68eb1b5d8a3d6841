//! The 2-D/3-D sweeps and WFG against the plain slicing recursion.

use super::*;
use crate::error::Error;
use proptest::prelude::*;

fn rows(f: &[f64], m: usize) -> Vec<Vec<f64>> {
    f.chunks_exact(m).map(|r| r.to_vec()).collect()
}

/// Points in `[0, 1]^m` on a coarse grid (ties, duplicates, points on the reference boundary at
/// 1.0) or continuous, some beyond the reference.
fn matrix(m: usize, max_n: usize) -> impl Strategy<Value = Vec<f64>> {
    let grid = prop::sample::select(vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    let value = prop_oneof![grid, 0.0..1.2f64];
    prop::collection::vec(prop::collection::vec(value, m), 0..max_n).prop_map(|rows| rows.concat())
}

fn close(a: f64, b: f64) -> bool {
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
