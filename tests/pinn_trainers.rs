//! PINN trainers: training lowers the losses, fronts are non-dominated, results are
//! bit-identical for 1 and 2 threads, and bad settings are errors.

use pareto_sciml::backend::cpu::Cpu;
use pareto_sciml::backend::Backend;
use pareto_sciml::moo::dominance::dominates;
use pareto_sciml::nn::{Activation, MlpSpec};
use pareto_sciml::pinn::burgers::{burgers_dataset, BurgersDataConfig, NU_FORWARD_MODEL};
use pareto_sciml::pinn::burgers_problem::BurgersProblem;
use pareto_sciml::pinn::problem::PinnProblem;
use pareto_sciml::pinn::tfmdwe::{tfmdwe_dataset, TfmdweDataConfig};
use pareto_sciml::pinn::tfmdwe_problem::TfmdweProblem;
use pareto_sciml::pinn::train::{
    train_adam_pinn, train_nsga_pinn, AdamPinnConfig, Emo, NsgaPinnConfig, PinnOutcome, Progress,
};
use pareto_sciml::Error;

fn burgers(inverse: bool) -> BurgersProblem<f32> {
    let d = burgers_dataset(&BurgersDataConfig {
        n_initial_boundary: 40,
        n_observations: 200,
        n_collocation: 300,
        noise_level: 0.2,
        seed: 1,
    })
    .unwrap();
    if inverse {
        BurgersProblem::inverse(d, 1e-4, 1.0).unwrap()
    } else {
        BurgersProblem::forward(d, NU_FORWARD_MODEL).unwrap()
    }
}

fn spec() -> MlpSpec {
    MlpSpec::uniform(2, &[10, 10], 1, Activation::Tanh).unwrap()
}

/// The signature [`train_adam_pinn`] and [`train_nsga_pinn`] share.
type Trainer<P, C> =
    fn(&P, &MlpSpec, &C, &Backend, &mut dyn FnMut(&Progress)) -> pareto_sciml::Result<PinnOutcome>;

/// `train` of `problem` with [`spec`] and `cfg` on `threads` CPU threads, without progress.
fn train_on<P: PinnProblem, C>(
    train: Trainer<P, C>,
    problem: &P,
    cfg: &C,
    threads: usize,
) -> PinnOutcome {
    train(
        problem,
        &spec(),
        cfg,
        &Backend::cpu(Cpu::new(threads)),
        &mut |_| {},
    )
    .unwrap()
}

fn bits(o: &PinnOutcome) -> (Vec<u64>, Vec<u64>) {
    (
        o.members.iter().map(|v| v.to_bits()).collect(),
        o.terms.iter().map(|v| v.to_bits()).collect(),
    )
}

#[test]
fn adam_pinn_lowers_every_network_loss_and_is_thread_independent() {
    let problem = burgers(false);
    let cfg = AdamPinnConfig {
        networks: 3,
        epochs: 150,
        adam: pareto_sciml::nn::Adam {
            lr: 3e-3,
            ..Default::default()
        },
        record_every: 10,
        ..Default::default()
    };
    let one = train_on(train_adam_pinn, &problem, &cfg, 1);
    let two = train_on(train_adam_pinn, &problem, &cfg, 2);
    assert_eq!(bits(&one), bits(&two));
    let first = &one.history[0].1;
    let last = &one.history.last().unwrap().1;
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    assert!(sum(last) < 0.5 * sum(first), "{first:?} -> {last:?}");
    // Epochs 0, 10, ..., 140 and the final evaluation.
    assert_eq!(one.history.len(), 16);
    // A network trained alone follows the same trajectory as in the batch of three.
    let alone = train_on(
        train_adam_pinn,
        &problem,
        &AdamPinnConfig {
            networks: 1,
            ..cfg.clone()
        },
        2,
    );
    assert_eq!(
        alone
            .member(0)
            .iter()
            .map(|v| v.to_bits())
            .collect::<Vec<_>>(),
        one.member(0)
            .iter()
            .map(|v| v.to_bits())
            .collect::<Vec<_>>()
    );
}

fn nsga_cfg(emo: Emo) -> NsgaPinnConfig {
    NsgaPinnConfig {
        emo,
        pop_size: 8,
        generations: 3,
        adam_steps: 15,
        seed: 4,
        ..Default::default()
    }
}

