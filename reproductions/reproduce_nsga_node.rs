//! NSGA-NODE on Lotka–Volterra with missing interaction terms (DESIGN §6; no published table,
//! so ours is the reference): 31 samples on t ∈ [0, 3] with 5 % noise, the known physics
//! `x' = αx`, `y' = −δy`, and a 2 → 5 → 5 → 5 → out tanh network in each hybrid form
//! ((1) additive, (2) parametric on `[α, δ]`, (3) both). For each form: the NSGA-NODE front
//! (data misfit vs correction size), its knee and best-fit members; the single-objective Adam
//! baseline on the same budget (the same initial networks, each trained by Adam alone for
//! generations × S steps, i.e. the same number of gradient evaluations; best of them by data
//! misfit); and the physics-only model. Reported per model: data misfit, RMSE against the
//! noise-free trajectory on [0, 3], extrapolation RMSE on t ∈ (3, 6], and RMSE of the learned
//! interaction terms against (−βxy, γxy) along the true trajectory on [0, 3].
//!
//! ```text
//! cargo run --release --example reproduce_nsga_node -- [--smoke | --full] [--seed N] [--runs N] [--threads N] [--backend cpu|cuda] [--out DIR]
//! ```
//! Modes: `--smoke` population 8, 3 generations, S = 3; quick (default) population 32,
//! 30 generations, S = 20; `--full` population 100, 100 generations, S = 50. Run `r` uses
//! seed `seed + r` (noise and networks).
//!
//! Outputs: `OUT/tables/nsga_node.md`, `OUT/tables/nsga_node_manifest.json`,
//! `OUT/figures/nsga_node_{front,interactions,extrapolation}.svg`, and raw CSVs
//! (`models.csv`, `fronts.csv`) under `OUT/raw/reproduce_nsga_node/`.

use pareto_sciml::backend::cuda::CudaDevice;
use pareto_sciml::io::csv::write_csv_text;
use pareto_sciml::io::manifest::Manifest;
use pareto_sciml::io::svg::{Figure, Plot};
use pareto_sciml::nn::Adam;
use pareto_sciml::node::hybrid::{HybridForm, LotkaVolterraNoInteraction};
use pareto_sciml::node::lv::{lv_interaction, lv_problem, lv_truth, LV_KNOWN, LV_Y0};
use pareto_sciml::node::{
    initial_genomes, run_nsga_node, train_genomes, LossWeights, NodeConfig, NodeProblem,
};
use pareto_sciml::ode::{solve, Status};
use pareto_sciml::repro::{BackendChoice, Mode, ReproArgs};
use pareto_sciml::Result;
use std::sync::Arc;
use std::time::Instant;

const FORMS: [(HybridForm, &str); 3] = [
    (HybridForm::Additive, "(1) additive"),
    (HybridForm::Parametric, "(2) parametric"),
    (HybridForm::Both, "(3) both"),
];
const HIDDEN: [usize; 3] = [5, 5, 5];
const PHYSICS_WEIGHT: f64 = 1e-4;

/// Metrics of one model.
#[derive(Clone, Debug)]
struct Metrics {
    misfit: f64,
    correction: f64,
    fit_rmse: f64,
    extrap_rmse: f64,
    interaction_rmse: f64,
}

struct Eval<'a> {
    problem: &'a NodeProblem<LotkaVolterraNoInteraction>,
    t_fit: Vec<f64>,
    y_fit: Vec<f64>,
    t_ext: Vec<f64>,
    y_ext: Vec<f64>,
}

fn rmse(a: &[f64], b: &[f64]) -> f64 {
    let s: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    (s / a.len() as f64).sqrt()
}

