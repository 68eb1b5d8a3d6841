//! The evolutionary kernels on a GPU against their CPU twins, bit for bit: the device
//! elementary functions (`math_eval_*`, twins in `pareto_sciml::math`) and SBX and
//! polynomial mutation (`sbx_f64`, `polynomial_mutation_f64`, twins in
//! `pareto_sciml::moo::operators`), DTLZ/ZDT evaluation (`dtlz_f64`, `zdt_f64`), and RVEA's
//! association and APD (bit for bit; the device arccosine is the twin of the CPU RVEA's
//! `acos_f64`, and within `ACOS_MAX_ULP` of libm's `f64::acos`). Every test prints
//! `skipped: <reason>` and passes when no CUDA device is present (or the crate was built
//! without the `cuda` feature); `tests/cuda_emulation_math.rs` checks the same kernel sources
//! on the CPU.

mod cuda_common;

use cuda_common::evo_inputs::{
    acos_inputs, cpu_objectives, cpu_rvea_apd, cpu_rvea_select, evo_cases, population,
    problem_cases, rvea_case, selection_inputs,
};
use cuda_common::gpu;
use cuda_common::math_inputs::{cpu_f32, cpu_f64, inputs_f32, inputs_f64};
use pareto_sciml::backend::cuda::MathFn;
use pareto_sciml::backend::cuda::ACOS_MAX_ULP;
use pareto_sciml::math::ulp_diff_f64;
use pareto_sciml::moo::operators::{polynomial_mutation, sbx, Variation};
use pareto_sciml::Error;

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn sbx_and_mutation_are_bit_identical_to_moo_operators_cuda() {
    let Some(dev) = gpu() else { return };
    for c in evo_cases() {
        let want = sbx(
            &c.pop,
            &c.pairs,
            &c.lower,
            &c.upper,
            &c.v,
            c.seed,
            c.generation,
        )
        .unwrap();
        let got = dev
            .sbx(
                &c.pop,
                &c.pairs,
                &c.lower,
                &c.upper,
                &c.v,
                c.seed,
                c.generation,
            )
            .unwrap();
        assert_eq!(bits(&got), bits(&want), "sbx {c:?}");
        let mut cpu = want.clone();
        polynomial_mutation(
            &mut cpu,
            &c.lower,
            &c.upper,
            &c.v,
            c.seed,
            c.generation,
            c.first_index,
        )
        .unwrap();
        let mut dev_x = want;
        dev.polynomial_mutation(
            &mut dev_x,
            &c.lower,
            &c.upper,
            &c.v,
            c.seed,
            c.generation,
            c.first_index,
        )
        .unwrap();
        assert_eq!(bits(&dev_x), bits(&cpu), "mutation {c:?}");
    }
}

#[test]
fn problems_are_bit_identical_to_moo_problems_cuda() {
    let Some(dev) = gpu() else { return };
    for (name, dp, p) in problem_cases() {
        // 1000 rows: several blocks, the last one partial.
        let x = population(p.as_ref(), 1000, 6);
        let got = dev.evaluate(dp, &x).unwrap();
        assert_eq!(bits(&got), bits(&cpu_objectives(p.as_ref(), &x)), "{name}");
    }
}

#[test]
fn rvea_association_and_apd_cuda() {
    let Some(dev) = gpu() else { return };
    let x = acos_inputs(1 << 20);
    let got = dev.acos_f64(&x).unwrap();
    for (g, xi) in got.iter().zip(&x) {
        let w = xi.acos();
        if w.is_nan() {
            assert!(g.is_nan(), "acos({xi:e})");
        } else {
            assert!(
                ulp_diff_f64(*g, w) <= ACOS_MAX_ULP,
                "acos({xi:e}) = {g:e}, libm {w:e}"
            );
        }
    }
    for (seed, n, m, parts, t) in [
        (1, 1000, 2, 99, 0),
        (2, 3000, 3, 12, 50),
        (4, 2000, 5, 4, 100),
        (7, 5000, 3, 60, 20),
    ] {
        let c = rvea_case(seed, n, m, parts, t);
        let (want_k, want_apd) = cpu_rvea_apd(&c);
        let got = dev
            .rvea_apd(&c.f, m, &c.ideal, &c.v, &c.gamma, c.penalty)
            .unwrap();
        assert_eq!(got.niche, want_k, "case {seed}");
        let (cv, apd) = selection_inputs(&want_k, &want_apd, seed);
        let n_vec = c.v.len() / m;
        assert_eq!(
            dev.rvea_select(&want_k, &apd, &cv, n_vec).unwrap(),
            cpu_rvea_select(&want_k, &apd, &cv, n_vec),
            "selection, case {seed}"
        );
        assert_eq!(bits(&got.apd), bits(&want_apd), "APD, case {seed}");
    }
}

