//! PINN training speed (issue 6): one ADAM-PINN epoch of the full Burgers setting (network
//! [2, 8×20 tanh, 1], f32, 10⁴ collocation points, 100 initial/boundary points, 10⁴
//! observations: residual + boundary + data losses, their genome gradient, one Adam step), and
//! one NSGA-III-PINN generation of population 20 with S = 5 Adam steps per individual on
//! the same data (one tell included).
//!
//! The epoch and the generation run on the widest instruction set available ([`Isa::Auto`]:
//! AVX-512 when built with `--features avx512`); the loss evaluation runs on each.
//!
//! Run: `cargo bench --features avx512 --bench pinn_training -- --warm-up-time 1
//! --measurement-time 5`, and the
//! PyTorch peer doing the same work in the same session:
//! `python3 benches/peers/torch_pinn_peer.py`.

use criterion::{criterion_group, criterion_main, Criterion};
use pareto_sciml::backend::cpu::{avx512_available, Cpu, Isa};
use pareto_sciml::backend::Backend;
use pareto_sciml::nn::{Activation, MlpSpec};
use pareto_sciml::pinn::burgers::{burgers_dataset, BurgersDataConfig, NU_FORWARD_MODEL};
use pareto_sciml::pinn::burgers_problem::BurgersProblem;
use pareto_sciml::pinn::train::{
    train_adam_pinn, train_nsga_pinn, AdamPinnConfig, Emo, NsgaPinnConfig,
};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let data = burgers_dataset(&BurgersDataConfig {
        noise_level: 0.2,
        ..Default::default()
    })
    .expect("dataset");
    let problem = BurgersProblem::<f32>::forward(data, NU_FORWARD_MODEL).expect("problem");
    let spec = MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh).expect("spec");
    let cpu = Backend::cpu(Cpu::new(0));
    let mut g = c.benchmark_group("pinn_training");
    g.sample_size(10);
    // A run of `epochs: 1` also initialises the network and evaluates the final terms once
    // (values only). The per-epoch figure, the work of the peer's `adam_epoch`, is therefore
    // the difference of the two-epoch and the one-epoch runs.
    for epochs in [1, 2] {
        let cfg = AdamPinnConfig {
            epochs,
            ..Default::default()
        };
        let name = match epochs {
            1 => "adam_epoch_full_burgers_plus_eval".to_string(),
            _ => format!("adam_{epochs}_epochs_full_burgers_plus_eval"),
        };
        g.bench_function(name, |b| {
            b.iter(|| black_box(train_adam_pinn(&problem, &spec, &cfg, &cpu, &mut |_| {}).unwrap()))
        });
    }
    let genomes = vec![0.1f32; spec.n_params()];
    // The same evaluation on each instruction set this build and CPU offer (same bits).
    let mut isas = vec![("avx2", Isa::Avx2)];
    if avx512_available() {
        isas.push(("avx512", Isa::Avx512));
    }
    for (name, isa) in isas {
        let cpu = Backend::cpu(Cpu::new(0).with_isa(isa));
        g.bench_function(format!("loss_eval_full_burgers/{name}"), |b| {
            b.iter(|| {
                black_box(
                    pareto_sciml::pinn::problem::PinnProblem::evaluate(
                        &problem,
                        &cpu,
                        &spec,
                        &genomes,
                        Some(&[1.0; 3]),
                    )
                    .unwrap(),
                )
            })
        });
    }
    let cfg = NsgaPinnConfig {
        emo: Emo::Nsga3 { partitions: 4 },
        pop_size: 20,
        generations: 1,
        adam_steps: 5,
        ..Default::default()
    };
    g.bench_function("nsga3_generation_pop20_s5", |b| {
        b.iter(|| black_box(train_nsga_pinn(&problem, &spec, &cfg, &cpu, &mut |_| {}).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
