//! The population NN kernels on a GPU against their CPU twins, bit for bit: jets
//! ([`CudaDevice::mlp_jets`] vs [`Cpu::jets`]), genome gradients of the MSE data loss and the
//! Burgers residual ([`CudaDevice::mlp_loss_grad`] vs [`Cpu::loss_grad`]) and population Adam
//! ([`CudaDevice::adam_step`] vs [`Adam::step`]), in f32 and f64, plus the input errors.
//! Without a driver or a device every test prints `skipped: <reason>` and passes;
//! `tests/cuda_emulation_nn.rs` checks the same kernel sources on the CPU.
//!
//! On a GPU machine: `cargo test --release --features cuda --test cuda_nn` (or
//! `kernels/prepare_gpu_run.sh`, then the device tool).

mod cuda_emulation_nn_common;

use cuda_emulation_nn_common::{assert_same_loss_grad, same_solution, Float};
use pareto_sciml::backend::cpu::Cpu;
use pareto_sciml::backend::cuda::{
    fused_width, lane_shared_bytes, values_width, AdjointComponents, CudaDevice, DeviceLoss,
    DeviceSystem, LossKernel, MlpPlan, VALUES_WIDTHS,
};
use pareto_sciml::backend::Backend;
use pareto_sciml::nn::{
    init_population, Activation, Adam, AdamState, Burgers, Init, JetSpec, MlpSpec,
};
use pareto_sciml::ode::system::LotkaVolterra;
use pareto_sciml::ode::{solve, ControllerConfig, ControllerKind, Method, SolveOptions, StepMode};
use pareto_sciml::Error;

fn gpu() -> Option<CudaDevice> {
    match CudaDevice::new(0) {
        Ok(dev) => Some(dev),
        Err(e) => {
            println!("skipped: {e}");
            None
        }
    }
}

fn nets() -> Vec<(MlpSpec, JetSpec)> {
    vec![
        (
            MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh).unwrap(),
            Burgers::jet(),
        ),
        (
            MlpSpec::new(
                &[3, 7, 5, 2],
                &[Activation::Sin, Activation::Tanh, Activation::Identity],
            )
            .unwrap(),
            JetSpec::full(3).unwrap(),
        ),
        (
            MlpSpec::uniform(1, &[50, 50], 1, Activation::Tanh).unwrap(),
            JetSpec::value(1),
        ),
    ]
}

fn jets_case<T: Float>(dev: &CudaDevice) {
    for (spec, jet) in nets() {
        for (p, n) in [(1, 1), (3, 1025), (5, 333)] {
            let g = T::cast(&init_population(&spec, Init::TorchDefault, 1, p));
            let x = T::points(n * spec.n_in(), 2);
            let want = Cpu::new(0).jets(&spec, &g, &x, &jet).unwrap();
            let got = dev.mlp_jets(&spec, &g, &x, &jet).unwrap();
            assert_eq!(T::bits(&got), T::bits(&want), "{spec:?} P={p} N={n}");
        }
    }
}

fn loss_case<T: Float>(
    dev: &CudaDevice,
    spec: &MlpSpec,
    jet: &JetSpec,
    loss: DeviceLoss,
    p: usize,
    n: usize,
    kernel: LossKernel,
) {
    let g = T::cast(&init_population(spec, Init::TorchDefault, 3, p));
    let x = T::points(n * spec.n_in(), 4);
    let rows = if loss.per_member_aux() { p * n } else { n };
    let aux = T::points(rows * loss.aux_width(spec.n_out()), 5);
    let extra = T::points(p * loss.n_extra(), 6);
    // The CPU twin of each DeviceLoss, through the CPU side of Backend.
    let want = Backend::cpu(Cpu::new(0))
        .loss_grad(spec, &g, &x, &aux, &extra, jet, loss)
        .unwrap();
    let got = dev
        .mlp_loss_grad_with(spec, &g, &x, &aux, &extra, jet, loss, kernel)
        .unwrap();
    let what = format!("{loss:?} {kernel:?} P={p} N={n}");
    assert_same_loss_grad(&got, &want, &what);
}

