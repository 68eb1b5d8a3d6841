//! The NSGA-III and NSGA-II selection kernels' sources (`kernels/nsga3.cu`,
//! `kernels/nsga2.cu`) compiled for the CPU (`kernels/emulate/harness_emo.cpp`, several
//! real threads per block for the block-synchronous normalisation) and compared with their CPU
//! twins, bit for bit: NSGA-III normalisation (over successive generations, with infeasible
//! rows, a degenerate hyperplane, no feasible row; and a proptest), association, niching, the
//! front split and niche counts; NSGA-II's rank-and-crowding survival. The RVEA and mating
//! kernels are in `tests/cuda_emulation_evo_rvea.rs`. Skips with a printed reason without a
//! C++ compiler.

mod cuda_common;

use cuda_common::emulate::{harness_emo, hex, run_emo};
use cuda_common::survival_inputs::{association_case, selection_case};
use pareto_sciml::backend::cuda::{nsga3_associate_cpu, nsga3_niching_cpu, Nsga3Normalisation};
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

/// The emulated normalisation with `threads` threads: (nfeas, new state, nadir).
fn emu_normalise(
    threads: usize,
    st: &Nsga3Normalisation,
    sel: &[f64],
    cv: &[f64],
    rank: &[usize],
) -> (u64, Nsga3Normalisation, Vec<f64>) {
    let m = st.ideal.len();
    let n = cv.len();
    let n_ext = if st.extremes.is_empty() { 0 } else { m };
    let out = run_emo(&format!(
        "normalise {threads:x} {n:x} {m:x} {n_ext:x} {} {} {} {} {} {}",
        hx(sel),
        hx(cv),
        hu(rank),
        hx(&st.ideal),
        hx(&st.worst),
        hx(&st.extremes)
    ));
    let f = |a: usize, b: usize| {
        out[a..b]
            .iter()
            .map(|&w| f64::from_bits(w))
            .collect::<Vec<_>>()
    };
    let ext = f(1 + 2 * m, 1 + 2 * m + m * m);
    (
        out[0],
        Nsga3Normalisation {
            ideal: f(1, 1 + m),
            worst: f(1 + m, 1 + 2 * m),
            extremes: if out[0] == 0 {
                st.extremes.clone()
            } else {
                ext
            },
        },
        f(1 + 2 * m + m * m, 1 + 3 * m + m * m),
    )
}

fn state_bits(s: &Nsga3Normalisation) -> Vec<Vec<u64>> {
    vec![bits(&s.ideal), bits(&s.worst), bits(&s.extremes)]
}

#[test]
fn nsga3_normalisation_is_bit_identical_over_generations() {
    if harness_emo().is_none() {
        return;
    }
    let mut fallbacks = 0;
    for (case, (number, n, m, infeasible)) in [
        (1, 50, 3, 0),
        (2, 300, 3, 5),
        (3, 257, 5, 3),
        (7, 64, 2, 0),
        (4, 120, 4, 2),
    ]
    .into_iter()
    .enumerate()
    {
        for threads in [1, 4, 7] {
            let mut cpu = Nsga3Normalisation::new(m);
            let mut emu = cpu.clone();
            for generation in 0..3u64 {
                let (sel, cv, rank) =
                    selection_case(100 * case as u64 + generation, number, n, m, infeasible);
                let want = cpu.update_cpu(&sel, &cv, &rank).unwrap().unwrap();
                let (nfeas, state, nadir) = emu_normalise(threads, &emu, &sel, &cv, &rank);
                assert_eq!(nfeas as usize, cv.iter().filter(|&&c| c <= 0.0).count());
                assert_eq!(
                    state_bits(&state),
                    state_bits(&cpu),
                    "case {case} T {threads}"
                );
                assert_eq!(bits(&nadir), bits(&want), "nadir, case {case} T {threads}");
                // The nadir is the worst point somewhere iff a fallback was taken.
                fallbacks += usize::from(nadir.iter().zip(&cpu.worst).any(|(a, b)| a == b));
                emu = state;
            }
        }
    }
    println!("normalisations with a worst-point nadir coordinate: {fallbacks}");
}

