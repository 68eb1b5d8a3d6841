//! TensorRVEA / EvoMO scaling (DESIGN §6): time per RVEA generation on DTLZ1 with 3
//! objectives as the population grows (TensorRVEA: 2⁵…2¹⁴ at n_var 100; EvoMO: 2⁷…2¹⁵ at
//! n_var 500) and as the dimension grows (TensorRVEA: n_var 2⁹…2¹⁸ at population 100; EvoMO:
//! 2¹⁰…2²⁰), on the CPU (scalar loops on one thread; vector lanes on one thread and on all
//! threads) and on the GPU ([`DeviceRvea`]: the whole generation on the device), with the
//! speedups beside the published ones (TensorRVEA: up to 1528× over the population series and
//! 1042× over the dimension series, RTX 4090 vs AMD EPYC 7543; EvoMO: 1113×).
//!
//! ```text
//! cargo run --release --example reproduce_scaling -- [--smoke | --full] [--seed N] [--runs N] [--threads N] [--backend cpu|cuda] [--out DIR]
//! cargo run --release --features cuda --example reproduce_scaling -- --backend cuda
//! ```
//! Modes: `--smoke` two sizes per series, at most 3 timed generations, 1 repeat; quick
//! (default) population 2⁵…2¹², n_var 2⁹…2¹⁵ and the EvoMO series' first three sizes, at most
//! 10 timed generations, 3 repeats; `--full` the papers' sizes, at most 100 timed generations,
//! 10 repeats (`--runs` overrides the repeats). A repeat builds the algorithm for the paper's
//! 100 generations with seed `seed + r`, runs the initial generation untimed, then times
//! generations until the mode's count or a time budget per repeat (smoke 0.2 s, quick 0.5 s,
//! full 3 s) is reached, whichever comes first, but at least 3; repeats stop early once the
//! budget of three repeats is spent (the largest CPU sizes take seconds per generation). The
//! table shows the median over repeats of the mean time per generation; the CSV files record
//! the generations and repeats each cell got.
//!
//! `--backend cpu` (default) measures the CPU columns into `OUT/tables/scaling_cpu.csv`;
//! `--backend cuda` measures the GPU column into `OUT/tables/scaling_gpu.csv` (an error
//! without a device). Either way the tables `OUT/tables/scaling.md` are written from both
//! CSV files as far as they exist, so the CPU figures of the build machine and the GPU
//! figures of a device machine meet in one table; a missing GPU column reads "needs a
//! device". Also `OUT/figures/scaling.svg` (log–log) and `OUT/tables/scaling_manifest.json`.
//!
//! The scalar column turns the crate's vector lanes off ([`set_vector_lanes`]): the same
//! results bit for bit (tests/vector_lanes_switch.rs), through the portable loops.

use pareto_sciml::backend::cuda::{CudaDevice, DeviceProblem, DeviceRvea};
use pareto_sciml::io::csv::write_csv_text;
use pareto_sciml::io::manifest::Manifest;
use pareto_sciml::io::svg::Plot;
use pareto_sciml::math::set_vector_lanes;
use pareto_sciml::moo::algorithm::{run, Algorithm, Checkpointing};
use pareto_sciml::moo::observer::NoObserver;
use pareto_sciml::moo::problem::Evaluator;
use pareto_sciml::moo::problems::Dtlz;
use pareto_sciml::moo::{das_dennis, Rvea};
use pareto_sciml::parallel::resolve_threads;
use pareto_sciml::repro::{BackendChoice, Mode, ReproArgs};
use pareto_sciml::{Error, Result};
use std::path::Path;
use std::time::Instant;

const PROGRAM: &str = "reproduce_scaling";

/// One size of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Size {
    series: &'static str,
    pop: usize,
    n_var: usize,
}

/// One series of sizes.
struct Series {
    name: &'static str,
    /// log2 of the first and last varied size, by mode (smoke, quick, full).
    log2_range: [(u32, u32); 3],
    /// The size that stays fixed (n_var when the population varies, else the population).
    fixed: usize,
    /// Whether the population varies (else n_var).
    by_pop: bool,
}

