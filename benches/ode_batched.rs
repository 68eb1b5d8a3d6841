//! Batched ODE solves: Van der Pol (μ per member), damped oscillator (ω, ζ per member) and the
//! hybrid damped oscillator with an MLP correction [2, 16, 16, 2] (tanh, own weights per
//! member); 64 / 1024 / 8192 members, 50 output times on [0, 10], rtol 1e-6, atol 1e-8,
//! Dopri5 + integral controller, f64 and f32, 2 threads. Groups `cpu_<problem>`; throughput is
//! trial steps (summed over members), so criterion's elements/s are steps per second.
//!
//! The peer is `benches/peers/torchode_peer.py` (same problems, parameters and settings);
//! run both back to back and compare medians (`paper/tables/bench_ode.md`).
//!
//! The hybrid system is the library's `ode::hybrid::MlpCorrection` over `ode::system::Oscillator`
//! (network on `backend::cpu::member::MemberMlp`: lanes across members, SIMD tanh). Group
//! `cpu_hybrid_hand` (f64) keeps the earlier hand-written per-member scalar MLP as a baseline
//! measured in the same run.
//!
//! `cargo bench --bench ode_batched -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pareto_sciml::nn::{Activation, MlpSpec};
use pareto_sciml::ode::hybrid::{MlpCorrection, NnInput};
use pareto_sciml::ode::system::{Oscillator, VanDerPol};
use pareto_sciml::ode::{solve, BatchSystem, Real, SolveOptions};

const HIDDEN: usize = 16;
/// MLP genome length, PyTorch `parameters_to_vector` order: W1 (16×2), b1, W2 (16×16), b2,
/// W3 (2×16), b3. A member's parameters are (ω, ζ) followed by its genome.
const N_MLP: usize = HIDDEN * 2 + HIDDEN + HIDDEN * HIDDEN + HIDDEN + 2 * HIDDEN + 2;

/// `y' = oscillator(y; ω, ζ) + MLP(y; θ)`: the library's hybrid system, network vectorised
/// across members.
fn hybrid() -> MlpCorrection<Oscillator> {
    let spec = MlpSpec::uniform(2, &[HIDDEN, HIDDEN], 2, Activation::Tanh).unwrap();
    assert_eq!(spec.n_params(), N_MLP);
    MlpCorrection::new(Oscillator, spec, 1.0, NnInput::State).unwrap()
}

/// The same system with the MLP written out per member in scalar code (the pre-`MemberMlp`
/// baseline, group `cpu_hybrid_hand`): what the member engine is measured against in the same run.
struct HandHybrid;

impl<T: Real> BatchSystem<T> for HandHybrid {
    fn dim(&self) -> usize {
        2
    }
    fn n_params(&self) -> usize {
        2 + N_MLP
    }
    #[inline(always)]
    fn rhs(&self, t: &[T], y: &[T], p: &[T], dy: &mut [T]) {
        let np = 2 + N_MLP;
        let mut h1 = [T::ZERO; HIDDEN];
        let mut h2 = [T::ZERO; HIDDEN];
        for i in 0..t.len() {
            let q = &p[i * np..(i + 1) * np];
            let (x, v) = (y[2 * i], y[2 * i + 1]);
            let (w, z) = (q[0], q[1]);
            let g = &q[2..];
            let (w1, rest) = g.split_at(2 * HIDDEN);
            let (b1, rest) = rest.split_at(HIDDEN);
            let (w2, rest) = rest.split_at(HIDDEN * HIDDEN);
            let (b2, rest) = rest.split_at(HIDDEN);
            let (w3, b3) = rest.split_at(2 * HIDDEN);
            for o in 0..HIDDEN {
                h1[o] = w1[2 * o + 1].mul_add(v, w1[2 * o].mul_add(x, b1[o])).tanh();
            }
            for o in 0..HIDDEN {
                let row = &w2[o * HIDDEN..(o + 1) * HIDDEN];
                let mut acc = b2[o];
                for k in 0..HIDDEN {
                    acc = row[k].mul_add(h1[k], acc);
                }
                h2[o] = acc.tanh();
            }
            let (mut o0, mut o1) = (b3[0], b3[1]);
            for k in 0..HIDDEN {
                o0 = w3[k].mul_add(h2[k], o0);
                o1 = w3[HIDDEN + k].mul_add(h2[k], o1);
            }
            let two = T::from_f64(2.0);
            dy[2 * i] = v + o0;
            dy[2 * i + 1] = -(w * w * x) - two * z * w * v + o1;
        }
    }
    fn vjp(&self, _: &[T], _: &[T], _: &[T], _: &[T], _: &mut [T], _: &mut [T]) {
        unimplemented!("forward-only bench system")
    }
}

