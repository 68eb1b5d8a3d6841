//! One generation (ask → evaluate → tell) of NSGA-II on ZDT1 (pop 100, n_var 30) and of RVEA
//! on DTLZ1 (3 objectives, n_var 100, pop 2⁵…2¹⁴: the CPU half of TensorRVEA's scaling
//! series). The peer is `benches/peers/pymoo_peer.py` (same work in pymoo 0.6.2); run both back
//! to back and compare medians.
//!
//! ```text
//! cargo bench --bench moo_generation -- --warm-up-time 1 --measurement-time 3
//! python3 benches/peers/pymoo_peer.py
//! ```
//!
//! RVEA at population P uses the first P directions of the smallest Das–Dennis set with at
//! least P points (a population of exactly 2^k; the vectors' uniformity does not change the
//! work per generation). Each sample starts from the same state (a clone of the algorithm
//! after 3 generations); the clone is made outside the timed region. `_1thread` runs
//! everything on one thread, `_allthreads` evaluation, variation and association on all cores.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use pareto_sciml::moo::algorithm::{run, Algorithm, Checkpointing};
use pareto_sciml::moo::observer::NoObserver;
use pareto_sciml::moo::operators::{polynomial_mutation, sbx, Variation};
use pareto_sciml::moo::problem::Evaluator;
use pareto_sciml::moo::problems::{Dtlz, Zdt};
use pareto_sciml::moo::{das_dennis, Nsga2, Rvea};
use pareto_sciml::rng;
use std::hint::black_box;

/// What `moo::run` does per generation: the asked rows are evaluated where they lie.
fn one_generation<A: Algorithm>(alg: &mut A, ev: &Evaluator<impl pareto_sciml::moo::Problem>) {
    let (f, g) = ev.evaluate(alg.ask().unwrap()).unwrap();
    alg.tell(&f, &g).unwrap();
}