#[test]
fn offspring_driver_matches_the_cpu_ask_path_cuda() {
    let Some(dev) = gpu() else { return };
    use pareto_sciml::backend::cuda::DeviceProblem;
    use pareto_sciml::moo::problems::Dtlz;
    use pareto_sciml::moo::Problem;
    let p = Dtlz::new(1, 30, 3).unwrap();
    // Odd population: SBX makes one child too many, which the CPU drops before mutation.
    for (pop, seed) in [(101usize, 3u64), (256, 4), (1000, 5)] {
        let x = population(&p, pop, seed);
        let pairs: Vec<(usize, usize)> = (0..pop.div_ceil(2))
            .map(|k| (k, (7 * k + 3) % pop))
            .collect();
        let (lo, hi) = (p.bounds().lower(), p.bounds().upper());
        let v = Variation::default();
        let mut kids = sbx(&x, &pairs, lo, hi, &v, seed, 2).unwrap();
        kids.truncate(pop * p.n_var());
        polynomial_mutation(&mut kids, lo, hi, &v, seed, 2, 0).unwrap();
        let f = cpu_objectives(&p, &kids);
        let out = dev
            .offspring_device(
                DeviceProblem::dtlz(&p),
                &dev.htod(&x).unwrap(),
                &pairs,
                pop,
                &dev.htod(lo).unwrap(),
                &dev.htod(hi).unwrap(),
                &v,
                seed,
                2,
            )
            .unwrap();
        assert_eq!(out.rows, pop);
        let gx = dev.dtoh(&out.x).unwrap();
        let gf = dev.dtoh(&out.f).unwrap();
        assert_eq!(bits(&gx[..kids.len()]), bits(&kids), "x, pop {pop}");
        assert_eq!(bits(&gf[..f.len()]), bits(&f), "f, pop {pop}");
    }
}

#[test]
fn variation_rejects_what_the_cpu_rejects_cuda() {
    let Some(dev) = gpu() else { return };
    let v = Variation::default();
    let (lo, hi) = (vec![0.0; 2], vec![1.0; 2]);
    let pop = vec![0.1, 0.2, 0.3, 0.4];
    assert!(matches!(
        dev.sbx(&pop, &[(0, 2)], &lo, &hi, &v, 1, 0),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        dev.sbx(&pop[..3], &[(0, 1)], &lo, &hi, &v, 1, 0),
        Err(Error::Shape { .. })
    ));
    let bad = Variation { p_c: 2.0, ..v };
    assert!(matches!(
        dev.sbx(&pop, &[(0, 1)], &lo, &hi, &bad, 1, 0),
        Err(Error::InvalidConfig { .. })
    ));
    let mut nan = vec![f64::NAN, 0.0];
    assert!(matches!(
        dev.polynomial_mutation(&mut nan, &lo, &hi, &v, 1, 0, 0),
        Err(Error::NonFinite { .. })
    ));
    assert!(dev.sbx(&pop, &[], &lo, &hi, &v, 1, 0).unwrap().is_empty());
    let p = pareto_sciml::backend::cuda::DeviceProblem::Dtlz {
        number: 8,
        n_var: 4,
        n_obj: 2,
    };
    assert!(matches!(
        dev.evaluate(p, &[0.5; 4]),
        Err(Error::InvalidConfig { .. })
    ));
    let p = pareto_sciml::backend::cuda::DeviceProblem::Zdt {
        number: 5,
        n_var: 4,
    };
    assert!(matches!(
        dev.evaluate(p, &[0.5; 4]),
        Err(Error::InvalidConfig { .. })
    ));
}

fn name(f: MathFn) -> &'static str {
    match f {
        MathFn::Exp => "exp",
        MathFn::Ln => "ln",
        MathFn::Pow => "pow",
        MathFn::Tanh => "tanh",
        MathFn::Sin => "sin",
        MathFn::Cos => "cos",
    }
}

#[test]
fn device_math_is_bit_identical_to_src_math_cuda() {
    let Some(dev) = gpu() else { return };
    for f in MathFn::ALL {
        let n = name(f);
        let (x, y) = inputs_f64(n, 1 << 20, 11);
        let yy = (f == MathFn::Pow).then_some(&y[..]);
        let got = dev.math_eval_f64(f, &x, yy).unwrap();
        let bad = (0..x.len())
            .filter(|&i| got[i].to_bits() != cpu_f64(n, x[i], y[i]).to_bits())
            .count();
        assert_eq!(bad, 0, "{n}_f64: {bad} of {} differ", x.len());
        let (x, y) = inputs_f32(n, 1 << 20, 12);
        let yy = (f == MathFn::Pow).then_some(&y[..]);
        let got = dev.math_eval_f32(f, &x, yy).unwrap();
        let bad = (0..x.len())
            .filter(|&i| got[i].to_bits() != cpu_f32(n, x[i], y[i]).to_bits())
            .count();
        assert_eq!(bad, 0, "{n}_f32: {bad} of {} differ", x.len());
    }
}

#[test]
fn math_eval_rejects_wrong_arity_cuda() {
    let Some(dev) = gpu() else { return };
    assert!(dev.math_eval_f64(MathFn::Pow, &[1.0], None).is_err());
    assert!(dev
        .math_eval_f64(MathFn::Exp, &[1.0], Some(&[1.0]))
        .is_err());
    assert!(dev
        .math_eval_f64(MathFn::Pow, &[1.0], Some(&[1.0, 2.0]))
        .is_err());
}
