//! PINN problems: genome, ν and α gradients against central finite differences, the exact
//! TFMDWE solution through the training loss, and bad input.

use pareto_sciml::backend::cpu::Cpu;
use pareto_sciml::backend::Backend;
use pareto_sciml::nn::{init_genome, Activation, Init, MlpSpec};
use pareto_sciml::pinn::burgers::{burgers_dataset, BurgersDataConfig, NU_FORWARD_MODEL};
use pareto_sciml::pinn::burgers_problem::BurgersProblem;
use pareto_sciml::pinn::caputo::L1Caputo;
use pareto_sciml::pinn::problem::PinnProblem;
use pareto_sciml::pinn::tfmdwe::{exact_solution, source, tfmdwe_dataset, TfmdweDataConfig};
use pareto_sciml::pinn::tfmdwe_problem::{caputo_residual, TfmdweProblem};
use pareto_sciml::Error;

fn small_burgers() -> pareto_sciml::pinn::dataset::PinnDataset {
    burgers_dataset(&BurgersDataConfig {
        n_initial_boundary: 20,
        n_observations: 40,
        n_collocation: 50,
        noise_level: 0.2,
        seed: 3,
    })
    .unwrap()
}

fn small_tfmdwe(noise: f64) -> pareto_sciml::pinn::tfmdwe::TfmdweDataset {
    tfmdwe_dataset(&TfmdweDataConfig {
        n_initial_boundary: 20,
        n_observations: 30,
        n_space: 6,
        n_time_steps: 8,
        noise_level: 0.2,
        source_noise: noise,
        seed: 5,
        ..Default::default()
    })
    .unwrap()
}

/// Checks the gradient of Σ w_k L_k against central differences for every gene.
fn check_gradient<P: PinnProblem<T = f64>>(problem: &P, spec: &MlpSpec, member: &[f64], w: &[f64]) {
    let cpu = Backend::cpu(Cpu::new(2));
    let e = problem.evaluate(&cpu, spec, member, Some(w)).unwrap();
    let total = |m: &[f64]| -> f64 {
        let t = problem.evaluate(&cpu, spec, m, None).unwrap().terms;
        t.iter().zip(w).map(|(a, b)| a * b).sum()
    };
    let mut worst = 0.0f64;
    for j in 0..member.len() {
        let h = 1e-5 * member[j].abs().max(0.1);
        let (mut up, mut dn) = (member.to_vec(), member.to_vec());
        up[j] += h;
        dn[j] -= h;
        let fd = (total(&up) - total(&dn)) / (2.0 * h);
        // Absolute floor: the round-off of a central difference of an O(1) loss at this h.
        let err = (fd - e.grad[j]).abs() / (1e-4 + fd.abs().max(e.grad[j].abs()));
        assert!(
            err < 2e-5,
            "{}: gene {j}: analytic {} vs FD {fd} (rel {err:.2e})",
            problem.name(),
            e.grad[j]
        );
        worst = worst.max(err);
    }
    eprintln!(
        "{}: worst relative gradient error {worst:.2e}",
        problem.name()
    );
}

fn net() -> MlpSpec {
    MlpSpec::uniform(2, &[5, 4], 1, Activation::Tanh).unwrap()
}

#[test]
fn burgers_forward_gradients_match_finite_differences() {
    let problem = BurgersProblem::<f64>::forward(small_burgers(), NU_FORWARD_MODEL).unwrap();
    let spec = net();
    let member = init_genome(&spec, Init::TorchDefault, 9, 0);
    for w in [
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        [0.7, 1.3, 2.0],
    ] {
        check_gradient(&problem, &spec, &member, &w);
    }
}

#[test]
fn burgers_inverse_gradients_include_the_viscosity() {
    let problem = BurgersProblem::<f64>::inverse(small_burgers(), 1e-4, 1.0).unwrap();
    let spec = net();
    let mut member = init_genome(&spec, Init::TorchDefault, 9, 1);
    member.push(0.05); // ν
    check_gradient(&problem, &spec, &member, &[1.0, 1.0, 1.0]);
    // ν enters only the residual: its gradient from the data term alone is zero.
    let e = problem
        .evaluate(
            &Backend::cpu(Cpu::new(1)),
            &spec,
            &member,
            Some(&[0.0, 0.0, 1.0]),
        )
        .unwrap();
    assert_eq!(e.grad[spec.n_params()].to_bits(), 0.0f64.to_bits());
}

