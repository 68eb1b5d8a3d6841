//! The study loop shared by the PINN reproductions: forward problem over noise levels, inverse
//! problem over noise levels, every model and run; raw CSV, the three markdown tables beside
//! the published ones, the manifest and the figures.

use super::*;
use pareto_sciml::io::csv::write_csv_text;
use pareto_sciml::io::manifest::Manifest;
use pareto_sciml::io::svg::{Figure, Heatmap, Plot};
use pareto_sciml::repro::{Mode, ReproArgs};
use std::time::Instant;

/// The published tables of one PDE and how to label ours.
pub struct Published {
    /// Program name (`reproduce_burgers`), also the file stem of outputs.
    pub program: &'static str,
    /// File stem of tables and figures (`burgers`).
    pub stem: &'static str,
    /// Title of the table file.
    pub title: &'static str,
    /// Paper table numbers of (forward error, loss terms at 80 %, inverse estimates).
    pub table_numbers: [u32; 3],
    /// Test metric of the first table: MSE (false) or MAE (true).
    pub first_table_mae: bool,
    /// Forward-problem description for the first table's caption.
    pub forward_note: &'static str,
    /// First table: rows ADAM, NSGA-III, MoPINNEnKF; columns η = 0, 20, 50, 80 %.
    pub forward: [[Option<f64>; 4]; 3],
    /// Loss terms at 80 %: residual, boundary, observation, test MSE.
    pub terms_80: [[f64; 4]; 3],
    /// Inverse (estimate, L1 error) at η = 20, 50, 80 %, as printed in the paper.
    pub inverse: [[(f64, f64); 3]; 3],
    /// Name and true value of the trained physical parameter.
    pub parameter: (&'static str, f64),
    /// Notes appended under the tables.
    pub notes: String,
    /// Settings summary for the caption.
    pub settings_line: String,
}

/// How the figures are laid out: the test grid and the slice times.
pub struct FigureGrid {
    pub nx: usize,
    pub nt: usize,
    pub x_range: (f64, f64),
    pub slice_times: Vec<f64>,
}

struct Row {
    inverse: bool,
    eta: f64,
    run: usize,
    model: &'static str,
    mse: f64,
    mae: f64,
    terms: Vec<f64>,
    physical: Option<f64>,
    elapsed_s: f64,
}

fn fmt_pub(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v}"))
}

