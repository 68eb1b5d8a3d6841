//! CPU twin vs CUDA kernel, measured in the same run (STYLE 14): groups `<backend>_<op>` for
//! non-dominated sorting, crowding distance, named uniform streams, SBX + polynomial mutation
//! (`variation`, population × 100 variables, DTLZ1 bounds) and DTLZ1 evaluation (3
//! objectives, 100 variables), the last two at TensorRVEA's population sizes 2^10 and 2^14. CUDA groups time the
//! device-resident call (inputs already on the device, no copy back) with `iter_custom` and a
//! final `synchronize`, so the figure is kernel time plus launch overhead plus the scratch
//! allocations each call makes (dominance matrix, sort places; the rank initialisation copy);
//! without a device they are skipped with a printed reason and only the CPU groups run.
//!
//! EMO part: one whole RVEA generation (DTLZ1, 3 objectives, n_var 100, population 2^10 and
//! 2^12): `cpu_rvea_generation` (one thread, a clone of the state after 3 generations per
//! sample) against `cuda_rvea_generation` ([`DeviceRvea::step`], the run continuing; the
//! generation count only scales the APD penalty), and NSGA-III's normalisation plus
//! association (`cpu_nsga3_survival_kernels` / `cuda_nsga3_survival_kernels`, 4096 rows,
//! 91 directions; the CUDA figure includes the copies to and from the device), and whole
//! NSGA-III and NSGA-II generations on the same problem at population 1024
//! (`cpu_nsga_generation` / `cuda_nsga_generation`: `Nsga3`/`Nsga2` on one thread against
//! `DeviceNsga3`/`DeviceNsga2`).
//!
//! `cargo bench --features cuda --bench cuda_kernels -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pareto_sciml::backend::cuda::{
    nsga3_associate_cpu, CudaDevice, DeviceNsga2, DeviceNsga3, DeviceProblem, DeviceRvea,
    Nsga3Normalisation, StreamBatch,
};
use pareto_sciml::moo;
use pareto_sciml::moo::operators::{polynomial_mutation, sbx, Variation};
use pareto_sciml::moo::problems::Dtlz;
use pareto_sciml::moo::Problem;
use pareto_sciml::rng::stream;

const SIZES: [usize; 3] = [128, 1024, 4096];
const N_OBJ: usize = 3;

/// `n` points of a 3-objective problem: random, so there are many fronts, as early in a run.
fn objectives(n: usize) -> Vec<f64> {
    let mut s = stream(1, "bench-objectives", 0, n as u64);
    (0..n * N_OBJ).map(|_| s.uniform_f64()).collect()
}

fn device() -> Option<CudaDevice> {
    match CudaDevice::new(0) {
        Ok(dev) => {
            eprintln!("cuda device: {}", dev.name());
            Some(dev)
        }
        Err(e) => {
            eprintln!("skipped: cuda_* groups: {e}");
            None
        }
    }
}

/// Times `iters` device calls and one synchronisation.
fn timed(dev: &CudaDevice, iters: u64, mut call: impl FnMut()) -> Duration {
    dev.synchronize().unwrap();
    let start = Instant::now();
    for _ in 0..iters {
        call();
    }
    dev.synchronize().unwrap();
    start.elapsed()
}

fn nondominated_sort(c: &mut Criterion) {
    let gpu = device();
    let mut cpu = c.benchmark_group("cpu_nondominated_sort");
    cpu.sample_size(10);
    for n in SIZES {
        let f = objectives(n);
        cpu.throughput(Throughput::Elements(n as u64));
        cpu.bench_with_input(BenchmarkId::from_parameter(n), &f, |b, f| {
            b.iter(|| moo::nondominated_sort(black_box(f), N_OBJ).unwrap())
        });
    }
    cpu.finish();
    let Some(dev) = gpu else { return };
    let mut group = c.benchmark_group("cuda_nondominated_sort");
    group.sample_size(10);
    for n in SIZES {
        let f = dev.htod(&objectives(n)).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_custom(|iters| {
                timed(&dev, iters, || {
                    black_box(dev.nondominated_sort_device(&f, N_OBJ).unwrap());
                })
            })
        });
    }
    group.finish();
}

