//! Invariants of the public dominance, sorting, crowding, hypervolume, IGD and Das–Dennis API.
//! (The fast-versus-naive comparisons live next to the code, in the unit tests.)

use pareto_sciml::moo::{
    compare, crowding_distance, das_dennis, das_dennis_count, das_dennis_layered, dominates,
    hypervolume, igd, igd_plus, nondominated_sort, Dominance,
};
use pareto_sciml::Error;
use proptest::prelude::*;

/// A matrix of `m` columns with coarse-grid values (ties, duplicates) or continuous ones.
fn matrix(m: usize, max_n: usize) -> impl Strategy<Value = Vec<f64>> {
    let grid = prop::sample::select(vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    let value = prop_oneof![grid, 0.0..1.2f64];
    prop::collection::vec(prop::collection::vec(value, m), 0..max_n).prop_map(|rows| rows.concat())
}

fn with_m(max_m: usize, max_n: usize) -> impl Strategy<Value = (usize, Vec<f64>)> {
    (1..=max_m).prop_flat_map(move |m| (Just(m), matrix(m, max_n)))
}

/// Inclusion–exclusion over all non-empty subsets: the volume of an intersection of boxes
/// `[p, r]` is the box at the component-wise maximum.
fn inclusion_exclusion(f: &[f64], m: usize, r: &[f64]) -> f64 {
    let n = f.len() / m;
    let mut total = 0.0;
    for mask in 1u32..(1 << n) {
        let mut corner = vec![f64::NEG_INFINITY; m];
        for i in (0..n).filter(|i| mask >> i & 1 == 1) {
            for (c, &x) in corner.iter_mut().zip(&f[i * m..(i + 1) * m]) {
                *c = c.max(x);
            }
        }
        let vol: f64 = corner
            .iter()
            .zip(r)
            .map(|(c, r)| (r - c).max(0.0))
            .product();
        total += if mask.count_ones() % 2 == 1 {
            vol
        } else {
            -vol
        };
    }
    total
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1e-300)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn dominance_is_a_strict_partial_order((m, f) in with_m(4, 12)) {
        let rows: Vec<&[f64]> = f.chunks_exact(m).collect();
        for a in &rows {
            prop_assert!(!dominates(a, a));
            prop_assert_eq!(compare(a, a), Dominance::Equal);
            for b in &rows {
                if dominates(a, b) {
                    prop_assert!(!dominates(b, a));
                    prop_assert_eq!(compare(b, a), Dominance::DominatedBy);
                }
                for c in &rows {
                    if dominates(a, b) && dominates(b, c) {
                        prop_assert!(dominates(a, c));
                    }
                }
            }
        }
    }

    #[test]
    fn fronts_are_layered((m, f) in with_m(5, 50)) {
        let rank = nondominated_sort(&f, m).unwrap();
        let rows: Vec<&[f64]> = f.chunks_exact(m).collect();
        for (i, p) in rows.iter().enumerate() {
            // Nothing in its own front (or a later one) dominates a row...
            for (j, q) in rows.iter().enumerate() {
                if rank[j] >= rank[i] {
                    prop_assert!(!dominates(q, p), "row {} (rank {}) dominated by {} (rank {})", i, rank[i], j, rank[j]);
                }
            }
            // ...and a row of front k > 0 is dominated by some row of front k − 1.
            if rank[i] > 0 {
                prop_assert!(rows.iter().zip(&rank).any(|(q, &r)| r + 1 == rank[i] && dominates(q, p)));
            }
        }
        // Ranks are contiguous from 0.
        if let Some(max) = rank.iter().copied().max() {
            for k in 0..=max {
                prop_assert!(rank.contains(&k));
            }
        }
    }

    #[test]
    fn crowding_is_permutation_equivariant_and_infinite_at_extremes(
        (m, f) in with_m(4, 30),
        seed in any::<u64>(),
    ) {
        let n = f.len() / m;
        let members: Vec<usize> = (0..n).collect();
        let d = crowding_distance(&f, m, &members).unwrap();
        prop_assert_eq!(d.len(), n);
        if n < 3 {
            prop_assert!(d.iter().all(|x| x.is_infinite()));
        } else {
            for obj in 0..m {
                let v = |i: usize| f[i * m + obj];
                let lo = (0..n).map(v).fold(f64::INFINITY, f64::min);
                let hi = (0..n).map(v).fold(f64::NEG_INFINITY, f64::max);
                // Some row attaining the minimum (and the maximum) is a boundary.
                prop_assert!((0..n).any(|i| v(i).to_bits() == lo.to_bits() && d[i].is_infinite()));
                prop_assert!((0..n).any(|i| v(i).to_bits() == hi.to_bits() && d[i].is_infinite()));
            }
            prop_assert!(d.iter().all(|&x| x >= 0.0));
        }
        // Permuting the members permutes the distances, as long as no two rows tie in an
        // objective (ties are broken by position, which the permutation changes).
        let distinct = (0..m).all(|obj| {
            let mut col: Vec<u64> = (0..n).map(|i| f[i * m + obj].to_bits()).collect();
            col.sort_unstable();
            col.windows(2).all(|w| w[0] != w[1])
        });
        if distinct {
            let mut rng = pareto_sciml::rng::stream(seed, "test.crowding", 0, 0);
            let perm = rng.permutation(n);
            let permuted: Vec<usize> = perm.iter().map(|&p| members[p]).collect();
            let dp = crowding_distance(&f, m, &permuted).unwrap();
            for (k, &p) in perm.iter().enumerate() {
                prop_assert_eq!(dp[k].to_bits(), d[p].to_bits());
            }
        }
    }

    #[test]
    fn hypervolume_is_monotone_and_ignores_dominated_points(
        (m, f) in with_m(5, 14),
        extra in prop::collection::vec(0.0..1.2f64, 5),
    ) {
        let r = vec![1.0; m];
        let hv = hypervolume(&f, m, &r).unwrap();
        prop_assert!(hv >= 0.0);
        let mut more = f.clone();
        more.extend_from_slice(&extra[..m]);
        let hv_more = hypervolume(&more, m, &r).unwrap();
        prop_assert!(hv_more >= hv * (1.0 - 1e-12), "adding a point: {} -> {}", hv, hv_more);
        let n = f.len() / m;
        if n > 0 {
            // A duplicate and a point dominated by row 0 change nothing.
            let mut dup = f.clone();
            dup.extend_from_slice(&f[..m]);
            dup.extend(f[..m].iter().map(|&x| x + 0.5 * (1.0 - x)));
            let hv_dup = hypervolume(&dup, m, &r).unwrap();
            prop_assert!(rel_close(hv_dup, hv, 1e-12), "{} vs {}", hv_dup, hv);
        }
    }

    #[test]
    fn hypervolume_equals_inclusion_exclusion((m, f) in with_m(5, 8)) {
        let r = vec![1.0; m];
        let hv = hypervolume(&f, m, &r).unwrap();
        let ie = inclusion_exclusion(&f, m, &r);
        // Inclusion–exclusion cancels up to 2^8 terms of size <= 1: absolute tolerance.
        prop_assert!((hv - ie).abs() <= 1e-12, "hv {} ie {}", hv, ie);
    }

    #[test]
    fn igd_plus_is_at_most_igd((m, f) in with_m(4, 20), front_seed in matrix(4, 10)) {
        let front: Vec<f64> = front_seed.chunks_exact(4).flat_map(|r| r[..m].to_vec()).collect();
        if f.is_empty() || front.is_empty() {
            return Ok(());
        }
        let a = igd(&f, &front, m).unwrap();
        let b = igd_plus(&f, &front, m).unwrap();
        prop_assert!(b <= a && b >= 0.0);
        // A set containing the front has IGD and IGD+ 0.
        let mut sup = f.clone();
        sup.extend_from_slice(&front);
        prop_assert_eq!(igd(&sup, &front, m).unwrap().to_bits(), 0f64.to_bits());
        prop_assert_eq!(igd_plus(&sup, &front, m).unwrap().to_bits(), 0f64.to_bits());
    }

    #[test]
    fn das_dennis_is_the_simplex_grid(m in 1usize..=6, p in 1usize..=8) {
        let w = das_dennis(m, p).unwrap();
        let rows = w.len() / m;
        prop_assert_eq!(w.len() % m, 0);
        // C(p + m − 1, m − 1) by the multiplicative formula
        let mut c = 1usize;
        for i in 1..m {
            c = c * (p + i) / i;
        }
        prop_assert_eq!(rows, c);
        prop_assert_eq!(das_dennis_count(m, p), Some(c));
        let mut seen = std::collections::BTreeSet::new();
        for row in w.chunks_exact(m) {
            prop_assert!((row.iter().sum::<f64>() - 1.0).abs() <= 1e-12);
            let mut ints = Vec::new();
            for &x in row {
                let k = (x * p as f64).round();
                prop_assert!((x * p as f64 - k).abs() <= 1e-12, "{} not a multiple of 1/{}", x, p);
                ints.push(k as u64);
            }
            prop_assert!(seen.insert(ints), "duplicate row");
        }
        let layered = das_dennis_layered(m, p, p).unwrap();
        prop_assert_eq!(layered.len(), 2 * w.len());
        for (inner, outer) in layered[w.len()..].chunks_exact(m).zip(w.chunks_exact(m)) {
            prop_assert!((inner.iter().sum::<f64>() - 1.0).abs() <= 1e-12);
            for (i, o) in inner.iter().zip(outer) {
                prop_assert!((i - (o + 1.0 / m as f64) / 2.0).abs() <= 1e-15);
            }
        }
    }
}

