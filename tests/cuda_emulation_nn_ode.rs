//! The batched adaptive Runge–Kutta kernel (`kernels/rk_step.cu`) compiled for the CPU through
//! `kernels/emulate/harness_nn.cpp` and compared bit for bit with [`ode::solve`]: solution at
//! the output times (dense output included), per-member status and every step statistic, for
//! Dormand–Prince and Tsitouras with the integral and PI controllers, Hairer's initial step
//! and a given `h0`, forward and backward in time, and members that end in each status
//! (success, too many steps, step too small, non-finite). Skips with a printed reason when no
//! C++ compiler is found; `tests/cuda_nn.rs` runs the same comparison on a GPU.

mod cuda_emulation_nn_common;

use cuda_emulation_nn_common::{emu_ode, harness, same_solution};
use pareto_sciml::backend::cuda::DeviceSystem;
use pareto_sciml::ode::system::{
    Decay, LotkaVolterra, LotkaVolterraNoInteraction, Oscillator, Quadratic, VanDerPol,
};
use pareto_sciml::ode::{
    solve, BatchSystem, ControllerConfig, ControllerKind, Method, Solution, SolveOptions, Status,
    StepMode,
};
use pareto_sciml::rng::stream;
use proptest::prelude::*;

fn cpu(
    sys: DeviceSystem,
    y0: &[f64],
    p: &[f64],
    t0: f64,
    te: &[f64],
    o: &SolveOptions,
) -> Solution<f64> {
    fn go<S: BatchSystem<f64>>(
        s: &S,
        y0: &[f64],
        p: &[f64],
        t0: f64,
        te: &[f64],
        o: &SolveOptions,
    ) -> Solution<f64> {
        solve(s, y0, p, t0, te, o).unwrap()
    }
    match sys {
        DeviceSystem::Decay => go(&Decay, y0, p, t0, te, o),
        DeviceSystem::Oscillator => go(&Oscillator, y0, p, t0, te, o),
        DeviceSystem::VanDerPol => go(&VanDerPol, y0, p, t0, te, o),
        DeviceSystem::LotkaVolterra => go(&LotkaVolterra, y0, p, t0, te, o),
        DeviceSystem::Quadratic => go(&Quadratic, y0, p, t0, te, o),
        DeviceSystem::LotkaVolterraNoInteraction => {
            go(&LotkaVolterraNoInteraction, y0, p, t0, te, o)
        }
    }
}

fn check(
    sys: DeviceSystem,
    y0: &[f64],
    p: &[f64],
    t0: f64,
    te: &[f64],
    o: &SolveOptions,
) -> Solution<f64> {
    let want = cpu(sys, y0, p, t0, te, o);
    let got = emu_ode(sys, None, y0, p, t0, te, o);
    if let Err(e) = same_solution(&got, &want) {
        panic!("{sys:?} {:?} {:?}: {e}", o.method, o.steps);
    }
    want
}

const SYSTEMS: [DeviceSystem; 6] = [
    DeviceSystem::Decay,
    DeviceSystem::Oscillator,
    DeviceSystem::VanDerPol,
    DeviceSystem::LotkaVolterra,
    DeviceSystem::Quadratic,
    DeviceSystem::LotkaVolterraNoInteraction,
];

/// Members with parameters and initial values spread around each system's usual range.
fn members(sys: DeviceSystem, n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut s = stream(seed, "cuda_emulation_nn_ode", 0, sys as u64);
    let mut u = || s.uniform_f64();
    let mut y0 = Vec::new();
    let mut p = Vec::new();
    for _ in 0..n {
        match sys {
            DeviceSystem::Decay => {
                y0.push(2.0 * u() - 1.0);
                p.push(5.0 * u());
            }
            DeviceSystem::Oscillator => {
                y0.extend([2.0 * u() - 1.0, 2.0 * u() - 1.0]);
                p.extend([0.5 + 3.0 * u(), 0.3 * u()]);
            }
            DeviceSystem::VanDerPol => {
                y0.extend([2.0, 0.0]);
                p.push(0.1 + 5.0 * u());
            }
            DeviceSystem::LotkaVolterra => {
                y0.extend([0.44249296 * (0.5 + u()), 4.6280594 * (0.5 + u())]);
                p.extend([
                    1.3 * (0.5 + u()),
                    0.9 * (0.5 + u()),
                    0.8 * (0.5 + u()),
                    1.8 * (0.5 + u()),
                ]);
            }
            DeviceSystem::Quadratic => {
                y0.push(1.0);
                p.push(0.2 + u());
            }
            DeviceSystem::LotkaVolterraNoInteraction => {
                y0.extend([0.44249296 * (0.5 + u()), 4.6280594 * (0.5 + u())]);
                p.extend([1.3 * (0.5 + u()), 1.8 * (0.5 + u())]);
            }
        }
    }
    (y0, p)
}

