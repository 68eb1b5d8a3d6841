//! The RVEA and mating kernels' sources (`kernels/rvea_adapt.cu`, `kernels/survival.cu`)
//! compiled for the CPU (`kernels/emulate/harness_emo.cpp`) and compared with their CPU twins:
//! RVEA's adaptation and neighbour angles γ (bit for bit), the ideal point, nadir and survivor
//! list of its survival, random mating, binary tournaments and the row gather. Skips with a printed reason without a C++ compiler.

mod cuda_common;

use cuda_common::emulate::{harness_emo, hex, run_emo, tiling_hex};
use cuda_common::evo_inputs::random_rvea_case;
use cuda_common::survival_inputs::selection_case;
use pareto_sciml::backend::cuda::{rvea_adapt_cpu, rvea_gammas_cpu};
use pareto_sciml::moo::das_dennis;
use pareto_sciml::moo::operators::{binary_tournament, random_mating};
use pareto_sciml::rng::{purpose_hash, stream};
use proptest::prelude::*;

fn hx(v: &[f64]) -> String {
    hex(v.iter().map(|x| x.to_bits()))
}
fn hu(v: &[usize]) -> String {
    hex(v.iter().map(|&x| x as u64))
}
fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn rvea_adaptation_and_gammas() {
    if harness_emo().is_none() {
        return;
    }
    for (seed, m, parts) in [(1, 3, 12), (2, 2, 30), (3, 5, 4), (4, 3, 1)] {
        let v0: Vec<f64> = das_dennis(m, parts)
            .unwrap()
            .chunks_exact(m)
            .flat_map(|w| {
                let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
                w.iter().map(move |v| v / norm).collect::<Vec<_>>()
            })
            .collect();
        let n_vec = v0.len() / m;
        let mut s = stream(seed, "adapt-case", 0, 0);
        let ideal: Vec<f64> = (0..m).map(|_| s.uniform_f64() - 0.5).collect();
        let mut nadir: Vec<f64> = ideal
            .iter()
            .map(|z| z + 0.01 + 5.0 * s.uniform_f64())
            .collect();
        let v_old: Vec<f64> = v0.iter().map(|x| x * 0.5).collect();
        for valid in [true, false] {
            if !valid {
                nadir[m - 1] = ideal[m - 1];
            }
            let want = rvea_adapt_cpu(&v0, m, &ideal, &nadir).unwrap();
            let got = run_emo(&format!(
                "adapt {n_vec:x} {m:x} {} {} {} {}",
                hx(&v0),
                hx(&ideal),
                hx(&nadir),
                hx(&v_old)
            ));
            match want {
                Some(v) => assert_eq!(got, bits(&v), "case {seed}"),
                None => assert!(!valid && got == bits(&v_old), "case {seed}"),
            }
        }
        let v = rvea_adapt_cpu(&v0, m, &ideal, &nadir_valid(&ideal, &mut s, m))
            .unwrap()
            .unwrap();
        let want = rvea_gammas_cpu(&v, m).unwrap();
        let got = run_emo(&format!(
            "gamma {n_vec:x} {m:x} {} {}",
            hx(&v),
            tiling_hex(&v, m)
        ));
        assert_eq!(got, bits(&want), "γ, {n_vec} vectors");
    }
}

fn nadir_valid(ideal: &[f64], s: &mut pareto_sciml::rng::Stream, m: usize) -> Vec<f64> {
    (0..m).map(|j| ideal[j] + 0.1 + s.uniform_f64()).collect()
}

fn emu_perms(seed: u64, purpose: &str, gen: u64, n: usize, n_perm: usize) -> Vec<usize> {
    run_emo(&format!(
        "perms {seed:x} {:x} {gen:x} {n:x} {n_perm:x}",
        purpose_hash(purpose)
    ))
    .into_iter()
    .map(|i| i as usize)
    .collect()
}