#[test]
fn nsga_pinn_fronts_are_nondominated_and_thread_independent() {
    for inverse in [false, true] {
        let problem = burgers(inverse);
        for emo in [Emo::Nsga2, Emo::Nsga3 { partitions: 3 }] {
            let cfg = nsga_cfg(emo);
            let mut reports = 0;
            let one = train_nsga_pinn(
                &problem,
                &spec(),
                &cfg,
                &Backend::cpu(Cpu::new(1)),
                &mut |_| reports += 1,
            )
            .unwrap();
            assert_eq!(reports, 3);
            let two = train_on(train_nsga_pinn, &problem, &cfg, 2);
            assert_eq!(bits(&one), bits(&two), "{emo:?} inverse={inverse}");
            assert!(!one.front.is_empty());
            for &a in &one.front {
                for m in 0..8 {
                    assert!(!dominates(one.member_terms(m), one.member_terms(a)));
                }
            }
            assert!(one.front.contains(&one.choice.knee));
            let best = one.choice.best_data;
            assert!(one
                .front
                .iter()
                .all(|&m| one.member_terms(best)[2] <= one.member_terms(m)[2]));
            if inverse {
                // ν stays in its box.
                for m in 0..8 {
                    let nu = *one.member(m).last().unwrap();
                    assert!((1e-4..=1.0).contains(&nu), "{nu}");
                }
            }
        }
    }
}

#[test]
fn sbx_offspring_and_perturbed_copies_both_work() {
    let problem = burgers(false);
    let sbx = NsgaPinnConfig {
        perturbation: None,
        ..nsga_cfg(Emo::Nsga2)
    };
    let a = train_on(train_nsga_pinn, &problem, &sbx, 1);
    let b = train_on(train_nsga_pinn, &problem, &sbx, 2);
    assert_eq!(bits(&a), bits(&b));
    let gauss = train_on(train_nsga_pinn, &problem, &nsga_cfg(Emo::Nsga2), 2);
    assert_ne!(bits(&a).0, bits(&gauss).0);
}

#[test]
fn lamarckian_write_back_changes_the_population() {
    let problem = burgers(false);
    let lam = train_on(train_nsga_pinn, &problem, &nsga_cfg(Emo::Nsga2), 2);
    let cfg = NsgaPinnConfig {
        lamarckian: false,
        ..nsga_cfg(Emo::Nsga2)
    };
    let bald = train_on(train_nsga_pinn, &problem, &cfg, 2);
    assert_ne!(bits(&lam).0, bits(&bald).0);
    // With the trained genes kept, the best summed loss is lower.
    let best = |o: &PinnOutcome| {
        (0..8)
            .map(|m| o.member_terms(m).iter().sum::<f64>())
            .fold(f64::INFINITY, f64::min)
    };
    assert!(
        best(&lam) < best(&bald),
        "{} vs {}",
        best(&lam),
        best(&bald)
    );
}

#[test]
fn tfmdwe_inverse_training_moves_alpha_and_stays_in_range() {
    let ds = tfmdwe_dataset(&TfmdweDataConfig {
        n_initial_boundary: 40,
        n_observations: 200,
        n_space: 12,
        n_time_steps: 12,
        noise_level: 0.0,
        seed: 2,
        ..Default::default()
    })
    .unwrap();
    let problem = TfmdweProblem::<f32>::inverse(ds, 0.01, 0.99).unwrap();
    let cfg = AdamPinnConfig {
        networks: 2,
        epochs: 60,
        adam: pareto_sciml::nn::Adam {
            lr: 5e-3,
            ..Default::default()
        },
        ..Default::default()
    };
    let out = train_on(train_adam_pinn, &problem, &cfg, 2);
    let init = pareto_sciml::pinn::train::init_members(&problem, &spec(), cfg.init, cfg.seed, 2);
    let ng = out.n_genes;
    for m in 0..2 {
        let a = out.member(m)[ng - 1];
        assert!((0.01..=0.99).contains(&a));
        assert_ne!(
            a.to_bits(),
            (init[(m + 1) * ng - 1] as f32 as f64).to_bits()
        );
    }
}

