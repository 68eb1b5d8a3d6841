//! The Lotka–Volterra example of the universal-differential-equation literature (DESIGN §6),
//! shared by the reproduction, the bench and the tests: `x' = αx − βxy`, `y' = γxy − δy`
//! with α = 1.3, β = 0.9, γ = 0.8, δ = 1.8, `(x0, y0) = (0.44249296, 4.6280594)`, 31 samples
//! on `t ∈ [0, 3]` with 5 % noise, and the known physics `x' = αx`, `y' = −δy`.
//!
//! Noise as in the UDE paper (Rackauckas et al. 2020, doi:10.48550/arXiv.2001.04385):
//! `y_obs = y + η·ȳ·ε`, with `ȳ` the per-component mean of the true samples, `η = 0.05`, and
//! `ε ~ N(0, 1)` drawn from `rng::stream(seed, "node-lv-noise", 0, sample)`.

use super::hybrid::{HybridForm, LotkaVolterraNoInteraction, MlpCorrection, NnInput};
use super::problem::{NodeData, NodeProblem};
use crate::error::Result;
use crate::nn::{Activation, MlpSpec};
use crate::ode::system::LotkaVolterra;
use crate::ode::{solve, SolveOptions};

/// True parameters `[α, β, γ, δ]`.
pub const LV_PARAMS: [f64; 4] = [1.3, 0.9, 0.8, 1.8];
/// Initial state.
pub const LV_Y0: [f64; 2] = [0.44249296, 4.6280594];
/// The known physics parameters `[α, δ]`.
pub const LV_KNOWN: [f64; 2] = [1.3, 1.8];

/// The ground truth for reports: samples and the true interaction terms.
#[derive(Clone, Debug, PartialEq)]
pub struct LvTruth {
    /// Sample times.
    pub t: Vec<f64>,
    /// Noise-free states at `t` (`n × 2`).
    pub y: Vec<f64>,
}

/// Noise-free trajectory of the full model at `t` (strictly increasing, after 0).
pub fn lv_truth(t: &[f64]) -> Result<Vec<f64>> {
    let opts = SolveOptions {
        rtol: 1e-10,
        atol: 1e-12,
        ..SolveOptions::default()
    };
    Ok(solve(&LotkaVolterra, &LV_Y0, &LV_PARAMS, 0.0, t, &opts)?.y)
}

/// The missing interaction terms `(−βxy, γxy)` at the states `y` (`n × 2`).
pub fn lv_interaction(y: &[f64]) -> Vec<f64> {
    let [_, b, g, _] = LV_PARAMS;
    y.chunks_exact(2)
        .flat_map(|s| [-(b * s[0] * s[1]), g * s[0] * s[1]])
        .collect()
}

/// The network output width each hybrid form needs with the `[α, δ]` physics.
pub fn lv_outputs(form: HybridForm) -> usize {
    match form {
        HybridForm::Additive | HybridForm::Parametric => 2,
        HybridForm::Both => 4,
    }
}

/// The NSGA-NODE problem of the example: `samples` noisy samples at `t_k = 3k/(samples − 1)`
/// (the `t = 0` sample included, 31 in DESIGN §6) with relative noise `noise`, the hybrid
/// `form` with hidden layers `hidden` (tanh) and λ = 1, state inputs, solver tolerances rtol
/// 1e-6 / atol 1e-8.
pub fn lv_problem(
    form: HybridForm,
    hidden: &[usize],
    samples: usize,
    noise: f64,
    seed: u64,
) -> Result<(NodeProblem<LotkaVolterraNoInteraction>, LvTruth)> {
    if samples < 2 {
        return Err(crate::Error::config("samples", "need at least 2"));
    }
    let t: Vec<f64> = (0..samples)
        .map(|k| 3.0 * k as f64 / (samples - 1) as f64)
        .collect();
    // The t = 0 sample is y0 itself (the solver returns it exactly).
    let y = lv_truth(&t)?;
    let n = t.len();
    let mean = [0, 1].map(|d| y.iter().skip(d).step_by(2).sum::<f64>() / n as f64);
    let mut y_obs = y.clone();
    for (k, row) in y_obs.chunks_exact_mut(2).enumerate() {
        let mut s = crate::rng::stream(seed, "node-lv-noise", 0, k as u64);
        for d in 0..2 {
            row[d] += noise * mean[d] * s.normal_f64();
        }
    }
    let spec = MlpSpec::uniform(2, hidden, lv_outputs(form), Activation::Tanh)?;
    let sys =
        MlpCorrection::with_form(LotkaVolterraNoInteraction, spec, 1.0, NnInput::State, form)?;
    let data = NodeData {
        t0: 0.0,
        t1: 3.0,
        y0: LV_Y0.to_vec(),
        t_obs: t.clone(),
        y_obs,
    };
    Ok((
        NodeProblem::new(sys, LV_KNOWN.to_vec(), data)?,
        LvTruth { t, y },
    ))
}
