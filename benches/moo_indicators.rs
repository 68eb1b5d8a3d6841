//! Non-dominated sorting and hypervolume, against moocore on the same data.
//!
//! Run: `cargo bench --bench moo_indicators -- --warm-up-time 1 --measurement-time 3`, then
//! `python3 benches/peers/moocore_peer.py` (same machine, right after) for the peer's medians.
//!
//! Data (written to `$CARGO_TARGET_DIR/bench-data/*.csv`, default `target/bench-data`, so the
//! peer times exactly the same points; stream `rng::stream(2026, "bench.moo_indicators", M, N)`):
//! - sorting, `sort_m{M}_n{N}.csv`: a spherical shell, `d · (1 + 0.2 u)` with `d` uniform on the
//!   positive octant of the unit sphere (`|Gaussian|`, normalised) and `u ~ U[0, 1)`: rows near
//!   a front, spread over many fronts (the state of an NSGA-II merged population mid-run);
//! - hypervolume, `hv_m{M}_n{N}.csv`: rows exactly on that unit sphere octant (mutually
//!   non-dominated, the hard case), reference point `(1.1, …, 1.1)`.
//!
//! Group `cpu_hypervolume_call` times the same hypervolume calls one by one and reports, per
//! sample, the median single call: the statistic of the peer script (median of single timed
//! calls), which on a loaded machine ignores the calls a preemption lands in, where criterion's
//! usual per-sample mean (`cpu_hypervolume`) counts them. Both are kept; compare like with like.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pareto_sciml::moo::{hypervolume, nondominated_sort};
use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn points(m: usize, n: usize, shell: bool) -> Vec<f64> {
    let mut rng = pareto_sciml::rng::stream(2026, "bench.moo_indicators", m as u64, n as u64);
    let mut f = Vec::with_capacity(m * n);
    for _ in 0..n {
        let d: Vec<f64> = (0..m).map(|_| rng.normal_f64().abs() + 1e-9).collect();
        let norm = d.iter().map(|x| x * x).sum::<f64>().sqrt();
        let r = if shell {
            1.0 + 0.2 * rng.uniform_f64()
        } else {
            1.0
        };
        f.extend(d.iter().map(|x| x / norm * r));
    }
    f
}

/// Writes the matrix for the peer script (Rust's `{}` for f64 round-trips exactly).
fn write_csv(name: &str, f: &[f64], m: usize) {
    let dir = PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()))
        .join("bench-data");
    std::fs::create_dir_all(&dir).expect("create bench-data");
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join(name)).expect("csv"));
    for row in f.chunks_exact(m) {
        let line: Vec<String> = row.iter().map(|x| format!("{x}")).collect();
        writeln!(out, "{}", line.join(",")).expect("write");
    }
}

fn cpu_nondominated_sort(c: &mut Criterion) {
    let mut g = c.benchmark_group("cpu_nondominated_sort");
    g.sample_size(10);
    for m in [2, 3, 5] {
        for n in [1_000, 10_000, 100_000] {
            let f = points(m, n, true);
            write_csv(&format!("sort_m{m}_n{n}.csv"), &f, m);
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(BenchmarkId::new(format!("m{m}"), n), &f, |b, f| {
                b.iter(|| nondominated_sort(black_box(f), m).unwrap())
            });
        }
    }
    g.finish();
}

fn cpu_hypervolume(c: &mut Criterion) {
    let mut g = c.benchmark_group("cpu_hypervolume");
    g.sample_size(10);
    for (m, sizes) in HV_SIZES {
        for &n in sizes {
            let f = points(m, n, false);
            write_csv(&format!("hv_m{m}_n{n}.csv"), &f, m);
            let r = vec![1.1; m];
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(BenchmarkId::new(format!("m{m}"), n), &f, |b, f| {
                b.iter(|| hypervolume(black_box(f), m, &r).unwrap())
            });
        }
    }
    g.finish();
}

/// The hypervolume sizes of issue 3: `M = 3` up to `N = 10⁴`, `M = 4, 5` up to `N = 10³`.
const HV_SIZES: [(usize, &[usize]); 3] = [
    (3, &[100, 1_000, 10_000]),
    (4, &[100, 1_000]),
    (5, &[100, 1_000]),
];

fn cpu_hypervolume_call(c: &mut Criterion) {
    let mut g = c.benchmark_group("cpu_hypervolume_call");
    g.sample_size(10);
    for (m, sizes) in HV_SIZES {
        for &n in sizes {
            let f = points(m, n, false);
            let r = vec![1.1; m];
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(BenchmarkId::new(format!("m{m}"), n), &f, |b, f| {
                b.iter_custom(|iters| {
                    let mut calls: Vec<Duration> = (0..iters)
                        .map(|_| {
                            let t = Instant::now();
                            black_box(hypervolume(black_box(f), m, &r).unwrap());
                            t.elapsed()
                        })
                        .collect();
                    calls.sort_unstable();
                    calls[calls.len() / 2] * iters as u32
                })
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = cpu_nondominated_sort, cpu_hypervolume, cpu_hypervolume_call
}
criterion_main!(benches);
