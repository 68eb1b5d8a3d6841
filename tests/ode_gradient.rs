//! Reverse-mode gradients through the solve against central finite differences of the same
//! computed solution with the step sequence held fixed.
//!
//! The gradient is the derivative of the computed output for a *fixed* step sequence, so the
//! finite differences re-run the solve in fixed-step mode on the same steps: a fixed step `h`
//! that divides the span, which is the same step sequence for every perturbation. A second
//! check compares the adaptive gradient with finite differences of the adaptive solve at a
//! tight tolerance, where the step-size dependence is negligible.

use pareto_sciml::ode::system::{Decay, LotkaVolterra, Oscillator, VanDerPol};
use pareto_sciml::ode::{
    gradient, solve, BatchSystem, GradientOptions, Method, SolveOptions, StepMode,
};

/// Loss: Σ_j w_j · (y_j − target_j)², with fixed weights and targets.
fn loss(y: &[f64], g: &mut [f64]) -> f64 {
    let mut l = 0.0;
    for (i, (&v, gi)) in y.iter().zip(g.iter_mut()).enumerate() {
        let (w, target) = (1.0 + 0.1 * (i % 7) as f64, 0.3 * ((i % 5) as f64 - 2.0));
        l += w * (v - target) * (v - target);
        *gi = 2.0 * w * (v - target);
    }
    l
}

fn fd_check<S: BatchSystem<f64>>(
    sys: &S,
    y0: &[f64],
    p: &[f64],
    t0: f64,
    t_eval: &[f64],
    opts: SolveOptions,
    tol: f64,
) {
    let (d, np) = (sys.dim(), sys.n_params());
    let members = y0.len() / d;
    let gopts = GradientOptions {
        solve: opts,
        ..Default::default()
    };
    let g = gradient(sys, y0, p, t0, t_eval, &gopts, |_, y, gr| loss(y, gr)).unwrap();
    let f = |y0: &[f64], p: &[f64], m: usize| -> f64 {
        let s = solve(
            sys,
            &y0[m * d..(m + 1) * d],
            &p[m * np..(m + 1) * np],
            t0,
            t_eval,
            &opts,
        )
        .unwrap();
        let mut gr = vec![0.0; s.y.len()];
        loss(&s.y, &mut gr)
    };
    for m in 0..members {
        for j in 0..np {
            let e = 1e-6 * (1.0 + p[m * np + j].abs());
            let (mut a, mut b) = (p.to_vec(), p.to_vec());
            a[m * np + j] += e;
            b[m * np + j] -= e;
            let fd = (f(y0, &a, m) - f(y0, &b, m)) / (2.0 * e);
            let an = g.d_params[m * np + j];
            assert!(
                (fd - an).abs() <= tol * (1.0 + fd.abs()),
                "m{m} dp[{j}]: fd {fd} vs {an}"
            );
        }
        for j in 0..d {
            let e = 1e-6 * (1.0 + y0[m * d + j].abs());
            let (mut a, mut b) = (y0.to_vec(), y0.to_vec());
            a[m * d + j] += e;
            b[m * d + j] -= e;
            let fd = (f(&a, p, m) - f(&b, p, m)) / (2.0 * e);
            let an = g.d_y0[m * d + j];
            assert!(
                (fd - an).abs() <= tol * (1.0 + fd.abs()),
                "m{m} dy0[{j}]: fd {fd} vs {an}"
            );
        }
    }
}

fn fixed(method: Method, h: f64) -> SolveOptions {
    SolveOptions {
        method,
        steps: StepMode::Fixed(h),
        ..Default::default()
    }
}