#[test]
fn tfmdwe_forward_gradients_match_finite_differences() {
    let problem = TfmdweProblem::<f64>::forward(small_tfmdwe(0.5)).unwrap();
    let spec = net();
    let member = init_genome(&spec, Init::TorchDefault, 4, 0);
    for w in [[1.0, 0.0, 0.0], [0.5, 1.0, 2.0]] {
        check_gradient(&problem, &spec, &member, &w);
    }
}

#[test]
fn tfmdwe_inverse_gradients_include_alpha() {
    let problem = TfmdweProblem::<f64>::inverse(small_tfmdwe(0.0), 0.05, 0.95).unwrap();
    let spec = net();
    let mut member = init_genome(&spec, Init::TorchDefault, 4, 2);
    member.push(0.3); // α
    check_gradient(&problem, &spec, &member, &[1.0, 1.0, 1.0]);
}

/// The exact solution t³ sin x through the training residual: the loss is the square of the
/// L1 truncation error, which falls like Δt^{2(2−α)} = Δt³ for α = 1/2.
#[test]
fn exact_tfmdwe_solution_has_near_zero_training_residual() {
    let loss_for = |n_steps: usize| {
        let ds = tfmdwe_dataset(&TfmdweDataConfig {
            n_observations: 10,
            n_space: 16,
            n_time_steps: n_steps,
            ..Default::default()
        })
        .unwrap();
        let nx = ds.x.len();
        let mut u = Vec::new();
        let mut uxx = Vec::new();
        for &t in &ds.t_grid {
            for &x in &ds.x {
                u.push(exact_solution(x, t));
                uxx.push(-exact_solution(x, t));
            }
        }
        let via_fn = caputo_residual(&u, &uxx, &ds.source, &ds.caputo, nx).unwrap();
        let problem = TfmdweProblem::<f64>::forward(ds).unwrap();
        let via_problem = problem.residual_of_values(&u, &uxx, None).unwrap();
        assert_eq!(via_fn.loss.to_bits(), via_problem.loss.to_bits());
        via_fn.loss
    };
    let (coarse, fine) = (loss_for(25), loss_for(200));
    eprintln!("exact-solution residual loss: N = 25: {coarse:.3e}, N = 200: {fine:.3e}");
    assert!(fine < 1e-5, "{fine}");
    // Δt ratio 8: expect ≈ 8³ = 512 (order 2 − α in the residual, squared in the loss).
    assert!(coarse / fine > 200.0, "{coarse} / {fine}");
    // A wrong solution is far from zero: the check can fail.
    let ds = small_tfmdwe(0.0);
    let nx = ds.x.len();
    let n = ds.t_grid.len();
    let zeros = vec![0.0; n * nx];
    let r = caputo_residual(&zeros, &zeros, &ds.source, &ds.caputo, nx).unwrap();
    assert!(r.loss > 0.1, "{}", r.loss);
}

