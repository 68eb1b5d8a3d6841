//! TensorRVEA / EvoMO scaling (DESIGN §6): time per RVEA generation on DTLZ1 with 3
//! objectives, as the population grows (2⁵…2¹⁴ at n_var 100) and as the dimension grows
//! (n_var 2⁹…2¹⁸ at population 100), on the CPU (one thread, and all threads) and on the GPU
//! ([`DeviceRvea`]: the whole generation on the device), with the speedups beside the
//! published ones (TensorRVEA: up to 1528× over the population series and 1042× over the
//! dimension series, RTX 4090 vs AMD EPYC 7543; EvoMO: 1113×).
//!
//! ```text
//! cargo run --release --example reproduce_scaling -- [--smoke | --full] [--seed N] [--runs N] [--threads N] [--backend cpu|cuda] [--out DIR]
//! cargo run --release --features cuda --example reproduce_scaling -- --backend cuda
//! ```
//! Modes: `--smoke` two sizes per series, 3 timed generations, 1 repeat; quick (default)
//! population 2⁵…2¹², n_var 2⁹…2¹⁵, 10 timed generations, 3 repeats; `--full` the paper's
//! 2⁵…2¹⁴ and 2⁹…2¹⁸, 100 generations, 10 repeats (`--runs` overrides the repeats).
//! A repeat builds the algorithm with seed `seed + r`, runs the initial generation untimed,
//! then times the generations; the table shows the median over repeats of the mean time
//! per generation.
//!
//! `--backend cpu` (default) measures the CPU columns into `OUT/tables/scaling_cpu.csv`;
//! `--backend cuda` measures the GPU column into `OUT/tables/scaling_gpu.csv` (an error
//! without a device). Either way the tables `OUT/tables/scaling.md` are written from both
//! CSV files as far as they exist, so the CPU figures of the build machine and the GPU
//! figures of a device machine meet in one table; a missing GPU column reads "needs a
//! device". Also `OUT/figures/scaling.svg` (log–log) and `OUT/tables/scaling_manifest.json`.
//!
//! Our CPU path always runs the AVX2 lanes of `crate::math::simd` where the CPU has them
//! (there is no forced-scalar switch for the EMO code), so the two CPU columns differ in
//! threads, not in instruction set.

use pareto_sciml::backend::cuda::{CudaDevice, DeviceProblem, DeviceRvea};
use pareto_sciml::io::csv::write_csv_text;
use pareto_sciml::io::manifest::Manifest;
use pareto_sciml::io::svg::Plot;
use pareto_sciml::moo::algorithm::{run, Checkpointing};
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