fn crowding_distance(c: &mut Criterion) {
    let gpu = device();
    let mut cpu = c.benchmark_group("cpu_crowding_distance");
    cpu.sample_size(10);
    for n in SIZES {
        let f = objectives(n);
        let members: Vec<usize> = (0..n).collect();
        cpu.throughput(Throughput::Elements(n as u64));
        cpu.bench_with_input(BenchmarkId::from_parameter(n), &f, |b, f| {
            b.iter(|| moo::crowding_distance(black_box(f), N_OBJ, &members).unwrap())
        });
    }
    cpu.finish();
    let Some(dev) = gpu else { return };
    let mut group = c.benchmark_group("cuda_crowding_distance");
    group.sample_size(10);
    for n in SIZES {
        let f = dev.htod(&objectives(n)).unwrap();
        let members = dev.htod(&(0..n as u32).collect::<Vec<_>>()).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_custom(|iters| {
                timed(&dev, iters, || {
                    black_box(dev.crowding_distance_device(&f, N_OBJ, &members).unwrap());
                })
            })
        });
    }
    group.finish();
}

fn uniform_streams(c: &mut Criterion) {
    let gpu = device();
    let batch = |n_streams| StreamBatch {
        seed: 7,
        purpose: "bench",
        generation: 0,
        first_index: 0,
        n_streams,
        count: 16,
    };
    let mut cpu = c.benchmark_group("cpu_uniform_f64");
    cpu.sample_size(10);
    for n in [1024, 16384] {
        let b = batch(n);
        cpu.throughput(Throughput::Elements((n * b.count) as u64));
        cpu.bench_function(BenchmarkId::from_parameter(n), |bench| {
            bench.iter(|| black_box(b.cpu(|s| s.uniform_f64())))
        });
    }
    cpu.finish();
    let Some(dev) = gpu else { return };
    let mut group = c.benchmark_group("cuda_uniform_f64");
    group.sample_size(10);
    for n in [1024, 16384] {
        let b = batch(n);
        let mut out = dev.zeros::<f64>(n * b.count).unwrap();
        group.throughput(Throughput::Elements((n * b.count) as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |bench| {
            bench.iter_custom(|iters| {
                timed(&dev, iters, || dev.uniform_f64_into(&b, &mut out).unwrap())
            })
        });
    }
    group.finish();
}

/// Population sizes of the variation and evaluation groups, and their decision variables.
const POPS: [usize; 2] = [1024, 16384];
const N_VAR: usize = 100;

/// `n` rows of `N_VAR` uniform variables in [0, 1] and n/2 random pairs.
fn population(n: usize) -> (Vec<f64>, Vec<(usize, usize)>) {
    let mut s = stream(2, "bench-population", 0, n as u64);
    let x = (0..n * N_VAR).map(|_| s.uniform_f64()).collect();
    let pairs = (0..n / 2)
        .map(|_| (s.below(n as u64) as usize, s.below(n as u64) as usize))
        .collect();
    (x, pairs)
}

fn variation(c: &mut Criterion) {
    let gpu = device();
    let (lo, hi) = (vec![0.0; N_VAR], vec![1.0; N_VAR]);
    let v = Variation::default();
    let mut cpu = c.benchmark_group("cpu_variation");
    cpu.sample_size(10);
    for n in POPS {
        let (x, pairs) = population(n);
        cpu.throughput(Throughput::Elements(n as u64));
        cpu.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                let mut kids = sbx(black_box(&x), &pairs, &lo, &hi, &v, 3, 1).unwrap();
                polynomial_mutation(&mut kids, &lo, &hi, &v, 3, 1, 0).unwrap();
                kids
            })
        });
    }
    cpu.finish();
    let Some(dev) = gpu else { return };
    let mut group = c.benchmark_group("cuda_variation");
    group.sample_size(10);
    let (dlo, dhi) = (dev.htod(&lo).unwrap(), dev.htod(&hi).unwrap());
    for n in POPS {
        let (x, pairs) = population(n);
        let dx = dev.htod(&x).unwrap();
        let a = dev
            .htod(&pairs.iter().map(|p| p.0 as u32).collect::<Vec<_>>())
            .unwrap();
        let b = dev
            .htod(&pairs.iter().map(|p| p.1 as u32).collect::<Vec<_>>())
            .unwrap();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |bench| {
            bench.iter_custom(|iters| {
                timed(&dev, iters, || {
                    let mut kids = dev
                        .sbx_device(&dx, &a, &b, pairs.len(), &dlo, &dhi, &v, 3, 1)
                        .unwrap();
                    dev.polynomial_mutation_device(&mut kids, &dlo, &dhi, &v, 3, 1, 0)
                        .unwrap();
                    black_box(kids);
                })
            })
        });
    }
    group.finish();
}