const SERIES: [Series; 4] = [
    Series {
        name: "population",
        log2_range: [(5, 6), (5, 12), (5, 14)],
        fixed: 100,
        by_pop: true,
    },
    Series {
        name: "dimension",
        log2_range: [(9, 10), (9, 15), (9, 18)],
        fixed: 100,
        by_pop: false,
    },
    Series {
        name: "evomo_population",
        log2_range: [(7, 8), (7, 9), (7, 15)],
        fixed: 500,
        by_pop: true,
    },
    Series {
        name: "evomo_dimension",
        log2_range: [(10, 11), (10, 12), (10, 20)],
        fixed: 100,
        by_pop: false,
    },
];

fn sizes(mode: Mode) -> Vec<Size> {
    let m = match mode {
        Mode::Smoke => 0,
        Mode::Quick => 1,
        Mode::Full => 2,
    };
    SERIES
        .iter()
        .flat_map(|s| {
            let (lo, hi) = s.log2_range[m];
            (lo..=hi).map(move |k| Size {
                series: s.name,
                pop: if s.by_pop { 1 << k } else { s.fixed },
                n_var: if s.by_pop { s.fixed } else { 1 << k },
            })
        })
        .collect()
}

/// How long to time one size: at most `gens` generations or `budget` seconds per repeat
/// (at least 3 generations), at most `repeats` repeats within three budgets.
#[derive(Debug, Clone, Copy)]
struct Timing {
    gens: u64,
    repeats: usize,
    budget: f64,
}

/// Median over repeats of the seconds per generation, and the fewest generations and the
/// repeats it took. `step` runs one generation of repeat `r`, which `start(r)` sets up
/// (untimed) and `sync` waits for.
fn time_repeats<S>(
    t: Timing,
    mut start: impl FnMut(usize) -> Result<S>,
    mut step: impl FnMut(&mut S) -> Result<()>,
    mut sync: impl FnMut() -> Result<()>,
) -> Result<(f64, u64, usize)> {
    let mut per_gen = Vec::with_capacity(t.repeats);
    let mut fewest = u64::MAX;
    let spent = Instant::now();
    for r in 0..t.repeats {
        if r > 0 && spent.elapsed().as_secs_f64() > 3.0 * t.budget {
            break;
        }
        let mut state = start(r)?;
        sync()?;
        let t0 = Instant::now();
        let mut done = 0;
        while done < t.gens && (done < 3 || t0.elapsed().as_secs_f64() < t.budget) {
            step(&mut state)?;
            done += 1;
        }
        sync()?;
        per_gen.push(t0.elapsed().as_secs_f64() / done as f64);
        fewest = fewest.min(done);
    }
    let reps = per_gen.len();
    Ok((median(per_gen), fewest, reps))
}

