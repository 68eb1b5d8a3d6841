//! NSGA-NODE runs: thread-count independence, elitism of the best misfit, Adam steps lowering
//! the loss, every selector, Lamarckian vs Baldwinian, front/knee invariants, architecture
//! search reproducibility.

use pareto_sciml::moo::dominates;
use pareto_sciml::nn::{init_genome, Activation, Adam, Init, MlpSpec};
use pareto_sciml::node::hybrid::{LotkaVolterraNoInteraction, MlpCorrection, NnInput};
use pareto_sciml::node::{
    front_and_knee, run_nsga_node, search_architectures, train_genomes, ArchConfig, ArchSpace,
    LossWeights, NodeConfig, NodeData, NodeProblem, Selector,
};
use pareto_sciml::ode::system::LotkaVolterra;
use pareto_sciml::ode::{solve, SolveOptions};
use proptest::prelude::*;

fn lv_problem(hidden: &[usize], threads: usize) -> NodeProblem<LotkaVolterraNoInteraction> {
    let y0 = vec![0.44249296, 4.6280594];
    let t_obs: Vec<f64> = (1..=6).map(|k| 0.25 * k as f64).collect();
    let sol = solve(
        &LotkaVolterra,
        &y0,
        &[1.3, 0.9, 0.8, 1.8],
        0.0,
        &t_obs,
        &SolveOptions::default(),
    )
    .unwrap();
    let spec = MlpSpec::uniform(2, hidden, 2, Activation::Tanh).unwrap();
    let sys = MlpCorrection::new(LotkaVolterraNoInteraction, spec, 1.0, NnInput::State).unwrap();
    let data = NodeData {
        t0: 0.0,
        t1: 1.5,
        y0,
        t_obs,
        y_obs: sol.y,
    };
    let mut p = NodeProblem::new(sys, vec![1.3, 1.8], data)
        .unwrap()
        .with_threads(threads);
    let mut o = *p.solve_options();
    o.solve.rtol = 1e-5;
    o.solve.atol = 1e-7;
    p = p.with_solve_options(o);
    p
}

