//! Hybrid neural ODE systems (`ode::hybrid::MlpCorrection`, forms 1–3): λ = 0 is the physics system bit for
//! bit, the VJPs match central differences (state and state+time inputs), the network's
//! scalar twin gives the same solve bits as its AVX2 path, a NaN genome fails only its own
//! member, the solver gradient matches finite differences, the solver's tiled genome copy
//! gives the bits of plain genome rows through compaction, and bad construction errors.

use pareto_sciml::backend::cpu::{Cpu, Isa};
use pareto_sciml::nn::{Activation, MlpSpec};
use pareto_sciml::ode::hybrid::{HybridForm, MlpCorrection, NnInput};
use pareto_sciml::ode::system::{LotkaVolterra, Oscillator};
use pareto_sciml::ode::{
    gradient, solve, BatchSystem, GradientOptions, SimdMode, SolveOptions, Status,
};
use pareto_sciml::{rng, Error};

fn spec(n_in: usize) -> MlpSpec {
    MlpSpec::uniform(n_in, &[8, 8], 2, Activation::Tanh).unwrap()
}

/// `members` rows of `[ω, ζ, θ]` with small random genomes.
fn params(sys: &MlpCorrection<Oscillator>, members: usize, seed: u64) -> Vec<f64> {
    let np = BatchSystem::<f64>::n_params(sys);
    let mut r = rng::stream(seed, "ode_hybrid_test", 0, 0);
    let mut p = Vec::with_capacity(members * np);
    for m in 0..members {
        p.push(1.0 + 0.1 * m as f64);
        p.push(0.1);
        p.extend((2..np).map(|_| 0.3 * (2.0 * r.uniform_f64() - 1.0)));
    }
    p
}

fn t_eval() -> Vec<f64> {
    (1..=20).map(|j| 0.25 * j as f64).collect()
}

#[test]
fn lambda_zero_is_the_physics_system_bit_for_bit() {
    let sys = MlpCorrection::new(Oscillator, spec(2), 0.0, NnInput::State).unwrap();
    let members = 6;
    let p = params(&sys, members, 1);
    let np = BatchSystem::<f64>::n_params(&sys);
    let phys: Vec<f64> = (0..members)
        .flat_map(|m| [p[m * np], p[m * np + 1]])
        .collect();
    let y0: Vec<f64> = (0..members).flat_map(|m| [1.0, 0.1 * m as f64]).collect();
    let o = SolveOptions::default();
    let a = solve(&sys, &y0, &p, 0.0, &t_eval(), &o).unwrap();
    let b = solve(&Oscillator, &y0, &phys, 0.0, &t_eval(), &o).unwrap();
    assert!(a
        .y
        .iter()
        .zip(&b.y)
        .all(|(x, y)| x.to_bits() == y.to_bits()));
    assert_eq!(a.stats, b.stats);
}

fn check_vjp(sys: &MlpCorrection<Oscillator>, rows: usize) {
    let (d, np) = (2, BatchSystem::<f64>::n_params(sys));
    let p = params(sys, rows, 2);
    let t: Vec<f64> = (0..rows).map(|i| 0.3 + 0.2 * i as f64).collect();
    let y: Vec<f64> = (0..rows * d).map(|i| (0.7 * i as f64).sin()).collect();
    let v: Vec<f64> = (0..rows * d).map(|i| 0.9 - 0.3 * i as f64).collect();
    let (mut gy, mut gp) = (vec![0.0; rows * d], vec![0.0; rows * np]);
    sys.vjp(&t, &y, &p, &v, &mut gy, &mut gp);
    let f = |y: &[f64], p: &[f64]| {
        let mut o = vec![0.0; rows * d];
        sys.rhs(&t, y, p, &mut o);
        o.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>()
    };
    let e = 1e-6;
    for j in 0..y.len() {
        let (mut a, mut b) = (y.clone(), y.clone());
        a[j] += e;
        b[j] -= e;
        let fd = (f(&a, &p) - f(&b, &p)) / (2.0 * e);
        assert!((fd - gy[j]).abs() < 1e-7, "gy[{j}] {fd} vs {}", gy[j]);
    }
    for j in 0..p.len() {
        let (mut a, mut b) = (p.clone(), p.clone());
        a[j] += e;
        b[j] -= e;
        let fd = (f(&y, &a) - f(&y, &b)) / (2.0 * e);
        assert!((fd - gp[j]).abs() < 1e-7, "gp[{j}] {fd} vs {}", gp[j]);
    }
}