#[test]
fn nsga3_normalisation_degenerate_and_infeasible() {
    if harness_emo().is_none() {
        return;
    }
    // Identical rows: the hyperplane system is singular (first-front fallback), then every
    // axis collapses (population-worst fallback).
    let sel: Vec<f64> = (0..20).flat_map(|_| [0.5, 0.25, 2.0]).collect();
    let (cv, rank) = (vec![0.0; 20], vec![0; 20]);
    let mut cpu = Nsga3Normalisation::new(3);
    let want = cpu.update_cpu(&sel, &cv, &rank).unwrap().unwrap();
    let (_, state, nadir) = emu_normalise(3, &Nsga3Normalisation::new(3), &sel, &cv, &rank);
    assert_eq!(bits(&nadir), bits(&want));
    assert_eq!(state_bits(&state), state_bits(&cpu));
    // No feasible row: nothing changes, on both sides.
    let start = cpu.clone();
    assert_eq!(cpu.update_cpu(&sel, &[1.0; 20], &rank).unwrap(), None);
    let (nfeas, state, _) = emu_normalise(2, &start, &sel, &[1.0; 20], &rank);
    assert_eq!(nfeas, 0);
    assert_eq!(state_bits(&state), state_bits(&start));
}

fn emu_associate(
    sel: &[f64],
    m: usize,
    refs: &[f64],
    ideal: &[f64],
    nadir: &[f64],
) -> (Vec<usize>, Vec<f64>) {
    let n = sel.len() / m;
    let units: Vec<f64> = refs
        .chunks_exact(m)
        .flat_map(|w| {
            let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
            w.iter().map(move |v| v / norm)
        })
        .collect();
    let out = run_emo(&format!(
        "associate {n:x} {m:x} {:x} {} {} {} {}",
        refs.len() / m,
        hx(sel),
        hx(&units),
        hx(ideal),
        hx(nadir)
    ));
    (
        out[..n].iter().map(|&k| k as usize).collect(),
        out[n..].iter().map(|&b| f64::from_bits(b)).collect(),
    )
}

#[test]
fn nsga3_association_is_bit_identical() {
    if harness_emo().is_none() {
        return;
    }
    for (seed, number, n, m, parts) in [
        (1, 1, 300, 3, 12),
        (2, 2, 257, 3, 13),
        (3, 3, 100, 5, 4),
        (4, 7, 64, 2, 20),
        // Beyond 16 objectives the kernel recomputes the normalised row per direction.
        (5, 2, 60, 17, 1),
    ] {
        let (sel, refs, st, nadir) = association_case(seed, number, n, m, parts);
        let want = nsga3_associate_cpu(&sel, m, &refs, &st.ideal, &nadir).unwrap();
        let got = emu_associate(&sel, m, &refs, &st.ideal, &nadir);
        assert_eq!(got.0, want.0, "niches, case {seed}");
        assert_eq!(bits(&got.1), bits(&want.1), "distances, case {seed}");
        let distinct: std::collections::BTreeSet<_> = want.0.iter().collect();
        assert!(
            distinct.len() > 3,
            "case {seed} uses only {} niches",
            distinct.len()
        );
    }
}

fn niching_check(seed: u64, n: usize, m: usize, parts: usize, last_len: usize, remaining: usize) {
    let (sel, refs, st, nadir) = association_case(seed, 2, n, m, parts);
    let n_ref = refs.len() / m;
    let (niche, dist) = nsga3_associate_cpu(&sel, m, &refs, &st.ideal, &nadir).unwrap();
    let mut s = stream(seed, "niching-case", 0, 0);
    let perm = s.permutation(n);
    let last: Vec<usize> = perm[..last_len].to_vec();
    let mut count: Vec<usize> = (0..n_ref).map(|_| s.below(3) as usize).collect();
    let start = count.clone();
    let (gen, nseed) = (seed % 7, seed.wrapping_mul(0x9e37_79b9));
    let want = nsga3_niching_cpu(&last, &niche, &dist, &mut count, remaining, nseed, gen).unwrap();
    let out = run_emo(&format!(
        "niching {last_len:x} {n:x} {n_ref:x} {remaining:x} {nseed:x} {:x} {gen:x} {} {} {} {}",
        purpose_hash("niching"),
        hu(&last),
        hu(&niche),
        hx(&dist),
        hu(&start)
    ));
    let got: Vec<usize> = out[..remaining].iter().map(|&i| i as usize).collect();
    let counts: Vec<usize> = out[remaining..].iter().map(|&c| c as usize).collect();
    assert_eq!(got, want, "chosen, seed {seed}");
    assert_eq!(counts, count, "counts, seed {seed}");
}

