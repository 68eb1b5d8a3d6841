//! Batch semantics: a member's bits do not depend on its batch, thread count or SIMD path;
//! failing members get their status and leave the others unchanged.

use pareto_sciml::ode::system::{LotkaVolterra, Quadratic, VanDerPol};
use pareto_sciml::ode::{solve, BatchSystem, Method, SimdMode, Solution, SolveOptions, Status};
use proptest::prelude::*;

fn bits<T: pareto_sciml::ode::Real>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.bits()).collect()
}

/// Member `m` of a batch solve equals the member solved alone, bit for bit (output and stats).
fn assert_member_alone<S: BatchSystem<f64>>(
    sys: &S,
    y0: &[f64],
    p: &[f64],
    t_eval: &[f64],
    opts: &SolveOptions,
    sol: &Solution<f64>,
    m: usize,
) {
    let (d, np, no) = (sys.dim(), sys.n_params(), t_eval.len());
    let alone = solve(
        sys,
        &y0[m * d..(m + 1) * d],
        &p[m * np..(m + 1) * np],
        0.0,
        t_eval,
        opts,
    )
    .unwrap();
    assert_eq!(
        bits(&alone.y),
        bits(&sol.y[m * no * d..(m + 1) * no * d]),
        "member {m} output"
    );
    assert_eq!(alone.status[0], sol.status[m]);
    assert_eq!(alone.stats[0], sol.stats[m]);
}

fn t_eval_50() -> Vec<f64> {
    (1..=50).map(|i| i as f64 * 0.2).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn member_in_batch_equals_member_alone(
        mus in prop::collection::vec(0.1f64..6.0, 1..12),
        pick in 0usize..12,
        tsit in any::<bool>(),
        threads in 1usize..4,
    ) {
        let n = mus.len();
        let y0: Vec<f64> = (0..n).flat_map(|i| [2.0 - 0.1 * i as f64, 0.3]).collect();
        let opts = SolveOptions { method: if tsit { Method::Tsit5 } else { Method::Dopri5 }, threads, ..Default::default() };
        let sol = solve(&VanDerPol, &y0, &mus, 0.0, &t_eval_50(), &opts).unwrap();
        assert_member_alone(&VanDerPol, &y0, &mus, &t_eval_50(), &opts, &sol, pick % n);
    }
}

#[test]
fn thread_count_and_simd_path_do_not_change_bits() {
    // Sizes one below, at and above the f64x4 / f32x8 lane widths and a multi-block size.
    for n in [1usize, 3, 4, 5, 7, 8, 9, 33, 600] {
        let p: Vec<f64> = (0..n)
            .flat_map(|i| {
                let x = i as f64 / n as f64;
                [1.0 + x, 0.5 + x, 0.5, 1.0 + 2.0 * x]
            })
            .collect();
        let y0: Vec<f64> = (0..n).flat_map(|i| [1.0 + 0.01 * i as f64, 1.0]).collect();
        let t = t_eval_50();
        let base = SolveOptions {
            threads: 1,
            simd: SimdMode::Scalar,
            ..Default::default()
        };
        let want = solve(&LotkaVolterra, &y0, &p, 0.0, &t, &base).unwrap();
        for (threads, simd) in [
            (1, SimdMode::Auto),
            (2, SimdMode::Auto),
            (3, SimdMode::Scalar),
            (4, SimdMode::Auto),
        ] {
            let got = solve(
                &LotkaVolterra,
                &y0,
                &p,
                0.0,
                &t,
                &SolveOptions {
                    threads,
                    simd,
                    ..base
                },
            )
            .unwrap();
            assert_eq!(
                bits(&got.y),
                bits(&want.y),
                "n={n} threads={threads} {simd:?}"
            );
            assert_eq!(got.stats, want.stats);
        }
        // f32 as well.
        let (p32, y32, t32): (Vec<f32>, Vec<f32>, Vec<f32>) = (
            p.iter().map(|&x| x as f32).collect(),
            y0.iter().map(|&x| x as f32).collect(),
            t.iter().map(|&x| x as f32).collect(),
        );
        let o32 = SolveOptions {
            rtol: 1e-4,
            atol: 1e-6,
            ..base
        };
        let want = solve(&LotkaVolterra, &y32, &p32, 0.0f32, &t32, &o32).unwrap();
        let got = solve(
            &LotkaVolterra,
            &y32,
            &p32,
            0.0f32,
            &t32,
            &SolveOptions {
                threads: 2,
                simd: SimdMode::Auto,
                ..o32
            },
        )
        .unwrap();
        assert_eq!(bits(&got.y), bits(&want.y), "f32 n={n}");
        assert!(want.status.iter().all(|s| *s == Status::Success));
    }
}

