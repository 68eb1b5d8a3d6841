//! One NSGA-NODE generation on the Lotka–Volterra example (DESIGN §6): population 100,
//! network 2 → 5 → 5 → 5 → 2 (tanh, additive form), S = 10 Adam steps through the solver
//! (dopri5, rtol 1e-6, atol 1e-8, discretise-then-optimise gradients) on every offspring,
//! then the objectives of the trained genomes and NSGA-II survival. Also the objectives alone
//! (one batched solve of 100 hybrid models plus the correction terms).
//!
//! The peer, `benches/peers/torchode_nsga_node_peer.py`, does the same evaluation with
//! torchode (dopri5, the same tolerances, AutoDiffAdjoint) and torch.func (vmap over
//! per-member parameters) on the CPU; run both back to back and report the ratio:
//!
//! ```text
//! cargo bench --bench nsga_node -- --warm-up-time 1 --measurement-time 3
//! python3 benches/peers/torchode_nsga_node_peer.py
//! ```

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pareto_sciml::moo::algorithm::Algorithm;
use pareto_sciml::moo::Nsga2;
use pareto_sciml::nn::{Adam, Init};
use pareto_sciml::node::hybrid::{HybridForm, LotkaVolterraNoInteraction};
use pareto_sciml::node::lv::lv_problem;
use pareto_sciml::node::{initial_genomes, train_genomes, LossWeights, NodeProblem};
use std::hint::black_box;

const POP: usize = 100;
const STEPS: usize = 10;

fn problem(threads: usize) -> NodeProblem<LotkaVolterraNoInteraction> {
    lv_problem(HybridForm::Additive, &[5, 5, 5], 31, 0.05, 0)
        .expect("valid example")
        .0
        .with_threads(threads)
}

/// A population after its first generation (initial networks, trained and told).
fn started(p: &NodeProblem<LotkaVolterraNoInteraction>, adam: &Adam, w: LossWeights) -> Nsga2 {
    let mut alg = Nsga2::new(p, POP, 0).expect("valid config");
    alg.ask().expect("ask");
    alg.replace_pending(&initial_genomes(p, Init::TorchDefault, 0, POP))
        .expect("init");
    let x = alg.ask().expect("ask").to_vec();
    let (t, _) = train_genomes(p, &x, STEPS, adam, w).expect("train");
    alg.replace_pending(&t).expect("write back");
    let e = p.evaluate_genomes(alg.ask().expect("ask")).expect("eval");
    alg.tell(&e.f, &e.g).expect("tell");
    alg
}

fn generation(c: &mut Criterion) {
    let adam = Adam {
        lr: 0.01,
        ..Adam::default()
    };
    let w = LossWeights {
        physics: 1e-4,
        smoothness: 0.0,
    };
    let mut g = c.benchmark_group("cpu_nsga_node");
    g.sample_size(10);
    g.throughput(Throughput::Elements(POP as u64));
    for threads in [1, 2] {
        let p = problem(threads);
        let alg0 = started(&p, &adam, w);
        g.bench_function(format!("generation_pop100_s10_threads{threads}"), |b| {
            b.iter(|| {
                let mut alg = alg0.clone();
                let x = alg.ask().expect("ask").to_vec();
                let (t, _) = train_genomes(&p, &x, STEPS, &adam, w).expect("train");
                alg.replace_pending(&t).expect("write back");
                let e = p.evaluate_genomes(alg.ask().expect("ask")).expect("eval");
                alg.tell(&e.f, &e.g).expect("tell");
                black_box(alg.core().f[0])
            })
        });
        let x = alg0.core().x.clone();
        g.bench_function(format!("objectives_pop100_threads{threads}"), |b| {
            b.iter(|| black_box(p.evaluate_genomes(&x).expect("eval").f[0]))
        });
        g.bench_function(format!("loss_gradient_pop100_threads{threads}"), |b| {
            b.iter(|| black_box(p.loss_gradient(&x, w).expect("grad").loss[0]))
        });
    }
    g.finish();
}

criterion_group!(benches, generation);
criterion_main!(benches);
