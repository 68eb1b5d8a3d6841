//! `--backend cuda` end to end on a GPU: the PINN problems evaluated through
//! `Backend::cuda` (terms and gradients of Burgers and TFMDWE, forward and inverse), a short
//! NSGA-PINN training run, and NSGA-NODE's objectives with the solves on the device, each
//! compared bit for bit with the CPU backend. These are what make the tables of
//! `reproduce_burgers`, `reproduce_tfmdwe` and `reproduce_nsga_node --backend cuda` equal to
//! the CPU's. Skips with a printed reason where no device is present.

use std::sync::Arc;

use pareto_sciml::backend::cpu::Cpu;
use pareto_sciml::backend::cuda::CudaDevice;
use pareto_sciml::backend::Backend;
use pareto_sciml::nn::{init_population, Activation, Init, MlpSpec};
use pareto_sciml::node::hybrid::HybridForm;
use pareto_sciml::node::lv::lv_problem;
use pareto_sciml::node::{initial_genomes, run_nsga_node, NodeConfig};
use pareto_sciml::pinn::burgers::{burgers_dataset, BurgersDataConfig, NU_FORWARD_MODEL};
use pareto_sciml::pinn::burgers_problem::BurgersProblem;
use pareto_sciml::pinn::problem::{n_genes, PinnProblem};
use pareto_sciml::pinn::tfmdwe::{tfmdwe_dataset, TfmdweDataConfig};
use pareto_sciml::pinn::tfmdwe_problem::TfmdweProblem;
use pareto_sciml::pinn::train::{train_nsga_pinn, Emo, NsgaPinnConfig};

fn gpu() -> Option<Arc<CudaDevice>> {
    match CudaDevice::new(0) {
        Ok(dev) => Some(Arc::new(dev)),
        Err(e) => {
            println!("skipped: {e}");
            None
        }
    }
}

fn bits32(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn bits64(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Members of `problem` (genomes from the torch initialisation, physical parameters in the
/// middle of their box).
fn members<P: PinnProblem<T = f32>>(problem: &P, spec: &MlpSpec, p: usize) -> Vec<f32> {
    let g: Vec<f64> = init_population(spec, Init::TorchDefault, 11, p);
    let mut out = Vec::new();
    for row in g.chunks_exact(spec.n_params()) {
        out.extend(row.iter().map(|&v| v as f32));
        for &(lo, hi) in problem.physical_bounds() {
            out.push((0.5 * (lo + hi)) as f32);
        }
    }
    assert_eq!(out.len(), p * n_genes(problem, spec));
    out
}

fn same_evaluation<P: PinnProblem<T = f32>>(problem: &P, spec: &MlpSpec, dev: &Arc<CudaDevice>) {
    let cpu = Backend::cpu(Cpu::new(0));
    let cuda = Backend::cuda(dev.clone(), Cpu::new(0));
    let m = members(problem, spec, 5);
    for weights in [None, Some(&[1.0, 0.5, 2.0][..])] {
        let want = problem.evaluate(&cpu, spec, &m, weights).unwrap();
        let got = problem.evaluate(&cuda, spec, &m, weights).unwrap();
        let what = format!("{} weights {weights:?}", problem.name());
        assert_eq!(bits64(&got.terms), bits64(&want.terms), "terms, {what}");
        assert_eq!(bits32(&got.grad), bits32(&want.grad), "gradient, {what}");
    }
}

fn burgers_data() -> pareto_sciml::pinn::dataset::PinnDataset {
    burgers_dataset(&BurgersDataConfig {
        n_initial_boundary: 100,
        n_observations: 1500,
        n_collocation: 2500,
        noise_level: 0.2,
        seed: 3,
    })
    .unwrap()
}

fn tfmdwe_data() -> pareto_sciml::pinn::tfmdwe::TfmdweDataset {
    tfmdwe_dataset(&TfmdweDataConfig {
        n_initial_boundary: 60,
        n_observations: 200,
        n_space: 21,
        n_time_steps: 40,
        noise_level: 0.2,
        seed: 5,
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn pinn_problems_match_the_cpu_backend_bitwise() {
    let Some(dev) = gpu() else { return };
    let spec = MlpSpec::uniform(2, &[20; 4], 1, Activation::Tanh).unwrap();
    let forward = BurgersProblem::<f32>::forward(burgers_data(), NU_FORWARD_MODEL).unwrap();
    same_evaluation(&forward, &spec, &dev);
    let inverse = BurgersProblem::<f32>::inverse(burgers_data(), 0.001, 0.1).unwrap();
    same_evaluation(&inverse, &spec, &dev);
    let forward = TfmdweProblem::<f32>::forward(tfmdwe_data()).unwrap();
    same_evaluation(&forward, &spec, &dev);
    let inverse = TfmdweProblem::<f32>::inverse(tfmdwe_data(), 0.2, 0.8).unwrap();
    same_evaluation(&inverse, &spec, &dev);
}

#[test]
fn nsga_pinn_training_matches_the_cpu_backend_bitwise() {
    let Some(dev) = gpu() else { return };
    let spec = MlpSpec::uniform(2, &[20; 3], 1, Activation::Tanh).unwrap();
    let problem = BurgersProblem::<f32>::inverse(burgers_data(), 0.001, 0.1).unwrap();
    let cfg = NsgaPinnConfig {
        emo: Emo::Nsga3 { partitions: 4 },
        pop_size: 8,
        generations: 3,
        adam_steps: 4,
        seed: 2,
        ..Default::default()
    };
    let cpu = Backend::cpu(Cpu::new(0));
    let cuda = Backend::cuda(dev, Cpu::new(0));
    let want = train_nsga_pinn(&problem, &spec, &cfg, &cpu, &mut |_| {}).unwrap();
    let got = train_nsga_pinn(&problem, &spec, &cfg, &cuda, &mut |_| {}).unwrap();
    assert_eq!(bits64(&got.members), bits64(&want.members));
    assert_eq!(bits64(&got.terms), bits64(&want.terms));
    assert_eq!(got.front, want.front);
}

#[test]
fn nsga_node_objectives_match_the_cpu_bitwise() {
    let Some(dev) = gpu() else { return };
    for form in [
        HybridForm::Additive,
        HybridForm::Parametric,
        HybridForm::Both,
    ] {
        let (problem, _) = lv_problem(form, &[5, 5, 5], 31, 0.05, 1).unwrap();
        let on_device = problem.clone().with_device(dev.clone()).unwrap();
        let genomes = initial_genomes(&problem, Init::XavierUniform, 3, 16);
        let want = problem.evaluate_genomes(&genomes).unwrap();
        let got = on_device.evaluate_genomes(&genomes).unwrap();
        assert_eq!(bits64(&got.f), bits64(&want.f), "{form:?}");
        assert_eq!(got.status, want.status, "{form:?}");
        assert_eq!(bits64(&got.trajectories), bits64(&want.trajectories));
        // A short NSGA-NODE run: device objectives, CPU gradients, the CPU's bits.
        let cfg = NodeConfig {
            pop_size: 8,
            generations: 2,
            adam_steps: 2,
            seed: 4,
            ..NodeConfig::default()
        };
        let a = run_nsga_node(&problem, &cfg, |_| {}).unwrap();
        let b = run_nsga_node(&on_device, &cfg, |_| {}).unwrap();
        assert_eq!(bits64(&b.genomes), bits64(&a.genomes), "{form:?}");
        assert_eq!(bits64(&b.objectives), bits64(&a.objectives), "{form:?}");
    }
}