/// The first `n` directions of the smallest 3-objective Das–Dennis set with at least `n`
/// (a population of exactly `n`; as `benches/moo_generation.rs`).
fn refs_exactly(n: usize) -> Result<Vec<f64>> {
    let mut p = 1;
    while (p + 1) * (p + 2) / 2 < n {
        p += 1;
    }
    let mut r = das_dennis(3, p)?;
    r.truncate(3 * n);
    Ok(r)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Generations the algorithms are built for: the initial one and the papers' 100 (the
/// penalty and the adaptation schedule follow it whatever number is timed).
const MAX_GEN: u64 = 101;

/// [`time_repeats`] of the CPU RVEA on `threads` threads.
fn time_cpu(s: Size, threads: usize, t: Timing, seed: u64) -> Result<(f64, u64, usize)> {
    let p = Dtlz::new(1, s.n_var, 3)?;
    let ev = Evaluator::new(&p).threads(threads);
    let never = Checkpointing::never();
    time_repeats(
        t,
        |r| {
            let mut alg =
                Rvea::new(&p, refs_exactly(s.pop)?, MAX_GEN, seed + r as u64)?.threads(threads);
            run(&mut alg, &ev, 1, &mut NoObserver, &never)?;
            Ok(alg)
        },
        |alg| {
            let x = alg.ask()?.to_vec();
            let (f, g) = ev.evaluate(&x)?;
            alg.tell(&f, &g)
        },
        || Ok(()),
    )
}

/// [`time_repeats`] of [`DeviceRvea`] (synchronised before and after the timed steps).
fn time_gpu(dev: &CudaDevice, s: Size, t: Timing, seed: u64) -> Result<(f64, u64, usize)> {
    let p = Dtlz::new(1, s.n_var, 3)?;
    time_repeats(
        t,
        |r| {
            DeviceRvea::new(
                dev,
                &p,
                DeviceProblem::dtlz(&p),
                refs_exactly(s.pop)?,
                MAX_GEN,
                seed + r as u64,
            )
        },
        |alg| alg.step(),
        || dev.synchronize(),
    )
}

/// A CSV written by this program: its rows as maps from the header's names.
fn read_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .map(|h| h.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

type Row = std::collections::HashMap<String, String>;

fn field<'r>(r: &'r Row, name: &str) -> &'r str {
    r.get(name).map_or("", String::as_str)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

fn main() {
    let args = ReproArgs::from_env(PROGRAM);
    if let Err(e) = run_all(&args) {
        eprintln!("{PROGRAM}: {e}");
        std::process::exit(1);
    }
}

fn run_all(args: &ReproArgs) -> Result<()> {
    let t0 = Instant::now();
    let timing = match args.mode {
        Mode::Smoke => Timing {
            gens: 3,
            repeats: args.runs_or(1, 1, 1),
            budget: 0.2,
        },
        Mode::Quick => Timing {
            gens: 10,
            repeats: args.runs_or(1, 3, 10),
            budget: 0.5,
        },
        Mode::Full => Timing {
            gens: 100,
            repeats: args.runs_or(1, 3, 10),
            budget: 3.0,
        },
    };
    let all = sizes(args.mode);
    let tables = args.tables_dir();
    std::fs::create_dir_all(&tables).map_err(|e| Error::io(&tables, e))?;
    let (cpu_csv, gpu_csv) = (
        tables.join("scaling_cpu.csv"),
        tables.join("scaling_gpu.csv"),
    );
    let mut device_name = None;
    let progress = |i: usize, what: &str, s: &Size, sec: f64| {
        eprintln!(
            "[{}/{}] {what} {} pop {} n_var {}: {:.3} ms/gen (elapsed {:.0} s)",
            i + 1,
            all.len(),
            s.series,
            s.pop,
            s.n_var,
            sec * 1e3,
            t0.elapsed().as_secs_f64()
        );
    };
    match args.backend {
        BackendChoice::Cpu => {
            let n_all = resolve_threads(args.threads);
            let machine = cpu_model();
            let mut rows = Vec::new();
            for (i, s) in all.iter().enumerate() {
                for (lanes, threads) in [("scalar", 1), ("vector", 1), ("vector", n_all)] {
                    set_vector_lanes(lanes == "vector");
                    let timed = time_cpu(*s, threads, timing, args.seed);
                    set_vector_lanes(true);
                    let (sec, gens, reps) = timed?;
                    progress(i, &format!("cpu {lanes} {threads} thread(s)"), s, sec);
                    rows.push(vec![
                        s.series.to_string(),
                        s.pop.to_string(),
                        s.n_var.to_string(),
                        lanes.to_string(),
                        threads.to_string(),
                        format!("{:.6}", sec * 1e3),
                        reps.to_string(),
                        gens.to_string(),
                        machine.replace(',', ";"),
                    ]);
                }
            }
            write_csv_text(
                &cpu_csv,
                &[
                    "series",
                    "population",
                    "n_var",
                    "lanes",
                    "threads",
                    "ms_per_gen",
                    "repeats",
                    "generations",
                    "machine",
                ],
                &rows,
            )?;
        }
        BackendChoice::Cuda => {
            let dev = CudaDevice::new(0)?;
            let name = dev.name().replace(',', ";");
            let mut rows = Vec::new();
            for (i, s) in all.iter().enumerate() {
                let (sec, gens, reps) = time_gpu(&dev, *s, timing, args.seed)?;
                progress(i, "gpu", s, sec);
                rows.push(vec![
                    s.series.to_string(),
                    s.pop.to_string(),
                    s.n_var.to_string(),
                    format!("{:.6}", sec * 1e3),
                    reps.to_string(),
                    gens.to_string(),
                    name.clone(),
                ]);
            }
            write_csv_text(
                &gpu_csv,
                &[
                    "series",
                    "population",
                    "n_var",
                    "ms_per_gen",
                    "repeats",
                    "generations",
                    "device",
                ],
                &rows,
            )?;
            device_name = Some(name);
        }
    }
    let table = tables.join("scaling.md");
    let (cpu, gpu) = (read_rows(&cpu_csv), read_rows(&gpu_csv));
    write_text(&table, &tables_markdown(&cpu, &gpu))?;
    plot(&cpu, &gpu, &args.figures_dir().join("scaling.svg"))?;
    let mut m = Manifest::new(PROGRAM);
    m.set("mode", args.mode.name())
        .set("seed", args.seed)
        .set("repeats", timing.repeats)
        .set("timed_generations_at_most", timing.gens)
        .set("budget_s_per_repeat", timing.budget)
        .set("threads", resolve_threads(args.threads))
        .set(
            "backend",
            match args.backend {
                BackendChoice::Cpu => "cpu",
                BackendChoice::Cuda => "cuda",
            },
        )
        .set("machine", cpu_model())
        .set("device", device_name.unwrap_or_else(|| "none".into()))
        .set("elapsed_s", t0.elapsed().as_secs_f64());
    m.write(tables.join("scaling_manifest.json"))?;
    eprintln!(
        "wrote {} in {:.1} s",
        table.display(),
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The largest thread count of the CPU rows (the "all threads" column).
fn most_threads(cpu: &[Row]) -> usize {
    cpu.iter()
        .filter_map(|r| field(r, "threads").parse::<usize>().ok())
        .max()
        .unwrap_or(1)
}

/// The size a series varies.
fn varied(series: &str, r: &Row) -> Option<usize> {
    let by_pop = SERIES.iter().any(|s| s.name == series && s.by_pop);
    field(r, if by_pop { "population" } else { "n_var" })
        .parse()
        .ok()
}

/// One table per series, one row per size: the three CPU columns, the GPU (ms per
/// generation) and the GPU's speedups over the scalar CPU and over the vector lanes on all
/// threads.
fn tables_markdown(cpu: &[Row], gpu: &[Row]) -> String {
    let num = |s: &str| s.parse::<f64>().ok();
    let machine = cpu.first().map_or("not measured".to_string(), |r| {
        field(r, "machine").to_string()
    });
    let device = gpu.first().map_or("needs a device".to_string(), |r| {
        field(r, "device").to_string()
    });
    let n_all = most_threads(cpu);
    let mut md = format!(
        "# RVEA scaling: time per generation (DTLZ1, 3 objectives)\n\n\
         Written by `cargo run --release --example reproduce_scaling` (CPU columns) and \
         `cargo run --release --features cuda --example reproduce_scaling -- --backend cuda` (GPU column). \
         CPU: {machine}: scalar loops on 1 thread (the crate's vector lanes off: same results, bit for bit), \
         vector lanes (AVX-512/AVX2 where detected) on 1 and on {n_all} threads. \
         GPU: {device} (`DeviceRvea`: mating, variation, evaluation, survival and adaptation on the device). \
         Times are medians over repeats of the mean over the timed generations (at most 100 after the initial \
         one, fewer where a time budget per repeat ran out: the CSV files give each cell's count); the build \
         machine is shared with other jobs, so CPU times are noisy. Published speedups (GPU over CPU): \
         TensorRVEA (RTX 4090 against an AMD EPYC 7543) up to 1528× on the population series and 1042× on the \
         dimension series; EvoMO up to 1113×.\n"
    );
    for (series, what) in [
        ("population", "TensorRVEA: population (n_var 100)"),
        ("dimension", "TensorRVEA: n_var (population 100)"),
        ("evomo_population", "EvoMO: population (n_var 500)"),
        ("evomo_dimension", "EvoMO: n_var (population 100)"),
    ] {
        let by_pop = series.ends_with("population");
        let mut keys: Vec<usize> = cpu
            .iter()
            .chain(gpu)
            .filter(|r| field(r, "series") == series)
            .filter_map(|r| varied(series, r))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        if keys.is_empty() {
            continue;
        }
        md += &format!(
            "\n## {what}\n\n| {} | CPU scalar, 1 thread (ms) | CPU lanes, 1 thread (ms) | CPU lanes, {n_all} threads (ms) | GPU (ms) | GPU vs CPU scalar | GPU vs CPU lanes, {n_all} threads |\n|---|---|---|---|---|---|---|\n",
            if by_pop { "population" } else { "n_var" }
        );
        for k in keys {
            let at = |r: &&Row| field(r, "series") == series && varied(series, r) == Some(k);
            let find_cpu = |lanes: &str, threads: usize| {
                cpu.iter()
                    .filter(at)
                    .find(|r| {
                        field(r, "lanes") == lanes && field(r, "threads") == threads.to_string()
                    })
                    .and_then(|r| num(field(r, "ms_per_gen")))
            };
            let (scalar, one, all) = (
                find_cpu("scalar", 1),
                find_cpu("vector", 1),
                find_cpu("vector", n_all),
            );
            let g = gpu
                .iter()
                .find(at)
                .and_then(|r| num(field(r, "ms_per_gen")));
            let cell = |v: Option<f64>, missing: &str| {
                v.map_or(missing.to_string(), |v| format!("{v:.3}"))
            };
            let ratio = |c: Option<f64>| match (c, g) {
                (Some(c), Some(g)) if g > 0.0 => format!("{:.1}×", c / g),
                _ => "—".to_string(),
            };
            md += &format!(
                "| {k} | {} | {} | {} | {} | {} | {} |\n",
                cell(scalar, "not measured"),
                cell(one, "not measured"),
                cell(all, "not measured"),
                cell(g, "needs a device"),
                ratio(scalar),
                ratio(all)
            );
        }
    }
    md
}

/// Log–log plot of milliseconds per generation against size, one line per column and series.
fn plot(cpu: &[Row], gpu: &[Row], path: &Path) -> Result<()> {
    let mut p = Plot::new("RVEA on DTLZ1: time per generation")
        .x_label("population or n_var (the series' varied size)")
        .y_label("ms per generation")
        .log_x(true)
        .log_y(true);
    let mut lines = 0;
    let n_all = most_threads(cpu);
    for series in SERIES.iter().map(|s| s.name) {
        let pts = |rows: &[Row], keep: &dyn Fn(&Row) -> bool| -> (Vec<f64>, Vec<f64>) {
            rows.iter()
                .filter(|r| field(r, "series") == series && keep(r))
                .filter_map(|r| {
                    Some((
                        varied(series, r)? as f64,
                        field(r, "ms_per_gen").parse::<f64>().ok()?,
                    ))
                })
                .unzip()
        };
        for (lanes, threads) in [("scalar", 1), ("vector", n_all)] {
            let (x, y) = pts(cpu, &|r| {
                field(r, "lanes") == lanes && field(r, "threads") == threads.to_string()
            });
            if !x.is_empty() {
                p = p.line(
                    &format!("CPU {lanes}, {threads} thread(s), {series}"),
                    &x,
                    &y,
                );
                lines += 1;
            }
        }
        let (x, y) = pts(gpu, &|_| true);
        if !x.is_empty() {
            p = p.line(&format!("GPU, {series}"), &x, &y);
            lines += 1;
        }
    }
    if lines == 0 {
        return Ok(());
    }
    p.write(path)
}
