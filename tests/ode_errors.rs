//! Bad input gives a clear, matchable `Error`, never a panic.

use pareto_sciml::ode::system::{Oscillator, VanDerPol};
use pareto_sciml::ode::{
    gradient, solve, ControllerConfig, GradientOptions, Method, SolveOptions, StepMode,
};
use pareto_sciml::Error;

fn run(y0: &[f64], p: &[f64], t0: f64, t: &[f64], o: SolveOptions) -> Error {
    solve(&VanDerPol, y0, p, t0, t, &o).unwrap_err()
}

#[test]
fn bad_times_are_rejected() {
    let d = SolveOptions::default();
    let (y, p) = ([2.0, 0.0], [1.0]);
    assert!(
        matches!(run(&y, &p, 0.0, &[1.0, 0.5, 2.0], d), Error::InvalidConfig { ref param, .. } if param == "t_eval")
    );
    assert!(matches!(
        run(&y, &p, 0.0, &[1.0, 1.0], d),
        Error::InvalidConfig { .. }
    ));
    // Backward output times must decrease.
    assert!(matches!(
        run(&y, &p, 2.0, &[1.0, 1.5, 0.0], d),
        Error::InvalidConfig { .. }
    ));
    // Outputs on the wrong side of t0.
    assert!(matches!(
        run(&y, &p, 1.0, &[0.5, 2.0], d),
        Error::InvalidConfig { .. }
    ));
    // Zero span.
    assert!(matches!(
        run(&y, &p, 1.0, &[1.0], d),
        Error::InvalidConfig { .. }
    ));
    assert!(matches!(
        run(&y, &p, 0.0, &[], d),
        Error::Empty { what: "t_eval", .. }
    ));
    assert!(matches!(
        run(&y, &p, 0.0, &[1.0, f64::NAN], d),
        Error::NonFinite {
            what: "t_eval",
            index: 1,
            ..
        }
    ));
    assert!(matches!(
        run(&y, &p, f64::INFINITY, &[1.0], d),
        Error::NonFinite { what: "t0", .. }
    ));
}

#[test]
fn bad_tolerances_and_steps_are_rejected() {
    let (y, p, t) = ([2.0, 0.0], [1.0], [1.0]);
    let d = SolveOptions::default();
    for (rtol, atol) in [
        (0.0, 1e-8),
        (-1e-6, 1e-8),
        (f64::NAN, 1e-8),
        (1e-6, 0.0),
        (1e-6, f64::INFINITY),
        (1e-6, -1.0),
    ] {
        let e = run(&y, &p, 0.0, &t, SolveOptions { rtol, atol, ..d });
        assert!(
            matches!(e, Error::InvalidConfig { ref param, .. } if param == "rtol" || param == "atol"),
            "{rtol} {atol}: {e}"
        );
    }
    assert!(matches!(
        run(&y, &p, 0.0, &t, SolveOptions { max_steps: 0, ..d }),
        Error::InvalidConfig { .. }
    ));
    assert!(matches!(
        run(
            &y,
            &p,
            0.0,
            &t,
            SolveOptions {
                h0: Some(-0.1),
                ..d
            }
        ),
        Error::InvalidConfig { .. }
    ));
    assert!(matches!(
        run(
            &y,
            &p,
            0.0,
            &t,
            SolveOptions {
                steps: StepMode::Fixed(0.0),
                ..d
            }
        ),
        Error::InvalidConfig { .. }
    ));
    assert!(
        matches!(run(&y, &p, 0.0, &t, SolveOptions { method: Method::Rk4, ..d }), Error::InvalidConfig { ref param, .. } if param == "method")
    );
    let bad = ControllerConfig {
        factor_min: 2.0,
        factor_max: 1.0,
        ..Default::default()
    };
    assert!(matches!(
        run(
            &y,
            &p,
            0.0,
            &t,
            SolveOptions {
                steps: StepMode::Adaptive(bad),
                ..d
            }
        ),
        Error::InvalidConfig { .. }
    ));
}

#[test]
fn bad_shapes_are_rejected() {
    let d = SolveOptions::default();
    assert!(matches!(run(&[], &[], 0.0, &[1.0], d), Error::Empty { .. }));
    assert!(matches!(
        run(&[2.0, 0.0, 1.0], &[1.0], 0.0, &[1.0], d),
        Error::Shape { .. }
    ));
    assert!(matches!(
        run(&[2.0, 0.0], &[1.0, 2.0], 0.0, &[1.0], d),
        Error::Shape {
            expected: 1,
            got: 2,
            ..
        }
    ));
    let e = solve(
        &Oscillator,
        &[1.0, 0.0, 1.0, 0.0],
        &[1.0, 0.1],
        0.0,
        &[1.0],
        &d,
    )
    .unwrap_err();
    assert!(matches!(
        e,
        Error::Shape {
            expected: 4,
            got: 2,
            ..
        }
    ));
    let e = gradient(
        &Oscillator,
        &[1.0, 0.0],
        &[1.0],
        0.0,
        &[1.0],
        &GradientOptions::default(),
        |_, _, _| 0.0,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Shape { .. }));
}