#[test]
fn jets_match_the_cpu_bitwise() {
    let Some(dev) = gpu() else { return };
    jets_case::<f32>(&dev);
    jets_case::<f64>(&dev);
}

/// The register-resident value kernels (`mlp_values_w*`), through `mlp_jets` with value-only
/// jets and through the resident API (evaluated twice: the same bits).
fn values_case<T: Float>(dev: &CudaDevice) {
    use Activation::{Identity, Sin, Tanh};
    for (k, &w) in VALUES_WIDTHS.iter().enumerate() {
        let acts = [
            [Tanh, Tanh, Identity],
            [Sin, Tanh, Tanh],
            [Tanh, Identity, Sin],
        ][k % 3];
        let spec = MlpSpec::new(&[1 + k % 3, w, w, 1 + (k + 1) % 3], &acts).unwrap();
        assert_eq!(values_width(&spec), Some(w));
        let jet = JetSpec::value(spec.n_in());
        for (p, n) in [(1, 1), (3, 1025), (5, 333)] {
            let g = T::cast(&init_population(&spec, Init::TorchDefault, 3, p));
            let x = T::points(n * spec.n_in(), 4);
            let want = Cpu::new(0).jets(&spec, &g, &x, &jet).unwrap();
            let got = dev.mlp_jets(&spec, &g, &x, &jet).unwrap();
            assert_eq!(T::bits(&got), T::bits(&want), "{spec:?} P={p} N={n}");
            let resident = dev.mlp_values_resident(&spec, &g, &x).unwrap();
            resident.evaluate(dev).unwrap();
            assert_eq!(T::bits(&resident.outputs(dev).unwrap()), T::bits(&want));
        }
    }
}

#[test]
fn value_kernels_match_the_cpu_bitwise() {
    let Some(dev) = gpu() else { return };
    values_case::<f32>(&dev);
    values_case::<f64>(&dev);
}

#[test]
fn gradients_match_the_cpu_bitwise() {
    let Some(dev) = gpu() else { return };
    let burgers = MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh).unwrap();
    for loss in [
        DeviceLoss::Burgers { nu: None },
        DeviceLoss::Burgers {
            nu: Some(0.01 / std::f64::consts::PI),
        },
    ] {
        for (p, n) in [(1, 1), (3, 1024), (4, 2500)] {
            loss_case::<f32>(
                &dev,
                &burgers,
                &Burgers::jet(),
                loss,
                p,
                n,
                LossKernel::Block,
            );
            loss_case::<f64>(
                &dev,
                &burgers,
                &Burgers::jet(),
                loss,
                p,
                n,
                LossKernel::Block,
            );
        }
    }
    let mse = MlpSpec::uniform(3, &[16, 16], 2, Activation::Sin).unwrap();
    loss_case::<f32>(
        &dev,
        &mse,
        &JetSpec::value(3),
        DeviceLoss::Mse,
        7,
        3001,
        LossKernel::Block,
    );
    loss_case::<f64>(
        &dev,
        &mse,
        &JetSpec::first(3),
        DeviceLoss::Mse,
        2,
        1500,
        LossKernel::Block,
    );
    // A lane too large for all of its slots in shared memory: the working slots only (f32),
    // everything in global memory (f64); see `lane_shared_bytes`.
    let wide = MlpSpec::uniform(2, &[112; 3], 1, Activation::Tanh).unwrap();
    let plan = |jet: &JetSpec| MlpPlan::new(&wide, jet, DeviceLoss::Burgers { nu: None }).unwrap();
    assert_eq!(lane_shared_bytes::<f32>(&plan(&Burgers::jet())).1, 1);
    assert_eq!(lane_shared_bytes::<f64>(&plan(&Burgers::jet())).1, 1);
    let full = JetSpec::full(2).unwrap();
    assert_eq!(lane_shared_bytes::<f64>(&plan(&full)).1, 0);
    let loss = DeviceLoss::Burgers { nu: None };
    loss_case::<f32>(
        &dev,
        &wide,
        &Burgers::jet(),
        loss,
        2,
        700,
        LossKernel::Block,
    );
    loss_case::<f64>(
        &dev,
        &wide,
        &Burgers::jet(),
        loss,
        2,
        700,
        LossKernel::Block,
    );
    loss_case::<f64>(&dev, &wide, &full, loss, 1, 300, LossKernel::Block);
    // TFMDWE's pull-back: u and u_xx adjoints per member, around the chunk.
    let tfmdwe = JetSpec::with_pairs(2, vec![(0, 0)]).unwrap();
    let pull = DeviceLoss::Adjoints(AdjointComponents::new(&[0, 3]).unwrap());
    for (p, n) in [(1, 1), (3, 1025), (5, 2100)] {
        loss_case::<f32>(&dev, &burgers, &tfmdwe, pull, p, n, LossKernel::Block);
        loss_case::<f64>(&dev, &burgers, &tfmdwe, pull, p, n, LossKernel::Block);
    }
}