impl Eval<'_> {
    /// Metrics of a genome (its trajectory from 0 through 6).
    fn genome(&self, g: &[f64]) -> Result<(Metrics, Vec<f64>)> {
        let e = self.problem.evaluate_genomes(g)?;
        let mut t_all = self.t_fit.clone();
        t_all.extend_from_slice(&self.t_ext);
        let sol = self.problem.trajectories(g, &t_all)?;
        let n_fit = 2 * self.t_fit.len();
        let ok = sol.status[0] == Status::Success;
        let (fit, ext) = sol.y.split_at(n_fit);
        let c = self.problem.correction_field(g, &self.t_fit, &self.y_fit)?;
        Ok((
            Metrics {
                misfit: e.f[0],
                correction: e.f[1],
                fit_rmse: if ok {
                    rmse(fit, &self.y_fit)
                } else {
                    f64::INFINITY
                },
                extrap_rmse: if ok {
                    rmse(ext, &self.y_ext)
                } else {
                    f64::INFINITY
                },
                interaction_rmse: rmse(&c, &lv_interaction(&self.y_fit)),
            },
            sol.y,
        ))
    }

    /// The physics-only model (no correction).
    fn physics_only(&self) -> Result<(Metrics, Vec<f64>)> {
        let mut t_all = self.t_fit.clone();
        t_all.extend_from_slice(&self.t_ext);
        let opts = self.problem.solve_options().solve;
        let sol = solve(
            &LotkaVolterraNoInteraction,
            &LV_Y0,
            &LV_KNOWN,
            0.0,
            &t_all,
            &opts,
        )?;
        let data = self.problem.data();
        let obs = solve(
            &LotkaVolterraNoInteraction,
            &LV_Y0,
            &LV_KNOWN,
            0.0,
            &data.t_obs,
            &opts,
        )?;
        let misfit = obs
            .y
            .iter()
            .zip(&data.y_obs)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            / data.y_obs.len() as f64;
        let n_fit = 2 * self.t_fit.len();
        let (fit, ext) = sol.y.split_at(n_fit);
        let zeros = vec![0.0; self.y_fit.len()];
        Ok((
            Metrics {
                misfit,
                correction: 0.0,
                fit_rmse: rmse(fit, &self.y_fit),
                extrap_rmse: rmse(ext, &self.y_ext),
                interaction_rmse: rmse(&zeros, &lv_interaction(&self.y_fit)),
            },
            sol.y,
        ))
    }
}

struct Settings {
    pop: usize,
    gens: u64,
    steps: usize,
}

