//! Population NN kernels, CPU (threads + AVX2, the bit-identical twin) vs CUDA, measured in
//! the same run (STYLE 14). Groups `<backend>_<op>`:
//! - `mlp_forward`: values of the Burgers PINN (2 → 8 × 20 tanh → 1, f32) for P = 100
//!   members at N = 10⁴ points. Throughput counts 2 FLOP per weight per point and member
//!   (the tanh's cost is not counted), so criterion's `elem/s` reads as FLOP/s, to set
//!   against the device's FP32 peak (H100 SXM: 67 TFLOP/s without tensor cores).
//!   `cuda_mlp_forward_resident` times the kernel alone on device-resident genomes, points
//!   and outputs (`CudaDevice::mlp_values_resident`), P = 100 and 1000.
//! - `burgers_grad`: mean squared Burgers residual and its genome and ν gradients (jets to
//!   u_xx, reverse pass), f32, N = 10⁴, P = 100 (CPU and GPU) and P = 1000 (GPU only: the
//!   CPU figure is ten times the P = 100 one, members being independent);
//!   `cuda_burgers_grad_points` the same with `LossKernel::Points`.
//! - `adam`: one population Adam step, P = 1000 × 3441 parameters, f32.
//! - `ode_dopri5`: batched adaptive Dormand–Prince solves of Lotka–Volterra members with
//!   perturbed parameters (rtol 1e-6, 31 outputs on [0, 3]), 10³ and 10⁴ members on the CPU
//!   (all cores), 10³–10⁵ on the GPU; throughput in members. `cuda_ode_dopri5_resident`
//!   leaves the dense output on the device (`CudaDevice::ode_solve_resident`), the way the
//!   torchode peer is timed.
//!
//! CUDA timings are of the host-slice API (`CudaDevice::mlp_jets`, `mlp_loss_grad`,
//! `adam_step`): uploads, working-memory allocation, the kernels and the download, timed
//! with `iter_custom` around a final `synchronize`. Without a device the `cuda_*` groups are
//! skipped with a printed reason.
//!
//! `cargo bench --features cuda --bench cuda_nn -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pareto_sciml::backend::cpu::Cpu;
use pareto_sciml::backend::cuda::DeviceSystem;
use pareto_sciml::backend::cuda::{CudaDevice, DeviceLoss, LossKernel};
use pareto_sciml::nn::{
    init_population, Activation, Adam, AdamState, Burgers, Init, JetSpec, MlpSpec, ResidualLoss,
};
use pareto_sciml::ode::system::LotkaVolterra;
use pareto_sciml::ode::{solve, SolveOptions};
use pareto_sciml::rng::stream;

const N: usize = 10_000;

fn device() -> Option<CudaDevice> {
    match CudaDevice::new(0) {
        Ok(dev) => {
            eprintln!("cuda device: {}", dev.name());
            Some(dev)
        }
        Err(e) => {
            eprintln!("skipped: cuda_* groups: {e}");
            None
        }
    }
}

fn timed(dev: &CudaDevice, iters: u64, mut call: impl FnMut()) -> Duration {
    dev.synchronize().unwrap();
    let start = Instant::now();
    for _ in 0..iters {
        call();
    }
    dev.synchronize().unwrap();
    start.elapsed()
}

fn spec() -> MlpSpec {
    MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh).unwrap()
}

fn genomes(p: usize) -> Vec<f32> {
    init_population(&spec(), Init::XavierUniform, 1, p)
        .iter()
        .map(|&v| v as f32)
        .collect()
}

/// `N` collocation points in [-1, 1] × [0, 1].
fn points() -> Vec<f32> {
    let mut s = stream(1, "bench-points", 0, 0);
    (0..N)
        .flat_map(|_| [2.0 * s.uniform_f32() - 1.0, s.uniform_f32()])
        .collect()
}

fn forward(c: &mut Criterion) {
    let gpu = device();
    let (spec, x, p) = (spec(), points(), 100);
    let g = genomes(p);
    let jet = JetSpec::value(2);
    let weights: usize = (0..spec.n_layers())
        .map(|l| spec.layer_shape(l).0 * spec.layer_shape(l).1)
        .sum();
    let flops = (2 * weights * p * N) as u64;
    let mut cpu = c.benchmark_group("cpu_mlp_forward");
    cpu.sample_size(10).throughput(Throughput::Elements(flops));
    cpu.bench_function(BenchmarkId::from_parameter(p), |b| {
        b.iter(|| black_box(Cpu::new(0).jets(&spec, &g, &x, &jet).unwrap()))
    });
    cpu.finish();
    if let Some(dev) = &gpu {
        let mut group = c.benchmark_group("cuda_mlp_forward");
        group
            .sample_size(10)
            .throughput(Throughput::Elements(flops));
        group.bench_function(BenchmarkId::from_parameter(p), |b| {
            b.iter_custom(|iters| {
                timed(dev, iters, || {
                    black_box(dev.mlp_jets(&spec, &g, &x, &jet).unwrap());
                })
            })
        });
        group.finish();
        // The kernel alone: genomes, points and outputs stay in device memory (the register-
        // resident value kernel the host API above also takes for this network).
        let mut group = c.benchmark_group("cuda_mlp_forward_resident");
        group.sample_size(10);
        for p in [100, 1000] {
            let g = genomes(p);
            let resident = dev.mlp_values_resident(&spec, &g, &x).unwrap();
            group.throughput(Throughput::Elements((2 * weights * p * N) as u64));
            group.bench_function(BenchmarkId::from_parameter(p), |b| {
                b.iter_custom(|iters| timed(dev, iters, || resident.evaluate(dev).unwrap()))
            });
        }
        group.finish();
    }
}