#[test]
fn caputo_residual_adjoints_match_finite_differences() {
    let (nx, n) = (3, 6);
    let caputo = L1Caputo::new(0.4, 1.0 / n as f64, n).unwrap();
    let u: Vec<f64> = (0..(n + 1) * nx)
        .map(|i| ((i * 7 % 11) as f64 * 0.13).sin())
        .collect();
    let uxx: Vec<f64> = (0..(n + 1) * nx)
        .map(|i| ((i * 5 % 13) as f64 * 0.1).cos())
        .collect();
    let f: Vec<f64> = (0..n * nx)
        .map(|i| source(0.3 * i as f64, 0.5, 0.4))
        .collect();
    let r = caputo_residual(&u, &uxx, &f, &caputo, nx).unwrap();
    let h = 1e-6;
    for j in 0..u.len() {
        let (mut a, mut b) = (u.clone(), u.clone());
        a[j] += h;
        b[j] -= h;
        let fd = (caputo_residual(&a, &uxx, &f, &caputo, nx).unwrap().loss
            - caputo_residual(&b, &uxx, &f, &caputo, nx).unwrap().loss)
            / (2.0 * h);
        approx::assert_relative_eq!(fd, r.adj_u[j], epsilon = 1e-8, max_relative = 1e-6);
        let (mut a, mut b) = (uxx.clone(), uxx.clone());
        a[j] += h;
        b[j] -= h;
        let fd = (caputo_residual(&u, &a, &f, &caputo, nx).unwrap().loss
            - caputo_residual(&u, &b, &f, &caputo, nx).unwrap().loss)
            / (2.0 * h);
        approx::assert_relative_eq!(fd, r.adj_uxx[j], epsilon = 1e-8, max_relative = 1e-6);
    }
    let ca = L1Caputo::new(0.4 + h, 1.0 / n as f64, n).unwrap();
    let cb = L1Caputo::new(0.4 - h, 1.0 / n as f64, n).unwrap();
    let fd = (caputo_residual(&u, &uxx, &f, &ca, nx).unwrap().loss
        - caputo_residual(&u, &uxx, &f, &cb, nx).unwrap().loss)
        / (2.0 * h);
    approx::assert_relative_eq!(fd, r.dalpha, max_relative = 1e-6);
}

#[test]
fn bad_input_is_rejected() {
    // Negative noise, ν ≤ 0, α outside (0, 1), NaN targets, wrong shapes.
    assert!(burgers_dataset(&BurgersDataConfig {
        noise_level: -0.1,
        n_observations: 10,
        n_collocation: 10,
        ..Default::default()
    })
    .is_err());
    for nu in [0.0, -1e-3, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            BurgersProblem::<f32>::forward(small_burgers(), nu),
            Err(Error::InvalidConfig { .. })
        ));
    }
    assert!(BurgersProblem::<f32>::inverse(small_burgers(), 0.0, 1.0).is_err());
    assert!(BurgersProblem::<f32>::inverse(small_burgers(), 0.5, 0.1).is_err());
    for (lo, hi) in [(0.0, 0.5), (0.2, 1.0), (0.6, 0.4), (f64::NAN, 0.5)] {
        assert!(TfmdweProblem::<f32>::inverse(small_tfmdwe(0.0), lo, hi).is_err());
    }
    assert!(tfmdwe_dataset(&TfmdweDataConfig {
        alpha: 1.2,
        ..Default::default()
    })
    .is_err());
    let mut p = BurgersProblem::<f32>::forward(small_burgers(), NU_FORWARD_MODEL).unwrap();
    let mut t = p.data_targets().to_vec();
    t[3] = f64::NAN;
    assert!(matches!(
        p.set_data_targets(&t),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        p.set_data_targets(&t[1..]),
        Err(Error::Shape { .. })
    ));
    // Empty point sets.
    let mut d = small_burgers();
    d.observations = pareto_sciml::pinn::dataset::PointSet::new(2, Vec::new(), Vec::new()).unwrap();
    assert!(matches!(
        BurgersProblem::<f32>::forward(d, NU_FORWARD_MODEL),
        Err(Error::Empty { .. })
    ));
    let mut d = small_burgers();
    d.collocation.clear();
    assert!(BurgersProblem::<f32>::forward(d, NU_FORWARD_MODEL).is_err());
    // Members of the wrong length, NaN genes, wrong weight count.
    let spec = net();
    let member = vec![0.1f32; spec.n_params() + 1];
    let cpu = Backend::cpu(Cpu::new(1));
    assert!(matches!(
        p.evaluate(&cpu, &spec, &member, None),
        Err(Error::Shape { .. })
    ));
    let mut member = vec![0.1f32; spec.n_params()];
    assert!(p.evaluate(&cpu, &spec, &member, Some(&[1.0, 1.0])).is_err());
    member[2] = f32::NAN;
    assert!(matches!(
        p.evaluate(&cpu, &spec, &member, None),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        p.evaluate(&cpu, &spec, &[], None),
        Err(Error::Empty { .. })
    ));
    let wide = MlpSpec::uniform(3, &[4], 1, Activation::Tanh).unwrap();
    assert!(p
        .evaluate(&cpu, &wide, &vec![0.1f32; wide.n_params()], None)
        .is_err());
}
