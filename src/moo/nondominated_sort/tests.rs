//! The fast sorts against the textbook loop, on data rich in ties and duplicates.

use super::*;
use proptest::prelude::*;

/// Rows with values on a coarse grid (many ties and duplicates, signed zeros) or continuous.
fn matrix(m: usize, max_n: usize) -> impl Strategy<Value = Vec<f64>> {
    let grid = prop::sample::select(vec![-0.0, 0.0, 1.0, 2.0, 3.0]);
    let value = prop_oneof![grid, -10.0..10.0f64];
    prop::collection::vec(prop::collection::vec(value, m), 0..max_n).prop_map(|rows| rows.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn fast_sort_equals_naive(
        (m, f) in (1usize..=6).prop_flat_map(|m| (Just(m), matrix(m, 60)))
    ) {
        prop_assert_eq!(nondominated_sort(&f, m).unwrap(), naive_rank(&f, m));
    }

    #[test]
    fn constrained_sort_puts_feasible_first(
        f in matrix(2, 40),
        seed_cv in prop::collection::vec(prop::sample::select(vec![0.0, 0.0, 0.5, 1.0, 2.0]), 40),
    ) {
        let n = f.len() / 2;
        let cv = &seed_cv[..n];
        let rank = constrained_nondominated_sort(&f, cv, 2).unwrap();
        for i in 0..n {
            for j in 0..n {
                if cv[i] <= 0.0 && cv[j] > 0.0 {
                    prop_assert!(rank[i] < rank[j]);
                }
                if cv[i] > 0.0 && cv[j] > 0.0 {
                    prop_assert_eq!(rank[i].cmp(&rank[j]), cv[i].total_cmp(&cv[j]));
                }
            }
        }
    }
}

#[test]
fn large_sets_agree_with_naive() {
    // Bigger than the proptest sizes, so fronts have many rows and the binary search many steps.
    for m in 2..=7 {
        let mut rng = crate::rng::stream(7, "test.nds", m as u64, 0);
        let f: Vec<f64> = (0..600 * m)
            .map(|_| (rng.uniform_f64() * 8.0).floor())
            .collect();
        assert_eq!(
            nondominated_sort(&f, m).unwrap(),
            naive_rank(&f, m),
            "m = {m}"
        );
        let g: Vec<f64> = (0..600 * m).map(|_| rng.uniform_f64()).collect();
        assert_eq!(
            nondominated_sort(&g, m).unwrap(),
            naive_rank(&g, m),
            "m = {m}"
        );
    }
}

#[test]
fn bad_input_is_an_error() {
    assert!(matches!(
        nondominated_sort(&[1.0], 0),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        nondominated_sort(&[1.0, 2.0, 3.0], 2),
        Err(Error::Shape {
            expected: 2,
            got: 3,
            ..
        })
    ));
    assert!(matches!(
        nondominated_sort(&[1.0, f64::NAN], 2),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        nondominated_sort(&[f64::INFINITY, 0.0], 2),
        Err(Error::NonFinite { index: 0, .. })
    ));
    assert!(matches!(
        constrained_nondominated_sort(&[1.0, 2.0], &[0.0, 1.0], 2),
        Err(Error::Shape {
            expected: 1,
            got: 2,
            ..
        })
    ));
    assert!(matches!(
        constrained_nondominated_sort(&[1.0, 2.0], &[f64::NAN], 2),
        Err(Error::NonFinite { .. })
    ));
    assert_eq!(nondominated_sort(&[], 3).unwrap(), Vec::<usize>::new());
}

#[test]
fn three_objectives_with_long_staircases_agree_with_naive() {
    // Rows near the plane f0 + f1 + f2 = 1: few, large fronts, so the per-front staircases
    // grow long and every insertion path (replace, drain, plain insert) runs many times.
    // More rows than the bitset method takes for M = 3, so the staircases run.
    let mut rng = crate::rng::stream(8, "test.nds.m3", 3, 0);
    let mut f = Vec::new();
    for _ in 0..3000 {
        let a = rng.uniform_f64();
        let b = rng.uniform_f64() * (1.0 - a);
        let s = 1.0 + 0.05 * rng.uniform_f64();
        // A coarse grid on one objective adds ties in f1, the staircase key.
        f.extend([a * s, (b * s * 64.0).round() / 64.0, (1.0 - a - b) * s]);
    }
    assert_eq!(nondominated_sort(&f, 3).unwrap(), naive_rank(&f, 3));
}
