//! What `reproduce_burgers` and `reproduce_tfmdwe` share: running ADAM-PINN, NSGA-III-PINN and
//! MoPINNEnKF on one problem instance, summary statistics, markdown tables and SVG figures.

use pareto_sciml::backend::Backend;
use pareto_sciml::da::enkf::EnkfConfig;
use pareto_sciml::da::mopinnenkf::{run_mopinnenkf, MoPinnEnkfConfig, MoPinnEnkfResult};
use pareto_sciml::io::svg::{Heatmap, Plot};
use pareto_sciml::nn::{Adam, MlpSpec};
use pareto_sciml::pinn::problem::{predict, PinnProblem};
use pareto_sciml::pinn::train::{
    stderr_progress, train_adam_pinn, train_nsga_pinn, AdamPinnConfig, NsgaPinnConfig,
    NsgaPinnEnsemble, PinnOutcome,
};
use pareto_sciml::{Error, Result};
use std::path::Path;

mod study;
pub use study::{run_study, FigureGrid, Published};

/// Model names in table order.
pub const MODELS: [&str; 3] = ["ADAM-PINN", "NSGA-III-PINN", "MoPINNEnKF"];

/// Training settings of one reproduction mode.
#[derive(Clone)]
pub struct Settings {
    pub spec: MlpSpec,
    pub adam_epochs: usize,
    pub adam: Adam,
    pub nsga: NsgaPinnConfig,
    /// Retraining rounds of MoPINNEnKF after the NSGA-III-PINN round.
    pub enkf_rounds: usize,
    /// Each retraining round (its generations × Adam steps are the round's epochs).
    pub retrain: NsgaPinnConfig,
    /// EnKF ensemble size N_s.
    pub members: usize,
    pub eps_iter: f64,
    /// Where the network kernels run (`--backend`, `--threads`).
    pub backend: Backend,
}

/// One trained model of one run.
pub struct ModelRun {
    pub model: &'static str,
    /// Loss terms of the chosen member (knee for the populations) as trained.
    pub terms: Vec<f64>,
    /// Test-set prediction of the chosen member.
    pub prediction: Vec<f64>,
    /// Trained physical parameter (inverse problems).
    pub physical: Option<f64>,
    pub elapsed_s: f64,
    pub outcome: PinnOutcome,
    pub enkf: Option<MoPinnEnkfResult>,
    /// Ensemble predictions on the test set (`members × N_test`), MoPINNEnKF only.
    pub ensemble_test: Option<Vec<f64>>,
}

fn chosen_prediction<P: PinnProblem>(
    problem: &P,
    spec: &MlpSpec,
    backend: &Backend,
    o: &PinnOutcome,
    m: usize,
) -> Result<Vec<f64>> {
    let g: Vec<P::T> = o.member(m)[..spec.n_params()]
        .iter()
        .map(|&v| pareto_sciml::backend::cpu::lanes::Real::from_f64(v))
        .collect();
    predict(backend, spec, &g, &problem.test_set().points)
}

fn physical_of(o: &PinnOutcome, m: usize, n_physical: usize) -> Option<f64> {
    (n_physical == 1).then(|| *o.member(m).last().expect("genes"))
}