fn check_mating(seed: u64, n: usize, n_pairs: usize, gen: u64) {
    let want = random_mating(n, n_pairs, seed, gen).unwrap();
    let draws = emu_perms(seed, "mating", gen, n, (2 * n_pairs).div_ceil(n).max(1));
    let got: Vec<(usize, usize)> = draws
        .chunks_exact(2)
        .take(n_pairs)
        .map(|p| (p[0], p[1]))
        .collect();
    assert_eq!(got, want, "mating n {n} pairs {n_pairs}");
    let mut s = stream(seed, "tournament-case", gen, 0);
    let cv: Vec<f64> = (0..n)
        .map(|i| if i % 5 == 2 { s.below(3) as f64 } else { 0.0 })
        .collect();
    let rank: Vec<usize> = (0..n).map(|_| s.below(3) as usize).collect();
    let crowd: Vec<f64> = (0..n)
        .map(|i| {
            if i % 7 == 0 {
                f64::INFINITY
            } else {
                s.below(4) as f64 * 0.5
            }
        })
        .collect();
    let want = binary_tournament(&cv, &rank, &crowd, n_pairs, seed, gen).unwrap();
    let draws = emu_perms(seed, "tournament", gen, n, (4 * n_pairs).div_ceil(n).max(1));
    let out = run_emo(&format!(
        "tournament {n:x} {n_pairs:x} {seed:x} {:x} {gen:x} {} {} {} {}",
        purpose_hash("tournament-tie"),
        hu(&draws[..4 * n_pairs]),
        hx(&cv),
        hu(&rank),
        hx(&crowd)
    ));
    let got: Vec<(usize, usize)> = (0..n_pairs)
        .map(|k| (out[k] as usize, out[n_pairs + k] as usize))
        .collect();
    assert_eq!(got, want, "tournament n {n} pairs {n_pairs}");
}

#[test]
fn mating_and_tournaments_are_bit_identical() {
    if harness_emo().is_none() {
        return;
    }
    for (seed, n, n_pairs, gen) in [
        (1, 2, 1, 1),
        (2, 105, 53, 7),
        (3, 300, 150, 2),
        (4, 7, 20, 0),
        (5, 257, 300, 99),
    ] {
        check_mating(seed, n, n_pairs, gen);
    }
}

/// Long permutations: swapped on one thread below 2048 entries, from the parallel chains of
/// swaps from 2048 on (several permutations at once too); and the sequential redraw that a
/// rejected draw triggers (forced here: a real rejection has probability under n / 2^64 per
/// step).
#[test]
fn long_and_redrawn_permutations_equal_the_cpu() {
    if harness_emo().is_none() {
        return;
    }
    for (seed, n, n_perm) in [
        (6u64, 2047usize, 1usize),
        (7, 2048, 1),
        (8, 2049, 3),
        (9, 24577, 1),
        (10, 40000, 2),
    ] {
        let want: Vec<usize> = (0..n_perm)
            .flat_map(|p| stream(seed, "mating", 3, p as u64).permutation(n))
            .collect();
        assert_eq!(emu_perms(seed, "mating", 3, n, n_perm), want, "n {n}");
    }
    for (seed, n, n_perm) in [(11u64, 1000usize, 3usize), (12, 2, 1)] {
        let got: Vec<usize> = run_emo(&format!(
            "perms_redraw {seed:x} {:x} {:x} {n:x} {n_perm:x}",
            purpose_hash("tournament"),
            5
        ))
        .into_iter()
        .map(|i| i as usize)
        .collect();
        let want: Vec<usize> = (0..n_perm)
            .flat_map(|p| stream(seed, "tournament", 5, p as u64).permutation(n))
            .collect();
        assert_eq!(got, want, "redrawn, n {n}");
    }
}

#[test]
fn gather_rows_picks_parents_and_offspring() {
    if harness_emo().is_none() {
        return;
    }
    let (na, nb, cols) = (5, 3, 4);
    let a: Vec<f64> = (0..na * cols).map(|i| i as f64).collect();
    let b: Vec<f64> = (0..nb * cols).map(|i| -(i as f64) - 0.5).collect();
    let idx = [7usize, 0, 4, 5, 5];
    let stacked = [a.clone(), b.clone()].concat();
    let want: Vec<f64> = idx
        .iter()
        .flat_map(|&i| stacked[i * cols..(i + 1) * cols].to_vec())
        .collect();
    let got = run_emo(&format!(
        "gather {na:x} {nb:x} {cols:x} {:x} {} {} {}",
        idx.len(),
        hx(&a),
        hx(&b),
        hu(&idx)
    ));
    assert_eq!(got, bits(&want));
}