#[test]
fn vjps_match_central_differences() {
    check_vjp(
        &MlpCorrection::new(Oscillator, spec(2), 0.7, NnInput::State).unwrap(),
        5,
    );
    check_vjp(
        &MlpCorrection::new(Oscillator, spec(3), -1.3, NnInput::StateTime).unwrap(),
        3,
    );
    check_vjp(
        &MlpCorrection::new(Oscillator, spec(2), 0.0, NnInput::State).unwrap(),
        2,
    );
}

#[test]
fn scalar_twin_and_thread_count_give_the_same_solve_bits() {
    let sys = MlpCorrection::new(Oscillator, spec(3), 1.0, NnInput::StateTime).unwrap();
    let scalar = sys.clone().with_cpu(Cpu::new(1).with_isa(Isa::Scalar));
    let members = 11;
    let p = params(&sys, members, 3);
    let y0: Vec<f64> = (0..members).flat_map(|m| [1.0, -0.05 * m as f64]).collect();
    let auto = SolveOptions {
        threads: 2,
        ..Default::default()
    };
    let plain = SolveOptions {
        simd: SimdMode::Scalar,
        ..Default::default()
    };
    let a = solve(&sys, &y0, &p, 0.0, &t_eval(), &auto).unwrap();
    let b = solve(&scalar, &y0, &p, 0.0, &t_eval(), &plain).unwrap();
    assert!(a.status.iter().all(|s| *s == Status::Success));
    assert!(a
        .y
        .iter()
        .zip(&b.y)
        .all(|(x, y)| x.to_bits() == y.to_bits()));
    assert_eq!(a.stats, b.stats);
    // f32 as well.
    let pf: Vec<f32> = p.iter().map(|&x| x as f32).collect();
    let yf: Vec<f32> = y0.iter().map(|&x| x as f32).collect();
    let tf: Vec<f32> = t_eval().iter().map(|&x| x as f32).collect();
    let a = solve(&sys, &yf, &pf, 0.0, &tf, &auto).unwrap();
    let b = solve(&scalar, &yf, &pf, 0.0, &tf, &plain).unwrap();
    assert!(a
        .y
        .iter()
        .zip(&b.y)
        .all(|(x, y)| x.to_bits() == y.to_bits()));
}

/// The same system without [`BatchSystem::param_columns`]: the solver passes genome rows only.
struct RowsOnly<S>(S);

impl<T: pareto_sciml::ode::Real, S: BatchSystem<T>> BatchSystem<T> for RowsOnly<S> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn n_params(&self) -> usize {
        self.0.n_params()
    }
    fn rhs(&self, t: &[T], y: &[T], p: &[T], dy: &mut [T]) {
        self.0.rhs(t, y, p, dy)
    }
    fn vjp(&self, t: &[T], y: &[T], p: &[T], v: &[T], gy: &mut [T], gp: &mut [T]) {
        self.0.vjp(t, y, p, v, gy, gp)
    }
}

