//! Population kernels of the small-MLP engine on the Burgers PINN shape [2, 8×20 tanh, 1], f32.
//!
//! Groups (`<backend>_<op>`):
//! - `cpu_forward`: values of P networks at N = 10⁴ points (AVX-512 with `--features avx512`,
//!   AVX2/FMA path), each as `Cpu::jets` (a fresh output) and as `Cpu::jets_into` (`*_into`:
//!   the output buffer reused, as a training loop would; at P = 1000 the fresh 40 MB costs
//!   page faults worth about 5 % of the pass).
//!   Throughput is counted in flops: 2·in·out per dense layer per point plus one per
//!   activation, so criterion's "elem/s" reads as flop/s.
//! - `cpu_forward_linear`: the same network with identity activations, AVX2 and scalar twin:
//!   isolates the dense-layer throughput of the engine from the cost of the elementary
//!   functions (`crate::math`), which another part of the crate provides.
//! - `cpu_residual_grad`: Burgers residual loss (u, u_x, u_t, u_xx jets, trainable ν) and its
//!   genome + ν gradient for P = 100, N = 10⁴.
//! - `cpu_loss_phases_1thread`: the two loss terms of one PINN training step taken apart, on
//!   one network, one thread, the widest instruction set: the Burgers residual (4 jet
//!   components) and an MSE data term (the value alone), each as values only and as values
//!   plus genome gradient, with tanh and with identity hidden layers (the same dense work
//!   without the activations' cost). Throughput counts the dense flops only: 2 per
//!   multiply-add per jet component, three sweeps (forward, input adjoints, weight
//!   gradients) with the gradient; against `fma_peak`'s 1-thread ceiling it gives the dense
//!   kernels' efficiency.
//!
//! P = 1000 for `cpu_forward` runs only with `NN_BENCH_LARGE=1` (a quarter of a second per pass
//! on the 2-core AMD EPYC host, so about ten times the default run).
//!
//! Run: `cargo bench --bench nn_population -- --warm-up-time 1 --measurement-time 3`, and the
//! PyTorch peer in the same session: `python3 benches/peers/torch_peer.py`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pareto_sciml::backend::cpu::{avx2_available, avx512_available, Cpu, Isa};
use pareto_sciml::nn::{
    init_population, Activation, Burgers, Init, JetSpec, MlpSpec, MseLoss, ResidualLoss,
};
use std::hint::black_box;

const N: usize = 10_000;

fn flops_per_point(spec: &MlpSpec) -> u64 {
    (0..spec.n_layers())
        .map(|l| {
            let (i, o) = spec.layer_shape(l);
            2 * (i * o) as u64 + o as u64
        })
        .sum()
}

fn setup(p: usize) -> (MlpSpec, Vec<f32>, Vec<f32>) {
    setup_with(p, Activation::Tanh)
}

fn setup_with(p: usize, act: Activation) -> (MlpSpec, Vec<f32>, Vec<f32>) {
    let spec = MlpSpec::uniform(2, &[20; 8], 1, act).expect("valid spec");
    let g: Vec<f32> = init_population(&spec, Init::XavierUniform, 1, p)
        .into_iter()
        .map(|w| w as f32)
        .collect();
    let mut s = pareto_sciml::rng::stream(1, "bench-x", 0, 0);
    let x: Vec<f32> = (0..N)
        .flat_map(|_| {
            let xv = s.uniform_range(-1.0, 1.0) as f32;
            let tv = s.uniform_f64() as f32;
            [xv, tv]
        })
        .collect();
    (spec, g, x)
}

fn cpus() -> Vec<(&'static str, Cpu)> {
    let mut v = Vec::new();
    // Only with `--features avx512` on a CPU that has it.
    if avx512_available() {
        v.push(("avx512", Cpu::new(2).with_isa(Isa::Avx512)));
    }
    if avx2_available() {
        v.push(("avx2", Cpu::new(2).with_isa(Isa::Avx2)));
    }
    v.push(("scalar", Cpu::new(2).with_isa(Isa::Scalar)));
    v
}

