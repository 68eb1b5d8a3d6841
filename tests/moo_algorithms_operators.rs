//! SBX, polynomial mutation, tournament and random mating: bounds, determinism, invariants.

use pareto_sciml::moo::operators::{
    binary_tournament, polynomial_mutation, polynomial_mutation_threaded, random_mating,
    random_population, sbx, sbx_threaded, Variation,
};
use proptest::prelude::*;

fn bounds(n: usize) -> (Vec<f64>, Vec<f64>) {
    let lo: Vec<f64> = (0..n).map(|j| -(j as f64) - 0.5).collect();
    let hi: Vec<f64> = (0..n).map(|j| 2.0 * j as f64 + 1.0).collect();
    (lo, hi)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn offspring_stay_in_bounds_and_are_deterministic(seed in any::<u64>(), gen in 0u64..100, n_var in 1usize..12, n in 2usize..12) {
        let (lo, hi) = bounds(n_var);
        let parents = random_population(n, &lo, &hi, seed);
        let pairs = random_mating(n, n, seed, gen).unwrap();
        let v = Variation { p_m: Some(0.5), ..Default::default() };
        let mut kids = sbx(&parents, &pairs, &lo, &hi, &v, seed, gen).unwrap();
        let again = sbx(&parents, &pairs, &lo, &hi, &v, seed, gen).unwrap();
        prop_assert!(kids.iter().zip(&again).all(|(a, b)| a.to_bits() == b.to_bits()));
        polynomial_mutation(&mut kids, &lo, &hi, &v, seed, gen, 0).unwrap();
        for row in kids.chunks(n_var) {
            for j in 0..n_var {
                prop_assert!(row[j] >= lo[j] && row[j] <= hi[j], "{} not in [{}, {}]", row[j], lo[j], hi[j]);
            }
        }
    }

    #[test]
    fn threaded_operators_match_serial_bit_for_bit(seed in any::<u64>(), n in 2usize..40, t in 2usize..6) {
        let (lo, hi) = bounds(7);
        let parents = random_population(n, &lo, &hi, seed);
        let pairs = random_mating(n, n, seed, 1).unwrap();
        let v = Variation::default();
        let mut a = sbx(&parents, &pairs, &lo, &hi, &v, seed, 1).unwrap();
        let mut b = sbx_threaded(&parents, &pairs, &lo, &hi, &v, seed, 1, t).unwrap();
        prop_assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
        polynomial_mutation(&mut a, &lo, &hi, &v, seed, 1, 0).unwrap();
        polynomial_mutation_threaded(&mut b, &lo, &hi, &v, seed, 1, 0, t).unwrap();
        prop_assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
    }

    #[test]
    fn sbx_children_are_centred_on_the_parents(seed in any::<u64>(), a in 0.2f64..0.4, b in 0.6f64..0.8) {
        // Far from the bounds and with the same spread draw for both children, SBX keeps the
        // parents' mean (c1 + c2 = y1 + y2) up to the clamp, which does not trigger here.
        let (lo, hi) = (vec![-100.0], vec![100.0]);
        let v = Variation { p_var: 1.0, ..Default::default() };
        let kids = sbx(&[a, b], &[(0, 1)], &lo, &hi, &v, seed, 0).unwrap();
        let spread = kids[0] + kids[1] - (a + b);
        prop_assert!(spread.abs() < 1e-3 * (b - a) + 1e-12, "{kids:?}");
    }

    #[test]
    fn pair_k_depends_only_on_its_own_stream(seed in any::<u64>()) {
        let (lo, hi) = bounds(5);
        let parents = random_population(6, &lo, &hi, seed);
        // Every variable crosses (p_var = 1), so another generation's stream must change the
        // children; with p_var = 0.5 a pair may cross nowhere in either generation.
        let v = Variation { p_var: 1.0, ..Default::default() };
        let all = sbx(&parents, &[(0, 1), (2, 3), (4, 5)], &lo, &hi, &v, seed, 3).unwrap();
        // The same pair alone at position 0 uses stream 0, so only pair 0 must match.
        let first = sbx(&parents, &[(0, 1)], &lo, &hi, &v, seed, 3).unwrap();
        prop_assert_eq!(&all[..10], &first[..]);
        let other_gen = sbx(&parents, &[(0, 1)], &lo, &hi, &v, seed, 4).unwrap();
        prop_assert!(other_gen != first);
    }
}

