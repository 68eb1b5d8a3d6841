//! The evolutionary kernels' sources (`kernels/variation.cu`, later the problems) compiled for
//! the CPU and compared bit for bit with their CPU twins in `pareto_sciml::moo`: SBX and
//! polynomial mutation offspring on fixed cases (block-size edges, identical parents, fixed
//! variables, rows on the bounds, non-default η and probabilities) and on random ones
//! (proptest). Skips with a printed reason when no C++ compiler is found.

mod cuda_common;

use cuda_common::emulate::{harness, hex, run, tiling_hex};
use cuda_common::evo_inputs::{
    acos_inputs, cpu_objectives, cpu_rvea_apd, cpu_rvea_select, diagonal_tie_case, evo_case,
    evo_cases, population, problem_cases, random_rvea_case, rvea_case, selection_inputs, EvoCase,
    RveaCase,
};
use pareto_sciml::backend::cuda::DeviceProblem;
use pareto_sciml::backend::cuda::ACOS_MAX_ULP;
use pareto_sciml::math::ulp_diff_f64;
use pareto_sciml::moo::operators::{polynomial_mutation, sbx};
use pareto_sciml::rng::purpose_hash;
use proptest::prelude::*;

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn emu_sbx(c: &EvoCase) -> Vec<u64> {
    let a: String = c.pairs.iter().map(|p| format!("{} ", p.0)).collect();
    let b: String = c.pairs.iter().map(|p| format!("{} ", p.1)).collect();
    let v = &c.v;
    run(&format!(
        "sbx {} {} {} {:x} {:x} {:x} {} {} {a} {b} {} {}",
        c.rows(),
        c.n_var,
        c.pairs.len(),
        c.seed,
        purpose_hash("sbx"),
        c.generation,
        hex([v.eta_c, v.p_c, v.p_var, v.p_swap]
            .iter()
            .map(|x| x.to_bits())),
        hex(c.pop.iter().map(|x| x.to_bits())),
        hex(c.lower.iter().map(|x| x.to_bits())),
        hex(c.upper.iter().map(|x| x.to_bits())),
    ))
}

fn emu_pm(c: &EvoCase, x: &[f64]) -> Vec<u64> {
    let p_m = c.v.p_m.unwrap_or(1.0 / c.n_var as f64);
    run(&format!(
        "pm {} {} {:x} {:x} {:x} {:x} {} {} {} {}",
        x.len() / c.n_var,
        c.n_var,
        c.seed,
        purpose_hash("mutation"),
        c.generation,
        c.first_index,
        hex([c.v.eta_m, p_m].iter().map(|x| x.to_bits())),
        hex(x.iter().map(|v| v.to_bits())),
        hex(c.lower.iter().map(|x| x.to_bits())),
        hex(c.upper.iter().map(|x| x.to_bits())),
    ))
}

fn check(c: &EvoCase) {
    let kids = sbx(
        &c.pop,
        &c.pairs,
        &c.lower,
        &c.upper,
        &c.v,
        c.seed,
        c.generation,
    )
    .unwrap();
    assert_eq!(emu_sbx(c), bits(&kids), "sbx {c:?}");
    let mut mutated = kids.clone();
    polynomial_mutation(
        &mut mutated,
        &c.lower,
        &c.upper,
        &c.v,
        c.seed,
        c.generation,
        c.first_index,
    )
    .unwrap();
    // The operators must have done something, or the comparison would prove little. With
    // p_m = 1/n_var every child variable mutates with that probability, so a case of k pairs
    // leaves everything unchanged with probability (1 − 1/n_var)^(2·k·n_var) ≈ e^(−2k): only
    // demand a change where that is negligible (k ≥ 8: below 2e-7).
    if c.pairs.len() >= 8 {
        assert_ne!(
            bits(&mutated),
            bits(&kids),
            "mutation changed nothing: {c:?}"
        );
    }
    assert_eq!(emu_pm(c, &kids), bits(&mutated), "mutation {c:?}");
}

