//! The fused gradient kernel (`kernels/mlp_loss_fused.cu`) compiled for the CPU through
//! `kernels/emulate/harness_nn.cpp` and compared bit for bit with its CPU twin,
//! [`Cpu::loss_grad`]: every loss it serves (Burgers residual with fixed and trainable ν, the
//! MSE data term, per-member given adjoints), networks of 1, 2 and 8 hidden layers of 20 tanh
//! units with 1–2 outputs, each second-derivative pair, and sizes around the lane width, the
//! kernel's round of 128 points and the chunk of 1024, on grids smaller than and as large as
//! the (member, chunk) items. The device's own run is in `tests/cuda_nn.rs`. Skips with a
//! printed reason when no C++ compiler is found.

mod cuda_emulation_nn_common;

use cuda_emulation_nn_common::{assert_same_loss_grad, emu_loss_fused, harness, Float};
use pareto_sciml::backend::cpu::{Cpu, Isa};
use pareto_sciml::backend::cuda::{fused_width, AdjointComponents, DeviceLoss};
use pareto_sciml::backend::Backend;
use pareto_sciml::nn::{init_population, Activation, Burgers, Init, JetSpec, MlpSpec};

fn fused_case(spec: &MlpSpec, jet: &JetSpec, loss: DeviceLoss, p: usize, n: usize, seed: u64) {
    assert_eq!(
        fused_width(spec, jet),
        Some(20),
        "{spec:?} must take the fused kernel"
    );
    let genomes: Vec<f32> = f32::cast(&init_population(spec, Init::TorchDefault, seed, p));
    let x: Vec<f32> = f32::points(n * spec.n_in(), seed);
    let rows = if loss.per_member_aux() { p * n } else { n };
    let aux: Vec<f32> = f32::points(rows * loss.aux_width(spec.n_out()), seed ^ 7);
    let extra: Vec<f32> = f32::points(p * loss.n_extra(), seed ^ 9);
    let cpu = Cpu::new(2).with_isa(Isa::Scalar);
    let want = Backend::cpu(cpu)
        .loss_grad(spec, &genomes, &x, &aux, &extra, jet, loss)
        .unwrap();
    let items = p * n.div_ceil(1024);
    for grid in [1, items] {
        let got = emu_loss_fused(spec, jet, loss, &genomes, &x, &aux, &extra, grid);
        let what = format!("grid {grid}: {:?} {loss:?} P={p} N={n}", spec.widths());
        assert_same_loss_grad(&got, &want, &what);
    }
}

#[test]
fn fused_burgers_gradients_are_bit_identical_to_the_cpu() {
    if harness().is_none() {
        return;
    }
    let pinn = MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh).unwrap();
    let jet = Burgers::jet();
    let fixed = DeviceLoss::Burgers {
        nu: Some(0.01 / std::f64::consts::PI),
    };
    fused_case(&pinn, &jet, DeviceLoss::Burgers { nu: None }, 2, 300, 11);
    fused_case(&pinn, &jet, fixed, 1, 129, 12);
    // Lane, round and chunk edges on a shallow network.
    let shallow = MlpSpec::uniform(2, &[20; 2], 1, Activation::Tanh).unwrap();
    for n in [1, 7, 9, 127, 128, 1023, 1025, 2100] {
        fused_case(
            &shallow,
            &jet,
            DeviceLoss::Burgers { nu: None },
            2,
            n,
            n as u64,
        );
    }
    // One hidden layer: no hidden-to-hidden weights.
    let single = MlpSpec::uniform(2, &[20], 1, Activation::Tanh).unwrap();
    fused_case(&single, &jet, fixed, 3, 50, 5);
}

#[test]
fn fused_kernel_serves_every_loss_and_pair() {
    if harness().is_none() {
        return;
    }
    let two_out = MlpSpec::uniform(2, &[20; 3], 2, Activation::Tanh).unwrap();
    let one_out = MlpSpec::uniform(2, &[20; 3], 1, Activation::Tanh).unwrap();
    for pair in [(0, 0), (0, 1), (1, 1)] {
        let jet = JetSpec::with_pairs(2, vec![pair]).unwrap();
        fused_case(&two_out, &jet, DeviceLoss::Mse, 2, 140, 3);
        let components = AdjointComponents::new(&[0, 1, 3]).unwrap();
        fused_case(&one_out, &jet, DeviceLoss::Adjoints(components), 2, 70, 4);
    }
}
