//! NSGA-NODE objectives: genome gradients through the solver against finite differences for
//! every hybrid form, λ = 0 against the physics system bit for bit, NaN genomes, bad input.

use pareto_sciml::nn::{init_genome, Activation, Init, MlpSpec};
use pareto_sciml::node::hybrid::{HybridForm, LotkaVolterraNoInteraction, MlpCorrection, NnInput};
use pareto_sciml::node::{LossWeights, NodeData, NodeProblem};
use pareto_sciml::ode::system::LotkaVolterra;
use pareto_sciml::ode::{solve, GradientOptions, SolveOptions, Status, StepMode};
use pareto_sciml::Error;
use proptest::prelude::*;

const PHYS: [f64; 2] = [1.3, 1.8];

fn lv_data(t_obs: &[f64]) -> NodeData {
    let y0 = vec![0.44249296, 4.6280594];
    let sol = solve(
        &LotkaVolterra,
        &y0,
        &[1.3, 0.9, 0.8, 1.8],
        0.0,
        t_obs,
        &SolveOptions::default(),
    )
    .unwrap();
    NodeData {
        t0: 0.0,
        t1: 1.0,
        y0,
        t_obs: t_obs.to_vec(),
        y_obs: sol.y,
    }
}

fn n_out(form: HybridForm) -> usize {
    match form {
        HybridForm::Additive | HybridForm::Parametric => 2,
        HybridForm::Both => 4,
    }
}

fn problem(
    form: HybridForm,
    input: NnInput,
    lambda: f64,
) -> NodeProblem<LotkaVolterraNoInteraction> {
    let n_in = 2 + usize::from(input == NnInput::StateTime);
    let spec = MlpSpec::uniform(n_in, &[4], n_out(form), Activation::Tanh).unwrap();
    let sys =
        MlpCorrection::with_form(LotkaVolterraNoInteraction, spec, lambda, input, form).unwrap();
    NodeProblem::new(sys, PHYS.to_vec(), lv_data(&[0.25, 0.5, 0.75]))
        .unwrap()
        .with_collocation(&[0.1, 0.6])
        .unwrap()
}

/// Fixed steps: the gradient is the exact derivative of the computed solution, so central
/// differences of the objectives match it to truncation error.
fn fixed_steps<P: pareto_sciml::ode::BatchSystem<f64>>(p: NodeProblem<P>) -> NodeProblem<P> {
    let mut opts = GradientOptions::default();
    opts.solve.steps = StepMode::Fixed(0.02);
    p.with_solve_options(opts)
}

fn check_fd<P: pareto_sciml::ode::BatchSystem<f64>>(
    p: &NodeProblem<P>,
    genome: &[f64],
    w: LossWeights,
) {
    let lg = p.loss_gradient(genome, w).unwrap();
    let loss = |g: &[f64]| {
        let e = p.evaluate_genomes(g).unwrap();
        let s = if p.n_objectives() == 3 { e.f[2] } else { 0.0 };
        e.f[0] + w.physics * e.f[1] + w.smoothness * s
    };
    // The loss the gradient call reports is the objective-weighted sum at the same genome.
    assert!((loss(genome) - lg.loss[0]).abs() <= 1e-14 * lg.loss[0].abs().max(1.0));
    let h = 1e-6;
    let mut worst = 0.0f64;
    for j in 0..genome.len() {
        let (mut a, mut b) = (genome.to_vec(), genome.to_vec());
        a[j] += h;
        b[j] -= h;
        let fd = (loss(&a) - loss(&b)) / (2.0 * h);
        let err = (fd - lg.grad[j]).abs() / fd.abs().max(1e-3);
        worst = worst.max(err);
        assert!(err < 1e-5, "entry {j}: fd {fd} vs adjoint {}", lg.grad[j]);
    }
    assert!(worst.is_finite());
}

#[test]
fn data_gradient_matches_finite_differences_for_each_form() {
    for (form, input) in [
        (HybridForm::Additive, NnInput::State),
        (HybridForm::Parametric, NnInput::State),
        (HybridForm::Both, NnInput::StateTime),
    ] {
        let p = fixed_steps(problem(form, input, 0.7));
        let genome = init_genome(p.system().spec(), Init::TorchDefault, 3, 0);
        let w = LossWeights {
            physics: 0.0,
            smoothness: 0.0,
        };
        check_fd(&p, &genome, w);
    }
}

#[test]
fn full_loss_gradient_matches_finite_differences() {
    for form in [
        HybridForm::Additive,
        HybridForm::Parametric,
        HybridForm::Both,
    ] {
        let p = fixed_steps(problem(form, NnInput::State, 0.7)).with_smoothness(true);
        let genome = init_genome(p.system().spec(), Init::TorchDefault, 5, 1);
        check_fd(
            &p,
            &genome,
            LossWeights {
                physics: 0.3,
                smoothness: 0.05,
            },
        );
    }
}

