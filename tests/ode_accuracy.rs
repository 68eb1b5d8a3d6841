//! Accuracy against analytic solutions, fixed-step convergence order per tableau, dense-output
//! order, and tolerance proportionality of the adaptive mode.

use pareto_sciml::ode::system::{Decay, Oscillator};
use pareto_sciml::ode::{solve, Method, SolveOptions, Status, StepMode};

/// Damped oscillator x'' + 2ζωx' + ω²x = 0 (ζ < 1) from (x0, v0): (x(t), v(t)).
fn oscillator_exact(w: f64, z: f64, x0: f64, v0: f64, t: f64) -> (f64, f64) {
    let wd = w * (1.0 - z * z).sqrt();
    let (a, b) = (x0, (v0 + z * w * x0) / wd);
    let e = (-z * w * t).exp();
    let (c, s) = ((wd * t).cos(), (wd * t).sin());
    let x = e * (a * c + b * s);
    let v = e * ((-z * w * a + wd * b) * c + (-z * w * b - wd * a) * s);
    (x, v)
}

/// Least-squares slope of log(y) against log(x).
fn slope(x: &[f64], y: &[f64]) -> f64 {
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let n = x.len() as f64;
    let (mx, my) = (lx.iter().sum::<f64>() / n, ly.iter().sum::<f64>() / n);
    let num: f64 = lx.iter().zip(&ly).map(|(a, b)| (a - mx) * (b - my)).sum();
    let den: f64 = lx.iter().map(|a| (a - mx) * (a - mx)).sum();
    num / den
}

const OSC: [f64; 4] = [1.3, 0.1, 1.0, -0.4]; // ω, ζ, x0, v0

/// Max error of the oscillator at `t_eval` for a given option set.
fn oscillator_error(opts: &SolveOptions, t_eval: &[f64]) -> f64 {
    let [w, z, x0, v0] = OSC;
    let sol = solve(&Oscillator, &[x0, v0], &[w, z], 0.0, t_eval, opts).unwrap();
    assert_eq!(sol.status[0], Status::Success);
    let mut err: f64 = 0.0;
    for (j, &t) in t_eval.iter().enumerate() {
        let (x, v) = oscillator_exact(w, z, x0, v0, t);
        err = err
            .max((sol.y[2 * j] - x).abs())
            .max((sol.y[2 * j + 1] - v).abs());
    }
    err
}

#[test]
fn decay_with_per_member_rates_forward_and_backward() {
    let rates = [0.1, 0.5, 1.0, 2.0, 5.0];
    let y0 = [1.0, -2.0, 3.0, 0.5, 1.5];
    let fwd: Vec<f64> = (1..=20).map(|i| i as f64 * 0.25).collect();
    for method in [Method::Dopri5, Method::Tsit5, Method::Bs3] {
        let opts = SolveOptions {
            method,
            rtol: 1e-8,
            atol: 1e-10,
            ..Default::default()
        };
        let sol = solve(&Decay, &y0, &rates, 0.0, &fwd, &opts).unwrap();
        for m in 0..5 {
            assert_eq!(sol.status[m], Status::Success);
            for (j, &t) in fwd.iter().enumerate() {
                let exact = y0[m] * (-rates[m] * t).exp();
                let got = sol.y[m * fwd.len() + j];
                assert!(
                    (got - exact).abs() < 2e-7 * (1.0 + exact.abs()),
                    "{method:?} m{m} t{t}: {got} vs {exact}"
                );
            }
        }
        // Backward in time from t0 = 2 down to 0 (outputs descending, the first at t0 itself);
        // backwards the modes grow (up to e^10), so the span is shorter.
        let bwd: Vec<f64> = (0..=8).rev().map(|i| i as f64 * 0.25).collect();
        let sol = solve(&Decay, &y0, &rates, 2.0, &bwd, &opts).unwrap();
        for m in 0..5 {
            assert_eq!(sol.status[m], Status::Success);
            assert_eq!(
                sol.y[m * bwd.len()].to_bits(),
                y0[m].to_bits(),
                "output at t0 is y0"
            );
            for (j, &t) in bwd.iter().enumerate() {
                let exact = y0[m] * (-rates[m] * (t - 2.0)).exp();
                let got = sol.y[m * bwd.len() + j];
                assert!(
                    (got - exact).abs() < 2e-7 * (1.0 + exact.abs()),
                    "{method:?} backward m{m} t{t}: {got} vs {exact}"
                );
            }
            assert!((sol.stats[m].t - 0.0).abs() < 1e-15);
        }
    }
}