/// The point-parallel accumulator kernel (`LossKernel::Points`) gives the CPU's bits too.
#[test]
fn point_parallel_gradients_match_the_cpu_bitwise() {
    let Some(dev) = gpu() else { return };
    let burgers = MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh).unwrap();
    let tfmdwe = JetSpec::with_pairs(2, vec![(0, 0)]).unwrap();
    let cases = [
        (Burgers::jet(), DeviceLoss::Burgers { nu: None }),
        (
            Burgers::jet(),
            DeviceLoss::Burgers {
                nu: Some(0.01 / std::f64::consts::PI),
            },
        ),
        (
            tfmdwe,
            DeviceLoss::Adjoints(AdjointComponents::new(&[0, 3]).unwrap()),
        ),
        (JetSpec::value(2), DeviceLoss::Mse),
    ];
    for (jet, loss) in cases {
        for (p, n) in [(1, 1), (3, 1025), (4, 2500)] {
            loss_case::<f32>(&dev, &burgers, &jet, loss, p, n, LossKernel::Points);
            loss_case::<f64>(&dev, &burgers, &jet, loss, p, n, LossKernel::Points);
        }
    }
}

/// The fused kernel (`LossKernel::Fused`, the default for these networks in f32) gives the
/// CPU's bits for every loss it serves, across chunk edges and with many (member, chunk)
/// items per block (P = 1100 at N = 1025: 2200 items on a grid of 1024).
#[test]
fn fused_gradients_match_the_cpu_bitwise() {
    let Some(dev) = gpu() else { return };
    let burgers = MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh).unwrap();
    let two_out = MlpSpec::uniform(2, &[20; 3], 2, Activation::Tanh).unwrap();
    let pair01 = JetSpec::with_pairs(2, vec![(0, 1)]).unwrap();
    let cases = [
        (&burgers, Burgers::jet(), DeviceLoss::Burgers { nu: None }),
        (
            &burgers,
            Burgers::jet(),
            DeviceLoss::Burgers {
                nu: Some(0.01 / std::f64::consts::PI),
            },
        ),
        (
            &burgers,
            JetSpec::with_pairs(2, vec![(0, 0)]).unwrap(),
            DeviceLoss::Adjoints(AdjointComponents::new(&[0, 3]).unwrap()),
        ),
        (&two_out, pair01, DeviceLoss::Mse),
    ];
    for (spec, jet, loss) in cases {
        assert!(fused_width(spec, &jet).is_some());
        for (p, n) in [(1, 1), (3, 1025), (4, 2500)] {
            loss_case::<f32>(&dev, spec, &jet, loss, p, n, LossKernel::Fused);
        }
    }
    let jet = Burgers::jet();
    loss_case::<f32>(
        &dev,
        &burgers,
        &jet,
        DeviceLoss::Burgers { nu: None },
        1100,
        1025,
        LossKernel::Fused,
    );
}

