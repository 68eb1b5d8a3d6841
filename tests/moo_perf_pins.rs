//! Bit pins taken *before* the EMO speed work (issue 3, "Speed") from the code as it was
//! (commit c67f791): SBX / polynomial-mutation offspring, ZDT/DTLZ objective values and whole
//! short runs of NSGA-II, NSGA-III and RVEA. The optimised kernels (AVX2 lanes, batched
//! streams, reused buffers) must reproduce every bit: a GPU twin is written against them.
//!
//! Each case is pinned by an FNV-1a 64 hash over the `to_bits()` of every output value (so a
//! single changed ULP anywhere fails) plus the explicit bits of its first value (so a failure
//! shows where to look). Inputs mix interior points, points on the bounds, identical parents,
//! non-unit bounds (ZDT4) and variable counts that are not multiples of the 4-lane width.

use pareto_sciml::moo::algorithm::{run, Algorithm, Checkpointing};
use pareto_sciml::moo::observer::NoObserver;
use pareto_sciml::moo::operators::{polynomial_mutation, sbx, Variation};
use pareto_sciml::moo::problem::{Evaluator, Problem};
use pareto_sciml::moo::problems::{Dtlz, Zdt};
use pareto_sciml::moo::{das_dennis, Nsga2, Nsga3, Rvea};