#[test]
fn fixed_step_gradients_match_finite_differences() {
    // Outputs inside steps (dense output) and on step boundaries.
    let t_eval: Vec<f64> = (1..=13).map(|i| i as f64 * 0.37).collect();
    for method in [Method::Dopri5, Method::Tsit5, Method::Bs3, Method::Rk4] {
        let o = fixed(method, 0.05);
        fd_check(
            &VanDerPol,
            &[2.0, 0.0, 1.0, -0.5],
            &[1.0, 2.5],
            0.0,
            &t_eval,
            o,
            1e-6,
        );
        fd_check(
            &LotkaVolterra,
            &[1.0, 1.0, 2.0, 1.5],
            &[1.3, 0.9, 0.8, 1.8, 1.0, 0.5, 0.5, 1.0],
            0.0,
            &t_eval,
            o,
            1e-6,
        );
        fd_check(
            &Oscillator,
            &[1.0, -0.4],
            &[1.3, 0.1],
            0.0,
            &t_eval,
            o,
            1e-6,
        );
    }
}

#[test]
fn backward_in_time_gradients_match_finite_differences() {
    let t_eval: Vec<f64> = (0..=8).rev().map(|i| i as f64 * 0.5).collect();
    fd_check(
        &Oscillator,
        &[1.0, -0.4],
        &[1.3, 0.1],
        4.0,
        &t_eval,
        fixed(Method::Dopri5, 0.1),
        1e-6,
    );
    fd_check(
        &Decay,
        &[1.0, 2.0],
        &[0.3, 0.7],
        4.0,
        &t_eval,
        fixed(Method::Tsit5, 0.1),
        1e-6,
    );
}

#[test]
fn adaptive_gradients_match_finite_differences_at_tight_tolerance() {
    let t_eval: Vec<f64> = (1..=20).map(|i| i as f64 * 0.25).collect();
    let o = SolveOptions {
        rtol: 1e-10,
        atol: 1e-12,
        ..Default::default()
    };
    fd_check(&VanDerPol, &[2.0, 0.0], &[1.5], 0.0, &t_eval, o, 1e-5);
    fd_check(
        &LotkaVolterra,
        &[1.0, 1.0],
        &[1.3, 0.9, 0.8, 1.8],
        0.0,
        &t_eval,
        o,
        1e-5,
    );
}

#[test]
fn recomputed_stages_give_the_same_gradient_as_stored_ones() {
    let t_eval: Vec<f64> = (1..=20).map(|i| i as f64 * 0.5).collect();
    let (y0, p) = ([2.0, 0.0, 1.0, 0.5], [1.0, 3.0]);
    let stored = gradient(
        &VanDerPol,
        &y0,
        &p,
        0.0,
        &t_eval,
        &GradientOptions::default(),
        |_, y, g| loss(y, g),
    )
    .unwrap();
    assert!(stored.recomputed_steps.iter().all(|&r| r == 0));
    for limit in [0usize, 4096] {
        let opts = GradientOptions {
            memory_limit_bytes: limit,
            ..Default::default()
        };
        let rec = gradient(&VanDerPol, &y0, &p, 0.0, &t_eval, &opts, |_, y, g| {
            loss(y, g)
        })
        .unwrap();
        assert!(rec.recomputed_steps.iter().all(|&r| r > 0), "limit {limit}");
        let b = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(b(&rec.d_params), b(&stored.d_params), "limit {limit}");
        assert_eq!(b(&rec.d_y0), b(&stored.d_y0), "limit {limit}");
    }
    // The forward solution inside the gradient is the plain solve's, bit for bit.
    let plain = solve(&VanDerPol, &y0, &p, 0.0, &t_eval, &SolveOptions::default()).unwrap();
    assert_eq!(plain, stored.solution);
}

#[test]
fn failed_member_gets_infinite_loss_and_nan_gradient_alone() {
    let t_eval = [0.5, 1.0];
    let g = gradient(
        &VanDerPol,
        &[2.0, 0.0, 2.0, 0.0],
        &[1.0, f64::NAN],
        0.0,
        &t_eval,
        &GradientOptions::default(),
        |_, y, g| loss(y, g),
    )
    .unwrap();
    assert!(g.loss[0].is_finite() && g.d_params[0].is_finite());
    assert!(g.loss[1].is_infinite() && g.d_params[1].is_nan());
}
