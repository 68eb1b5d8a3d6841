//! `nondominated_sort` against an independent textbook sort (the `O(M·N²)` loop written here
//! from the definition, not the crate's), on random sets with ties, signed zeros and duplicated
//! rows, at sizes on both sides of every internal threshold:
//! - the radix sort of the keys takes over from the comparison sort at 2048 rows;
//! - for `M ≥ 4` the dominator bitsets work in blocks of 2048 rows (one block, a block and one
//!   row, several blocks);
//! - `M = 1, 2, 3` and `M ≥ 4` are four different algorithms.

use pareto_sciml::moo::{constrained_nondominated_sort, nondominated_sort};
use proptest::prelude::*;

/// Front index by peeling: rank 0 is every row no other row dominates, then repeat on the rest.
fn peel_rank(f: &[f64], m: usize) -> Vec<usize> {
    let n = f.len() / m;
    let row = |i: usize| &f[i * m..(i + 1) * m];
    let dominates = |a: &[f64], b: &[f64]| {
        a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
    };
    let mut rank = vec![usize::MAX; n];
    let mut left: Vec<usize> = (0..n).collect();
    let mut r = 0;
    while !left.is_empty() {
        let front: Vec<usize> = left
            .iter()
            .copied()
            .filter(|&i| !left.iter().any(|&j| dominates(row(j), row(i))))
            .collect();
        for &i in &front {
            rank[i] = r;
        }
        left.retain(|i| rank[*i] == usize::MAX);
        r += 1;
    }
    rank
}

/// The quadratic definition `rank(p) = 1 + max rank of p's dominators`, filled in an order
/// where dominators come first (sum of objectives): fast enough for a few thousand rows.
fn definition_rank(f: &[f64], m: usize) -> Vec<usize> {
    let n = f.len() / m;
    let row = |i: usize| &f[i * m..(i + 1) * m];
    let mut order: Vec<usize> = (0..n).collect();
    // A dominator has a strictly smaller sum in exact arithmetic; sums of rounded values could
    // tie or invert, so order by the rows themselves (lexicographic), which is exact.
    order.sort_by(|&a, &b| {
        row(a)
            .iter()
            .zip(row(b))
            .map(|(x, y)| x.partial_cmp(y).unwrap())
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut rank = vec![0usize; n];
    for (k, &p) in order.iter().enumerate() {
        let mut r = 0;
        for &q in &order[..k] {
            let (a, b) = (row(q), row(p));
            if a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y) {
                r = r.max(rank[q] + 1);
            }
        }
        rank[p] = r;
    }
    rank
}

/// `n` rows of `m` objectives: values on a coarse grid with signed zeros (ties everywhere) or
/// continuous, and about one row in eight a copy of an earlier row.
fn matrix(m: usize, n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
    let value = prop_oneof![
        prop::sample::select(vec![-0.0, 0.0, 1.0, 2.0, 3.0, 4.0]),
        -10.0..10.0f64,
    ];
    (
        prop::collection::vec(prop::collection::vec(value, m), n),
        any::<u64>(),
    )
        .prop_map(move |(mut rows, seed)| {
            let mut s = seed | 1;
            for i in 1..rows.len() {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                if s % 8 == 0 {
                    rows[i] = rows[(s >> 8) as usize % i].clone();
                }
            }
            rows.concat()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn small_sets_equal_peeling((m, f) in (1usize..=7).prop_flat_map(|m| (Just(m), matrix(m, 0..120)))) {
        prop_assert_eq!(nondominated_sort(&f, m).unwrap(), peel_rank(&f, m));
    }

    #[test]
    fn ranks_follow_a_permutation_of_the_rows(
        (m, f) in (2usize..=5).prop_flat_map(|m| (Just(m), matrix(m, 1..150))),
        seed in any::<u64>(),
    ) {
        let n = f.len() / m;
        let mut perm: Vec<usize> = (0..n).collect();
        let mut s = seed | 1;
        for i in (1..n).rev() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            perm.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let g: Vec<f64> = perm.iter().flat_map(|&i| f[i * m..(i + 1) * m].to_vec()).collect();
        let (rf, rg) = (nondominated_sort(&f, m).unwrap(), nondominated_sort(&g, m).unwrap());
        for (k, &i) in perm.iter().enumerate() {
            prop_assert_eq!(rg[k], rf[i]);
        }
        // All rows feasible: the constrained sort is the plain one.
        prop_assert_eq!(constrained_nondominated_sort(&f, &vec![0.0; n], m).unwrap(), rf);
    }
}

proptest! {
    // Each case sorts thousands of rows and checks them quadratically: few cases.
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn sizes_across_the_radix_and_block_thresholds(
        (m, f) in prop_oneof![Just(2usize), Just(3), Just(4), Just(5), Just(7)]
            .prop_flat_map(|m| (Just(m), prop_oneof![matrix(m, 2040..2060), matrix(m, 4090..4200)]))
    ) {
        prop_assert_eq!(nondominated_sort(&f, m).unwrap(), definition_rank(&f, m));
    }
}

#[test]
fn every_threshold_edge_exactly() {
    // Deterministic companions of the proptest: exactly at and one row around each edge.
    let mut s = pareto_sciml::rng::stream(31, "test.moo_sort_props", 0, 0);
    for m in [2, 3, 4, 5] {
        for n in [2047, 2048, 2049, 4096, 4097] {
            let f: Vec<f64> = (0..n * m)
                .map(|k| {
                    if k % 3 == 0 {
                        s.below(5) as f64
                    } else {
                        s.uniform_f64()
                    }
                })
                .collect();
            assert_eq!(
                nondominated_sort(&f, m).unwrap(),
                definition_rank(&f, m),
                "m {m} n {n}"
            );
        }
    }
}