fn fnv(values: &[f64]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in values {
        for b in v.to_bits().to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// Deterministic inputs in `[lo, hi]` with about one value in eight exactly on a bound and
/// some rows repeated (identical parents).
fn population(n: usize, lo: &[f64], hi: &[f64], seed: u64) -> Vec<f64> {
    let nv = lo.len();
    let mut x = Vec::with_capacity(n * nv);
    for i in 0..n {
        let mut s = pareto_sciml::rng::stream(seed, "pin-input", 0, i as u64);
        if i % 5 == 4 {
            let prev = x[(i - 1) * nv..i * nv].to_vec();
            x.extend(prev);
            continue;
        }
        for j in 0..nv {
            let u = s.uniform_f64();
            let v = match s.below(16) {
                0 => lo[j],
                1 => hi[j],
                _ => lo[j] + (hi[j] - lo[j]) * u,
            };
            x.push(v);
        }
    }
    x
}

fn offspring(nv: usize, lo: f64, hi: f64, v: Variation, gen: u64) -> Vec<f64> {
    let (lo, hi) = (vec![lo; nv], vec![hi; nv]);
    let parents = population(40, &lo, &hi, 9);
    let pairs: Vec<(usize, usize)> = (0..40).map(|k| (k, (7 * k + 3) % 40)).collect();
    let mut kids = sbx(&parents, &pairs, &lo, &hi, &v, 5, gen).unwrap();
    polynomial_mutation(&mut kids, &lo, &hi, &v, 5, gen, 3).unwrap();
    kids
}

fn check(name: &str, values: &[f64], first_bits: u64, hash: u64) {
    let got = (values[0].to_bits(), fnv(values));
    assert_eq!(
        got,
        (first_bits, hash),
        "{name}: (first bits, hash) changed"
    );
}

#[test]
fn sbx_and_mutation_offspring_bits_are_pinned() {
    let dense = Variation {
        p_m: Some(0.5),
        ..Variation::default()
    };
    let odd = Variation {
        eta_c: 3.5,
        eta_m: 7.25,
        p_var: 0.9,
        p_swap: 0.2,
        p_c: 0.8,
        p_m: Some(0.3),
    };
    let cases = [
        (
            "default n30",
            offspring(30, 0.0, 1.0, Variation::default(), 2),
        ),
        (
            "default n7",
            offspring(7, 0.0, 1.0, Variation::default(), 3),
        ),
        ("dense n100", offspring(100, 0.0, 1.0, dense, 4)),
        ("odd n13 [-5,5]", offspring(13, -5.0, 5.0, odd, 5)),
        ("n1", offspring(1, -1.0, 2.0, dense, 6)),
    ];
    let want: [(&str, u64, u64); 5] = PIN_OFFSPRING;
    for ((name, kids), (wname, first, hash)) in cases.iter().zip(want) {
        assert_eq!(*name, wname);
        check(name, kids, first, hash);
    }
}

fn objectives<P: Problem>(p: &P, seed: u64) -> Vec<f64> {
    let b = p.bounds();
    let x = population(64, b.lower(), b.upper(), seed);
    let (f, _) = Evaluator::new(p).evaluate(&x).unwrap();
    f
}

#[test]
fn problem_objective_bits_are_pinned() {
    let mut cases: Vec<(String, Vec<f64>)> = vec![
        ("zdt1".into(), objectives(&Zdt::zdt1(30).unwrap(), 1)),
        ("zdt2".into(), objectives(&Zdt::zdt2(9).unwrap(), 2)),
        ("zdt3".into(), objectives(&Zdt::zdt3(30).unwrap(), 3)),
        ("zdt4".into(), objectives(&Zdt::zdt4(10).unwrap(), 4)),
        ("zdt6".into(), objectives(&Zdt::zdt6(10).unwrap(), 5)),
    ];
    for k in 1..=7u8 {
        for (nv, no) in [(100, 3), (12, 5), (7, 2)] {
            let p = Dtlz::new(k, nv, no).unwrap();
            cases.push((format!("dtlz{k} {nv}x{no}"), objectives(&p, 10 + k as u64)));
        }
    }
    let want: &[(&str, u64, u64)] = PIN_OBJECTIVES;
    assert_eq!(cases.len(), want.len());
    for ((name, f), &(wname, first, hash)) in cases.iter().zip(want) {
        assert_eq!(name, wname);
        check(name, f, first, hash);
    }
}

fn final_x<A: Algorithm, P: Problem>(mut alg: A, p: &P, gens: u64, threads: usize) -> Vec<f64> {
    let ev = Evaluator::new(p).threads(threads);
    run(
        &mut alg,
        &ev,
        gens,
        &mut NoObserver,
        &Checkpointing::never(),
    )
    .unwrap();
    let mut out = alg.core().x.clone();
    out.extend_from_slice(&alg.core().f);
    out
}

#[test]
fn short_runs_are_pinned_for_1_and_2_threads() {
    let zdt = Zdt::zdt1(30).unwrap();
    let dtlz = Dtlz::new(1, 12, 3).unwrap();
    for threads in [1, 2] {
        let runs = [
            (
                "nsga2 zdt1",
                final_x(
                    Nsga2::new(&zdt, 40, 3).unwrap().threads(threads),
                    &zdt,
                    15,
                    threads,
                ),
            ),
            (
                "nsga3 dtlz1",
                final_x(
                    Nsga3::new(&dtlz, das_dennis(3, 6).unwrap(), 28, 3)
                        .unwrap()
                        .threads(threads),
                    &dtlz,
                    15,
                    threads,
                ),
            ),
            (
                "rvea dtlz1",
                final_x(
                    Rvea::new(&dtlz, das_dennis(3, 6).unwrap(), 15, 3)
                        .unwrap()
                        .threads(threads),
                    &dtlz,
                    15,
                    threads,
                ),
            ),
        ];
        for ((name, x), (wname, first, hash)) in runs.iter().zip(PIN_RUNS) {
            assert_eq!(*name, wname);
            check(name, x, first, hash);
        }
    }
}

const PIN_OFFSPRING: [(&str, u64, u64); 5] = [
    ("default n30", 0x3fce1f578d3efef0, 0x18e4b97dc56383d3),
    ("default n7", 0x3fce1f578d3efef0, 0xfd6b413db9789ef),
    ("dense n100", 0x3fcc60368805d2b8, 0x75edbe079892d367),
    ("odd n13 [-5,5]", 0xc0052c6947b8a0aa, 0x4a304a921b38936),
    ("n1", 0xbfd2d0fcac218198, 0xd169349b97c7c718),
];
const PIN_OBJECTIVES: &[(&str, u64, u64)] = &[
    ("zdt1", 0x3fc231d11c3d6ef4, 0x2e987074aef67089),
    ("zdt2", 0x3fea3f581a7b6ffd, 0x99ba65e9a16e7d46),
    ("zdt3", 0x3fe9c347cec328d0, 0xbd281f39d367ac78),
    ("zdt4", 0x3fd8c72560f5d08a, 0xcca9cd66b2bc9eff),
    ("zdt6", 0x3fee6c78b07ed6a6, 0x607cb95bee9a3ae5),
    ("dtlz1 100x3", 0x407d0cde3b4b743d, 0x170dd5f157232a71),
    ("dtlz1 12x5", 0x3fdc993e60a97b87, 0xe6783ab5a6617547),
    ("dtlz1 7x2", 0x4067b61bfc6cd7a1, 0x6b09efb9c7f6cc43),
    ("dtlz2 100x3", 0x3cc912b6ee081972, 0x51aa4921e4c5b125),
    ("dtlz2 12x5", 0x3c68ef6b955257cd, 0x7dc808380e752f20),
    ("dtlz2 7x2", 0x3c9f6846621fea64, 0x1178359beeb47b5d),
    ("dtlz3 100x3", 0x40bbe5a97903c723, 0x6f4708ec5d99fae),
    ("dtlz3 12x5", 0x405ff058b5b6daf9, 0x443778c6e81ddce2),
    ("dtlz3 7x2", 0x4087560aa9598f91, 0xca431925541f51df),
    ("dtlz4 100x3", 0x40240c7f6554b2fe, 0x2471904da23e6bfb),
    ("dtlz4 12x5", 0x3ff67b6d878e35b6, 0x9d67c7ece04803ee),
    ("dtlz4 7x2", 0x3ff6209e999082f9, 0xd44cf6206a69b4b),
    ("dtlz5 100x3", 0x401d3b70b91f0518, 0x7465658c07640b7f),
    ("dtlz5 12x5", 0x3fe09d0fc3193064, 0x36b5eb86c9c85a51),
    ("dtlz5 7x2", 0x3ff586113b1c6f93, 0x478cb48d503b0695),
    ("dtlz6 100x3", 0x4032e62115407de1, 0xcdf0d459123e2fe4),
    ("dtlz6 12x5", 0x3fdf0bc0ec942126, 0x263e1b9cddfc0a7d),
    ("dtlz6 7x2", 0x3ffaf5a178430920, 0xeea946588d3a23c8),
    ("dtlz7 100x3", 0x3fde928060876bc6, 0x543aae90a9e62e76),
    ("dtlz7 12x5", 0x3fde928060876bc6, 0x7d8024a3c099e097),
    ("dtlz7 7x2", 0x3fde928060876bc6, 0x96645a4f25a6cf80),
];
const PIN_RUNS: [(&str, u64, u64); 3] = [
    ("nsga2 zdt1", 0x3fd7633f37ffe949, 0xdd3e494e6e3b2c75),
    ("nsga3 dtlz1", 0x3feb8f3c07815058, 0xc90f95c56dade644),
    ("rvea dtlz1", 0x3fefc7fc3caafc1f, 0x193e6abb67892c5c),
];

/// The operators as they were written before the speed work: one variable at a time, scalar
/// `pow_f64` (the reference the batched lanes must reproduce for any input).
mod reference {
    use pareto_sciml::math::pow_f64;
    use pareto_sciml::moo::operators::Variation;
    use pareto_sciml::rng::stream;

    fn betaq(u: f64, beta: f64, eta: f64) -> f64 {
        let alpha = 2.0 - pow_f64(beta, -(eta + 1.0));
        if u <= 1.0 / alpha {
            pow_f64(u * alpha, 1.0 / (eta + 1.0))
        } else {
            pow_f64(1.0 / (2.0 - u * alpha), 1.0 / (eta + 1.0))
        }
    }

    pub fn sbx(
        p: &[f64],
        pairs: &[(usize, usize)],
        lo: &[f64],
        hi: &[f64],
        v: &Variation,
        seed: u64,
        gen: u64,
    ) -> Vec<f64> {
        let nv = lo.len();
        let mut out = Vec::new();
        for (k, &(pa, pb)) in pairs.iter().enumerate() {
            let mut a = p[pa * nv..(pa + 1) * nv].to_vec();
            let mut b = p[pb * nv..(pb + 1) * nv].to_vec();
            let mut s = stream(seed, "sbx", gen, k as u64);
            let crosses = s.uniform_f64() < v.p_c;
            for j in 0..nv {
                let (uc, us, uw) = (s.uniform_f64(), s.uniform_f64(), s.uniform_f64());
                let (x1, x2) = (a[j], b[j]);
                if !crosses || uc >= v.p_var || (x1 - x2).abs() <= 1e-14 || lo[j] >= hi[j] {
                    continue;
                }
                let (y1, y2) = if x1 < x2 { (x1, x2) } else { (x2, x1) };
                let d = y2 - y1;
                let b1 = betaq(us, 1.0 + 2.0 * (y1 - lo[j]) / d, v.eta_c);
                let mut c1 = 0.5 * ((y1 + y2) - b1 * d);
                let b2 = betaq(us, 1.0 + 2.0 * (hi[j] - y2) / d, v.eta_c);
                let mut c2 = 0.5 * ((y1 + y2) + b2 * d);
                if uw < v.p_swap {
                    std::mem::swap(&mut c1, &mut c2);
                }
                a[j] = c1.clamp(lo[j], hi[j]);
                b[j] = c2.clamp(lo[j], hi[j]);
            }
            out.extend(a);
            out.extend(b);
        }
        out
    }

    pub fn mutation(x: &mut [f64], lo: &[f64], hi: &[f64], v: &Variation, seed: u64, gen: u64) {
        let nv = lo.len();
        let p_m = v.p_m.unwrap_or(1.0 / nv as f64);
        let mut_pow = 1.0 / (v.eta_m + 1.0);
        for (i, row) in x.chunks_exact_mut(nv).enumerate() {
            let mut s = stream(seed, "mutation", gen, i as u64);
            for j in 0..nv {
                let (um, u) = (s.uniform_f64(), s.uniform_f64());
                if um >= p_m || lo[j] >= hi[j] {
                    continue;
                }
                let (y, r) = (row[j], hi[j] - lo[j]);
                let dq = if u <= 0.5 {
                    let xy = 1.0 - (y - lo[j]) / r;
                    let val = 2.0 * u + (1.0 - 2.0 * u) * pow_f64(xy, v.eta_m + 1.0);
                    pow_f64(val, mut_pow) - 1.0
                } else {
                    let xy = 1.0 - (hi[j] - y) / r;
                    let val = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * pow_f64(xy, v.eta_m + 1.0);
                    1.0 - pow_f64(val, mut_pow)
                };
                row[j] = (y + dq * r).clamp(lo[j], hi[j]);
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Batched lanes == the one-variable-at-a-time reference, bit for bit, for any variable
    /// count (across the 64-variable chunks and the 4-lane tails), bounds (fixed variables
    /// included), parameters and thread count.
    #[test]
    fn batched_operators_equal_the_scalar_reference(
        nv in 1usize..150,
        seed in 0u64..1000,
        eta_c in 0.0f64..40.0,
        eta_m in 0.0f64..40.0,
        p_var in 0.0f64..=1.0,
        p_m in 0.0f64..=1.0,
        threads in 1usize..4,
    ) {
        let mut s = pareto_sciml::rng::stream(seed, "pin-bounds", 0, 0);
        let lo: Vec<f64> = (0..nv).map(|_| s.uniform_f64() * 4.0 - 2.0).collect();
        let hi: Vec<f64> = lo.iter().map(|&l| if s.below(10) == 0 { l } else { l + 0.1 + s.uniform_f64() * 3.0 }).collect();
        let v = Variation { eta_c, eta_m, p_var, p_m: Some(p_m), ..Variation::default() };
        let parents = population(12, &lo, &hi, seed);
        let pairs: Vec<(usize, usize)> = (0..7).map(|k| (k % 12, (5 * k + 2) % 12)).collect();
        let got = pareto_sciml::moo::operators::sbx_threaded(&parents, &pairs, &lo, &hi, &v, seed, 4, threads).unwrap();
        let want = reference::sbx(&parents, &pairs, &lo, &hi, &v, seed, 4);
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        proptest::prop_assert_eq!(bits(&got), bits(&want));
        let (mut a, mut b) = (got.clone(), want);
        pareto_sciml::moo::operators::polynomial_mutation_threaded(&mut a, &lo, &hi, &v, seed, 4, 0, threads).unwrap();
        reference::mutation(&mut b, &lo, &hi, &v, seed, 4);
        proptest::prop_assert_eq!(bits(&a), bits(&b));
    }
}