/// Trains the three models (MoPINNEnKF only when `with_enkf`) on `problem` with `seed`.
pub fn run_models<P: PinnProblem + Clone + 'static>(
    problem: &P,
    s: &Settings,
    seed: u64,
    with_enkf: bool,
    obs_sigma: f64,
    label: &str,
) -> Result<Vec<ModelRun>> {
    let backend = &s.backend;
    let np = problem.n_physical();
    let mut out = Vec::new();

    let cfg = AdamPinnConfig {
        networks: 1,
        epochs: s.adam_epochs,
        adam: s.adam,
        seed,
        record_every: (s.adam_epochs / 100).max(1),
        ..Default::default()
    };
    let o = train_adam_pinn(
        problem,
        &s.spec,
        &cfg,
        backend,
        &mut stderr_progress(format!("{label} ADAM-PINN"), (s.adam_epochs / 4).max(1)),
    )?;
    out.push(ModelRun {
        model: MODELS[0],
        terms: o.member_terms(0).to_vec(),
        prediction: chosen_prediction(problem, &s.spec, backend, &o, 0)?,
        physical: physical_of(&o, 0, np),
        elapsed_s: o.elapsed.as_secs_f64(),
        outcome: o,
        enkf: None,
        ensemble_test: None,
    });

    let nsga = NsgaPinnConfig {
        seed,
        ..s.nsga.clone()
    };
    let o = train_nsga_pinn(
        problem,
        &s.spec,
        &nsga,
        backend,
        &mut stderr_progress(format!("{label} NSGA-III-PINN"), 1),
    )?;
    let knee = o.choice.knee;
    out.push(ModelRun {
        model: MODELS[1],
        terms: o.member_terms(knee).to_vec(),
        prediction: chosen_prediction(problem, &s.spec, backend, &o, knee)?,
        physical: physical_of(&o, knee, np),
        elapsed_s: o.elapsed.as_secs_f64(),
        outcome: o.clone(),
        enkf: None,
        ensemble_test: None,
    });

    if with_enkf {
        let t0 = std::time::Instant::now();
        let retrain = NsgaPinnConfig {
            seed: seed.wrapping_add(1000),
            ..s.retrain.clone()
        };
        let l = format!("{label} MoPINNEnKF retrain");
        let mut ens = NsgaPinnEnsemble::new(
            problem.clone(),
            s.spec.clone(),
            retrain,
            backend.clone(),
            s.members,
            Some(o.clone()),
            Box::new(stderr_progress(l, 1)),
        )?;
        let cfg = MoPinnEnkfConfig {
            max_iterations: 1 + s.enkf_rounds,
            eps_iter: s.eps_iter,
            obs_sigma,
            enkf: EnkfConfig::default(),
            seed: seed.wrapping_add(2000),
        };
        let observations = problem.observations().values.clone();
        let res = run_mopinnenkf(&mut ens, &observations, &cfg)?;
        for h in &res.history {
            eprintln!(
                "{label} MoPINNEnKF iteration {}: change {:?}, spread {:.3e}, analysis misfit {:.3e}, test error {:?}",
                h.iteration, h.change, h.forecast_spread, h.analysis_misfit, h.test_error
            );
        }
        let last = ens.outcomes().last().expect("at least one round").clone();
        let knee = last.choice.knee;
        let members = ens.ensemble_members(&last);
        let ensemble_test = ens.predict_members(&last, &members, &problem.test_set().points)?;
        out.push(ModelRun {
            model: MODELS[2],
            terms: last.member_terms(knee).to_vec(),
            prediction: chosen_prediction(problem, &s.spec, backend, &last, knee)?,
            physical: physical_of(&last, knee, np),
            elapsed_s: o.elapsed.as_secs_f64() + t0.elapsed().as_secs_f64(),
            outcome: last,
            enkf: Some(res),
            ensemble_test: Some(ensemble_test),
        });
    }
    Ok(out)
}

/// NSGA-III-PINN with `partitions` Das–Dennis divisions and the trainer's defaults otherwise
/// (Adam lr 1e-3, unit loss weights, weights in [−5, 5], perturbed-copy offspring σ = 0.01).
pub fn nsga3(
    pop_size: usize,
    partitions: usize,
    generations: usize,
    steps: usize,
) -> NsgaPinnConfig {
    NsgaPinnConfig {
        emo: pareto_sciml::pinn::train::Emo::Nsga3 { partitions },
        pop_size,
        generations,
        adam_steps: steps,
        ..Default::default()
    }
}