#[test]
fn trainable_physics_gradient_matches_finite_differences() {
    let p = fixed_steps(problem(HybridForm::Additive, NnInput::State, 0.5))
        .with_trainable_physics(vec![0.0, 0.0], vec![3.0, 3.0])
        .unwrap();
    assert_eq!(p.n_genome(), 2 + p.n_net());
    let mut genome = vec![1.1, 2.0];
    genome.extend(init_genome(p.system().spec(), Init::TorchDefault, 9, 0));
    check_fd(
        &p,
        &genome,
        LossWeights {
            physics: 0.1,
            smoothness: 0.0,
        },
    );
}

#[test]
fn adaptive_gradient_is_close_to_finite_differences_at_tight_tolerance() {
    // With step control the FD quotient also sees step-size changes; at tight tolerances that
    // effect is far below the check.
    let mut opts = GradientOptions::default();
    opts.solve.rtol = 1e-11;
    opts.solve.atol = 1e-13;
    let p = problem(HybridForm::Additive, NnInput::State, 1.0).with_solve_options(opts);
    let genome = init_genome(p.system().spec(), Init::TorchDefault, 1, 0);
    let lg = p
        .loss_gradient(
            &genome,
            LossWeights {
                physics: 0.0,
                smoothness: 0.0,
            },
        )
        .unwrap();
    let h = 1e-5;
    for j in [0, 3, 7, p.n_genome() - 1] {
        let (mut a, mut b) = (genome.clone(), genome.clone());
        a[j] += h;
        b[j] -= h;
        let fa = p.evaluate_genomes(&a).unwrap().f[0];
        let fb = p.evaluate_genomes(&b).unwrap().f[0];
        let fd = (fa - fb) / (2.0 * h);
        assert!(
            (fd - lg.grad[j]).abs() < 1e-6 * fd.abs().max(1.0),
            "{j}: {fd} vs {}",
            lg.grad[j]
        );
    }
}

#[test]
fn lambda_zero_equals_the_physics_system_bit_for_bit() {
    for form in [
        HybridForm::Additive,
        HybridForm::Parametric,
        HybridForm::Both,
    ] {
        let p = problem(form, NnInput::State, 0.0);
        let genome = init_genome(p.system().spec(), Init::TorchDefault, 2, 0);
        let e = p.evaluate_genomes(&genome).unwrap();
        let phys = solve(
            &LotkaVolterraNoInteraction,
            &p.data().y0,
            &PHYS,
            0.0,
            p.grid(),
            &SolveOptions::default(),
        )
        .unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&e.trajectories), bits(&phys.y), "{form:?}");
        assert_eq!(e.f[1].to_bits(), 0f64.to_bits());
        let lg = p
            .loss_gradient(
                &genome,
                LossWeights {
                    physics: 1.0,
                    smoothness: 0.0,
                },
            )
            .unwrap();
        assert!(lg.grad.iter().all(|g| g.to_bits() == 0f64.to_bits()));
    }
}

#[test]
fn a_nan_genome_fails_alone() {
    let p = problem(HybridForm::Additive, NnInput::State, 1.0);
    let ng = p.n_genome();
    let mut x = Vec::new();
    for m in 0..3 {
        x.extend(init_genome(p.system().spec(), Init::TorchDefault, 4, m));
    }
    let alone = p.evaluate_genomes(&x[2 * ng..]).unwrap();
    x[ng + 3] = f64::NAN;
    let e = p.evaluate_genomes(&x).unwrap();
    assert_eq!(e.status[1], Status::NonFinite);
    assert!(e.f[2..4].iter().all(|v| *v == f64::INFINITY));
    assert_eq!(e.g, vec![0.0, 1.0, 0.0]);
    assert_eq!(e.f[4].to_bits(), alone.f[0].to_bits());
    assert_eq!(e.f[5].to_bits(), alone.f[1].to_bits());
    let lg = p
        .loss_gradient(
            &x,
            LossWeights {
                physics: 0.1,
                smoothness: 0.0,
            },
        )
        .unwrap();
    assert_eq!(lg.loss[1], f64::INFINITY);
    assert!(lg.loss[0].is_finite() && lg.loss[2].is_finite());
    assert!(lg.grad[ng..2 * ng].iter().all(|g| g.is_nan()));
    assert!(lg.grad[2 * ng..].iter().all(|g| g.is_finite()));
}