fn options(method: Method, pi: bool, h0: Option<f64>, rtol: f64) -> SolveOptions {
    let kind = if pi {
        ControllerKind::Pi {
            pcoeff: 0.2,
            icoeff: 0.7,
        }
    } else {
        ControllerKind::Integral
    };
    SolveOptions {
        method,
        steps: StepMode::Adaptive(ControllerConfig {
            kind,
            ..ControllerConfig::default()
        }),
        rtol,
        atol: rtol * 1e-2,
        h0,
        ..SolveOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn solves_are_bit_identical_to_the_cpu(
        sys in 0usize..6, tsit in any::<bool>(), pi in any::<bool>(), given_h0 in any::<bool>(),
        backward in any::<bool>(), from_t0 in any::<bool>(), exp in 3i32..10, n in 1usize..12, seed in any::<u64>()
    ) {
        if harness().is_none() { return Ok(()); }
        let sys = SYSTEMS[sys];
        let (y0, p) = members(sys, n, seed);
        let method = if tsit { Method::Tsit5 } else { Method::Dopri5 };
        let o = options(method, pi, given_h0.then_some(1e-3), 10f64.powi(-exp));
        let dir = if backward { -1.0 } else { 1.0 };
        let mut te: Vec<f64> = (1..=7).map(|j| 0.5 + dir * 0.37 * j as f64).collect();
        if from_t0 { te.insert(0, 0.5); }
        check(sys, &y0, &p, 0.5, &te, &o);
    }
}

/// The NSGA-NODE Lotka–Volterra setting: 31 samples on [0, 3], 10³ perturbed members.
#[test]
fn lotka_volterra_population_matches() {
    if harness().is_none() {
        return;
    }
    let (y0, p) = members(DeviceSystem::LotkaVolterra, 1000, 7);
    let te: Vec<f64> = (0..31).map(|j| 0.1 * j as f64).collect();
    for method in [Method::Dopri5, Method::Tsit5] {
        let sol = check(
            DeviceSystem::LotkaVolterra,
            &y0,
            &p,
            0.0,
            &te,
            &options(method, false, None, 1e-8),
        );
        assert!(sol.status.iter().all(|s| *s == Status::Success));
    }
}

/// Members that end in every status, side by side with succeeding ones.
#[test]
fn every_status_matches() {
    if harness().is_none() {
        return;
    }
    // Quadratic blows up at t = 1/a: a = 2 ends before t = 1 (step too small or non-finite).
    let sol = check(
        DeviceSystem::Quadratic,
        &[1.0, 1.0, 1.0],
        &[0.5, 2.0, 50.0],
        0.0,
        &[0.25, 1.0],
        &options(Method::Dopri5, false, None, 1e-6),
    );
    assert_eq!(sol.status[0], Status::Success);
    assert_ne!(sol.status[1], Status::Success);
    // Stiff Van der Pol with a step budget: MaxSteps.
    let mut o = options(Method::Tsit5, true, None, 1e-8);
    o.max_steps = 200;
    let sol = check(
        DeviceSystem::VanDerPol,
        &[2.0, 0.0, 2.0, 0.0],
        &[1.0, 1000.0],
        0.0,
        &[3000.0],
        &o,
    );
    assert_eq!(sol.status[1], Status::MaxSteps);
    // A member that overflows: non-finite, while its neighbour succeeds.
    let sol = check(
        DeviceSystem::Decay,
        &[1.0, 1e300],
        &[1.0, -1e10],
        0.0,
        &[1.0],
        &options(Method::Dopri5, false, Some(0.5), 1e-6),
    );
    assert_eq!(sol.status[0], Status::Success);
    assert!(sol.status[1] != Status::Success, "{:?}", sol.status);
}

/// The NSGA-NODE hybrids: Lotka–Volterra with a per-member tanh network in each of the three
/// forms, seeing the state or the state and time, against `MlpCorrection` on the CPU; λ = 0
/// must give the physics' bits.
#[test]
fn hybrid_forms_are_bit_identical() {
    if harness().is_none() {
        return;
    }
    use pareto_sciml::backend::cuda::DeviceHybrid;
    use pareto_sciml::nn::{init_genome, Activation, Init, MlpSpec};
    use pareto_sciml::ode::hybrid::{HybridForm, MlpCorrection, NnInput};
    let n = 40;
    let (y0, pp) = members(DeviceSystem::LotkaVolterra, n, 3);
    let te: Vec<f64> = (0..16).map(|j| 0.2 * j as f64).collect();
    for form in [
        HybridForm::Additive,
        HybridForm::Parametric,
        HybridForm::Both,
    ] {
        for input in [NnInput::State, NnInput::StateTime] {
            for lambda in [0.0, 0.3] {
                let n_in = 2 + usize::from(input == NnInput::StateTime);
                let n_out = match form {
                    HybridForm::Additive => 2,
                    HybridForm::Parametric => 4,
                    HybridForm::Both => 6,
                };
                let spec = MlpSpec::uniform(n_in, &[5, 5, 5], n_out, Activation::Tanh).unwrap();
                let mut p = Vec::new();
                for m in 0..n {
                    p.extend_from_slice(&pp[4 * m..4 * m + 4]);
                    p.extend(
                        init_genome(&spec, Init::XavierUniform, 9, m as u64)
                            .iter()
                            .map(|w| 0.3 * w),
                    );
                }
                let sys =
                    MlpCorrection::with_form(LotkaVolterra, spec.clone(), lambda, input, form)
                        .unwrap();
                for method in [Method::Dopri5, Method::Tsit5] {
                    let o = options(method, false, None, 1e-7);
                    let want = solve(&sys, &y0, &p, 0.0, &te, &o).unwrap();
                    let hy = DeviceHybrid {
                        spec: spec.clone(),
                        lambda,
                        input,
                        form,
                    };
                    let got = emu_ode(
                        DeviceSystem::LotkaVolterra,
                        Some(&hy),
                        &y0,
                        &p,
                        0.0,
                        &te,
                        &o,
                    );
                    if let Err(e) = same_solution(&got, &want) {
                        panic!("{form:?} {input:?} λ={lambda} {method:?}: {e}");
                    }
                    if lambda == 0.0 {
                        let phys = cpu(DeviceSystem::LotkaVolterra, &y0, &pp, 0.0, &te, &o);
                        assert!(same_solution(&got, &phys).is_ok(), "λ = 0 is the physics");
                    }
                }
            }
        }
    }
}

/// The physics NSGA-NODE trains on (Lotka–Volterra without its interaction terms) in each
/// hybrid form, as `reproduce_nsga_node --backend cuda` solves it.
#[test]
fn no_interaction_hybrids_are_bit_identical() {
    if harness().is_none() {
        return;
    }
    use pareto_sciml::backend::cuda::DeviceHybrid;
    use pareto_sciml::nn::{init_genome, Activation, Init, MlpSpec};
    use pareto_sciml::ode::hybrid::{HybridForm, MlpCorrection, NnInput};
    let sys = DeviceSystem::LotkaVolterraNoInteraction;
    assert_eq!(DeviceSystem::of(&LotkaVolterraNoInteraction), Some(sys));
    let n = 30;
    let (y0, pp) = members(sys, n, 5);
    let te: Vec<f64> = (0..31).map(|j| 0.1 * j as f64).collect();
    for (form, n_out) in [
        (HybridForm::Additive, 2),
        (HybridForm::Parametric, 2),
        (HybridForm::Both, 4),
    ] {
        let spec = MlpSpec::uniform(2, &[16, 16], n_out, Activation::Tanh).unwrap();
        let mut p = Vec::new();
        for m in 0..n {
            p.extend_from_slice(&pp[2 * m..2 * m + 2]);
            p.extend(
                init_genome(&spec, Init::XavierUniform, 4, m as u64)
                    .iter()
                    .map(|w| 0.5 * w),
            );
        }
        let cpu_sys = MlpCorrection::with_form(
            LotkaVolterraNoInteraction,
            spec.clone(),
            1.0,
            NnInput::State,
            form,
        )
        .unwrap();
        let o = options(Method::Dopri5, false, None, 1e-6);
        let want = solve(&cpu_sys, &y0, &p, 0.0, &te, &o).unwrap();
        let hy = DeviceHybrid {
            spec,
            lambda: 1.0,
            input: NnInput::State,
            form,
        };
        let got = emu_ode(sys, Some(&hy), &y0, &p, 0.0, &te, &o);
        if let Err(e) = same_solution(&got, &want) {
            panic!("{form:?}: {e}");
        }
    }
}

/// Bad input gets the CPU solver's error, variant and field for field; what only the CPU
/// supports is a clear configuration error.
#[test]
fn launch_errors_match_the_cpu() {
    use pareto_sciml::backend::cuda::{ode_launch, DeviceHybrid};
    use pareto_sciml::nn::{Activation, MlpSpec};
    use pareto_sciml::ode::hybrid::{HybridForm, NnInput};
    use pareto_sciml::Error;
    let ok = SolveOptions::default();
    let lv = DeviceSystem::LotkaVolterra;
    let (y0, p) = members(lv, 2, 1);
    // (y0, params, t0, t_eval, options)
    type Case = (Vec<f64>, Vec<f64>, f64, Vec<f64>, SolveOptions);
    let cases: Vec<Case> = vec![
        (vec![], vec![], 0.0, vec![1.0], ok),
        (y0.clone(), p.clone(), 0.0, vec![], ok),
        (y0[..3].to_vec(), p.clone(), 0.0, vec![1.0], ok),
        (y0.clone(), p[..7].to_vec(), 0.0, vec![1.0], ok),
        (y0.clone(), p.clone(), f64::NAN, vec![1.0], ok),
        (y0.clone(), p.clone(), 0.0, vec![0.5, f64::INFINITY], ok),
        (y0.clone(), p.clone(), 0.0, vec![0.0], ok),
        (y0.clone(), p.clone(), 0.0, vec![-0.5, 1.0], ok),
        (y0.clone(), p.clone(), 0.0, vec![0.5, 0.5, 1.0], ok),
        (
            y0.clone(),
            p.clone(),
            0.0,
            vec![1.0],
            SolveOptions { rtol: 0.0, ..ok },
        ),
        (
            y0.clone(),
            p.clone(),
            0.0,
            vec![1.0],
            SolveOptions {
                h0: Some(-1.0),
                ..ok
            },
        ),
        (
            y0.clone(),
            p.clone(),
            0.0,
            vec![1.0],
            SolveOptions { max_steps: 0, ..ok },
        ),
    ];
    for (y, q, t0, te, o) in cases {
        let want = solve(&LotkaVolterra, &y, &q, t0, &te, &o).unwrap_err();
        let got = ode_launch(lv, None, &y, &q, t0, &te, &o).unwrap_err();
        assert_eq!(got, want, "{y:?} {q:?} {t0} {te:?}");
    }
    for o in [
        SolveOptions {
            steps: StepMode::Fixed(0.1),
            ..ok
        },
        SolveOptions {
            method: Method::Bs3,
            ..ok
        },
    ] {
        assert!(matches!(
            ode_launch(lv, None, &y0, &p, 0.0, &[1.0], &o),
            Err(Error::InvalidConfig { .. })
        ));
    }
    let wide = DeviceHybrid {
        spec: MlpSpec::uniform(2, &[65], 2, Activation::Tanh).unwrap(),
        lambda: 1.0,
        input: NnInput::State,
        form: HybridForm::Additive,
    };
    assert!(matches!(
        ode_launch(lv, Some(&wide), &y0, &p, 0.0, &[1.0], &ok),
        Err(Error::InvalidConfig { .. })
    ));
    let wrong = DeviceHybrid {
        form: HybridForm::Parametric,
        spec: MlpSpec::uniform(2, &[4], 2, Activation::Tanh).unwrap(),
        ..wide
    };
    assert!(matches!(
        ode_launch(lv, Some(&wrong), &y0, &p, 0.0, &[1.0], &ok),
        Err(Error::Shape { .. })
    ));
}