/// The solver keeps the genomes in tiles (`param_columns`) and moves them as members finish
/// at different steps or fail; the solve must equal the one from genome rows bit for bit,
/// on every path and thread count, in f64 and f32.
#[test]
fn tiled_genome_copy_gives_the_bits_of_genome_rows() {
    let sys = MlpCorrection::new(Oscillator, spec(3), 1.0, NnInput::StateTime).unwrap();
    assert_eq!(
        BatchSystem::<f64>::param_columns(&sys),
        Some(2..BatchSystem::<f64>::n_params(&sys))
    );
    let members = 37;
    let np = BatchSystem::<f64>::n_params(&sys);
    let mut p = params(&sys, members, 7);
    for m in 0..members {
        p[m * np] = 0.5 + 0.25 * (m % 9) as f64; // ω: different step counts per member
    }
    p[5 * np + 9] = f64::NAN; // fails at its first step
    p[20 * np + 4] = 1e3; // stiff: many more steps
    let y0: Vec<f64> = (0..members).flat_map(|m| [1.0, 0.02 * m as f64]).collect();
    let scalar = SolveOptions {
        simd: SimdMode::Scalar,
        ..Default::default()
    };
    for o in [
        SolveOptions::default(),
        SolveOptions {
            threads: 2,
            ..Default::default()
        },
        scalar,
    ] {
        let a = solve(&sys, &y0, &p, 0.0, &t_eval(), &o).unwrap();
        let b = solve(&RowsOnly(sys.clone()), &y0, &p, 0.0, &t_eval(), &o).unwrap();
        assert_eq!(a.status, b.status);
        // Debug text: the failed member's NaN step compares unequal to itself.
        assert_eq!(format!("{:?}", a.stats), format!("{:?}", b.stats));
        assert!(a
            .y
            .iter()
            .zip(&b.y)
            .all(|(x, y)| x.to_bits() == y.to_bits()));
        assert_eq!(a.status[5], Status::NonFinite);
        let steps: Vec<u32> = a.stats.iter().map(|s| s.accepted + s.rejected).collect();
        assert!(
            steps.iter().any(|&s| s != steps[0]),
            "members must finish at different steps"
        );
        let pf: Vec<f32> = p.iter().map(|&x| x as f32).collect();
        let yf: Vec<f32> = y0.iter().map(|&x| x as f32).collect();
        let tf: Vec<f32> = t_eval().iter().map(|&x| x as f32).collect();
        let a = solve(&sys, &yf, &pf, 0.0, &tf, &o).unwrap();
        let b = solve(&RowsOnly(sys.clone()), &yf, &pf, 0.0, &tf, &o).unwrap();
        assert_eq!(a.status, b.status);
        assert!(a
            .y
            .iter()
            .zip(&b.y)
            .all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}

#[test]
fn a_nan_genome_fails_only_its_member() {
    let sys = MlpCorrection::new(Oscillator, spec(2), 1.0, NnInput::State).unwrap();
    let members = 5;
    let np = BatchSystem::<f64>::n_params(&sys);
    let p = params(&sys, members, 4);
    let mut bad = p.clone();
    bad[2 * np + 10] = f64::NAN;
    let y0 = [1.0, 0.0].repeat(members);
    let o = SolveOptions::default();
    let a = solve(&sys, &y0, &p, 0.0, &t_eval(), &o).unwrap();
    let b = solve(&sys, &y0, &bad, 0.0, &t_eval(), &o).unwrap();
    assert_eq!(b.status[2], Status::NonFinite);
    let n = 2 * t_eval().len();
    for m in [0, 1, 3, 4] {
        assert_eq!(b.status[m], Status::Success);
        let (x, y) = (&a.y[m * n..(m + 1) * n], &b.y[m * n..(m + 1) * n]);
        assert!(x.iter().zip(y).all(|(u, v)| u.to_bits() == v.to_bits()));
    }
}

#[test]
fn solver_gradient_through_the_network_matches_finite_differences() {
    let sys = MlpCorrection::new(Oscillator, spec(2), 0.5, NnInput::State).unwrap();
    let members = 2;
    let np = BatchSystem::<f64>::n_params(&sys);
    let p = params(&sys, members, 5);
    let y0 = vec![1.0, 0.0, 0.5, 0.5];
    let te = [0.5, 1.0, 2.0];
    // Loss: sum of squares of the trajectory; fixed steps so finite differences see the same
    // discretisation as the reverse pass.
    let opts = GradientOptions {
        solve: SolveOptions {
            steps: pareto_sciml::ode::StepMode::Fixed(0.05),
            ..Default::default()
        },
        ..Default::default()
    };
    let loss = |_m: usize, y: &[f64], g: &mut [f64]| {
        for (gi, yi) in g.iter_mut().zip(y) {
            *gi = 2.0 * yi;
        }
        y.iter().map(|v| v * v).sum()
    };
    let gr = gradient(&sys, &y0, &p, 0.0, &te, &opts, loss).unwrap();
    let value = |p: &[f64]| -> f64 {
        let s = solve(&sys, &y0, p, 0.0, &te, &opts.solve).unwrap();
        s.y[..te.len() * 2].iter().map(|v| v * v).sum()
    };
    let e = 1e-6;
    for j in [0, 1, 2, 20, 50, np - 1] {
        let (mut a, mut b) = (p.clone(), p.clone());
        a[j] += e;
        b[j] -= e;
        let fd = (value(&a) - value(&b)) / (2.0 * e);
        let got = gr.d_params[j];
        assert!(
            (fd - got).abs() < 1e-6 * (1.0 + fd.abs()),
            "param {j}: {fd} vs {got}"
        );
    }
}

#[test]
fn bad_construction_is_an_error() {
    let wrong_out = MlpSpec::uniform(2, &[4], 3, Activation::Tanh).unwrap();
    assert!(matches!(
        MlpCorrection::new(Oscillator, wrong_out, 1.0, NnInput::State),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        MlpCorrection::new(Oscillator, spec(2), 1.0, NnInput::StateTime),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        MlpCorrection::new(LotkaVolterra, spec(2), f64::NAN, NnInput::State),
        Err(Error::NonFinite { .. })
    ));
}

fn form(form: HybridForm, lambda: f64) -> MlpCorrection<Oscillator> {
    let n_out = match form {
        HybridForm::Additive => 2,
        HybridForm::Parametric => 2,
        HybridForm::Both => 4,
    };
    let spec = MlpSpec::uniform(2, &[8, 8], n_out, Activation::Tanh).unwrap();
    MlpCorrection::with_form(Oscillator, spec, lambda, NnInput::State, form).unwrap()
}

#[test]
fn parametric_and_combined_forms_have_exact_vjps() {
    check_vjp(&form(HybridForm::Parametric, 0.7), 4);
    check_vjp(&form(HybridForm::Both, -0.4), 3);
    check_vjp(&form(HybridForm::Parametric, 0.0), 2);
}

#[test]
fn a_constant_parameter_network_shifts_the_physics_parameters_exactly() {
    // Zero weights and hidden biases: NN ≡ its output bias b, so form (2) is the physics
    // system with p + λ·b (one fused multiply-add, as the system computes it).
    let sys = form(HybridForm::Parametric, 0.5);
    let np = BatchSystem::<f64>::n_params(&sys);
    let members = 3;
    let mut p = vec![0.0; members * np];
    let mut shifted = Vec::new();
    for m in 0..members {
        let row = &mut p[m * np..(m + 1) * np];
        row[0] = 1.0 + 0.2 * m as f64;
        row[1] = 0.05;
        row[np - 2] = 0.3;
        row[np - 1] = -0.02 * m as f64;
        shifted.push(0.5f64.mul_add(row[np - 2], row[0]));
        shifted.push(0.5f64.mul_add(row[np - 1], row[1]));
    }
    let y0: Vec<f64> = (0..members).flat_map(|m| [1.0, 0.1 * m as f64]).collect();
    let o = SolveOptions::default();
    let a = solve(&sys, &y0, &p, 0.0, &t_eval(), &o).unwrap();
    let b = solve(&Oscillator, &y0, &shifted, 0.0, &t_eval(), &o).unwrap();
    assert!(a
        .y
        .iter()
        .zip(&b.y)
        .all(|(x, y)| x.to_bits() == y.to_bits()));
}

#[test]
fn output_width_must_match_the_form() {
    let spec2 = MlpSpec::uniform(2, &[4], 2, Activation::Tanh).unwrap();
    assert!(matches!(
        MlpCorrection::with_form(Oscillator, spec2, 1.0, NnInput::State, HybridForm::Both),
        Err(Error::Shape { .. })
    ));
    let spec3 = MlpSpec::uniform(2, &[4], 3, Activation::Tanh).unwrap();
    assert!(MlpCorrection::with_form(
        Oscillator,
        spec3,
        1.0,
        NnInput::State,
        HybridForm::Parametric
    )
    .is_err());
}