#[test]
fn bad_settings_are_errors() {
    let problem = burgers(false);
    let cpu = Backend::cpu(Cpu::new(1));
    let bad_nsga = |f: fn(&mut NsgaPinnConfig)| {
        let mut c = nsga_cfg(Emo::Nsga2);
        f(&mut c);
        train_nsga_pinn(&problem, &spec(), &c, &cpu, &mut |_| {})
    };
    assert!(matches!(
        bad_nsga(|c| c.generations = 0),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        bad_nsga(|c| c.gene_bound = 0.0),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        bad_nsga(|c| c.weights = vec![1.0; 2]),
        Err(Error::Shape { .. })
    ));
    assert!(bad_nsga(|c| c.weights = vec![0.0; 3]).is_err());
    assert!(bad_nsga(|c| c.pop_size = 1).is_err());
    assert!(bad_nsga(|c| c.initial = Some(vec![0.0; 5])).is_err());
    assert!(bad_nsga(|c| c.adam.lr = f64::NAN).is_err());
    assert!(bad_nsga(|c| c.perturbation = Some(-0.1)).is_err());
    let bad_adam = |f: fn(&mut AdamPinnConfig)| {
        let mut c = AdamPinnConfig {
            epochs: 2,
            ..Default::default()
        };
        f(&mut c);
        train_adam_pinn(&problem, &spec(), &c, &cpu, &mut |_| {})
    };
    assert!(bad_adam(|c| c.epochs = 0).is_err());
    assert!(bad_adam(|c| c.networks = 0).is_err());
    assert!(bad_adam(|c| c.weights = vec![1.0, -1.0, 1.0]).is_err());
}

#[test]
fn a_diverging_network_is_a_result_not_a_crash() {
    // An absurd learning rate sends the loss to infinity; the trainer returns, and the
    // divergent members carry +inf objectives rather than NaN or a panic.
    let problem = burgers(false);
    let cfg = NsgaPinnConfig {
        adam: pareto_sciml::nn::Adam {
            lr: 1e30,
            ..Default::default()
        },
        ..nsga_cfg(Emo::Nsga2)
    };
    match train_nsga_pinn(
        &problem,
        &spec(),
        &cfg,
        &Backend::cpu(Cpu::new(1)),
        &mut |_| {},
    ) {
        Ok(out) => assert!(out.terms.iter().all(|v| !v.is_nan())),
        Err(e) => assert!(matches!(e, Error::Numerical { .. }), "{e}"),
    }
}

#[test]
fn mopinnenkf_with_nsga_pinn_members_is_thread_independent_and_respects_the_cap() {
    use pareto_sciml::da::enkf::EnkfConfig;
    use pareto_sciml::da::mopinnenkf::{run_mopinnenkf, MoPinnEnkfConfig, StopReason};
    use pareto_sciml::pinn::problem::PinnProblem;
    use pareto_sciml::pinn::train::NsgaPinnEnsemble;
    let problem = burgers(false);
    let obs = problem.observations().values.clone();
    let run = |threads: usize, eps_iter: f64| {
        let cfg = NsgaPinnConfig {
            generations: 1,
            adam_steps: 10,
            ..nsga_cfg(Emo::Nsga3 { partitions: 3 })
        };
        let mut ens = NsgaPinnEnsemble::new(
            problem.clone(),
            spec(),
            cfg,
            Backend::cpu(Cpu::new(threads)),
            4,
            None,
            Box::new(|_| {}),
        )
        .unwrap();
        let res = run_mopinnenkf(
            &mut ens,
            &obs,
            &MoPinnEnkfConfig {
                max_iterations: 3,
                eps_iter,
                obs_sigma: 0.1,
                enkf: EnkfConfig::default(),
                seed: 7,
            },
        )
        .unwrap();
        // The targets the last round trained on are the previous analysis mean.
        assert_eq!(ens.outcomes().len(), res.history.len());
        (res, ens.problem().data_targets().to_vec())
    };
    let (one, t1) = run(1, 0.0);
    let (two, t2) = run(2, 0.0);
    assert_eq!(one.stop, StopReason::IterationCap);
    assert_eq!(one.history.len(), 3);
    let b = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(b(&one.targets), b(&two.targets));
    assert_eq!(b(&one.forecast), b(&two.forecast));
    assert_eq!(b(&t1), b(&t2));
    assert_eq!(one.forecast.len(), 4 * obs.len());
    // A huge ε stops at the second iteration (the first change is measurable).
    let (conv, _) = run(1, 1e9);
    assert_eq!(conv.stop, StopReason::Converged);
    assert_eq!(conv.history.len(), 2);
    // Too few or too many members are configuration errors.
    for n in [1, 9] {
        assert!(NsgaPinnEnsemble::new(
            problem.clone(),
            spec(),
            nsga_cfg(Emo::Nsga2),
            Backend::cpu(Cpu::new(1)),
            n,
            None,
            Box::new(|_| {})
        )
        .is_err());
    }
}
