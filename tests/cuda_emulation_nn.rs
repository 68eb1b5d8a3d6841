//! The population NN kernels (`kernels/mlp_population.cu`, `kernels/adam.cu`) compiled for
//! the CPU through `kernels/emulate/harness_nn.cpp` and compared bit for bit with their CPU
//! twins: [`Cpu::jets`], [`Cpu::loss_grad`] (MSE data loss, Burgers residual with fixed and
//! trainable ν) and [`Adam::step`], in f32 and f64, on random networks (tanh, sin and identity
//! layers, 1–4 inputs, every kind of jet) and on the sizes around the lane width and the
//! chunk of 1024 points where the reduction tree changes shape.
//!
//! This proves that the CUDA sources do the CPU's operations in the CPU's order, including the
//! lane and chunk reduction tree of the gradients; the device's own rounding of those
//! operations (IEEE `.rn` in PTX) is checked on a GPU by `tests/cuda_nn.rs`. Skips with a
//! printed reason when no C++ compiler is found.

mod cuda_emulation_nn_common;

use cuda_emulation_nn_common::{
    assert_same_loss_grad, emu_adam, emu_jets, emu_jets_threads, emu_loss, emu_loss_block,
    emu_loss_points, emu_values, harness, net, Float,
};
use pareto_sciml::backend::cpu::{Cpu, Isa};
use pareto_sciml::backend::cuda::{
    values_width, AdjointComponents, DeviceLoss, LOSS_BLOCK, VALUES_WIDTHS,
};
use pareto_sciml::backend::Backend;
use pareto_sciml::nn::{
    init_population, Activation, Adam, AdamState, Burgers, Init, JetSpec, MlpSpec, ResidualLoss,
};
use proptest::prelude::*;

fn jets_case<T: Float>(spec: &MlpSpec, jet: &JetSpec, p: usize, n: usize, seed: u64) {
    let genomes: Vec<T> = T::cast(&init_population(spec, Init::TorchDefault, seed, p));
    let x: Vec<T> = T::points(n * spec.n_in(), seed);
    let want = Cpu::new(1).jets(spec, &genomes, &x, jet).unwrap();
    let got = emu_jets(spec, jet, &genomes, &x);
    assert_eq!(
        T::bits(&got),
        T::bits(&want),
        "{spec:?} {jet:?} P={p} N={n}"
    );
}

/// The register-resident value kernels (`kernels/mlp_values.cu`, the value-only path of
/// `CudaDevice::mlp_jets`) against `Cpu::jets` with value-only jets.
fn values_case<T: Float>(spec: &MlpSpec, p: usize, n: usize, seed: u64) {
    let genomes: Vec<T> = T::cast(&init_population(spec, Init::TorchDefault, seed, p));
    let x: Vec<T> = T::points(n * spec.n_in(), seed);
    let jet = JetSpec::value(spec.n_in());
    let want = Cpu::new(1).jets(spec, &genomes, &x, &jet).unwrap();
    let got = emu_values(spec, &genomes, &x);
    assert_eq!(T::bits(&got), T::bits(&want), "{spec:?} P={p} N={n}");
}

#[test]
fn value_kernels_are_bit_identical_to_the_cpu() {
    if harness().is_none() {
        return;
    }
    use Activation::{Identity, Sin, Tanh};
    for (k, &w) in VALUES_WIDTHS.iter().enumerate() {
        // One to three hidden layers, every activation in some layer, 1–3 inputs and outputs;
        // N around the block's 128·R points (a partial last block and a single point).
        let hidden = 1 + k % 3;
        let mut widths = vec![1 + k % 3];
        widths.extend(std::iter::repeat_n(w, hidden));
        widths.push(1 + (k + 1) % 3);
        let acts: Vec<Activation> = (0..=hidden)
            .map(|l| [Tanh, Sin, Identity][(l + k) % 3])
            .collect();
        let spec = MlpSpec::new(&widths, &acts).unwrap();
        assert_eq!(values_width(&spec), Some(w));
        for (p, n, seed) in [(3, 300, 1), (2, 1, 2), (1, 513, 3)] {
            values_case::<f32>(&spec, p, n, seed + k as u64);
            values_case::<f64>(&spec, p, n, seed + k as u64);
        }
    }
    // The Burgers network of the benchmarks.
    let burgers = MlpSpec::uniform(2, &[20; 8], 1, Tanh).unwrap();
    values_case::<f32>(&burgers, 2, 1000, 9);
    values_case::<f64>(&burgers, 2, 300, 9);
}