#[test]
fn identical_parents_and_zero_probabilities_change_nothing() {
    let (lo, hi) = (vec![0.0; 3], vec![1.0; 3]);
    let p = [0.3, 0.4, 0.5, 0.3, 0.4, 0.5];
    let kids = sbx(&p, &[(0, 1)], &lo, &hi, &Variation::default(), 1, 1).unwrap();
    assert_eq!(kids, p.to_vec());
    let mut x = vec![0.1, 0.9, 0.5];
    let v = Variation {
        p_m: Some(0.0),
        ..Default::default()
    };
    polynomial_mutation(&mut x, &lo, &hi, &v, 1, 1, 0).unwrap();
    assert_eq!(x, vec![0.1, 0.9, 0.5]);
    let v = Variation {
        p_m: Some(1.0),
        ..Default::default()
    };
    polynomial_mutation(&mut x, &lo, &hi, &v, 1, 1, 0).unwrap();
    assert_ne!(x, vec![0.1, 0.9, 0.5]);
}

#[test]
fn tournament_prefers_feasible_then_rank_then_crowding() {
    // Row 0 infeasible, row 1 feasible rank 1, row 2 feasible rank 0 with small crowding,
    // row 3 feasible rank 0 with large crowding.
    let cv = [1.0, 0.0, 0.0, 0.0];
    let rank = [0, 1, 0, 0];
    let crowd = [9.0, 9.0, 0.1, 5.0];
    let pairs = binary_tournament(&cv, &rank, &crowd, 4000, 5, 0).unwrap();
    let mut wins = [0usize; 4];
    pairs.iter().for_each(|&(a, b)| {
        wins[a] += 1;
        wins[b] += 1;
    });
    // Competitors come as consecutive pairs of random permutations of the 4 rows: row 3 (the
    // best) wins every match it plays, once per permutation: 1/2 of the matches; row 2 wins
    // unless it meets row 3 (probability 1/3): 1/3; row 1 only beats row 0: 1/6; row 0: 0.
    let expect = [0.0, 1.0 / 6.0, 1.0 / 3.0, 1.0 / 2.0];
    for (w, e) in wins.iter().zip(expect) {
        let p = *w as f64 / 8000.0;
        assert!((p - e).abs() < 0.02, "{wins:?}");
    }
    assert!(binary_tournament(&[], &[], &[], 1, 0, 0).is_err());
    assert!(binary_tournament(&cv, &rank[..2], &crowd, 1, 0, 0).is_err());
}

#[test]
fn bad_operator_input_is_an_error() {
    let (lo, hi) = (vec![0.0; 2], vec![1.0; 2]);
    let v = Variation::default();
    assert!(sbx(&[0.1, 0.2, 0.3], &[(0, 0)], &lo, &hi, &v, 0, 0).is_err());
    assert!(sbx(&[0.1, 0.2], &[(0, 1)], &lo, &hi, &v, 0, 0).is_err());
    assert!(sbx(&[f64::NAN, 0.2], &[(0, 0)], &lo, &hi, &v, 0, 0).is_err());
    assert!(sbx(&[0.1, 0.2], &[(0, 0)], &lo, &hi[..1], &v, 0, 0).is_err());
    let bad = Variation { p_c: 1.5, ..v };
    assert!(sbx(&[0.1, 0.2], &[(0, 0)], &lo, &hi, &bad, 0, 0).is_err());
    assert!(polynomial_mutation(&mut [0.1, 0.2, 0.3], &lo, &hi, &v, 0, 0, 0).is_err());
    assert!(random_mating(0, 3, 0, 0).is_err());
}