#[test]
fn bad_input_is_a_clear_error() {
    let spec = MlpSpec::uniform(2, &[4], 2, Activation::Tanh).unwrap();
    let sys = || {
        MlpCorrection::new(
            LotkaVolterraNoInteraction,
            spec.clone(),
            1.0,
            NnInput::State,
        )
        .unwrap()
    };
    let data = lv_data(&[0.5, 1.0]);
    // Observation time outside [t0, t1].
    let mut d = data.clone();
    d.t_obs[1] = 1.5;
    assert!(matches!(
        NodeProblem::new(sys(), PHYS.to_vec(), d),
        Err(Error::InvalidConfig { .. })
    ));
    let mut d = data.clone();
    d.t_obs[0] = -0.1;
    assert!(matches!(
        NodeProblem::new(sys(), PHYS.to_vec(), d),
        Err(Error::InvalidConfig { .. })
    ));
    // Not increasing.
    let mut d = data.clone();
    d.t_obs = vec![0.5, 0.5];
    assert!(matches!(
        NodeProblem::new(sys(), PHYS.to_vec(), d),
        Err(Error::InvalidConfig { .. })
    ));
    // Mismatched dimensions.
    let mut d = data.clone();
    d.y0.push(1.0);
    assert!(matches!(
        NodeProblem::new(sys(), PHYS.to_vec(), d),
        Err(Error::Shape { .. })
    ));
    let mut d = data.clone();
    d.y_obs.pop();
    assert!(matches!(
        NodeProblem::new(sys(), PHYS.to_vec(), d),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        NodeProblem::new(sys(), vec![1.3], data.clone()),
        Err(Error::Shape { .. })
    ));
    let wrong_net = MlpSpec::uniform(2, &[4], 3, Activation::Tanh).unwrap();
    assert!(matches!(
        MlpCorrection::new(LotkaVolterraNoInteraction, wrong_net, 1.0, NnInput::State),
        Err(Error::Shape { .. })
    ));
    // Non-finite λ, data, span.
    for lam in [f64::NAN, f64::INFINITY] {
        assert!(matches!(
            MlpCorrection::new(
                LotkaVolterraNoInteraction,
                spec.clone(),
                lam,
                NnInput::State
            ),
            Err(Error::NonFinite { .. })
        ));
    }
    let mut d = data.clone();
    d.y_obs[1] = f64::NAN;
    assert!(matches!(
        NodeProblem::new(sys(), PHYS.to_vec(), d),
        Err(Error::NonFinite { .. })
    ));
    let mut d = data.clone();
    d.t1 = 0.0;
    assert!(matches!(
        NodeProblem::new(sys(), PHYS.to_vec(), d),
        Err(Error::InvalidConfig { .. })
    ));
    let mut d = data.clone();
    d.t_obs.clear();
    d.y_obs.clear();
    assert!(matches!(
        NodeProblem::new(sys(), PHYS.to_vec(), d),
        Err(Error::Empty { .. })
    ));
    // Genome and weight errors.
    let p = NodeProblem::new(sys(), PHYS.to_vec(), data).unwrap();
    assert!(matches!(
        p.evaluate_genomes(&[0.0; 5]),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(p.evaluate_genomes(&[]), Err(Error::Empty { .. })));
    let g = vec![0.0; p.n_genome()];
    assert!(matches!(
        p.loss_gradient(
            &g,
            LossWeights {
                physics: -1.0,
                smoothness: 0.0
            }
        ),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        p.clone().with_collocation(&[2.0]),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        p.clone().with_genome_bound(f64::NAN),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        p.with_trainable_physics(vec![1.0, 1.0], vec![0.0, 2.0]),
        Err(Error::InvalidConfig { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The correction field is what the network adds: zero at λ = 0, and for the additive
    /// form exactly λ·NN at the point.
    #[test]
    fn correction_field_is_the_network_contribution(
        x in 0.1f64..5.0, y in 0.1f64..5.0, seed in 0u64..1000, lam in -2.0f64..2.0,
    ) {
        let p0 = problem(HybridForm::Parametric, NnInput::State, 0.0);
        let g = init_genome(p0.system().spec(), Init::TorchDefault, seed, 0);
        let c0 = p0.correction_field(&g, &[0.3], &[x, y]).unwrap();
        prop_assert!(c0.iter().all(|v| v.to_bits() == 0f64.to_bits()));
        let p = problem(HybridForm::Additive, NnInput::State, lam);
        let c = p.correction_field(&g, &[0.3], &[x, y]).unwrap();
        let net = pareto_sciml::nn::Mlp::new(p.system().spec(), &g).unwrap();
        let o = net.forward(&[x, y]).unwrap();
        for k in 0..2 {
            prop_assert!((c[k] - lam * o[k]).abs() <= 1e-12 * (1.0 + c[k].abs()));
        }
    }

    /// Objectives are non-negative and the physics term scales with λ².
    #[test]
    fn physics_objective_scales_with_lambda_squared(seed in 0u64..1000, lam in 0.05f64..1.0) {
        let mut opts = GradientOptions::default();
        opts.solve.steps = StepMode::Fixed(0.05);
        let p1 = problem(HybridForm::Parametric, NnInput::State, lam).with_solve_options(opts);
        let p2 = problem(HybridForm::Parametric, NnInput::State, 2.0 * lam).with_solve_options(opts);
        let g = init_genome(p1.system().spec(), Init::TorchDefault, seed, 0);
        let (e1, e2) = (p1.evaluate_genomes(&g).unwrap(), p2.evaluate_genomes(&g).unwrap());
        prop_assert!(e1.f.iter().all(|v| *v >= 0.0));
        // Different λ moves the trajectory too, so compare the correction on a fixed point set.
        let c1 = p1.correction_field(&g, &[0.0], &[1.0, 2.0]).unwrap();
        let c2 = p2.correction_field(&g, &[0.0], &[1.0, 2.0]).unwrap();
        prop_assert!(c1.iter().zip(&c2).all(|(a, b)| (2.0 * a - b).abs() <= 1e-12 * (1.0 + b.abs())));
        prop_assert!(e2.f.iter().all(|v| *v >= 0.0));
    }
}

/// A single row (the gradient sweep's case, a scalar row kernel) gives the same bits as the
/// same member inside a batch (MemberMlp's lane blocks), for values and VJPs, every form.
#[test]
fn single_rows_equal_batched_rows_bit_for_bit() {
    use pareto_sciml::ode::BatchSystem;
    for (form, input) in [
        (HybridForm::Additive, NnInput::State),
        (HybridForm::Parametric, NnInput::StateTime),
        (HybridForm::Both, NnInput::State),
    ] {
        let n_in = 2 + usize::from(input == NnInput::StateTime);
        let spec = MlpSpec::uniform(n_in, &[5, 5, 5], n_out(form), Activation::Tanh).unwrap();
        let sys =
            MlpCorrection::with_form(LotkaVolterraNoInteraction, spec.clone(), 0.8, input, form)
                .unwrap();
        let np = BatchSystem::<f64>::n_params(&sys);
        let rows = 5;
        let mut p = Vec::new();
        for m in 0..rows {
            p.extend([1.3 + 0.1 * m as f64, 1.8]);
            p.extend(init_genome(&spec, Init::TorchDefault, 8, m as u64));
        }
        let t: Vec<f64> = (0..rows).map(|m| 0.1 * m as f64).collect();
        let y: Vec<f64> = (0..2 * rows).map(|i| 0.3 + 0.7 * i as f64).collect();
        let v: Vec<f64> = (0..2 * rows).map(|i| 1.0 - 0.3 * i as f64).collect();
        let mut dy = vec![0.0; 2 * rows];
        let (mut gy, mut gp) = (vec![0.0; 2 * rows], vec![0.0; rows * np]);
        sys.rhs(&t, &y, &p, &mut dy);
        sys.vjp(&t, &y, &p, &v, &mut gy, &mut gp);
        for m in 0..rows {
            let (r, pr) = (2 * m..2 * m + 2, m * np..(m + 1) * np);
            let mut d1 = [0.0; 2];
            let (mut gy1, mut gp1) = ([0.0; 2], vec![0.0; np]);
            sys.rhs(&t[m..m + 1], &y[r.clone()], &p[pr.clone()], &mut d1);
            sys.vjp(
                &t[m..m + 1],
                &y[r.clone()],
                &p[pr.clone()],
                &v[r.clone()],
                &mut gy1,
                &mut gp1,
            );
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&d1), bits(&dy[r.clone()]), "{form:?} rhs member {m}");
            assert_eq!(bits(&gy1), bits(&gy[r.clone()]), "{form:?} gy member {m}");
            assert_eq!(bits(&gp1), bits(&gp[pr.clone()]), "{form:?} gp member {m}");
            // f32 forward too.
            let (t32, y32, p32): (Vec<f32>, Vec<f32>, Vec<f32>) = (
                t.iter().map(|&x| x as f32).collect(),
                y.iter().map(|&x| x as f32).collect(),
                p.iter().map(|&x| x as f32).collect(),
            );
            let mut all32 = vec![0f32; 2 * rows];
            sys.rhs(&t32, &y32, &p32, &mut all32);
            let mut one32 = [0f32; 2];
            sys.rhs(
                &t32[m..m + 1],
                &y32[r.clone()],
                &p32[pr.clone()],
                &mut one32,
            );
            assert_eq!(one32[0].to_bits(), all32[2 * m].to_bits());
            assert_eq!(one32[1].to_bits(), all32[2 * m + 1].to_bits());
        }
    }
}