fn main() -> Result<()> {
    let args = ReproArgs::from_env("reproduce_nsga_node");
    // With `--backend cuda` the objective solves run on the device (the same bits); the Adam
    // steps' gradients through the solve stay on the CPU (no device sensitivity kernel yet).
    let device = match args.backend {
        BackendChoice::Cpu => None,
        BackendChoice::Cuda => Some(Arc::new(CudaDevice::new(0)?)),
    };
    let backend = device
        .as_ref()
        .map_or("cpu".to_string(), |d| format!("cuda ({})", d.name()));
    let start = Instant::now();
    let s = match args.mode {
        Mode::Smoke => Settings {
            pop: 8,
            gens: 3,
            steps: 3,
        },
        Mode::Quick => Settings {
            pop: 32,
            gens: 30,
            steps: 20,
        },
        Mode::Full => Settings {
            pop: 100,
            gens: 100,
            steps: 50,
        },
    };
    let runs = args.runs_or(1, 1, 3);
    let adam = Adam {
        lr: 0.01,
        ..Adam::default()
    };
    let weights = LossWeights {
        physics: PHYSICS_WEIGHT,
        smoothness: 0.0,
    };
    let t_fit: Vec<f64> = (1..=60).map(|k| 0.05 * k as f64).collect();
    let t_ext: Vec<f64> = (61..=120).map(|k| 0.05 * k as f64).collect();
    let (y_fit, y_ext) = (lv_truth(&t_fit)?, lv_truth(&t_ext)?);

    let mut models_csv: Vec<Vec<String>> = Vec::new();
    let mut fronts_csv: Vec<Vec<String>> = Vec::new();
    let mut rows_md = String::new();
    let mut front_plot = Plot::new("NSGA-NODE fronts (run 0)")
        .x_label("data misfit D")
        .y_label("correction size P")
        .log_x(true)
        .log_y(true);
    let mut inter_plots = Vec::new();
    let mut traj_plots = Vec::new();
    for run in 0..runs {
        let seed = args.seed + run as u64;
        for (form, label) in FORMS {
            let (problem, _) = lv_problem(form, &HIDDEN, 31, 0.05, seed)?;
            let problem = problem.with_threads(args.threads);
            let problem = match &device {
                Some(d) => problem.with_device(d.clone())?,
                None => problem,
            };
            let ev = Eval {
                problem: &problem,
                t_fit: t_fit.clone(),
                y_fit: y_fit.clone(),
                t_ext: t_ext.clone(),
                y_ext: y_ext.clone(),
            };
            let cfg = NodeConfig {
                pop_size: s.pop,
                generations: s.gens,
                adam_steps: s.steps,
                adam,
                weights,
                seed,
                threads: args.threads,
                ..NodeConfig::default()
            };
            let t_run = Instant::now();
            let r = run_nsga_node(&problem, &cfg, |p| {
                eprintln!(
                    "[{label} run {run}] gen {}/{}: best D {:.3e}, best P {:.3e}, failed {}, {:.1} s",
                    p.generation,
                    p.generations,
                    p.best[0],
                    p.best[1],
                    p.failed,
                    p.elapsed.as_secs_f64()
                );
            })?;
            let nsga_s = t_run.elapsed().as_secs_f64();
            // The same run with Gaussian-perturbed copies as offspring instead of SBX + PM
            // (the operator the PINN trainers default to): crossing trained networks weight by
            // weight scrambles their hidden units.
            let t_pert = Instant::now();
            let pcfg = NodeConfig {
                perturbation: Some(0.01),
                ..cfg.clone()
            };
            let rp = run_nsga_node(&problem, &pcfg, |_| {})?;
            let pert_s = t_pert.elapsed().as_secs_f64();
            // Single-objective Adam on the same budget from the same initial networks.
            let t_base = Instant::now();
            let init = initial_genomes(&problem, cfg.init, seed, s.pop);
            let (trained, _) =
                train_genomes(&problem, &init, s.gens as usize * s.steps, &adam, weights)?;
            let base_eval = problem.evaluate_genomes(&trained)?;
            let base_best = (0..s.pop)
                .filter(|&i| base_eval.g[i] <= 0.0)
                .min_by(|&a, &b| {
                    base_eval.f[2 * a]
                        .total_cmp(&base_eval.f[2 * b])
                        .then(a.cmp(&b))
                })
                .unwrap_or(0);
            let base_s = t_base.elapsed().as_secs_f64();
            let ng = problem.n_genome();
            let (knee, knee_y) = ev.genome(r.genome(r.knee))?;
            let (best, _) = ev.genome(r.genome(r.best_fit()))?;
            let (pknee, _) = ev.genome(rp.genome(rp.knee))?;
            let (pbest, _) = ev.genome(rp.genome(rp.best_fit()))?;
            let (base, base_y) = ev.genome(&trained[base_best * ng..(base_best + 1) * ng])?;
            let (phys, _) = ev.physics_only()?;
            for (model, m, secs) in [
                ("NSGA-NODE knee", &knee, nsga_s),
                ("NSGA-NODE best fit", &best, nsga_s),
                ("NSGA-NODE σ-copies knee", &pknee, pert_s),
                ("NSGA-NODE σ-copies best fit", &pbest, pert_s),
                ("Adam (same budget)", &base, base_s),
                ("physics only", &phys, 0.0),
            ] {
                models_csv.push(vec![
                    run.to_string(),
                    seed.to_string(),
                    label.to_string(),
                    model.to_string(),
                    format!("{:e}", m.misfit),
                    format!("{:e}", m.correction),
                    format!("{:e}", m.fit_rmse),
                    format!("{:e}", m.extrap_rmse),
                    format!("{:e}", m.interaction_rmse),
                    format!("{secs:.2}"),
                ]);
                rows_md += &format!(
                    "| {run} | {label} | {model} | {:.3e} | {:.3e} | {:.3e} | {:.3e} | {:.3e} | {} |\n",
                    m.misfit,
                    m.correction,
                    m.fit_rmse,
                    m.extrap_rmse,
                    m.interaction_rmse,
                    if secs > 0.0 { format!("{secs:.1}") } else { "—".into() }
                );
            }
            for &i in &r.front {
                let o = r.objectives_of(i);
                fronts_csv.push(vec![
                    run.to_string(),
                    label.to_string(),
                    i.to_string(),
                    format!("{:e}", o[0]),
                    format!("{:e}", o[1]),
                ]);
            }
            if run == 0 {
                let fx: Vec<f64> = r.front.iter().map(|&i| r.objectives_of(i)[0]).collect();
                let fy: Vec<f64> = r.front.iter().map(|&i| r.objectives_of(i)[1]).collect();
                front_plot = front_plot.scatter(label, &fx, &fy);
                let base_o = &base_eval.f[2 * base_best..2 * base_best + 2];
                front_plot =
                    front_plot.scatter(&format!("{label}: Adam"), &[base_o[0]], &[base_o[1]]);
                let c = problem.correction_field(r.genome(r.knee), &t_fit, &y_fit)?;
                let cb = problem.correction_field(
                    &trained[base_best * ng..(base_best + 1) * ng],
                    &t_fit,
                    &y_fit,
                )?;
                let truth = lv_interaction(&y_fit);
                let comp =
                    |v: &[f64], d: usize| v.iter().skip(d).step_by(2).copied().collect::<Vec<_>>();
                inter_plots.push(
                    Plot::new(&format!("{label}: learned terms on the true trajectory"))
                        .x_label("t")
                        .y_label("correction")
                        .line("−βxy (true)", &t_fit, &comp(&truth, 0))
                        .line("γxy (true)", &t_fit, &comp(&truth, 1))
                        .scatter("x-term, NSGA-NODE knee", &t_fit, &comp(&c, 0))
                        .scatter("y-term, NSGA-NODE knee", &t_fit, &comp(&c, 1))
                        .line("x-term, Adam", &t_fit, &comp(&cb, 0))
                        .line("y-term, Adam", &t_fit, &comp(&cb, 1)),
                );
                let mut t_all = t_fit.clone();
                t_all.extend_from_slice(&t_ext);
                let mut y_true = y_fit.clone();
                y_true.extend_from_slice(&y_ext);
                let d = problem.data();
                traj_plots.push(
                    Plot::new(&format!("{label}: fit on [0, 3], extrapolation to 6"))
                        .x_label("t")
                        .y_label("state")
                        .line("x true", &t_all, &comp(&y_true, 0))
                        .line("y true", &t_all, &comp(&y_true, 1))
                        .scatter("x data", &d.t_obs, &comp(&d.y_obs, 0))
                        .scatter("y data", &d.t_obs, &comp(&d.y_obs, 1))
                        .line("x knee", &t_all, &comp(&knee_y, 0))
                        .line("y knee", &t_all, &comp(&knee_y, 1))
                        .line("x Adam", &t_all, &comp(&base_y, 0))
                        .line("y Adam", &t_all, &comp(&base_y, 1)),
                );
            }
        }
    }

    let figs = args.figures_dir();
    front_plot.write(figs.join("nsga_node_front.svg"))?;
    Figure::grid(3, inter_plots).write(figs.join("nsga_node_interactions.svg"))?;
    Figure::grid(3, traj_plots).write(figs.join("nsga_node_extrapolation.svg"))?;
    let raw = args.raw_dir("reproduce_nsga_node");
    write_csv_text(
        raw.join("models.csv"),
        &[
            "run",
            "seed",
            "form",
            "model",
            "misfit",
            "correction",
            "fit_rmse",
            "extrap_rmse",
            "interaction_rmse",
            "seconds",
        ],
        &models_csv,
    )?;
    write_csv_text(
        raw.join("fronts.csv"),
        &["run", "form", "member", "misfit", "correction"],
        &fronts_csv,
    )?;
    let threads = pareto_sciml::parallel::resolve_threads(args.threads);
    let mut md = format!(
        "# NSGA-NODE on Lotka–Volterra with missing interaction terms ({} mode)\n\n\
         31 samples on t ∈ [0, 3], 5 % noise (η·mean·N(0,1)); known physics x' = αx, y' = −δy \
         (α = 1.3, δ = 1.8); network 2 → 5 → 5 → 5 → out, tanh, λ = 1; dopri5, rtol 1e-6, atol \
         1e-8. NSGA-NODE: NSGA-II, population {}, {} generations, S = {} Adam steps (lr 0.01) \
         per asked genome per generation, Lamarckian, training loss D + {PHYSICS_WEIGHT:e}·P; \
         offspring by SBX + polynomial mutation, and (rows \"σ-copies\") the same run with \
         Gaussian-perturbed copies of the tournament winners (σ = 0.01) instead. \
         Adam baseline: the same {} initial networks, each trained alone for {} steps on the same \
         loss (the same number of gradient evaluations), best by data misfit. Seeds {}..{}. \
         Written by `cargo run --release --example reproduce_nsga_node{}`.\n\n\
         Columns: D = data misfit (MSE against the noisy samples); P = mean ‖λ·NN‖² along the \
         trajectory; RMSE [0,3] against the noise-free trajectory; extrapolation RMSE on \
         t ∈ (3, 6]; interaction RMSE = learned correction f_hybrid − f_phys against (−βxy, γxy) \
         on the true trajectory (for the physics-only model the correction is zero, so this is \
         the RMS of the true terms). Times: wall clock, {threads} thread(s) on a machine shared \
         with other jobs; objective solves on {backend}, gradients through the solve on the CPU.\n\n\
         | run | form | model | D | P | RMSE [0,3] | extrap. RMSE (3,6] | interaction RMSE | s |\n\
         |---|---|---|---|---|---|---|---|---|\n",
        args.mode.name(),
        s.pop,
        s.gens,
        s.steps,
        s.pop,
        s.gens as usize * s.steps,
        args.seed,
        args.seed + runs as u64 - 1,
        match args.mode {
            Mode::Smoke => " -- --smoke",
            Mode::Full => " -- --full",
            Mode::Quick => "",
        }
    );
    md += &rows_md;
    md += "\nFigures: `paper/figures/nsga_node_front.svg` (fronts of run 0 and the Adam baselines), \
           `nsga_node_interactions.svg` (learned terms of the knee and the Adam baseline against the \
           true ones), `nsga_node_extrapolation.svg` (trajectories to t = 6; the physics-only model \
           grows like e^{1.3t} and is left out of the plot).\n";
    let tables = args.tables_dir();
    std::fs::create_dir_all(&tables).map_err(|e| pareto_sciml::Error::io(&tables, e))?;
    let table = tables.join("nsga_node.md");
    std::fs::write(&table, md).map_err(|e| pareto_sciml::Error::io(&table, e))?;
    let mut m = Manifest::new("reproduce_nsga_node");
    m.set("mode", args.mode.name())
        .set("seed", args.seed)
        .set("runs", runs)
        .set("population", s.pop)
        .set("generations", s.gens)
        .set("adam_steps", s.steps)
        .set("adam_lr", adam.lr)
        .set("physics_weight", PHYSICS_WEIGHT)
        .set("threads", threads)
        .set("backend", backend.as_str())
        .set("elapsed_s", start.elapsed().as_secs_f64());
    m.write(tables.join("nsga_node_manifest.json"))?;
    eprintln!(
        "wrote {} in {:.1} s",
        table.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