#[test]
fn f32_solution_is_close_to_f64() {
    let mus = [0.5f64, 1.0, 2.0];
    let y0 = [2.0, 0.0, 2.0, 0.0, 1.0, -0.5];
    let t = t_eval_50();
    let opts = SolveOptions {
        rtol: 1e-5,
        atol: 1e-7,
        ..Default::default()
    };
    let s64 = solve(&VanDerPol, &y0, &mus, 0.0, &t, &opts).unwrap();
    let s32 = solve(
        &VanDerPol,
        &y0.map(|x| x as f32),
        &mus.map(|x| x as f32),
        0.0f32,
        &t.iter().map(|&x| x as f32).collect::<Vec<_>>(),
        &opts,
    )
    .unwrap();
    for (a, b) in s64.y.iter().zip(&s32.y) {
        assert!((a - *b as f64).abs() < 1e-3 * (1.0 + a.abs()), "{a} vs {b}");
    }
}

#[test]
fn blow_up_member_fails_alone_and_others_succeed_unchanged() {
    // y' = a y², y(0) = 1: a = 1 blows up at t = 1; the others stay finite on [0, 2].
    let a = [-1.0, 1.0, 0.25, -0.5, 0.4];
    let y0 = [1.0; 5];
    let t: Vec<f64> = (1..=20).map(|i| i as f64 * 0.1).collect();
    let opts = SolveOptions {
        rtol: 1e-8,
        atol: 1e-10,
        ..Default::default()
    };
    let sol = solve(&Quadratic, &y0, &a, 0.0, &t, &opts).unwrap();
    assert_ne!(sol.status[1], Status::Success, "blow-up member");
    assert!(matches!(
        sol.status[1],
        Status::StepTooSmall | Status::NonFinite | Status::MaxSteps
    ));
    // The computed solution's own singularity sits within the tolerance of t = 1 (its error
    // lags slightly); the step size collapses there.
    assert!(
        (sol.stats[1].t - 1.0).abs() < 1e-3,
        "stopped at the singularity: {:?}",
        sol.stats[1]
    );
    // Outputs it reached are finite and accurate; the rest are NaN.
    for (j, &tj) in t.iter().enumerate() {
        let v = sol.y[20 + j];
        if tj < 0.95 {
            assert!((v - 1.0 / (1.0 - tj)).abs() < 1e-5 * v.abs(), "t={tj}");
        } else if tj > 1.0 {
            assert!(v.is_nan());
        }
    }
    for m in [0, 2, 3, 4] {
        assert_eq!(sol.status[m], Status::Success);
        for (j, &tj) in t.iter().enumerate() {
            let exact = 1.0 / (1.0 - a[m] * tj);
            assert!(
                (sol.y[m * 20 + j] - exact).abs() < 1e-6 * exact,
                "m{m} t{tj}"
            );
        }
        assert_member_alone(&Quadratic, &y0, &a, &t, &opts, &sol, m);
    }
    println!("blow-up member: {:?} {:?}", sol.status[1], sol.stats[1]);
}

#[test]
fn nan_parameters_give_non_finite_for_that_member_only() {
    let mus = [1.0, f64::NAN, 2.0, f64::INFINITY];
    let y0 = [2.0, 0.0, 2.0, 0.0, 2.0, 0.0, 2.0, 0.0];
    let t = t_eval_50();
    let opts = SolveOptions::default();
    let sol = solve(&VanDerPol, &y0, &mus, 0.0, &t, &opts).unwrap();
    assert_eq!(
        sol.status,
        vec![
            Status::Success,
            Status::NonFinite,
            Status::Success,
            Status::NonFinite
        ]
    );
    for m in [0, 2] {
        assert_member_alone(&VanDerPol, &y0, &mus, &t, &opts, &sol, m);
    }
    // A NaN initial state is the same kind of member failure.
    let sol = solve(
        &VanDerPol,
        &[f64::NAN, 0.0, 2.0, 0.0],
        &[1.0, 1.0],
        0.0,
        &t,
        &opts,
    )
    .unwrap();
    assert_eq!(sol.status, vec![Status::NonFinite, Status::Success]);
}