fn emu_objectives(p: DeviceProblem, x: &[f64]) -> Vec<u64> {
    let (fam, number) = match p {
        DeviceProblem::Dtlz { number, .. } => ("dtlz", number),
        DeviceProblem::Zdt { number, .. } => ("zdt", number),
    };
    run(&format!(
        "problem {fam} {number} {} {} {} {}",
        x.len() / p.n_var(),
        p.n_var(),
        p.n_obj(),
        hex(x.iter().map(|v| v.to_bits()))
    ))
}

#[test]
fn problem_kernels_are_bit_identical_to_moo_problems() {
    if harness().is_none() {
        return;
    }
    for (name, dp, p) in problem_cases() {
        let x = population(p.as_ref(), 300, 5);
        let want = cpu_objectives(p.as_ref(), &x);
        assert_eq!(emu_objectives(dp, &x), bits(&want), "{name}");
    }
}

fn emu_rvea(c: &RveaCase) -> (Vec<usize>, Vec<f64>) {
    let n = c.f.len() / c.n_obj;
    let out = run(&format!(
        "rvea {n} {} {} {:x} {} {} {} {} {}",
        c.n_obj,
        c.v.len() / c.n_obj,
        c.penalty.to_bits(),
        hex(c.f.iter().map(|v| v.to_bits())),
        hex(c.ideal.iter().map(|v| v.to_bits())),
        hex(c.v.iter().map(|v| v.to_bits())),
        hex(c.gamma.iter().map(|v| v.to_bits())),
        tiling_hex(&c.v, c.n_obj),
    ));
    let niche = out[..n].iter().map(|&k| k as usize).collect();
    (niche, out[n..].iter().map(|&b| f64::from_bits(b)).collect())
}

#[test]
fn device_acos_is_within_its_bound_of_libm() {
    if harness().is_none() {
        return;
    }
    let x = acos_inputs(200_000);
    let got = run(&format!(
        "acos {} {}",
        x.len(),
        hex(x.iter().map(|v| v.to_bits()))
    ));
    let mut worst = 0;
    for (i, &xi) in x.iter().enumerate() {
        let (g, w) = (f64::from_bits(got[i]), xi.acos());
        if w.is_nan() {
            assert!(g.is_nan(), "acos({xi:e}) = {g:e}, want NaN");
            continue;
        }
        worst = worst.max(ulp_diff_f64(g, w));
    }
    println!("device acos vs libm: max {worst} ulp");
    assert!(worst <= ACOS_MAX_ULP, "{worst} ulp");
}

#[test]
fn rvea_association_and_apd_are_bit_identical() {
    if harness().is_none() {
        return;
    }
    for (seed, n, m, parts, t) in [
        (1, 1000, 2, 99, 0),
        (2, 3000, 3, 12, 50),
        (3, 257, 3, 13, 99),
        (4, 200, 5, 4, 100),
        (5, 64, 4, 6, 10),
        // Beyond 16 objectives the kernel recomputes the unit row per vector.
        (6, 60, 17, 1, 40),
        // 1891 vectors: 30 slices of the nearest-vector search, the last one short.
        (7, 500, 3, 60, 20),
        // 1001 vectors with 4 objectives: the generic-m search over 16 slices.
        (8, 300, 4, 13, 70),
    ] {
        let c = rvea_case(seed, n, m, parts, t);
        let (want_k, want_apd) = cpu_rvea_apd(&c);
        let (k, apd) = emu_rvea(&c);
        assert_eq!(k, want_k, "niches, case {seed}");
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&apd), bits(&want_apd), "APD, case {seed}");
    }
}