/// Mean squared and mean absolute error of a prediction against the reference.
pub fn errors(pred: &[f64], exact: &[f64]) -> (f64, f64) {
    let n = pred.len() as f64;
    let mse = pred
        .iter()
        .zip(exact)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        / n;
    let mae = pred
        .iter()
        .zip(exact)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / n;
    (mse, mae)
}

/// Mean and sample standard deviation.
pub fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// "mean ± sd" in 3 significant digits (just the mean for one run).
pub fn cell(v: &[f64]) -> String {
    if v.is_empty() {
        return "—".into();
    }
    let (m, s) = mean_std(v);
    if v.len() == 1 {
        format!("{m:.3e}")
    } else {
        format!("{m:.3e} ± {s:.1e}")
    }
}

/// Observation-error σ of the noise model: η · std(clean observations).
pub fn noise_sigma(clean: &[f64], eta: f64) -> f64 {
    let n = clean.len() as f64;
    let mean = clean.iter().sum::<f64>() / n;
    eta * (clean.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
}

/// Several heat maps side by side in one SVG (nested documents).
pub fn write_heatmaps(path: &Path, cols: usize, maps: &[Heatmap]) -> Result<()> {
    let mut inner = Vec::new();
    let (mut w, mut h) = (0.0f64, 0.0f64);
    for m in maps {
        let svg = m.to_svg()?;
        let dims = |key: &str| -> f64 {
            svg.split(&format!(" {key}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(400.0)
        };
        w = w.max(dims("width"));
        h = h.max(dims("height"));
        inner.push(svg);
    }
    let cols = cols.max(1).min(maps.len().max(1));
    let rows = maps.len().div_ceil(cols);
    let mut body = String::new();
    for (i, svg) in inner.iter().enumerate() {
        let (x, y) = ((i % cols) as f64 * w, (i / cols) as f64 * h);
        body += &svg.replacen("<svg ", &format!("<svg x=\"{x}\" y=\"{y}\" "), 1);
    }
    let doc = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">\n{body}</svg>\n",
        cols as f64 * w,
        rows as f64 * h,
        cols as f64 * w,
        rows as f64 * h
    );
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(path, doc).map_err(|e| Error::io(path, e))
}

/// Values of a field on a row-major `nt × nx` test grid at the time row nearest `t`.
pub fn slice_at(values: &[f64], nx: usize, times: &[f64], t: f64) -> (usize, Vec<f64>) {
    let j = (0..times.len())
        .min_by(|&a, &b| (times[a] - t).abs().total_cmp(&(times[b] - t).abs()))
        .expect("times");
    (j, values[j * nx..(j + 1) * nx].to_vec())
}

/// A Pareto-front scatter of two terms of an outcome's population, the front and the knee.
pub fn front_plot(o: &PinnOutcome, a: usize, b: usize, title: &str) -> Plot {
    let k = o.term_names.len();
    let p = o.terms.len() / k;
    let col = |idx: &[usize], j: usize| idx.iter().map(|&m| o.terms[m * k + j]).collect::<Vec<_>>();
    let all: Vec<usize> = (0..p)
        .filter(|&m| o.member_terms(m).iter().all(|v| v.is_finite()))
        .collect();
    let knee = [o.choice.knee];
    Plot::new(title)
        .x_label(&format!("{} loss", o.term_names[a]))
        .y_label(&format!("{} loss", o.term_names[b]))
        .log_x(true)
        .log_y(true)
        .scatter("population", &col(&all, a), &col(&all, b))
        .scatter("first front", &col(&o.front, a), &col(&o.front, b))
        .scatter("knee", &col(&knee, a), &col(&knee, b))
}

/// Training curves: best summed loss per recorded step.
pub fn curve(o: &PinnOutcome) -> (Vec<f64>, Vec<f64>) {
    o.history
        .iter()
        .map(|(s, t)| (*s as f64, t.iter().sum::<f64>()))
        .unzip()
}

/// Writes a markdown file, creating its directory.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}