#[test]
fn bad_input_gives_clear_errors() {
    assert!(matches!(das_dennis(0, 3), Err(Error::InvalidConfig { .. })));
    assert!(matches!(das_dennis(3, 0), Err(Error::InvalidConfig { .. })));
    assert!(matches!(
        das_dennis(40, 40),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        das_dennis_layered(3, 2, 0),
        Err(Error::InvalidConfig { ref param, .. }) if param == "inner_partitions"
    ));
    assert!(matches!(
        igd(&[], &[1.0, 2.0], 2),
        Err(Error::Empty {
            what: "approximation set",
            ..
        })
    ));
    assert!(matches!(
        igd_plus(&[1.0, 2.0], &[], 2),
        Err(Error::Empty {
            what: "reference front",
            ..
        })
    ));
    assert!(matches!(
        igd(&[1.0, 2.0, 3.0], &[1.0, 2.0], 2),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        igd(&[1.0, f64::NAN], &[1.0, 2.0], 2),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        crowding_distance(&[1.0, 2.0], 2, &[1]),
        Err(Error::Shape { got: 1, .. })
    ));
    assert!(matches!(
        crowding_distance(&[1.0, f64::INFINITY], 2, &[0]),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        crowding_distance(&[1.0, 2.0], 0, &[0]),
        Err(Error::InvalidConfig { .. })
    ));
    assert_eq!(
        crowding_distance(&[1.0, 2.0], 2, &[]).unwrap(),
        Vec::<f64>::new()
    );
}

#[test]
fn crowding_follows_the_documented_arithmetic() {
    // Ties in objective 0 between members 1 and 2 are broken by position; objective 1 is flat.
    let f = [0.0, 5.0, 1.0, 5.0, 1.0, 5.0, 3.0, 5.0];
    let d = crowding_distance(&f, 2, &[0, 1, 2, 3]).unwrap();
    assert!(d[0].is_infinite() && d[3].is_infinite());
    assert_eq!(d[1].to_bits(), ((1.0f64 - 0.0) / 3.0).to_bits());
    assert_eq!(d[2].to_bits(), ((3.0f64 - 1.0) / 3.0).to_bits());
}
