//! Sensitivity of NSGA-PINN to the choices its papers leave open (DESIGN §5): the number of
//! Adam steps per generation S (at a fixed Adam budget per network), the population N, the
//! offspring operator (Gaussian perturbation of σ, or SBX + polynomial mutation), NSGA-II
//! against NSGA-III, and Lamarckian against Baldwinian write-back. Burgers forward problem
//! (ν = 0.02/π in the model) at η = 20 %, the quick-mode data of `reproduce_burgers`.
//!
//! ```text
//! cargo run --release --example reproduce_nsga_pinn_sensitivity -- [--smoke | --full] [--seed N] [--runs N] [--threads N] [--backend cpu|cuda] [--out DIR]
//! ```
//! Budget per network: 600 Adam epochs (quick), 1500 (`--full`), 20 (`--smoke`); the base
//! configuration is NSGA-III, N = 8, 3 generations × S = budget/3, σ = 0.01, Lamarckian; each
//! row changes one thing. Outputs `OUT/tables/nsga_pinn_sensitivity.md` and
//! `OUT/raw/reproduce_nsga_pinn_sensitivity/runs.csv`.

// Only the table helpers of the shared module are used here.
#[allow(dead_code, unused_imports)]
#[path = "pinn_common/mod.rs"]
mod pinn_common;

use pareto_sciml::backend::Backend;
use pareto_sciml::io::csv::write_csv_text;
use pareto_sciml::io::manifest::Manifest;
use pareto_sciml::nn::{Activation, MlpSpec};
use pareto_sciml::pinn::burgers::{burgers_dataset, BurgersDataConfig, NU_FORWARD_MODEL};
use pareto_sciml::pinn::burgers_problem::BurgersProblem;
use pareto_sciml::pinn::problem::{predict, PinnProblem};
use pareto_sciml::pinn::train::{train_nsga_pinn, Emo, NsgaPinnConfig, PinnOutcome};
use pareto_sciml::repro::{Mode, ReproArgs};
use pareto_sciml::Result;
use pinn_common::{cell, errors, write_text};
use std::time::Instant;

fn test_mse(
    problem: &BurgersProblem<f32>,
    spec: &MlpSpec,
    backend: &Backend,
    o: &PinnOutcome,
    m: usize,
) -> Result<f64> {
    let g: Vec<f32> = o.member(m)[..spec.n_params()]
        .iter()
        .map(|&v| v as f32)
        .collect();
    let u = predict(backend, spec, &g, &problem.test_set().points)?;
    Ok(errors(&u, &problem.test_set().values).0)
}