#[test]
fn rvea_association_breaks_exact_ties_across_tiles_to_the_smaller_vector() {
    if harness().is_none() {
        return;
    }
    // Central pairs (31, 32) and (511, 512): the first pair in two tiles, the second in two
    // groups of the tiling.
    for (h, seed) in [(63, 1), (1023, 2)] {
        let c = diagonal_tie_case(h, seed);
        let (want_k, _) = cpu_rvea_apd(&c);
        let central = (h - 1) / 2;
        // Diagonal rows are exactly as far from the central pair's two vectors.
        let d2 = |u: &[f64], k: usize| {
            let w = &c.v[2 * k..2 * k + 2];
            (w[0] - u[0]) * (w[0] - u[0]) + (w[1] - u[1]) * (w[1] - u[1])
        };
        let ties =
            c.f.chunks_exact(4)
                .zip(want_k.iter().step_by(2))
                .filter(|(r, &k)| {
                    let dist = (r[0] * r[0] + r[1] * r[1]).sqrt();
                    let u = [r[0] / dist, r[1] / dist];
                    k == central && d2(&u, central) == d2(&u, central + 1)
                })
                .count();
        assert!(ties > 50, "only {ties} diagonal rows tie (h = {h})");
        let (k, _) = emu_rvea(&c);
        assert_eq!(k, want_k, "niches, h = {h}");
    }
}

#[test]
fn rvea_selection_is_bit_identical() {
    if harness().is_none() {
        return;
    }
    for (seed, n, m, parts) in [
        (1, 200, 2, 99),
        (2, 600, 3, 12),
        (3, 513, 3, 13),
        (4, 400, 5, 4),
    ] {
        let c = rvea_case(seed, n, m, parts, 30);
        let n_vec = c.v.len() / m;
        let (niche, apd) = cpu_rvea_apd(&c);
        let (mut cv, mut apd) = selection_inputs(&niche, &apd, seed);
        if seed % 2 == 0 {
            // NaNs make the fold order-dependent: those niches replay it in row order.
            for i in (5..n).step_by(13) {
                apd[i] = f64::NAN;
            }
            for i in (3..n).step_by(17) {
                cv[i] = f64::NAN;
            }
        }
        let want = cpu_rvea_select(&niche, &apd, &cv, n_vec);
        assert!(
            want.iter().any(|b| b.is_none()) || n < n_vec || seed != 1,
            "case {seed}"
        );
        let ids: String = niche.iter().map(|k| format!("{k} ")).collect();
        let out = run(&format!(
            "rvea_select {n} {n_vec} {ids} {} {}",
            hex(apd.iter().map(|v| v.to_bits())),
            hex(cv.iter().map(|v| v.to_bits())),
        ));
        let got: Vec<Option<usize>> = out
            .into_iter()
            .map(|b| (b != u32::MAX as u64).then_some(b as usize))
            .collect();
        assert_eq!(got, want, "case {seed}");
    }
}

#[test]
fn sbx_and_mutation_kernels_are_bit_identical_to_moo_operators() {
    if harness().is_none() {
        return;
    }
    for c in evo_cases() {
        check(&c);
        // And SBX itself moved some child away from its parent.
        let kids = sbx(
            &c.pop,
            &c.pairs,
            &c.lower,
            &c.upper,
            &c.v,
            c.seed,
            c.generation,
        )
        .unwrap();
        let copies: Vec<f64> = c
            .pairs
            .iter()
            .flat_map(|&(a, b)| {
                let row = |i: usize| c.pop[i * c.n_var..(i + 1) * c.n_var].to_vec();
                [row(a), row(b)].concat()
            })
            .collect();
        if c.n_var > 1 {
            assert_ne!(bits(&kids), bits(&copies), "SBX changed nothing: {c:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    // The tiled search against the CPU's kd-tree on vectors that are no lattice: clusters,
    // exact copies (ties across tiles), 2–5 objectives, up to a few tiles' groups.
    #[test]
    fn tiled_association_equals_the_cpu_on_random_vectors(
        seed in 0u64..1_000_000,
        n in 1usize..120,
        m in 2usize..6,
        n_vec in 1usize..700,
    ) {
        if harness().is_some() {
            let c = random_rvea_case(seed, n, m, n_vec);
            let (want_k, want_apd) = cpu_rvea_apd(&c);
            let (k, apd) = emu_rvea(&c);
            prop_assert_eq!(k, want_k);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&apd), bits(&want_apd));
        }
    }

    #[test]
    fn emulated_variation_matches_the_cpu(
        seed in 0u64..1_000_000,
        n in 2usize..40,
        n_var in 1usize..20,
        n_pairs in 1usize..40,
    ) {
        if harness().is_some() {
            check(&evo_case(seed, n, n_var, n_pairs));
        }
    }
}