#[test]
fn max_steps_is_reported() {
    let opts = SolveOptions {
        max_steps: 10,
        ..Default::default()
    };
    let sol = solve(
        &VanDerPol,
        &[2.0f64, 0.0, 2.0, 0.0],
        &[1.0, 0.0],
        0.0,
        &[0.001, 10.0],
        &opts,
    )
    .unwrap();
    assert_eq!(sol.status[0], Status::MaxSteps);
    assert_eq!(sol.stats[0].accepted + sol.stats[0].rejected, 10);
    assert!(sol.y[2].is_nan() && sol.y[0].is_finite());
}

#[test]
fn stats_count_rhs_evaluations() {
    let sol = solve(
        &VanDerPol,
        &[2.0, 0.0],
        &[1.0],
        0.0,
        &t_eval_50(),
        &SolveOptions::default(),
    )
    .unwrap();
    let s = sol.stats[0];
    // Dopri5 is FSAL: 2 evaluations for the initial step selection, then 6 per trial step.
    assert_eq!(s.rhs_evals, 2 + 6 * (s.accepted + s.rejected));
    assert!(s.error_ratio <= 1.0);
    assert_eq!(s.t.to_bits(), 10.0f64.to_bits());
}

/// Counts the rows the solver hands to the right-hand side.
struct Counting<S>(S, std::sync::atomic::AtomicUsize);

impl<S: BatchSystem<f64>> BatchSystem<f64> for Counting<S> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn n_params(&self) -> usize {
        self.0.n_params()
    }
    fn rhs(&self, t: &[f64], y: &[f64], p: &[f64], dy: &mut [f64]) {
        self.1
            .fetch_add(t.len(), std::sync::atomic::Ordering::Relaxed);
        self.0.rhs(t, y, p, dy)
    }
    fn vjp(&self, t: &[f64], y: &[f64], p: &[f64], v: &[f64], gy: &mut [f64], gp: &mut [f64]) {
        self.0.vjp(t, y, p, v, gy, gp)
    }
}

#[test]
fn finished_and_failed_members_stop_costing_work() {
    // Very different step counts (μ from 0.1 to 8) plus a NaN member that fails at once.
    let mus = [0.1, 8.0, f64::NAN, 1.0, 3.0];
    let y0 = [2.0, 0.0, 2.0, 0.0, 2.0, 0.0, 2.0, 0.0, 2.0, 0.0];
    let sys = Counting(VanDerPol, std::sync::atomic::AtomicUsize::new(0));
    let sol = solve(&sys, &y0, &mus, 0.0, &t_eval_50(), &SolveOptions::default()).unwrap();
    let rows = sys.1.load(std::sync::atomic::Ordering::Relaxed);
    let per_member: u32 = sol.stats.iter().map(|s| s.rhs_evals).sum();
    // Every row the RHS saw is charged to exactly one running member.
    assert_eq!(rows, per_member as usize);
    let max = sol.stats.iter().map(|s| s.rhs_evals).max().unwrap() as usize;
    // Without compaction every member would be evaluated as long as the slowest one.
    assert!(
        rows < 5 * max - max / 2,
        "{rows} rows vs slowest member {max}"
    );
    assert!(
        sol.stats[2].rhs_evals <= 2 + 6,
        "NaN member: {:?}",
        sol.stats[2]
    );
}

#[test]
fn pi_controller_solves_accurately() {
    use pareto_sciml::ode::{ControllerConfig, ControllerKind, StepMode};
    let cfg = ControllerConfig {
        kind: ControllerKind::Pi {
            pcoeff: 0.4,
            icoeff: 0.3,
        },
        ..Default::default()
    };
    let opts = SolveOptions {
        steps: StepMode::Adaptive(cfg),
        rtol: 1e-8,
        atol: 1e-10,
        ..Default::default()
    };
    let integral = SolveOptions {
        rtol: 1e-8,
        atol: 1e-10,
        ..Default::default()
    };
    let t = t_eval_50();
    let a = solve(
        &VanDerPol,
        &[2.0, 0.0, 2.0, 0.0],
        &[1.0, 4.0],
        0.0,
        &t,
        &opts,
    )
    .unwrap();
    let b = solve(
        &VanDerPol,
        &[2.0, 0.0, 2.0, 0.0],
        &[1.0, 4.0],
        0.0,
        &t,
        &integral,
    )
    .unwrap();
    assert!(a.status.iter().all(|s| *s == Status::Success));
    for (x, y) in a.y.iter().zip(&b.y) {
        assert!((x - y).abs() < 1e-5 * (1.0 + y.abs()), "{x} vs {y}");
    }
    assert_ne!(a.stats, b.stats, "the PI law takes its own steps");
}