/// Runs the whole study. `build(inverse, eta, seed)` returns the problem, the exact test
/// values and the observation-error σ of that instance.
pub fn run_study<P, F>(
    args: &ReproArgs,
    s: &Settings,
    published: &Published,
    grid: &FigureGrid,
    mut build: F,
) -> Result<()>
where
    P: PinnProblem + Clone + 'static,
    F: FnMut(bool, f64, u64) -> Result<(P, Vec<f64>, f64)>,
{
    let t0 = Instant::now();
    let runs = args.runs_or(1, 1, 3);
    let (forward_etas, inverse_etas): (Vec<f64>, Vec<f64>) = match args.mode {
        Mode::Smoke => (vec![0.2], vec![0.2]),
        _ => (vec![0.0, 0.2, 0.5, 0.8], vec![0.2, 0.5, 0.8]),
    };
    let figure_eta = *forward_etas
        .iter()
        .find(|&&e| e >= 0.5)
        .unwrap_or(&forward_etas[0]);
    let mut rows: Vec<Row> = Vec::new();
    let mut history_csv = Vec::new();
    for inverse in [false, true] {
        let etas = if inverse {
            &inverse_etas
        } else {
            &forward_etas
        };
        for &eta in etas {
            for run in 0..runs {
                let seed = args.seed + run as u64;
                let (problem, exact, sigma) = build(inverse, eta, seed)?;
                let kind = if inverse { "inverse" } else { "forward" };
                let label = format!("[{kind} η={:.0}% run {run}]", eta * 100.0);
                let results = run_models(&problem, s, seed, eta > 0.0, sigma, &label)?;
                for r in &results {
                    let (mse, mae) = errors(&r.prediction, &exact);
                    eprintln!(
                        "{label} {}: test MSE {mse:.4e}, MAE {mae:.4e}, terms {:?}, {} {:?}, {:.1} s",
                        r.model, r.terms, published.parameter.0, r.physical, r.elapsed_s
                    );
                    rows.push(Row {
                        inverse,
                        eta,
                        run,
                        model: r.model,
                        mse,
                        mae,
                        terms: r.terms.clone(),
                        physical: r.physical,
                        elapsed_s: r.elapsed_s,
                    });
                    if let Some(enkf) = &r.enkf {
                        for h in &enkf.history {
                            history_csv.push(vec![
                                kind.to_string(),
                                format!("{eta}"),
                                run.to_string(),
                                h.iteration.to_string(),
                                h.change.map_or("".into(), |c| format!("{c}")),
                                format!("{}", h.forecast_spread),
                                format!("{}", h.analysis_misfit),
                                h.test_error.map_or("".into(), |c| format!("{c}")),
                            ]);
                        }
                    }
                }
                if !inverse && run == 0 && eta.to_bits() == figure_eta.to_bits() {
                    figures(
                        &args.figures_dir(),
                        published.stem,
                        grid,
                        &problem,
                        &results,
                        eta,
                    )?;
                }
            }
        }
    }

    let raw: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                if r.inverse { "inverse" } else { "forward" }.into(),
                format!("{}", r.eta),
                r.run.to_string(),
                r.model.into(),
                format!("{}", r.mse),
                format!("{}", r.mae),
                format!("{}", r.terms[0]),
                format!("{}", r.terms[1]),
                format!("{}", r.terms[2]),
                r.physical.map_or("".into(), |v| format!("{v}")),
                format!("{}", r.elapsed_s),
            ]
        })
        .collect();
    let raw_dir = args.raw_dir(published.program);
    write_csv_text(
        raw_dir.join("runs.csv"),
        &[
            "problem",
            "noise",
            "run",
            "model",
            "test_mse",
            "test_mae",
            "residual",
            "boundary",
            "data",
            published.parameter.0,
            "elapsed_s",
        ],
        &raw,
    )?;
    write_csv_text(
        raw_dir.join("enkf_history.csv"),
        &[
            "problem",
            "noise",
            "run",
            "iteration",
            "change",
            "forecast_spread",
            "analysis_misfit",
            "test_mse_knee",
        ],
        &history_csv,
    )?;

    let pick = |inverse: bool, eta: f64, model: &str| -> Vec<&Row> {
        rows.iter()
            .filter(|r| {
                r.inverse == inverse && r.eta.to_bits() == eta.to_bits() && r.model == model
            })
            .collect()
    };
    let mode_note = match args.mode {
        Mode::Smoke => "**smoke mode** (pipeline check only; numbers are meaningless)",
        Mode::Quick => "**quick mode** (reduced network, points and epochs; see the settings)",
        Mode::Full => "**full mode** (the paper's settings)",
    };
    let [ta, tb, tc] = published.table_numbers;
    let metric = if published.first_table_mae {
        "MAE"
    } else {
        "MSE"
    };
    let mut md = format!(
        "# {} ({} mode)\n\n{mode_note}. {runs} run(s) per cell (seeds {}..{}); each cell is ours (mean ± sd over runs) with \
         the published value of MoPINNEnKF (Lu, Mou & Lin 2025) in parentheses. {} Written by \
         `cargo run --release --example {}{}`.\n\n",
        published.title,
        args.mode.name(),
        args.seed,
        args.seed + runs as u64 - 1,
        published.settings_line,
        published.program,
        match args.mode {
            Mode::Smoke => " -- --smoke",
            Mode::Full => " -- --full",
            Mode::Quick => "",
        }
    );
    md += &format!(
        "## Table {ta}: test {metric}, forward problem ({})\n\n| model |",
        published.forward_note
    );
    for e in &forward_etas {
        md += &format!(" η = {:.0}% |", e * 100.0);
    }
    md += "\n|---|";
    md += &"---|".repeat(forward_etas.len());
    md += "\n";
    for (mi, model) in MODELS.iter().enumerate() {
        md += &format!("| {model} |");
        for &e in &forward_etas {
            let col = [0.0, 0.2, 0.5, 0.8]
                .iter()
                .position(|v| (v - e).abs() < 1e-9);
            let p = col.and_then(|c| published.forward[mi][c]);
            let v: Vec<f64> = pick(false, e, model)
                .iter()
                .map(|r| {
                    if published.first_table_mae {
                        r.mae
                    } else {
                        r.mse
                    }
                })
                .collect();
            md += &format!(" {} ({}) |", cell(&v), fmt_pub(p));
        }
        md += "\n";
    }
    let e_hi = *forward_etas.last().expect("noise levels");
    md += &format!(
        "\n## Table {tb}: loss terms of the reported member and test MSE at η = {:.0}% (published: 80%)\n\n\
         | model | residual | boundary | observation | test MSE |\n|---|---|---|---|---|\n",
        e_hi * 100.0
    );
    for (mi, model) in MODELS.iter().enumerate() {
        let rs = pick(false, e_hi, model);
        if rs.is_empty() {
            continue;
        }
        let col = |j: usize| rs.iter().map(|r| r.terms[j]).collect::<Vec<f64>>();
        let mse: Vec<f64> = rs.iter().map(|r| r.mse).collect();
        let p = published.terms_80[mi];
        md += &format!(
            "| {model} | {} ({}) | {} ({}) | {} ({}) | {} ({}) |\n",
            cell(&col(0)),
            p[0],
            cell(&col(1)),
            p[1],
            cell(&col(2)),
            p[2],
            cell(&mse),
            p[3]
        );
    }
    let (pname, ptrue) = published.parameter;
    md += &format!(
        "\n## Table {tc}: inverse problem, estimated {pname} and L1 error |{pname} − {pname}_true| ({pname}_true = {ptrue:.5})\n\n\
         | noise | model | estimated {pname} | L1 error | published {pname} / L1 | test MSE |\n|---|---|---|---|---|---|\n"
    );
    for &e in &inverse_etas {
        let col = [0.2, 0.5, 0.8].iter().position(|v| (v - e).abs() < 1e-9);
        for (mi, model) in MODELS.iter().enumerate() {
            let rs = pick(true, e, model);
            if rs.is_empty() {
                continue;
            }
            let est: Vec<f64> = rs.iter().filter_map(|r| r.physical).collect();
            let l1: Vec<f64> = est.iter().map(|v| (v - ptrue).abs()).collect();
            let mse: Vec<f64> = rs.iter().map(|r| r.mse).collect();
            let p = col.map_or("—".to_string(), |c| {
                let (v, l1) = published.inverse[mi][c];
                format!("{v} / {l1}")
            });
            md += &format!(
                "| {:.0}% | {model} | {} | {} | {p} | {} |\n",
                e * 100.0,
                cell(&est),
                cell(&l1),
                cell(&mse)
            );
        }
    }
    md += &published.notes;
    let total = t0.elapsed().as_secs_f64();
    md += &format!(
        "\nWall time of this run: {total:.0} s (network kernels on {}, {} host thread(s)); per model and run in `raw/{}/runs.csv`.\n",
        s.backend.name(),
        pareto_sciml::parallel::resolve_threads(args.threads),
        published.program
    );
    let table = args.tables_dir().join(format!("{}.md", published.stem));
    write_text(&table, &md)?;

    let mut m = Manifest::new(published.program);
    m.set("mode", args.mode.name())
        .set("seed", args.seed)
        .set("runs", runs)
        .set("threads", args.threads)
        .set("backend", s.backend.name())
        .set("network", format!("{:?}", s.spec.widths()))
        .set("adam_epochs", s.adam_epochs)
        .set("nsga_population", s.nsga.pop_size)
        .set("nsga_generations", s.nsga.generations)
        .set("nsga_adam_steps", s.nsga.adam_steps)
        .set("enkf_rounds", s.enkf_rounds)
        .set("retrain_generations", s.retrain.generations)
        .set("retrain_adam_steps", s.retrain.adam_steps)
        .set("ensemble_members", s.members)
        .set("elapsed_s", total);
    m.write(
        args.tables_dir()
            .join(format!("{}_manifest.json", published.stem)),
    )?;
    eprintln!("wrote {} in {total:.1} s", table.display());
    Ok(())
}