#[test]
fn harmonic_and_damped_oscillator_match_analytic() {
    let t_eval: Vec<f64> = (1..=50).map(|i| i as f64 * 0.2).collect();
    for z in [0.0, 0.1, 0.5] {
        let [w, _, x0, v0] = OSC;
        let opts = SolveOptions {
            rtol: 1e-9,
            atol: 1e-11,
            ..Default::default()
        };
        let sol = solve(&Oscillator, &[x0, v0], &[w, z], 0.0, &t_eval, &opts).unwrap();
        for (j, &t) in t_eval.iter().enumerate() {
            let (x, v) = oscillator_exact(w, z, x0, v0, t);
            assert!(
                (sol.y[2 * j] - x).abs() < 1e-7 && (sol.y[2 * j + 1] - v).abs() < 1e-7,
                "ζ={z} t={t}"
            );
        }
    }
}

#[test]
fn fixed_step_global_error_slope_matches_order() {
    let t_end = 4.0;
    let ns = [32usize, 64, 128, 256];
    for (method, order) in [
        (Method::Dopri5, 5.0),
        (Method::Tsit5, 5.0),
        (Method::Bs3, 3.0),
        (Method::Rk4, 4.0),
    ] {
        let mut hs = vec![];
        let mut errs = vec![];
        for &n in &ns {
            let h = t_end / n as f64;
            let opts = SolveOptions {
                method,
                steps: StepMode::Fixed(h),
                ..Default::default()
            };
            hs.push(h);
            errs.push(oscillator_error(&opts, &[t_end]));
        }
        let p = slope(&hs, &errs);
        assert!(
            (p - order).abs() < 0.3,
            "{method:?}: fitted order {p:.3} (errors {errs:?})"
        );
    }
}

#[test]
fn dense_output_converges_at_interpolant_order() {
    let t_end = 4.0;
    for (method, order) in [
        (Method::Dopri5, 4.0),
        (Method::Tsit5, 4.0),
        (Method::Bs3, 3.0),
        (Method::Rk4, 3.0),
    ] {
        let mut hs = vec![];
        let mut errs = vec![];
        for n in [16usize, 32, 64, 128] {
            let h = t_end / n as f64;
            // Outputs strictly inside steps (θ = 0.3 and 0.7), never on a step boundary.
            let t_eval: Vec<f64> = (0..n)
                .flat_map(|i| [(i as f64 + 0.3) * h, (i as f64 + 0.7) * h])
                .chain([t_end])
                .collect();
            let opts = SolveOptions {
                method,
                steps: StepMode::Fixed(h),
                ..Default::default()
            };
            hs.push(h);
            errs.push(oscillator_error(&opts, &t_eval));
        }
        let p = slope(&hs, &errs);
        assert!(
            p > order - 0.3,
            "{method:?}: dense-output order {p:.3} (errors {errs:?})"
        );
    }
}

#[test]
fn adaptive_error_tracks_tolerance() {
    let t_eval: Vec<f64> = (1..=20).map(|i| i as f64 * 0.5).collect();
    for method in [Method::Dopri5, Method::Tsit5] {
        let tols = [1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9];
        let errs: Vec<f64> = tols
            .iter()
            .map(|&tol| {
                let opts = SolveOptions {
                    method,
                    rtol: tol,
                    atol: tol,
                    ..Default::default()
                };
                oscillator_error(&opts, &t_eval)
            })
            .collect();
        let p = slope(&tols, &errs);
        assert!(
            (0.75..=1.25).contains(&p),
            "{method:?}: error ∝ tol^{p:.3} (errors {errs:?})"
        );
        for (e, t) in errs.iter().zip(&tols) {
            assert!(*e < 100.0 * t, "{method:?}: error {e:e} at tol {t:e}");
        }
    }
}