fn main() -> Result<()> {
    let args = ReproArgs::from_env("reproduce_nsga_pinn_sensitivity");
    let t0 = Instant::now();
    let (budget, spec, obs) = match args.mode {
        Mode::Smoke => (
            12,
            MlpSpec::uniform(2, &[10, 10], 1, Activation::Tanh)?,
            100,
        ),
        Mode::Quick => (
            600,
            MlpSpec::uniform(2, &[20; 4], 1, Activation::Tanh)?,
            1000,
        ),
        Mode::Full => (
            1500,
            MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh)?,
            10_000,
        ),
    };
    let runs = args.runs_or(1, 1, 3);
    let base = NsgaPinnConfig {
        emo: Emo::Nsga3 { partitions: 2 },
        pop_size: 8,
        generations: 3,
        adam_steps: budget / 3,
        perturbation: Some(0.01),
        ..Default::default()
    };
    let variants: Vec<(String, NsgaPinnConfig)> = vec![
        (
            "base: NSGA-III, N = 8, 3 × S, σ = 0.01".into(),
            base.clone(),
        ),
        (
            "S = budget, 1 generation (no evolution)".into(),
            NsgaPinnConfig {
                generations: 1,
                adam_steps: budget,
                ..base.clone()
            },
        ),
        (
            "S = budget/6, 6 generations".into(),
            NsgaPinnConfig {
                generations: 6,
                adam_steps: budget / 6,
                ..base.clone()
            },
        ),
        (
            "N = 4".into(),
            NsgaPinnConfig {
                pop_size: 4,
                ..base.clone()
            },
        ),
        (
            "N = 16".into(),
            NsgaPinnConfig {
                pop_size: 16,
                ..base.clone()
            },
        ),
        (
            "σ = 0.001".into(),
            NsgaPinnConfig {
                perturbation: Some(0.001),
                ..base.clone()
            },
        ),
        (
            "σ = 0.05".into(),
            NsgaPinnConfig {
                perturbation: Some(0.05),
                ..base.clone()
            },
        ),
        (
            "SBX + polynomial mutation (η = 20)".into(),
            NsgaPinnConfig {
                perturbation: None,
                ..base.clone()
            },
        ),
        (
            "NSGA-II (NSGA-PINN)".into(),
            NsgaPinnConfig {
                emo: Emo::Nsga2,
                ..base.clone()
            },
        ),
        (
            "Baldwinian (trained genes not kept)".into(),
            NsgaPinnConfig {
                lamarckian: false,
                ..base.clone()
            },
        ),
    ];
    let backend = args.network_backend()?;
    let mut raw = Vec::new();
    let mut md = format!(
        "# NSGA-PINN sensitivity ({} mode)\n\nBurgers forward problem at η = 20 %, network {:?} tanh, {obs} observations and \
         collocation points, Adam budget {budget} epochs per network, {runs} run(s) per row (seeds {}..{}). Each row changes \
         one setting of the base. Columns: test MSE of the knee and of the best-data member (Cole–Hopf, ν = 0.01/π), the \
         smallest summed loss in the final population, and wall time. Written by \
         `cargo run --release --example reproduce_nsga_pinn_sensitivity{}`.\n\n\
         | variant | test MSE (knee) | test MSE (best data) | best Σ loss | time [s] |\n|---|---|---|---|---|\n",
        args.mode.name(),
        spec.widths(),
        args.seed,
        args.seed + runs as u64 - 1,
        match args.mode {
            Mode::Smoke => " -- --smoke",
            Mode::Full => " -- --full",
            Mode::Quick => "",
        }
    );
    let problems: Vec<BurgersProblem<f32>> = (0..runs)
        .map(|r| {
            let data = burgers_dataset(&BurgersDataConfig {
                n_initial_boundary: 100,
                n_observations: obs,
                n_collocation: obs,
                noise_level: 0.2,
                seed: args.seed + r as u64,
            })?;
            BurgersProblem::forward(data, NU_FORWARD_MODEL)
        })
        .collect::<Result<_>>()?;
    for (name, cfg) in &variants {
        let (mut knee, mut best, mut sum, mut time) = (vec![], vec![], vec![], vec![]);
        for (r, problem) in problems.iter().enumerate() {
            let cfg = NsgaPinnConfig {
                seed: args.seed + r as u64,
                ..cfg.clone()
            };
            let o = train_nsga_pinn(problem, &spec, &cfg, &backend, &mut |_| {})?;
            let k = test_mse(problem, &spec, &backend, &o, o.choice.knee)?;
            let b = test_mse(problem, &spec, &backend, &o, o.choice.best_data)?;
            let p = o.terms.len() / 3;
            let s = (0..p)
                .map(|m| o.member_terms(m).iter().sum::<f64>())
                .fold(f64::INFINITY, f64::min);
            eprintln!(
                "{name} run {r}: knee {k:.4e}, best-data {b:.4e}, best Σ {s:.4e}, {:.1} s",
                o.elapsed.as_secs_f64()
            );
            raw.push(vec![
                name.clone(),
                r.to_string(),
                format!("{k}"),
                format!("{b}"),
                format!("{s}"),
                format!("{}", o.elapsed.as_secs_f64()),
            ]);
            knee.push(k);
            best.push(b);
            sum.push(s);
            time.push(o.elapsed.as_secs_f64());
        }
        md += &format!(
            "| {name} | {} | {} | {} | {:.1} |\n",
            cell(&knee),
            cell(&best),
            cell(&sum),
            time.iter().sum::<f64>() / time.len() as f64
        );
    }
    let total = t0.elapsed().as_secs_f64();
    md += &format!(
        "\nWall time {total:.0} s, network kernels on {}, {} host thread(s) (a shared machine: times are indicative).\n",
        backend.name(),
        pareto_sciml::parallel::resolve_threads(args.threads)
    );
    write_text(&args.tables_dir().join("nsga_pinn_sensitivity.md"), &md)?;
    write_csv_text(
        args.raw_dir("reproduce_nsga_pinn_sensitivity")
            .join("runs.csv"),
        &[
            "variant",
            "run",
            "test_mse_knee",
            "test_mse_best_data",
            "best_sum_loss",
            "elapsed_s",
        ],
        &raw,
    )?;
    let mut m = Manifest::new("reproduce_nsga_pinn_sensitivity");
    m.set("mode", args.mode.name())
        .set("seed", args.seed)
        .set("runs", runs)
        .set("budget", budget)
        .set("elapsed_s", total);
    m.write(
        args.tables_dir()
            .join("nsga_pinn_sensitivity_manifest.json"),
    )?;
    eprintln!("wrote nsga_pinn_sensitivity.md in {total:.1} s");
    Ok(())
}