fn dtlz1_evaluation(c: &mut Criterion) {
    let gpu = device();
    let p = Dtlz::new(1, N_VAR, 3).unwrap();
    let mut cpu = c.benchmark_group("cpu_dtlz1_evaluate");
    cpu.sample_size(10);
    for n in POPS {
        let (x, _) = population(n);
        let mut f = vec![0.0; n * 3];
        cpu.throughput(Throughput::Elements(n as u64));
        cpu.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| p.evaluate(black_box(&x), &mut f, &mut []).unwrap())
        });
    }
    cpu.finish();
    let Some(dev) = gpu else { return };
    let mut group = c.benchmark_group("cuda_dtlz1_evaluate");
    group.sample_size(10);
    for n in POPS {
        let dx = dev.htod(&population(n).0).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_custom(|iters| {
                timed(&dev, iters, || {
                    black_box(dev.evaluate_device(DeviceProblem::dtlz(&p), &dx).unwrap());
                })
            })
        });
    }
    group.finish();
}

fn rvea_generation(c: &mut Criterion) {
    use moo::algorithm::{run, Algorithm, Checkpointing};
    let gpu = device();
    let p = Dtlz::new(1, 100, N_OBJ).unwrap();
    let ev = moo::Evaluator::new(&p);
    let refs = |n: usize| {
        let mut k = 1;
        while (k + 1) * (k + 2) / 2 < n {
            k += 1;
        }
        let mut r = moo::das_dennis(N_OBJ, k).unwrap();
        r.truncate(N_OBJ * n);
        r
    };
    let mut cpu = c.benchmark_group("cpu_rvea_generation");
    cpu.sample_size(10);
    for n in [1024usize, 4096] {
        let mut alg = moo::Rvea::new(&p, refs(n), 1000, 1).unwrap();
        let never = Checkpointing::never();
        run(&mut alg, &ev, 3, &mut moo::observer::NoObserver, &never).unwrap();
        cpu.throughput(Throughput::Elements(n as u64));
        cpu.bench_with_input(BenchmarkId::new("dtlz1_nvar100_1thread", n), &n, |b, _| {
            b.iter_batched_ref(
                || alg.clone(),
                |a| {
                    let x = a.ask().unwrap().to_vec();
                    let (f, g) = ev.evaluate(&x).unwrap();
                    a.tell(&f, &g).unwrap();
                },
                criterion::BatchSize::SmallInput,
            )
        });
    }
    cpu.finish();
    let Some(dev) = gpu else { return };
    let mut g = c.benchmark_group("cuda_rvea_generation");
    g.sample_size(10);
    // The device also at TensorRVEA's largest population (the CPU's figure there is the
    // scaling reproduction's: one thread would take minutes per sample set).
    for n in [1024usize, 4096, 16384] {
        let mut alg = DeviceRvea::new(&dev, &p, DeviceProblem::dtlz(&p), refs(n), 1000, 1).unwrap();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("dtlz1_nvar100", n), &n, |b, _| {
            b.iter_custom(|iters| timed(&dev, iters, || alg.step().unwrap()))
        });
    }
    g.finish();
}