/// Solution/error maps, slices, Pareto fronts, training curves and the EnKF ensemble.
fn figures<P: PinnProblem>(
    dir: &std::path::Path,
    stem: &str,
    g: &FigureGrid,
    problem: &P,
    results: &[ModelRun],
    eta: f64,
) -> Result<()> {
    let test = problem.test_set();
    let (nx, nt) = (g.nx, g.nt);
    let times: Vec<f64> = (0..nt).map(|j| test.points[2 * j * nx + 1]).collect();
    let x: Vec<f64> = (0..nx).map(|i| test.points[2 * i]).collect();
    let (xr, tr) = (g.x_range, (times[0], times[nt - 1]));
    let mut maps = vec![Heatmap::new("reference u", nx, nt, &test.values, xr, tr).labels("x", "t")];
    for r in results {
        maps.push(
            Heatmap::new(&format!("{} u", r.model), nx, nt, &r.prediction, xr, tr).labels("x", "t"),
        );
    }
    let cols = maps.len();
    maps.push(Heatmap::new("", 1, 1, &[f64::NAN], xr, tr));
    for r in results {
        let e: Vec<f64> = r
            .prediction
            .iter()
            .zip(&test.values)
            .map(|(a, b)| (a - b).abs())
            .collect();
        maps.push(
            Heatmap::new(&format!("|error| {}", r.model), nx, nt, &e, xr, tr).labels("x", "t"),
        );
    }
    write_heatmaps(&dir.join(format!("{stem}_solutions.svg")), cols, &maps)?;

    let mut slices = Vec::new();
    for &t in &g.slice_times {
        let (j, exact) = slice_at(&test.values, nx, &times, t);
        let mut p = Plot::new(&format!("t = {:.2} (η = {:.0}%)", times[j], eta * 100.0))
            .x_label("x")
            .y_label("u")
            .line("reference", &x, &exact);
        for r in results {
            p = p.line(r.model, &x, &slice_at(&r.prediction, nx, &times, t).1);
        }
        slices.push(p);
    }
    Figure::grid(slices.len(), slices).write(dir.join(format!("{stem}_slices.svg")))?;

    let nsga = &results[1].outcome;
    Figure::grid(
        2,
        vec![
            front_plot(
                nsga,
                0,
                2,
                "NSGA-III-PINN final population: residual vs data",
            ),
            front_plot(nsga, 1, 2, "boundary vs data"),
        ],
    )
    .write(dir.join(format!("{stem}_pareto.svg")))?;

    let (ax, ay) = curve(&results[0].outcome);
    let (gx, gy) = curve(&results[1].outcome);
    Figure::grid(
        2,
        vec![
            Plot::new("ADAM-PINN: summed loss per epoch")
                .x_label("epoch")
                .y_label("loss")
                .log_y(true)
                .line("ADAM-PINN", &ax, &ay),
            Plot::new("NSGA-III-PINN: best terms summed, per generation")
                .x_label("generation")
                .y_label("Σ best terms")
                .log_y(true)
                .line("NSGA-III-PINN", &gx, &gy),
        ],
    )
    .write(dir.join(format!("{stem}_training.svg")))?;

    if let Some(r) = results.iter().find(|r| r.ensemble_test.is_some()) {
        let ens = r.ensemble_test.as_ref().expect("checked");
        let n_test = test.values.len();
        let members = ens.len() / n_test;
        let mut panels = Vec::new();
        for &t in &g.slice_times {
            let (j, exact) = slice_at(&test.values, nx, &times, t);
            let mut p = Plot::new(&format!("MoPINNEnKF ensemble, t = {:.2}", times[j]))
                .x_label("x")
                .y_label("u")
                .line("reference", &x, &exact);
            for m in 0..members {
                let row = &ens[m * n_test..(m + 1) * n_test];
                p = p.line(&format!("member {m}"), &x, &slice_at(row, nx, &times, t).1);
            }
            panels.push(p);
        }
        let enkf = r.enkf.as_ref().expect("MoPINNEnKF result");
        let it: Vec<f64> = enkf.history.iter().map(|h| h.iteration as f64).collect();
        let te: Vec<f64> = enkf
            .history
            .iter()
            .map(|h| h.test_error.unwrap_or(f64::NAN))
            .collect();
        let sp: Vec<f64> = enkf.history.iter().map(|h| h.forecast_spread).collect();
        panels.push(
            Plot::new("MoPINNEnKF iterations")
                .x_label("iteration")
                .y_label("value")
                .log_y(true)
                .line("test MSE (knee)", &it, &te)
                .line("forecast spread", &it, &sp),
        );
        Figure::grid(2, panels).write(dir.join(format!("{stem}_enkf.svg")))?;
    }
    Ok(())
}