fn cpu_nsga2_generation(c: &mut Criterion) {
    let p = Zdt::zdt1(30).unwrap();
    let ev = Evaluator::new(&p);
    let mut alg = Nsga2::new(&p, 100, 1).unwrap();
    run(&mut alg, &ev, 3, &mut NoObserver, &Checkpointing::never()).unwrap();
    let mut g = c.benchmark_group("cpu_nsga2_generation");
    g.throughput(Throughput::Elements(100));
    g.bench_function("zdt1_pop100_nvar30", |b| {
        b.iter_batched_ref(
            || alg.clone(),
            |a| one_generation(black_box(a), &ev),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn refs_exactly(n: usize) -> Vec<f64> {
    let mut p = 1;
    while (p + 1) * (p + 2) / 2 < n {
        p += 1;
    }
    let mut r = das_dennis(3, p).unwrap();
    r.truncate(3 * n);
    r
}

fn cpu_rvea_generation(c: &mut Criterion) {
    let pops: Vec<usize> = (5..=14u32).map(|k| 1 << k).collect();
    rvea_generations(c, "cpu_rvea_generation", &pops, false);
}

/// RVEA generations as a run makes them: the same algorithm advanced one generation per
/// iteration (so each sample is the mean over consecutive generations, every tenth with its
/// reference-vector adaptation), where `cpu_rvea_generation` restarts every iteration from a
/// clone of one state. A clone's buffers have exactly their current lengths, so when more
/// niches survive than in the cloned generation the population buffer grows inside the timed
/// region, first-touch page faults included (≈ 1900 per generation at pop 8192 on this host,
/// ≈ 2–3 ms); a run's buffers stop growing after its first generations.
fn cpu_rvea_generation_steady(c: &mut Criterion) {
    rvea_generations(c, "cpu_rvea_generation_steady", &[1024, 8192], true);
}

/// One RVEA generation on DTLZ1 (n_var 100) at each population, on one thread and on all,
/// from the state after 3 generations: a clone of it per iteration, or (`steady`) the same
/// algorithm advanced one generation per iteration.
fn rvea_generations(c: &mut Criterion, group: &str, pops: &[usize], steady: bool) {
    let p = Dtlz::new(1, 100, 3).unwrap();
    let mut g = c.benchmark_group(group);
    for &pop in pops {
        if steady || pop >= 2048 {
            g.sample_size(10);
        }
        for threads in [1usize, 0] {
            g.throughput(Throughput::Elements(pop as u64));
            let label = if threads == 1 {
                "dtlz1_nvar100_1thread"
            } else {
                "dtlz1_nvar100_allthreads"
            };
            g.bench_with_input(BenchmarkId::new(label, pop), &pop, |b, _| {
                // Set up inside the closure so a filtered-out size costs nothing.
                // Threads for evaluation, variation and association alike.
                let ev = Evaluator::new(&p).threads(threads);
                let mut alg = Rvea::new(&p, refs_exactly(pop), 100, 1)
                    .unwrap()
                    .threads(threads);
                run(&mut alg, &ev, 3, &mut NoObserver, &Checkpointing::never()).unwrap();
                if steady {
                    b.iter(|| one_generation(&mut alg, &ev))
                } else {
                    b.iter_batched_ref(
                        || alg.clone(),
                        |a| one_generation(black_box(a), &ev),
                        BatchSize::LargeInput,
                    )
                }
            });
        }
    }
    g.finish();
}

/// The three phases of one RVEA generation at pop 8192 on one thread (where the time goes),
/// and the floor set by the random streams alone: the same streams drawing the same number of
/// uniforms as SBX (one per pair plus three per variable) and polynomial mutation (two per
/// variable), with no arithmetic on them. The stream format is fixed (a GPU twin indexes it),
/// so no variation kernel can be faster than this floor on the same threads.
fn cpu_rvea_parts(c: &mut Criterion) {
    let p = Dtlz::new(1, 100, 3).unwrap();
    let pop = 8192usize;
    let (nv, pairs) = (100u64, pop as u64 / 2);
    let mut g = c.benchmark_group("cpu_rvea_parts_pop8192_1thread");
    g.sample_size(10);
    let ev = Evaluator::new(&p);
    let mut alg = Rvea::new(&p, refs_exactly(pop), 100, 1).unwrap();
    run(&mut alg, &ev, 3, &mut NoObserver, &Checkpointing::never()).unwrap();
    g.bench_function("ask_variation", |b| {
        b.iter_batched_ref(
            || alg.clone(),
            |a| black_box(a.ask().unwrap().len()),
            BatchSize::LargeInput,
        )
    });
    let x = alg.clone().ask().unwrap().to_vec();
    g.bench_function("evaluate", |b| {
        b.iter(|| ev.evaluate(black_box(&x)).unwrap())
    });
    let (f, gc) = ev.evaluate(&x).unwrap();
    g.bench_function("tell_survival", |b| {
        b.iter_batched_ref(
            || {
                let mut a = alg.clone();
                a.ask().unwrap();
                a
            },
            |a| a.tell(&f, &gc).unwrap(),
            BatchSize::LargeInput,
        )
    });
    let (lo, hi) = (vec![0.0; nv as usize], vec![1.0; nv as usize]);
    // RVEA's population can be smaller than its vector count (empty niches).
    let parents = alg.core().x.clone();
    let n_par = parents.len() / nv as usize;
    let mate: Vec<(usize, usize)> = (0..pop / 2)
        .map(|k| (k % n_par, (7 * k + 1) % n_par))
        .collect();
    let var = Variation::default();
    g.bench_function("sbx_only", |b| {
        b.iter(|| sbx(black_box(&parents), &mate, &lo, &hi, &var, 1, 5).unwrap())
    });
    let kids = sbx(&parents, &mate, &lo, &hi, &var, 1, 5).unwrap();
    g.bench_function("mutation_only", |b| {
        b.iter_batched_ref(
            || kids.clone(),
            |k| polynomial_mutation(k, &lo, &hi, &var, 1, 5, 0).unwrap(),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("rng_floor_variation_draws", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for k in 0..pairs {
                let mut s = rng::stream(1, "sbx", 5, k);
                for _ in 0..1 + 3 * nv {
                    acc += s.uniform_f64();
                }
            }
            for i in 0..pop as u64 {
                let mut s = rng::stream(1, "mutation", 5, i);
                for _ in 0..2 * nv {
                    acc += s.uniform_f64();
                }
            }
            black_box(acc)
        })
    });
    // The same draws through the bulk API (`Stream::fill_uniform_f64`, what SBX and mutation
    // use per chunk of 64 variables): the floor without the per-draw bookkeeping.
    g.bench_function("rng_floor_variation_bulk", |b| {
        let mut buf = vec![0.0; 3 * nv as usize + 1];
        b.iter(|| {
            let mut acc = 0.0;
            for k in 0..pairs {
                let mut s = rng::stream(1, "sbx", 5, k);
                s.fill_uniform_f64(&mut buf);
                acc += buf.iter().sum::<f64>();
            }
            for i in 0..pop as u64 {
                let mut s = rng::stream(1, "mutation", 5, i);
                s.fill_uniform_f64(&mut buf[..2 * nv as usize]);
                acc += buf[..2 * nv as usize].iter().sum::<f64>();
            }
            black_box(acc)
        })
    });
    g.finish();
}

/// The same random-stream floor for one NSGA-II generation on ZDT1 (pop 100, n_var 30):
/// 50 SBX pairs, 100 mutated rows and the 50 tournament tie-break streams.
fn cpu_nsga2_rng_floor(c: &mut Criterion) {
    let mut g = c.benchmark_group("cpu_nsga2_generation");
    g.bench_function("rng_floor_zdt1_pop100_nvar30", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for k in 0..50 {
                let mut s = rng::stream(1, "sbx", 5, k);
                for _ in 0..1 + 3 * 30 {
                    acc += s.uniform_f64();
                }
                let mut t = rng::stream(1, "tournament-tie", 5, k);
                acc += t.uniform_f64() + t.uniform_f64();
            }
            for i in 0..100 {
                let mut s = rng::stream(1, "mutation", 5, i);
                for _ in 0..2 * 30 {
                    acc += s.uniform_f64();
                }
            }
            black_box(acc)
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    cpu_nsga2_generation,
    cpu_nsga2_rng_floor,
    cpu_rvea_generation,
    cpu_rvea_generation_steady,
    cpu_rvea_parts
);
criterion_main!(benches);