#[test]
fn adam_matches_the_cpu_bitwise() {
    let Some(dev) = gpu() else { return };
    for (wd, decoupled) in [(0.0, false), (0.01, false), (0.01, true)] {
        let adam = Adam {
            lr: 1e-3,
            weight_decay: wd,
            decoupled,
            ..Adam::default()
        };
        let (p, n) = (6, 3441);
        let grad = f32::points(p * n, 1);
        let mut params = f32::points(p * n, 2);
        let mut states: Vec<AdamState<f32>> = (0..p).map(|_| adam.state(n)).collect();
        let mut dp = params.clone();
        let mut ds = states.clone();
        for _ in 0..3 {
            dev.adam_step(&adam, &mut dp, &grad, &mut ds).unwrap();
            for (k, s) in states.iter_mut().enumerate() {
                adam.step(
                    &mut params[k * n..(k + 1) * n],
                    &grad[k * n..(k + 1) * n],
                    s,
                )
                .unwrap();
            }
        }
        assert_eq!(f32::bits(&dp), f32::bits(&params));
        assert_eq!(ds, states);
    }
}

#[test]
fn bad_inputs_are_errors() {
    let Some(dev) = gpu() else { return };
    let spec = MlpSpec::uniform(2, &[4], 1, Activation::Tanh).unwrap();
    let g = vec![0.1f32; spec.n_params()];
    let jet = Burgers::jet();
    let nu = DeviceLoss::Burgers { nu: None };
    assert!(matches!(
        dev.mlp_jets::<f32>(&spec, &[], &[0.0, 0.0], &jet),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        dev.mlp_jets(&spec, &g, &[0.0], &jet),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        dev.mlp_jets(&spec, &g, &[0.0, f32::NAN], &jet),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        dev.mlp_loss_grad(&spec, &g, &[0.0, 0.0], &[], &[], &jet, nu),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        dev.mlp_loss_grad(
            &spec,
            &g,
            &[0.0, 0.0],
            &[],
            &[],
            &JetSpec::first(2),
            DeviceLoss::Burgers { nu: Some(0.1) }
        ),
        Err(Error::InvalidConfig { .. })
    ));
    let adam = Adam::default();
    let mut st = vec![adam.state::<f32>(3)];
    assert!(matches!(
        dev.adam_step(&adam, &mut [0.0f32; 4], &[0.0; 4], &mut st),
        Err(Error::Shape { .. })
    ));
    assert_eq!(st[0].t, 0, "a failed step leaves the state alone");
}

#[test]
fn ode_solves_match_the_cpu_bitwise() {
    let Some(dev) = gpu() else { return };
    let n = 10_000;
    let mut y0 = Vec::with_capacity(2 * n);
    let mut p = Vec::with_capacity(4 * n);
    let u = f64::points(6 * n, 8);
    for m in 0..n {
        let r = &u[6 * m..6 * m + 6];
        y0.extend([
            0.44249296 * (1.0 + 0.5 * r[0]),
            4.6280594 * (1.0 + 0.5 * r[1]),
        ]);
        p.extend([
            1.3 * (1.0 + 0.5 * r[2]),
            0.9 * (1.0 + 0.5 * r[3]),
            0.8 * (1.0 + 0.5 * r[4]),
            1.8 * (1.0 + 0.5 * r[5]),
        ]);
    }
    let te: Vec<f64> = (0..31).map(|j| 0.1 * j as f64).collect();
    for method in [Method::Dopri5, Method::Tsit5] {
        for kind in [
            ControllerKind::Integral,
            ControllerKind::Pi {
                pcoeff: 0.2,
                icoeff: 0.7,
            },
        ] {
            let opts = SolveOptions {
                method,
                steps: StepMode::Adaptive(ControllerConfig {
                    kind,
                    ..ControllerConfig::default()
                }),
                threads: 0,
                ..SolveOptions::default()
            };
            let want = solve(&LotkaVolterra, &y0, &p, 0.0, &te, &opts).unwrap();
            let got = dev
                .ode_solve(DeviceSystem::LotkaVolterra, None, &y0, &p, 0.0, &te, &opts)
                .unwrap();
            if let Err(e) = same_solution(&got, &want) {
                panic!("{method:?} {kind:?}: {e}");
            }
        }
    }
    let bad = SolveOptions {
        steps: StepMode::Fixed(0.1),
        ..SolveOptions::default()
    };
    assert!(matches!(
        dev.ode_solve(DeviceSystem::Decay, None, &[1.0], &[1.0], 0.0, &[1.0], &bad),
        Err(Error::InvalidConfig { .. })
    ));
}