fn loss_case<T: Float>(
    spec: &MlpSpec,
    jet: &JetSpec,
    loss: DeviceLoss,
    p: usize,
    n: usize,
    seed: u64,
) {
    let genomes: Vec<T> = T::cast(&init_population(spec, Init::TorchDefault, seed, p));
    let x: Vec<T> = T::points(n * spec.n_in(), seed);
    let rows = if loss.per_member_aux() { p * n } else { n };
    let aux: Vec<T> = T::points(rows * loss.aux_width(spec.n_out()), seed ^ 7);
    let extra: Vec<T> = T::points(p * loss.n_extra(), seed ^ 9);
    // The CPU twin of each DeviceLoss, through the CPU side of Backend.
    let cpu = Cpu::new(2).with_isa(Isa::Scalar);
    let want = Backend::cpu(cpu)
        .loss_grad(spec, &genomes, &x, &aux, &extra, jet, loss)
        .unwrap();
    let got = emu_loss(spec, jet, loss, &genomes, &x, &aux, &extra);
    // The point-parallel kernel: a block smaller than, and one larger than, the lane's points.
    for block in [2, 5] {
        let pts = emu_loss_points(spec, jet, loss, &genomes, &x, &aux, &extra, block);
        let what = format!("points kernel, block {block}: {spec:?} {loss:?} P={p} N={n}");
        assert_same_loss_grad(&pts, &want, &what);
    }
    let what = format!("{spec:?} {loss:?} P={p} N={n}");
    assert_same_loss_grad(&got, &want, &what);
}