fn sizes(mode: Mode) -> Vec<Size> {
    let (pops, dims): (Vec<u32>, Vec<u32>) = match mode {
        Mode::Smoke => (vec![5, 6], vec![9, 10]),
        Mode::Quick => ((5..=12).collect(), (9..=15).collect()),
        Mode::Full => ((5..=14).collect(), (9..=18).collect()),
    };
    let p = pops.into_iter().map(|k| Size {
        series: "population",
        pop: 1 << k,
        n_var: 100,
    });
    let d = dims.into_iter().map(|k| Size {
        series: "dimension",
        pop: 100,
        n_var: 1 << k,
    });
    p.chain(d).collect()
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

/// Seconds per generation of the CPU RVEA on `threads` threads, median over repeats.
fn time_cpu(s: Size, threads: usize, gens: u64, repeats: usize, seed: u64) -> Result<f64> {
    let p = Dtlz::new(1, s.n_var, 3)?;
    let ev = Evaluator::new(&p).threads(threads);
    let mut per_gen = Vec::with_capacity(repeats);
    for r in 0..repeats {
        let max_gen = gens + 1;
        let mut alg =
            Rvea::new(&p, refs_exactly(s.pop)?, max_gen, seed + r as u64)?.threads(threads);
        let never = Checkpointing::never();
        run(&mut alg, &ev, 1, &mut NoObserver, &never)?;
        let t = Instant::now();
        run(&mut alg, &ev, max_gen, &mut NoObserver, &never)?;
        per_gen.push(t.elapsed().as_secs_f64() / gens as f64);
    }
    Ok(median(per_gen))
}

/// Seconds per generation of [`DeviceRvea`], median over repeats (synchronised at the end).
fn time_gpu(dev: &CudaDevice, s: Size, gens: u64, repeats: usize, seed: u64) -> Result<f64> {
    let p = Dtlz::new(1, s.n_var, 3)?;
    let mut per_gen = Vec::with_capacity(repeats);
    for r in 0..repeats {
        let max_gen = gens + 1;
        let refs = refs_exactly(s.pop)?;
        let mut alg = DeviceRvea::new(
            dev,
            &p,
            DeviceProblem::dtlz(&p),
            refs,
            max_gen,
            seed + r as u64,
        )?;
        dev.synchronize()?;
        let t = Instant::now();
        for _ in 0..gens {
            alg.step()?;
        }
        dev.synchronize()?;
        per_gen.push(t.elapsed().as_secs_f64() / gens as f64);
    }
    Ok(median(per_gen))
}

/// Rows of a CSV written by this program (header skipped).
fn read_rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .map(|t| {
            t.lines()
                .skip(1)
                .map(|l| l.split(',').map(str::to_string).collect())
                .collect()
        })
        .unwrap_or_default()
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
    let (gens, repeats) = match args.mode {
        Mode::Smoke => (3, args.runs_or(1, 1, 1)),
        Mode::Quick => (10, args.runs_or(1, 3, 10)),
        Mode::Full => (100, args.runs_or(1, 3, 10)),
    };
    let all = sizes(args.mode);
    let tables = args.tables_dir();
    std::fs::create_dir_all(&tables).map_err(|e| Error::io(&tables, e))?;
    let (cpu_csv, gpu_csv) = (
        tables.join("scaling_cpu.csv"),
        tables.join("scaling_gpu.csv"),
    );
    let mut device_name = None;
    match args.backend {
        BackendChoice::Cpu => {
            let n_all = resolve_threads(args.threads);
            let machine = cpu_model();
            let mut rows = Vec::new();
            for (i, s) in all.iter().enumerate() {
                for threads in [1, n_all] {
                    let t = time_cpu(*s, threads, gens, repeats, args.seed)?;
                    eprintln!(
                        "[{}/{}] cpu {} pop {} n_var {} threads {threads}: {:.3} ms/gen (elapsed {:.0} s)",
                        i + 1,
                        all.len(),
                        s.series,
                        s.pop,
                        s.n_var,
                        t * 1e3,
                        t0.elapsed().as_secs_f64()
                    );
                    rows.push(vec![
                        s.series.to_string(),
                        s.pop.to_string(),
                        s.n_var.to_string(),
                        threads.to_string(),
                        format!("{:.6}", t * 1e3),
                        repeats.to_string(),
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
                let t = time_gpu(&dev, *s, gens, repeats, args.seed)?;
                eprintln!(
                    "[{}/{}] gpu {} pop {} n_var {}: {:.3} ms/gen (elapsed {:.0} s)",
                    i + 1,
                    all.len(),
                    s.series,
                    s.pop,
                    s.n_var,
                    t * 1e3,
                    t0.elapsed().as_secs_f64()
                );
                rows.push(vec![
                    s.series.to_string(),
                    s.pop.to_string(),
                    s.n_var.to_string(),
                    format!("{:.6}", t * 1e3),
                    repeats.to_string(),
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
    let md = tables_markdown(&read_rows(&cpu_csv), &read_rows(&gpu_csv));
    write_text(&table, &md)?;
    plot(
        &read_rows(&cpu_csv),
        &read_rows(&gpu_csv),
        &args.figures_dir().join("scaling.svg"),
    )?;
    let mut m = Manifest::new(PROGRAM);
    m.set("mode", args.mode.name())
        .set("seed", args.seed)
        .set("repeats", repeats)
        .set("timed_generations", gens)
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

/// One row per size: CPU 1 thread, CPU all threads, GPU (ms per generation) and the ratios.
fn tables_markdown(cpu: &[Vec<String>], gpu: &[Vec<String>]) -> String {
    let num = |s: &str| s.parse::<f64>().ok();
    let machine = cpu
        .first()
        .map_or("not measured".to_string(), |r| r[7].clone());
    let device = gpu
        .first()
        .map_or("needs a device".to_string(), |r| r[6].clone());
    let n_all = cpu
        .iter()
        .filter_map(|r| r[3].parse::<usize>().ok())
        .max()
        .unwrap_or(1);
    let mut md = format!(
        "# RVEA scaling: time per generation (DTLZ1, 3 objectives)\n\n\
         Written by `cargo run --release --example reproduce_scaling` (CPU columns) and \
         `cargo run --release --features cuda --example reproduce_scaling -- --backend cuda` (GPU column). \
         CPU: {machine} (1 thread, and {n_all} threads; AVX2 lanes where detected, both columns). \
         GPU: {device} (`DeviceRvea`: mating, variation, evaluation, survival and adaptation on the device). \
         Times are medians over repeats of the mean over the timed generations; the build machine is shared \
         with other jobs, so CPU times are noisy. Published speedups (GPU over CPU, TensorRVEA on an RTX 4090 \
         against an AMD EPYC 7543): up to 1528× on the population series, 1042× on the dimension series; EvoMO: 1113×.\n"
    );
    for (series, what) in [
        ("population", "population (n_var 100)"),
        ("dimension", "n_var (population 100)"),
    ] {
        md += &format!(
            "\n## {what}\n\n| {} | CPU 1 thread (ms) | CPU {n_all} threads (ms) | GPU (ms) | GPU vs CPU 1 thread | GPU vs CPU {n_all} threads |\n|---|---|---|---|---|---|\n",
            if series == "population" { "population" } else { "n_var" }
        );
        let mut keys: Vec<(usize, usize)> = cpu
            .iter()
            .chain(gpu)
            .filter(|r| r[0] == series)
            .filter_map(|r| Some((r[1].parse().ok()?, r[2].parse().ok()?)))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for (pop, nv) in keys {
            let find_cpu = |threads: usize| {
                cpu.iter()
                    .find(|r| {
                        r[0] == series
                            && r[1] == pop.to_string()
                            && r[2] == nv.to_string()
                            && r[3] == threads.to_string()
                    })
                    .and_then(|r| num(&r[4]))
            };
            let (c1, cn) = (find_cpu(1), find_cpu(n_all));
            let g = gpu
                .iter()
                .find(|r| r[0] == series && r[1] == pop.to_string() && r[2] == nv.to_string())
                .and_then(|r| num(&r[3]));
            let cell = |v: Option<f64>, missing: &str| {
                v.map_or(missing.to_string(), |v| format!("{v:.3}"))
            };
            let ratio = |c: Option<f64>| match (c, g) {
                (Some(c), Some(g)) if g > 0.0 => format!("{:.1}×", c / g),
                _ => "—".to_string(),
            };
            md += &format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                if series == "population" { pop } else { nv },
                cell(c1, "not measured"),
                cell(cn, "not measured"),
                cell(g, "needs a device"),
                ratio(c1),
                ratio(cn)
            );
        }
    }
    md
}

/// Log–log plot of milliseconds per generation against size, one line per column and series.
fn plot(cpu: &[Vec<String>], gpu: &[Vec<String>], path: &Path) -> Result<()> {
    let mut p = Plot::new("RVEA on DTLZ1: time per generation")
        .x_label("population (n_var 100) / n_var (population 100)")
        .y_label("ms per generation")
        .log_x(true)
        .log_y(true);
    let mut lines = 0;
    for series in ["population", "dimension"] {
        let size = |r: &Vec<String>| -> Option<f64> {
            r[if series == "population" { 1 } else { 2 }].parse().ok()
        };
        let mut threads: Vec<String> = cpu.iter().map(|r| r[3].clone()).collect();
        threads.sort();
        threads.dedup();
        for t in threads {
            let pts: Vec<(f64, f64)> = cpu
                .iter()
                .filter(|r| r[0] == series && r[3] == t)
                .filter_map(|r| Some((size(r)?, r[4].parse().ok()?)))
                .collect();
            if !pts.is_empty() {
                let (x, y): (Vec<f64>, Vec<f64>) = pts.into_iter().unzip();
                p = p.line(&format!("CPU {t} thread(s), {series}"), &x, &y);
                lines += 1;
            }
        }
        let pts: Vec<(f64, f64)> = gpu
            .iter()
            .filter(|r| r[0] == series)
            .filter_map(|r| Some((size(r)?, r[3].parse().ok()?)))
            .collect();
        if !pts.is_empty() {
            let (x, y): (Vec<f64>, Vec<f64>) = pts.into_iter().unzip();
            p = p.line(&format!("GPU, {series}"), &x, &y);
            lines += 1;
        }
    }
    if lines == 0 {
        return Ok(());
    }
    p.write(path)
}