fn burgers_grad(c: &mut Criterion) {
    let gpu = device();
    let (spec, x) = (spec(), points());
    let jet = Burgers::jet();
    let mut cpu = c.benchmark_group("cpu_burgers_grad");
    cpu.sample_size(10);
    let p = 100;
    let (g, nu) = (genomes(p), vec![0.5f32; p]);
    cpu.throughput(Throughput::Elements((p * N) as u64));
    cpu.bench_function(BenchmarkId::from_parameter(p), |b| {
        let loss = ResidualLoss(Burgers { nu: None });
        b.iter(|| black_box(Cpu::new(0).loss_grad(&spec, &g, &x, &[], &nu, &jet, &loss)))
    });
    cpu.finish();
    if let Some(dev) = &gpu {
        // The default (fused) kernel and the two general accumulator kernels on the same
        // work (A/B); the point-parallel one, the slowest, only with NN_BENCH_POINTS=1.
        let mut kernels = vec![
            ("cuda_burgers_grad_fused", LossKernel::Fused),
            ("cuda_burgers_grad", LossKernel::Block),
        ];
        if std::env::var_os("NN_BENCH_POINTS").is_some() {
            kernels.push(("cuda_burgers_grad_points", LossKernel::Points));
        }
        for (name, kernel) in kernels {
            let mut group = c.benchmark_group(name);
            group.sample_size(10);
            for p in [100, 1000] {
                let (g, nu) = (genomes(p), vec![0.5f32; p]);
                let loss = DeviceLoss::Burgers { nu: None };
                group.throughput(Throughput::Elements((p * N) as u64));
                group.bench_function(BenchmarkId::from_parameter(p), |b| {
                    b.iter_custom(|iters| {
                        timed(dev, iters, || {
                            black_box(
                                dev.mlp_loss_grad_with(&spec, &g, &x, &[], &nu, &jet, loss, kernel)
                                    .unwrap(),
                            );
                        })
                    })
                });
            }
            group.finish();
        }
    }
}

fn adam(c: &mut Criterion) {
    let gpu = device();
    let (p, n) = (1000, spec().n_params());
    let adam = Adam::default();
    let grad: Vec<f32> = genomes(p);
    let mut params = genomes(p);
    let mut states: Vec<AdamState<f32>> = (0..p).map(|_| adam.state(n)).collect();
    let mut cpu = c.benchmark_group("cpu_adam");
    cpu.sample_size(10)
        .throughput(Throughput::Elements((p * n) as u64));
    cpu.bench_function(BenchmarkId::from_parameter(p), |b| {
        b.iter(|| {
            for (k, s) in states.iter_mut().enumerate() {
                adam.step(
                    &mut params[k * n..(k + 1) * n],
                    &grad[k * n..(k + 1) * n],
                    s,
                )
                .unwrap();
            }
        })
    });
    cpu.finish();
    if let Some(dev) = &gpu {
        let mut group = c.benchmark_group("cuda_adam");
        group
            .sample_size(10)
            .throughput(Throughput::Elements((p * n) as u64));
        group.bench_function(BenchmarkId::from_parameter(p), |b| {
            b.iter_custom(|iters| {
                timed(dev, iters, || {
                    dev.adam_step(&adam, &mut params, &grad, &mut states)
                        .unwrap();
                })
            })
        });
        group.finish();
    }
}

/// `n` Lotka–Volterra members around the NSGA-NODE parameters.
fn lv_members(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut s = stream(1, "bench-lv", 0, n as u64);
    let mut u = || 1.0 + 0.5 * (2.0 * s.uniform_f64() - 1.0);
    let mut y0 = Vec::with_capacity(2 * n);
    let mut p = Vec::with_capacity(4 * n);
    for _ in 0..n {
        y0.extend([0.44249296 * u(), 4.6280594 * u()]);
        p.extend([1.3 * u(), 0.9 * u(), 0.8 * u(), 1.8 * u()]);
    }
    (y0, p)
}

fn ode_dopri5(c: &mut Criterion) {
    let gpu = device();
    let te: Vec<f64> = (0..31).map(|j| 0.1 * j as f64).collect();
    let opts = SolveOptions {
        threads: 0,
        ..SolveOptions::default()
    };
    let mut cpu = c.benchmark_group("cpu_ode_dopri5");
    cpu.sample_size(10);
    for n in [1_000, 10_000] {
        let (y0, p) = lv_members(n);
        cpu.throughput(Throughput::Elements(n as u64));
        cpu.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| black_box(solve(&LotkaVolterra, &y0, &p, 0.0, &te, &opts).unwrap()))
        });
    }
    cpu.finish();
    if let Some(dev) = &gpu {
        // `_resident` leaves the dense output on the device (uploads included), as torchode is
        // timed with its tensors on the device.
        for (name, resident) in [
            ("cuda_ode_dopri5", false),
            ("cuda_ode_dopri5_resident", true),
        ] {
            let mut group = c.benchmark_group(name);
            group.sample_size(10);
            for n in [1_000, 10_000, 100_000] {
                let (y0, p) = lv_members(n);
                group.throughput(Throughput::Elements(n as u64));
                group.bench_function(BenchmarkId::from_parameter(n), |b| {
                    b.iter_custom(|iters| {
                        timed(dev, iters, || {
                            let sys = DeviceSystem::LotkaVolterra;
                            if resident {
                                let sol =
                                    dev.ode_solve_resident(sys, None, &y0, &p, 0.0, &te, &opts);
                                black_box(sol.unwrap());
                            } else {
                                black_box(
                                    dev.ode_solve(sys, None, &y0, &p, 0.0, &te, &opts).unwrap(),
                                );
                            }
                        })
                    })
                });
            }
            group.finish();
        }
    }
}

criterion_group!(benches, forward, burgers_grad, adam, ode_dopri5);
criterion_main!(benches);