/// Per-member parameters shared with the peer script (same formulas there).
fn params(problem: &str, m: usize, members: usize) -> Vec<f64> {
    let f = m as f64 / (members.max(2) - 1) as f64;
    let (w, z) = (1.0 + f, 0.05 + 0.2 * ((m % 7) as f64) / 7.0);
    match problem {
        "vdp" => vec![0.5 + 4.5 * f],
        "damped" => vec![w, z],
        _ => {
            // hybrid and hybrid_hand
            let mut p = vec![w, z];
            p.extend((0..N_MLP).map(|k| 0.2 * (0.37 * k as f64 + 1.3 * m as f64 + 0.5).sin()));
            p
        }
    }
}

fn y0(problem: &str) -> [f64; 2] {
    if problem == "vdp" {
        [2.0, 0.0]
    } else {
        [1.0, 0.0]
    }
}

fn bench_problem<T: Real, S: BatchSystem<T>>(c: &mut Criterion, sys: &S, problem: &str, ty: &str) {
    let mut group = c.benchmark_group(format!("cpu_{problem}"));
    group.sample_size(10);
    let t_eval: Vec<T> = (0..50)
        .map(|j| T::from_f64(10.0 * j as f64 / 49.0))
        .collect();
    let opts = SolveOptions {
        threads: 2,
        ..Default::default()
    };
    for members in [64usize, 1024, 8192] {
        let p: Vec<T> = (0..members)
            .flat_map(|m| params(problem, m, members))
            .map(T::from_f64)
            .collect();
        let y: Vec<T> = (0..members)
            .flat_map(|_| y0(problem))
            .map(T::from_f64)
            .collect();
        let sol = solve(sys, &y, &p, T::ZERO, &t_eval, &opts).unwrap();
        let steps: u64 = sol
            .stats
            .iter()
            .map(|s| (s.accepted + s.rejected) as u64)
            .sum();
        let ok = sol
            .status
            .iter()
            .filter(|s| **s == pareto_sciml::ode::Status::Success)
            .count();
        println!(
            "cpu_{problem}/{ty}/{members}: mean trial steps per member {:.1}, success {ok}/{members}",
            steps as f64 / members as f64
        );
        group.throughput(Throughput::Elements(steps));
        group.bench_with_input(BenchmarkId::new(ty, members), &members, |b, _| {
            b.iter(|| solve(sys, &y, &p, T::ZERO, &t_eval, &opts).unwrap())
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let hybrid = hybrid();
    bench_problem::<f64, _>(c, &hybrid, "hybrid", "f64");
    bench_problem::<f32, _>(c, &hybrid, "hybrid", "f32");
    bench_problem::<f64, _>(c, &HandHybrid, "hybrid_hand", "f64");
    bench_problem::<f64, _>(c, &VanDerPol, "vdp", "f64");
    bench_problem::<f32, _>(c, &VanDerPol, "vdp", "f32");
    bench_problem::<f64, _>(c, &Oscillator, "damped", "f64");
    bench_problem::<f32, _>(c, &Oscillator, "damped", "f32");
}

criterion_group!(ode, benches);
criterion_main!(ode);