fn cfg(threads: usize) -> NodeConfig {
    NodeConfig {
        pop_size: 8,
        generations: 4,
        adam_steps: 3,
        adam: Adam {
            lr: 0.02,
            ..Adam::default()
        },
        weights: LossWeights {
            physics: 1e-3,
            smoothness: 0.0,
        },
        seed: 11,
        threads,
        ..NodeConfig::default()
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn one_and_two_threads_give_the_same_bits() {
    let r1 = run_nsga_node(&lv_problem(&[5, 5], 1), &cfg(1), |_| {}).unwrap();
    let r2 = run_nsga_node(&lv_problem(&[5, 5], 2), &cfg(2), |_| {}).unwrap();
    assert_eq!(bits(&r1.genomes), bits(&r2.genomes));
    assert_eq!(bits(&r1.objectives), bits(&r2.objectives));
    assert_eq!(bits(&r1.trajectories), bits(&r2.trajectories));
    assert_eq!((r1.front.clone(), r1.knee), (r2.front.clone(), r2.knee));
    assert_eq!(r1.adam_steps, 8 * 4 * 3);
}

#[test]
fn perturbed_copies_run_thread_independently_and_differ_from_sbx() {
    let pcfg = |threads: usize| NodeConfig {
        perturbation: Some(0.01),
        ..cfg(threads)
    };
    let r1 = run_nsga_node(&lv_problem(&[5, 5], 1), &pcfg(1), |_| {}).unwrap();
    let r2 = run_nsga_node(&lv_problem(&[5, 5], 2), &pcfg(2), |_| {}).unwrap();
    assert_eq!(bits(&r1.genomes), bits(&r2.genomes));
    assert_eq!(bits(&r1.objectives), bits(&r2.objectives));
    let sbx = run_nsga_node(&lv_problem(&[5, 5], 1), &cfg(1), |_| {}).unwrap();
    assert_ne!(bits(&r1.genomes), bits(&sbx.genomes));
    let bad = NodeConfig {
        perturbation: Some(-1.0),
        ..cfg(1)
    };
    assert!(run_nsga_node(&lv_problem(&[5, 5], 1), &bad, |_| {}).is_err());
}

#[test]
fn best_misfit_never_gets_worse_and_front_is_consistent() {
    let mut best = Vec::new();
    let r = run_nsga_node(&lv_problem(&[5], 1), &cfg(1), |p| best.push(p.best[0])).unwrap();
    assert_eq!(best.len(), 4);
    assert!(best.windows(2).all(|w| w[1] <= w[0]), "{best:?}");
    assert!(r.front.contains(&r.knee));
    assert_eq!(r.objectives_of(r.best_fit())[0], best[3]);
}

#[test]
fn adam_steps_lower_the_loss() {
    let p = lv_problem(&[5], 1);
    let x: Vec<f64> = (0..4)
        .flat_map(|m| init_genome(p.system().spec(), Init::TorchDefault, 2, m))
        .collect();
    let w = LossWeights {
        physics: 0.0,
        smoothness: 0.0,
    };
    let before = p.loss_gradient(&x, w).unwrap().loss;
    let adam = Adam {
        lr: 1e-3,
        ..Adam::default()
    };
    let (trained, taken) = train_genomes(&p, &x, 5, &adam, w).unwrap();
    assert_eq!(taken, 20);
    let after = p.loss_gradient(&trained, w).unwrap().loss;
    for (a, b) in after.iter().zip(&before) {
        assert!(a < b, "{a} !< {b}");
    }
}

#[test]
fn every_selector_and_baldwinian_mode_run() {
    let p = lv_problem(&[4], 1);
    for selector in [
        Selector::Nsga2,
        Selector::Nsga3 { partitions: 7 },
        Selector::Rvea { partitions: 7 },
    ] {
        let c = NodeConfig {
            selector,
            generations: 3,
            ..cfg(1)
        };
        let r = run_nsga_node(&p, &c, |_| {}).unwrap();
        let n = r.genomes.len() / r.n_genome;
        // RVEA keeps one survivor per occupied reference vector, so possibly fewer.
        match selector {
            Selector::Rvea { .. } => assert!((1..=8).contains(&n)),
            _ => assert_eq!(n, 8, "{selector:?}"),
        }
        assert!(r.front.contains(&r.knee));
    }
    // Without Adam steps Lamarckian and Baldwinian runs are the same run.
    let a = NodeConfig {
        adam_steps: 0,
        ..cfg(1)
    };
    let b = NodeConfig {
        lamarckian: false,
        ..a.clone()
    };
    let (ra, rb) = (
        run_nsga_node(&p, &a, |_| {}).unwrap(),
        run_nsga_node(&p, &b, |_| {}).unwrap(),
    );
    assert_eq!(bits(&ra.genomes), bits(&rb.genomes));
    // Baldwinian with Adam: the kept genomes are untrained initialisations or offspring of
    // them, so the first generation's survivors are exactly initial genomes.
    let c = NodeConfig {
        lamarckian: false,
        generations: 1,
        ..cfg(1)
    };
    let r = run_nsga_node(&p, &c, |_| {}).unwrap();
    let init = pareto_sciml::node::initial_genomes(&p, Init::TorchDefault, 11, 8);
    let mut kept: Vec<Vec<u64>> = r.genomes.chunks(r.n_genome).map(bits).collect();
    let mut all: Vec<Vec<u64>> = init.chunks(r.n_genome).map(bits).collect();
    kept.sort();
    all.sort();
    assert_eq!(kept, all);
}

#[test]
fn bad_run_config_is_an_error() {
    let p = lv_problem(&[4], 1);
    for c in [
        NodeConfig {
            generations: 0,
            ..cfg(1)
        },
        NodeConfig {
            pop_size: 1,
            ..cfg(1)
        },
        NodeConfig {
            adam: Adam {
                lr: f64::NAN,
                ..Adam::default()
            },
            ..cfg(1)
        },
        NodeConfig {
            selector: Selector::Nsga3 { partitions: 0 },
            ..cfg(1)
        },
    ] {
        assert!(matches!(
            run_nsga_node(&p, &c, |_| {}),
            Err(pareto_sciml::Error::InvalidConfig { .. })
        ));
    }
}

#[test]
fn architecture_search_is_reproducible_per_architecture() {
    let space = ArchSpace {
        depth: (1, 2),
        width: (2, 4),
    };
    let outer = ArchConfig {
        pop_size: 4,
        generations: 2,
        seed: 5,
    };
    let inner = NodeConfig {
        pop_size: 4,
        generations: 2,
        adam_steps: 1,
        ..cfg(1)
    };
    let build = |d: usize, w: usize| Ok(lv_problem(&vec![w; d], 1));
    let r = search_architectures(space, outer, &inner, build).unwrap();
    assert!(!r.evaluated.is_empty() && !r.front.is_empty());
    for e in &r.evaluated {
        assert!((1..=2).contains(&e.depth) && (2..=4).contains(&e.width));
        let spec = MlpSpec::uniform(2, &vec![e.width; e.depth], 2, Activation::Tanh).unwrap();
        assert_eq!(e.n_params, spec.n_params());
        assert_eq!(
            e.inner_seed,
            pareto_sciml::node::architecture::inner_seed(5, e.depth, e.width)
        );
        // The inner result depends only on (seed, depth, width): rerun it alone.
        let c = NodeConfig {
            seed: e.inner_seed,
            ..inner.clone()
        };
        let alone = run_nsga_node(&lv_problem(&vec![e.width; e.depth], 1), &c, |_| {}).unwrap();
        let best = alone
            .objectives
            .chunks(2)
            .map(|o| o[0])
            .fold(f64::INFINITY, f64::min);
        assert_eq!(best.to_bits(), e.best_misfit.to_bits());
    }
    let again = search_architectures(space, outer, &inner, build).unwrap();
    assert_eq!(r, again);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The front is mutually non-dominated, every other feasible member is dominated by a
    /// front member, infeasible members are never in it, and the knee is on it.
    #[test]
    fn front_and_knee_invariants(
        f in proptest::collection::vec(0.0f64..10.0, 2..40),
        fail in proptest::collection::vec(any::<bool>(), 20),
    ) {
        let n = f.len() / 2;
        let f = &f[..2 * n];
        let g: Vec<f64> = (0..n).map(|i| if fail[i % 20] && i % 3 == 0 { 1.0 } else { 0.0 }).collect();
        let (front, knee) = front_and_knee(f, &g, 2);
        let row = |i: usize| &f[2 * i..2 * i + 2];
        let feasible: Vec<usize> = (0..n).filter(|&i| g[i] == 0.0).collect();
        if feasible.is_empty() {
            prop_assert_eq!(knee, 0);
            return Ok(());
        }
        prop_assert!(front.contains(&knee));
        for &a in &front {
            prop_assert!(g[a] == 0.0);
            for &b in &front {
                prop_assert!(!dominates(row(a), row(b)));
            }
        }
        for &i in &feasible {
            if !front.contains(&i) {
                prop_assert!(front.iter().any(|&a| dominates(row(a), row(i))));
            }
        }
        prop_assert!(front.windows(2).all(|w| row(w[0])[0] <= row(w[1])[0]));
    }
}