fn jets_strategy() -> impl Strategy<Value = (MlpSpec, JetSpec, usize, usize, u64)> {
    (
        net(1..=4, 1..=2),
        0usize..4,
        1usize..=3,
        1usize..=40,
        any::<u64>(),
    )
        .prop_map(|(spec, kind, p, n, seed)| {
            let d = spec.n_in();
            let jet = match kind {
                0 => JetSpec::value(d),
                1 => JetSpec::first(d),
                2 => JetSpec::full(d).unwrap(),
                _ => JetSpec::with_pairs(d, vec![(0, d - 1)]).unwrap(),
            };
            (spec, jet, p, n, seed)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn jets_are_bit_identical_to_the_cpu((spec, jet, p, n, seed) in jets_strategy()) {
        if harness().is_none() { return Ok(()); }
        jets_case::<f32>(&spec, &jet, p, n, seed);
        jets_case::<f64>(&spec, &jet, p, n, seed);
    }

    #[test]
    fn mse_gradients_are_bit_identical_to_the_cpu(
        (spec, kind, p, n, seed) in (net(1..=4, 1..=2), 0usize..3, 1usize..=3, 1usize..=40, any::<u64>())
    ) {
        if harness().is_none() { return Ok(()); }
        let d = spec.n_in();
        let jet = [JetSpec::value(d), JetSpec::first(d), JetSpec::full(d).unwrap()][kind].clone();
        loss_case::<f32>(&spec, &jet, DeviceLoss::Mse, p, n, seed);
        loss_case::<f64>(&spec, &jet, DeviceLoss::Mse, p, n, seed);
    }

    #[test]
    fn burgers_gradients_are_bit_identical_to_the_cpu(
        (spec, full, trainable, p, n, seed) in
            (net(2..=2, 1..=1), any::<bool>(), any::<bool>(), 1usize..=3, 1usize..=40, any::<u64>())
    ) {
        if harness().is_none() { return Ok(()); }
        let jet = if full { JetSpec::full(2).unwrap() } else { Burgers::jet() };
        let loss = DeviceLoss::Burgers { nu: if trainable { None } else { Some(0.01 / std::f64::consts::PI) } };
        loss_case::<f32>(&spec, &jet, loss, p, n, seed);
        loss_case::<f64>(&spec, &jet, loss, p, n, seed);
    }

    /// Per-member adjoints pulled back through any jet that carries their components
    /// (TFMDWE's u and u_xx, and random component lists).
    #[test]
    fn adjoint_gradients_are_bit_identical_to_the_cpu(
        (spec, kind, picks, p, n, seed) in
            (net(1..=3, 1..=1), 0usize..3, prop::collection::vec(any::<u8>(), 1..=4), 1usize..=3, 1usize..=40, any::<u64>())
    ) {
        if harness().is_none() { return Ok(()); }
        let d = spec.n_in();
        let jet = [JetSpec::value(d), JetSpec::first(d), JetSpec::with_pairs(d, vec![(0, 0)]).unwrap()][kind].clone();
        let components: Vec<usize> = picks.iter().map(|&c| c as usize % jet.n_comp()).collect();
        let loss = DeviceLoss::Adjoints(AdjointComponents::new(&components).unwrap());
        loss_case::<f32>(&spec, &jet, loss, p, n, seed);
        loss_case::<f64>(&spec, &jet, loss, p, n, seed);
    }
}

/// Sizes one below, at and one above the lane widths (4, 8) and the chunk (1024), and two
/// chunks plus a tail: where the padding weights and the chunk sums change.
#[test]
fn gradients_do_not_depend_on_the_block_size_or_the_working_memory() {
    if harness().is_none() {
        return;
    }
    // Every (unit, component) sum, activation and accumulator is one thread's sequence of
    // operations, whichever thread: the host's block, one thread, and sizes that split a
    // layer unevenly give the CPU's bits.
    let spec = MlpSpec::uniform(2, &[6, 5], 1, Activation::Tanh).unwrap();
    let jet = Burgers::jet();
    let loss = DeviceLoss::Burgers { nu: None };
    let (p, n) = (2, 40);
    let genomes: Vec<f32> = f32::cast(&init_population(&spec, Init::TorchDefault, 4, p));
    let x: Vec<f32> = f32::points(n * spec.n_in(), 4);
    let extra: Vec<f32> = f32::points(p, 5);
    let want = emu_loss_block(&spec, &jet, loss, &genomes, &x, &[], &extra, 1, 0);
    let cpu = Cpu::new(1).with_isa(Isa::Scalar);
    let got_cpu = cpu
        .loss_grad(
            &spec,
            &genomes,
            &x,
            &[],
            &extra,
            &jet,
            &ResidualLoss(Burgers { nu: None }),
        )
        .unwrap();
    assert_eq!(f32::bits(&want.grad), f32::bits(&got_cpu.grad));
    // Every placement of the lane's slots (all shared: the host's choice when they fit).
    for (block, shared) in [
        (2, 2),
        (7, 1),
        (LOSS_BLOCK, 2),
        (LOSS_BLOCK, 1),
        (LOSS_BLOCK, 0),
    ] {
        let got = emu_loss_block(&spec, &jet, loss, &genomes, &x, &[], &extra, block, shared);
        assert_same_loss_grad(&got, &want, &format!("block {block} {shared}"));
    }
}

#[test]
fn gradients_match_at_lane_and_chunk_edges() {
    if harness().is_none() {
        return;
    }
    let spec = MlpSpec::uniform(2, &[6, 5], 1, Activation::Tanh).unwrap();
    let jet = Burgers::jet();
    for n in [1, 3, 4, 5, 7, 8, 9, 1023, 1024, 1025, 2100] {
        loss_case::<f32>(
            &spec,
            &jet,
            DeviceLoss::Burgers { nu: None },
            2,
            n,
            n as u64,
        );
        loss_case::<f64>(
            &spec,
            &jet,
            DeviceLoss::Burgers { nu: None },
            2,
            n,
            n as u64,
        );
    }
    let two = MlpSpec::uniform(3, &[4], 2, Activation::Sin).unwrap();
    for n in [1023, 1025] {
        loss_case::<f32>(&two, &JetSpec::value(3), DeviceLoss::Mse, 3, n, 5);
        jets_case::<f32>(&two, &JetSpec::full(3).unwrap(), 2, n, 5);
    }
}

/// The Burgers PINN of the reproductions (8 hidden layers of 20 tanh units), trainable ν.
#[test]
fn burgers_pinn_gradient_is_bit_identical() {
    if harness().is_none() {
        return;
    }
    let spec = MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh).unwrap();
    loss_case::<f32>(
        &spec,
        &Burgers::jet(),
        DeviceLoss::Burgers { nu: None },
        2,
        300,
        11,
    );
    loss_case::<f64>(
        &spec,
        &Burgers::jet(),
        DeviceLoss::Burgers { nu: None },
        1,
        130,
        12,
    );
}

fn adam_case<T: Float>(adam: &Adam, p: usize, n: usize, seed: u64) {
    let mut params: Vec<T> = T::points(p * n, seed);
    let grad: Vec<T> = T::points(p * n, seed ^ 1);
    // Members at different step counts, with moments from earlier steps.
    let mut states: Vec<AdamState<T>> = (0..p)
        .map(|k| {
            let mut s = adam.state::<T>(n);
            for _ in 0..k {
                adam.step(&mut T::points(n, k as u64), &grad[..n], &mut s)
                    .unwrap();
            }
            s
        })
        .collect();
    let (got_p, got_m, got_v) = emu_adam(adam, &params, &grad, &states);
    for (k, s) in states.iter_mut().enumerate() {
        adam.step(
            &mut params[k * n..(k + 1) * n],
            &grad[k * n..(k + 1) * n],
            s,
        )
        .unwrap();
    }
    let m: Vec<T> = states.iter().flat_map(|s| s.m.clone()).collect();
    let v: Vec<T> = states.iter().flat_map(|s| s.v.clone()).collect();
    assert_eq!(T::bits(&got_p), T::bits(&params), "{adam:?}");
    assert_eq!(T::bits(&got_m), T::bits(&m));
    assert_eq!(T::bits(&got_v), T::bits(&v));
}

#[test]
fn adam_is_bit_identical_for_every_decay_mode() {
    if harness().is_none() {
        return;
    }
    for (k, (wd, decoupled)) in [(0.0, false), (0.01, false), (0.01, true)]
        .into_iter()
        .enumerate()
    {
        let adam = Adam {
            lr: 3e-3,
            weight_decay: wd,
            decoupled,
            ..Adam::default()
        };
        adam_case::<f32>(&adam, 4, 257, k as u64);
        adam_case::<f64>(&adam, 3, 100, k as u64);
    }
}

/// Fewer threads than (member, point) items: each thread strides over several, as large
/// launches do on the device (`jet_threads`); the results cannot depend on it.
#[test]
fn jets_do_not_depend_on_the_thread_count() {
    if harness().is_none() {
        return;
    }
    let spec = MlpSpec::uniform(2, &[7, 7], 1, Activation::Tanh).unwrap();
    let jet = Burgers::jet();
    let g: Vec<f64> = init_population(&spec, Init::TorchDefault, 4, 3);
    let x = f64::points(2 * 37, 4);
    let want = Cpu::new(1).jets(&spec, &g, &x, &jet).unwrap();
    for threads in [1, 5, 64, 111] {
        let got = emu_jets_threads(&spec, &jet, &g, &x, threads);
        assert_eq!(f64::bits(&got), f64::bits(&want), "{threads} threads");
    }
}