#[test]
fn rvea_ideal_nadir_and_survivor_list() {
    if harness_emo().is_none() {
        return;
    }
    for (seed, n, m, infeasible, threads) in [
        (1, 300, 3, 0, 5),
        (2, 64, 2, 3, 1),
        (3, 257, 5, 1, 8),
        (4, 3000, 3, 0, 1024),
        (5, 500, 3, 0, 7),
    ] {
        let (mut sel, mut cv, _) = selection_case(seed, 2, n, m, infeasible);
        if infeasible == 1 {
            // Every row violates: the ideal comes from all rows.
            cv.iter_mut().for_each(|c| *c = 1.0);
        }
        if seed >= 4 {
            // Signed zeros at the extremes, placed so that combining per-thread partials in
            // thread order gets them wrong: the earlier zero in row order (row 3, thread 3)
            // must win over a later one held by a lower thread (row threads + 1, thread 1).
            // Column 1 holds the minimum (start 0.1), column 2, negated below, the maximum.
            sel.iter_mut().for_each(|v| *v = v.abs() + 1.0);
            let t = threads as usize;
            for (row, z1, z2) in [(3, -0.0, 0.0), (t + 1, 0.0, -0.0), (t + 9, -0.0, 0.0)] {
                assert!(row < n);
                sel[row * m + 1] = z1;
                sel[row * m + 2] = -z2;
            }
            sel.iter_mut().skip(2).step_by(m).for_each(|v| *v = -*v);
        }
        let start: Vec<f64> = (0..m).map(|j| 0.1 * j as f64).collect();
        // `Rvea::survive`'s preamble.
        let feas: Vec<usize> = (0..n).filter(|&i| cv[i] <= 0.0).collect();
        let rows = if feas.is_empty() {
            (0..n).collect()
        } else {
            feas
        };
        // The row-order fold of `Rvea::survive` (strict comparison: the earlier of +0 and -0).
        let mut want = start.clone();
        for &i in &rows {
            for j in 0..m {
                if sel[i * m + j] < want[j] {
                    want[j] = sel[i * m + j];
                }
            }
        }
        let got = run_emo(&format!(
            "ideal {threads:x} {n:x} {m:x} {} {} {}",
            hx(&sel),
            hx(&cv),
            hx(&start)
        ));
        assert_eq!(got, bits(&want), "ideal, case {seed}");
        let mut nadir = vec![f64::NEG_INFINITY; m];
        for row in sel.chunks_exact(m) {
            for (a, &v) in nadir.iter_mut().zip(row) {
                if v > *a {
                    *a = v;
                }
            }
        }
        let got = run_emo(&format!("colmax {threads:x} {n:x} {m:x} {}", hx(&sel)));
        assert_eq!(got, bits(&nadir), "nadir, case {seed}");
    }
    let best = [5u64, u32::MAX as u64, 0, 9, u32::MAX as u64, 2];
    let got = run_emo(&format!(
        "compact {:x} {}",
        best.len(),
        hex(best.iter().copied())
    ));
    assert_eq!(got, vec![4, 5, 0, 9, 2]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    // γ's tiled search on vectors that are no lattice (clusters, exact copies: a copy is at
    // distance 0, so γ floors at 1e-64), against the CPU's kd-tree.
    #[test]
    fn gammas_match_the_cpu_on_random_vectors(seed in 0u64..1_000_000, m in 2usize..6, n_vec in 1usize..700) {
        if harness_emo().is_some() {
            let c = random_rvea_case(seed, 1, m, n_vec);
            let got = run_emo(&format!(
                "gamma {n_vec:x} {m:x} {} {}",
                hx(&c.v),
                tiling_hex(&c.v, m)
            ));
            prop_assert_eq!(got, bits(&c.gamma));
        }
    }

    #[test]
    fn emulated_mating_matches_the_cpu(seed in 0u64..1_000_000, n in 1usize..80, n_pairs in 1usize..120, gen in 0u64..50) {
        if harness_emo().is_some() {
            check_mating(seed, n, n_pairs, gen);
        }
    }
}