fn nsga3_survival_kernels(c: &mut Criterion) {
    let gpu = device();
    let n = 4096;
    let sel = objectives(n);
    let (cv, rank) = (vec![0.0; n], moo::nondominated_sort(&sel, N_OBJ).unwrap());
    let refs = moo::das_dennis(N_OBJ, 12).unwrap();
    let mut cpu = c.benchmark_group("cpu_nsga3_survival_kernels");
    cpu.sample_size(10);
    cpu.bench_function("normalise_associate_4096", |b| {
        b.iter(|| {
            let mut st = Nsga3Normalisation::new(N_OBJ);
            let nadir = st.update_cpu(&sel, &cv, &rank).unwrap().unwrap();
            black_box(nsga3_associate_cpu(&sel, N_OBJ, &refs, &st.ideal, &nadir).unwrap())
        })
    });
    cpu.finish();
    let Some(dev) = gpu else { return };
    let mut g = c.benchmark_group("cuda_nsga3_survival_kernels");
    g.sample_size(10);
    g.bench_function("normalise_associate_4096", |b| {
        b.iter(|| {
            let mut st = Nsga3Normalisation::new(N_OBJ);
            let nadir = dev
                .nsga3_normalise(&mut st, &sel, &cv, &rank)
                .unwrap()
                .unwrap();
            black_box(
                dev.nsga3_associate(&sel, N_OBJ, &refs, &st.ideal, &nadir)
                    .unwrap(),
            )
        })
    });
    g.finish();
}

fn nsga_generation(c: &mut Criterion) {
    use moo::algorithm::{run, Algorithm, Checkpointing};
    let gpu = device();
    let p = Dtlz::new(1, 100, N_OBJ).unwrap();
    let ev = moo::Evaluator::new(&p);
    let n = 1024;
    // 1035 directions (44 partitions) for a population of 1024.
    let refs = moo::das_dennis(N_OBJ, 44).unwrap();
    let never = Checkpointing::never();
    fn one<A: Algorithm>(a: &mut A, ev: &moo::Evaluator<Dtlz>) {
        let x = a.ask().unwrap().to_vec();
        let (f, g) = ev.evaluate(&x).unwrap();
        a.tell(&f, &g).unwrap();
    }
    let mut nsga3 = moo::Nsga3::new(&p, refs.clone(), n, 1).unwrap();
    run(&mut nsga3, &ev, 3, &mut moo::observer::NoObserver, &never).unwrap();
    let mut nsga2 = moo::Nsga2::new(&p, n, 1).unwrap();
    run(&mut nsga2, &ev, 3, &mut moo::observer::NoObserver, &never).unwrap();
    let mut cpu = c.benchmark_group("cpu_nsga_generation");
    cpu.sample_size(10);
    cpu.throughput(Throughput::Elements(n as u64));
    cpu.bench_function("nsga3_dtlz1_nvar100_1024_1thread", |b| {
        b.iter_batched_ref(
            || nsga3.clone(),
            |a| one(a, &ev),
            criterion::BatchSize::SmallInput,
        )
    });
    cpu.bench_function("nsga2_dtlz1_nvar100_1024_1thread", |b| {
        b.iter_batched_ref(
            || nsga2.clone(),
            |a| one(a, &ev),
            criterion::BatchSize::SmallInput,
        )
    });
    cpu.finish();
    let Some(dev) = gpu else { return };
    let mut g = c.benchmark_group("cuda_nsga_generation");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    let mut d3 = DeviceNsga3::new(&dev, &p, DeviceProblem::dtlz(&p), refs, n, 1).unwrap();
    g.bench_function("nsga3_dtlz1_nvar100_1024", |b| {
        b.iter_custom(|iters| timed(&dev, iters, || d3.step().unwrap()))
    });
    let mut d2 = DeviceNsga2::new(&dev, &p, DeviceProblem::dtlz(&p), n, 1).unwrap();
    g.bench_function("nsga2_dtlz1_nvar100_1024", |b| {
        b.iter_custom(|iters| timed(&dev, iters, || d2.step().unwrap()))
    });
    g.finish();
}

criterion_group!(
    benches,
    variation,
    dtlz1_evaluation,
    nondominated_sort,
    crowding_distance,
    uniform_streams,
    rvea_generation,
    nsga3_survival_kernels,
    nsga_generation
);
criterion_main!(benches);