#[test]
fn nsga3_niching_is_bit_identical() {
    if harness_emo().is_none() {
        return;
    }
    for (seed, n, m, parts, last_len, remaining) in [
        (1, 200, 3, 12, 120, 60),
        (2, 100, 3, 4, 100, 99),
        (3, 300, 5, 3, 50, 50),
        (4, 64, 2, 40, 30, 1),
        (5, 257, 3, 13, 200, 0),
    ] {
        niching_check(seed, n, m, parts, last_len, remaining);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn emulated_niching_matches_the_cpu(seed in 0u64..1_000_000, n in 20usize..150, parts in 2usize..14, frac in 0.1f64..1.0) {
        if harness_emo().is_some() {
            let last_len = ((n as f64 * frac) as usize).max(1);
            niching_check(seed, n, 3, parts, last_len, last_len / 2 + 1);
        }
    }

}

/// The front split of `Nsga3::survive`: whole fronts while they fit, then the overflowing one.
fn cpu_split(rank: &[usize], keep: usize) -> (Vec<usize>, Vec<usize>) {
    let n_fronts = rank.iter().max().map_or(0, |&r| r + 1);
    let (mut chosen, mut last) = (Vec::new(), Vec::new());
    for r in 0..n_fronts {
        let front: Vec<usize> = (0..rank.len()).filter(|&i| rank[i] == r).collect();
        if chosen.len() + front.len() <= keep {
            chosen.extend(front);
            if chosen.len() == keep {
                break;
            }
        } else {
            last = front;
            break;
        }
    }
    (chosen, last)
}

#[test]
fn nsga3_front_split_and_niche_counts() {
    if harness_emo().is_none() {
        return;
    }
    for (seed, n, keep) in [
        (1, 200, 100),
        (2, 50, 50),
        (3, 91, 10),
        (4, 300, 299),
        (5, 64, 1),
    ] {
        let (sel, _, _) = selection_case(seed, 1, n, 3, 0);
        let rank = pareto_sciml::moo::nondominated_sort(&sel, 3).unwrap();
        // Exact fits happen too: keep = the size of the first fronts.
        for keep in [keep, rank.iter().filter(|&&r| r <= 1).count()] {
            let (chosen, last) = cpu_split(&rank, keep);
            let out = run_emo(&format!("split {n:x} {keep:x} {}", hu(&rank)));
            let (nc, nl) = (out[0] as usize, out[1] as usize);
            let got_c: Vec<usize> = out[2..2 + nc].iter().map(|&i| i as usize).collect();
            let got_l: Vec<usize> = out[2 + nc..2 + nc + nl]
                .iter()
                .map(|&i| i as usize)
                .collect();
            assert_eq!(
                (got_c, got_l),
                (chosen.clone(), last),
                "seed {seed} keep {keep}"
            );
            let n_ref = 7;
            let niche: Vec<usize> = (0..n).map(|i| (i * 5 + seed as usize) % n_ref).collect();
            let mut want = vec![0u64; n_ref];
            chosen.iter().for_each(|&i| want[niche[i]] += 1);
            let got = run_emo(&format!(
                "count {:x} {n:x} {n_ref:x} {} {}",
                chosen.len(),
                hu(&chosen),
                hu(&niche)
            ));
            assert_eq!(got, want);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Random objective matrices (a coarse grid, so ties and duplicate rows are common),
    /// random violations and threads per block, two generations of state.
    #[test]
    fn emulated_normalisation_matches_the_cpu(
        seed in 0u64..1_000_000,
        n in 1usize..120,
        m in 2usize..6,
        threads in 1usize..10,
        infeasible in 0.0f64..0.7,
        grid in proptest::bool::ANY,
    ) {
        if harness_emo().is_some() {
            let mut s = stream(seed, "normalise-prop", 0, 0);
            let mut cpu = Nsga3Normalisation::new(m);
            let mut emu = cpu.clone();
            for _ in 0..2 {
                let sel: Vec<f64> = (0..n * m)
                    .map(|_| if grid { s.below(5) as f64 * 0.25 } else { s.uniform_f64() * 3.0 })
                    .collect();
                let cv: Vec<f64> = (0..n)
                    .map(|_| if s.uniform_f64() < infeasible { s.uniform_f64() + 0.5 } else { 0.0 })
                    .collect();
                let rank = pareto_sciml::moo::constrained_nondominated_sort(&sel, &cv, m).unwrap();
                let want = cpu.update_cpu(&sel, &cv, &rank).unwrap();
                let (nfeas, state, nadir) = emu_normalise(threads, &emu, &sel, &cv, &rank);
                prop_assert_eq!(nfeas == 0, want.is_none());
                prop_assert_eq!(state_bits(&state), state_bits(&cpu));
                if let Some(w) = want {
                    prop_assert_eq!(bits(&nadir), bits(&w));
                }
                emu = state;
            }
        }
    }
}

/// `Nsga2`'s survival from public pieces: fronts while they fit, crowding per front, the
/// overflowing front by crowding descending (ties by position). (keep, rank, crowding).
fn cpu_nsga2_survive(f: &[f64], m: usize, keep: usize) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
    let rank = pareto_sciml::moo::nondominated_sort(f, m).unwrap();
    let n_fronts = rank.iter().max().map_or(0, |&r| r + 1);
    let (mut kept, mut r_out, mut c_out) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..n_fronts {
        if kept.len() >= keep {
            break;
        }
        let front: Vec<usize> = (0..rank.len()).filter(|&i| rank[i] == k).collect();
        let crowd = pareto_sciml::moo::crowding_distance(f, m, &front).unwrap();
        let mut order: Vec<usize> = (0..front.len()).collect();
        if kept.len() + front.len() > keep {
            order.sort_by(|&a, &b| crowd[b].total_cmp(&crowd[a]).then(a.cmp(&b)));
            order.truncate(keep - kept.len());
        }
        for p in order {
            kept.push(front[p]);
            r_out.push(k);
            c_out.push(crowd[p]);
        }
    }
    (kept, r_out, c_out)
}

fn nsga2_check(f: &[f64], m: usize, keep: usize) {
    let n = f.len() / m;
    let rank = pareto_sciml::moo::nondominated_sort(f, m).unwrap();
    let (kept, r_out, c_out) = cpu_nsga2_survive(f, m, keep);
    let out = run_emo(&format!(
        "nsga2 {n:x} {keep:x} {m:x} {} {}",
        hx(f),
        hu(&rank)
    ));
    let k = out[0] as usize;
    assert_eq!(k, kept.len());
    let got_keep: Vec<usize> = out[1..1 + k].iter().map(|&i| i as usize).collect();
    let got_rank: Vec<usize> = out[1 + k..1 + 2 * k].iter().map(|&i| i as usize).collect();
    assert_eq!(got_keep, kept, "n {n} keep {keep}");
    assert_eq!(got_rank, r_out);
    assert_eq!(out[1 + 2 * k..1 + 3 * k].to_vec(), bits(&c_out));
}

#[test]
fn nsga2_survival_is_bit_identical() {
    if harness_emo().is_none() {
        return;
    }
    for (seed, number, n, m, keep) in [
        (1, 1, 200, 3, 100),
        (2, 2, 100, 2, 50),
        (3, 7, 64, 2, 63),
        (4, 2, 257, 5, 128),
        (5, 1, 40, 3, 40),
    ] {
        let (f, _, _) = selection_case(seed, number, n, m, 0);
        nsga2_check(&f, m, keep);
    }
    // A coarse grid: tied crowding distances and duplicate rows.
    let mut s = stream(3, "nsga2-grid", 0, 0);
    let f: Vec<f64> = (0..150 * 2).map(|_| s.below(6) as f64).collect();
    nsga2_check(&f, 2, 75);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn emulated_nsga2_survival_matches_the_cpu(seed in 0u64..1_000_000, n in 2usize..120, m in 2usize..5, frac in 0.05f64..1.0, grid in proptest::bool::ANY) {
        if harness_emo().is_some() {
            let mut s = stream(seed, "nsga2-prop", 0, 0);
            let f: Vec<f64> = (0..n * m)
                .map(|_| if grid { s.below(4) as f64 } else { s.uniform_f64() })
                .collect();
            nsga2_check(&f, m, ((n as f64 * frac) as usize).max(1));
        }
    }
}