fn forward(c: &mut Criterion) {
    let mut group = c.benchmark_group("cpu_forward");
    group.sample_size(10);
    let large = std::env::var("NN_BENCH_LARGE").is_ok_and(|v| v == "1");
    let sizes: &[usize] = if large { &[100, 1000] } else { &[100] };
    for &p in sizes {
        let (spec, g, x) = setup(p);
        let jet = JetSpec::value(2);
        group.throughput(Throughput::Elements(
            flops_per_point(&spec) * (p * N) as u64,
        ));
        for (name, cpu) in cpus() {
            if name == "scalar" {
                continue; // both paths call the same elementary functions: see cpu_forward_linear
            }
            group.bench_with_input(BenchmarkId::new(name, p), &p, |b, _| {
                b.iter(|| black_box(cpu.jets(&spec, &g, &x, &jet).expect("forward")))
            });
            // The same pass into a reused output buffer (`jets_into`): no page faults.
            let mut out = vec![0f32; p * N];
            group.bench_with_input(BenchmarkId::new(format!("{name}_into"), p), &p, |b, _| {
                b.iter(|| {
                    cpu.jets_into(&spec, &g, &x, &jet, &mut out)
                        .expect("forward");
                    black_box(&out);
                })
            });
        }
    }
    group.finish();
}

fn forward_linear(c: &mut Criterion) {
    let mut group = c.benchmark_group("cpu_forward_linear");
    group.sample_size(10);
    let p = 100;
    let (spec, g, x) = setup_with(p, Activation::Identity);
    let jet = JetSpec::value(2);
    group.throughput(Throughput::Elements(
        flops_per_point(&spec) * (p * N) as u64,
    ));
    for (name, cpu) in cpus() {
        group.bench_with_input(BenchmarkId::new(name, p), &p, |b, _| {
            b.iter(|| black_box(cpu.jets(&spec, &g, &x, &jet).expect("forward")))
        });
    }
    group.finish();
}

fn residual_grad(c: &mut Criterion) {
    let mut group = c.benchmark_group("cpu_residual_grad");
    group.sample_size(10);
    let p = 100;
    let (spec, g, x) = setup(p);
    let nu = vec![0.01f32; p];
    let loss = ResidualLoss(Burgers { nu: None });
    let jet = Burgers::jet();
    group.throughput(Throughput::Elements((p * N) as u64));
    for (name, cpu) in cpus() {
        if name == "scalar" {
            continue;
        }
        group.bench_with_input(BenchmarkId::new(name, p), &p, |b, _| {
            b.iter(|| {
                black_box(
                    cpu.loss_grad(&spec, &g, &x, &[], &nu, &jet, &loss)
                        .expect("loss"),
                )
            })
        });
    }
    group.finish();
}

fn loss_phases(c: &mut Criterion) {
    let mut group = c.benchmark_group("cpu_loss_phases_1thread");
    group.sample_size(20);
    let cpu = Cpu::new(1).with_isa(Isa::Auto);
    for (act_name, act) in [
        ("tanh", Activation::Tanh),
        ("identity", Activation::Identity),
    ] {
        let (spec, g, x) = setup_with(1, act);
        let macs: u64 = (0..spec.n_layers())
            .map(|l| {
                let (i, o) = spec.layer_shape(l);
                (i * o) as u64
            })
            .sum();
        let targets: Vec<f32> = x.chunks_exact(2).map(|p| p[0] * p[1]).collect();
        let residual = ResidualLoss(Burgers { nu: Some(0.01) });
        let mse = MseLoss { n_out: 1 };
        let (bj, vj) = (Burgers::jet(), JetSpec::value(2));
        for (sweeps, grad) in [(1u64, false), (3, true)] {
            let op = if grad { "grad" } else { "values" };
            let flops = |comps: u64| Throughput::Elements(2 * macs * comps * sweeps * N as u64);
            group.throughput(flops(bj.n_comp() as u64));
            group.bench_function(format!("residual_{op}/{act_name}"), |b| {
                b.iter(|| {
                    if grad {
                        black_box(cpu.loss_grad(&spec, &g, &x, &[], &[], &bj, &residual))
                            .expect("loss");
                    } else {
                        black_box(cpu.loss_values(&spec, &g, &x, &[], &[], &bj, &residual))
                            .expect("loss");
                    }
                })
            });
            group.throughput(flops(1));
            group.bench_function(format!("mse_{op}/{act_name}"), |b| {
                b.iter(|| {
                    if grad {
                        black_box(cpu.loss_grad(&spec, &g, &x, &targets, &[], &vj, &mse))
                            .expect("loss");
                    } else {
                        black_box(cpu.loss_values(&spec, &g, &x, &targets, &[], &vj, &mse))
                            .expect("loss");
                    }
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, forward, forward_linear, residual_grad, loss_phases);
criterion_main!(benches);
