//! The selection kernels on a GPU against their CPU twins: NSGA-III normalisation,
//! association and niching (bit for bit), RVEA adaptation and γ (bit for bit), random mating,
//! binary tournaments, the row gather, and a whole [`DeviceRvea`] run against [`Rvea`] (same
//! populations, bit for bit; the test prints the generation where they first differ, if
//! any). Every test prints `skipped: <reason>` and passes without a CUDA device;
//! `tests/cuda_emulation_evo_survival.rs` checks the same kernel sources on the CPU.

mod cuda_common;

use cuda_common::gpu;
use cuda_common::survival_inputs::{association_case, selection_case};
use pareto_sciml::backend::cuda::{
    nsga3_associate_cpu, nsga3_niching_cpu, rvea_adapt_cpu, rvea_gammas_cpu, DeviceNsga2,
    DeviceNsga3, DeviceProblem, DeviceRvea, Nsga3Normalisation,
};
use pareto_sciml::moo::algorithm::{run, Algorithm, Checkpointing};
use pareto_sciml::moo::observer::NoObserver;
use pareto_sciml::moo::operators::{binary_tournament, random_mating};
use pareto_sciml::moo::problem::Evaluator;
use pareto_sciml::moo::problems::Dtlz;
use pareto_sciml::moo::{das_dennis, Nsga2, Nsga3, Rvea};
use pareto_sciml::rng::stream;

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn nsga3_normalisation_association_niching_cuda() {
    let Some(dev) = gpu() else { return };
    for (case, (number, n, m, infeasible)) in [(1, 50, 3, 0), (2, 3000, 3, 5), (3, 257, 5, 3)]
        .into_iter()
        .enumerate()
    {
        let (mut cpu, mut gpu_state) = (Nsga3Normalisation::new(m), Nsga3Normalisation::new(m));
        for generation in 0..3u64 {
            let (sel, cv, rank) =
                selection_case(100 * case as u64 + generation, number, n, m, infeasible);
            let want = cpu.update_cpu(&sel, &cv, &rank).unwrap();
            let got = dev
                .nsga3_normalise(&mut gpu_state, &sel, &cv, &rank)
                .unwrap();
            assert_eq!(
                got.as_deref().map(bits),
                want.as_deref().map(bits),
                "case {case}"
            );
            assert_eq!(
                bits(&gpu_state.extremes),
                bits(&cpu.extremes),
                "case {case}"
            );
            assert_eq!(bits(&gpu_state.ideal), bits(&cpu.ideal), "case {case}");
        }
    }
    for (seed, n, m, parts) in [(1, 3000, 3, 12), (2, 257, 5, 4)] {
        let (sel, refs, st, nadir) = association_case(seed, 2, n, m, parts);
        let want = nsga3_associate_cpu(&sel, m, &refs, &st.ideal, &nadir).unwrap();
        let got = dev
            .nsga3_associate(&sel, m, &refs, &st.ideal, &nadir)
            .unwrap();
        assert_eq!(got.0, want.0);
        assert_eq!(bits(&got.1), bits(&want.1));
        let mut s = stream(seed, "niching-case", 0, 0);
        let last: Vec<usize> = s.permutation(n)[..n / 2].to_vec();
        let mut count: Vec<usize> = (0..refs.len() / m).map(|_| s.below(3) as usize).collect();
        let mut count_gpu = count.clone();
        let want = nsga3_niching_cpu(&last, &want.0, &want.1, &mut count, n / 4, 7, 3).unwrap();
        let got = dev
            .nsga3_niching(&last, &got.0, &got.1, &mut count_gpu, n / 4, 7, 3)
            .unwrap();
        assert_eq!(got, want);
        assert_eq!(count_gpu, count);
    }
}

#[test]
fn rvea_adaptation_and_gammas_cuda() {
    let Some(dev) = gpu() else { return };
    let m = 3;
    let v0: Vec<f64> = das_dennis(m, 30).unwrap();
    let v0 = rvea_adapt_cpu(&v0, m, &[0.0; 3], &[1.0; 3])
        .unwrap()
        .unwrap();
    let (ideal, nadir) = ([0.1, -0.2, 0.0], [2.0, 0.5, 7.0]);
    let want = rvea_adapt_cpu(&v0, m, &ideal, &nadir).unwrap().unwrap();
    let got = dev.rvea_adapt(&v0, m, &ideal, &nadir).unwrap().unwrap();
    assert_eq!(bits(&got), bits(&want));
    assert_eq!(dev.rvea_adapt(&v0, m, &ideal, &ideal).unwrap(), None);
    let (g_cpu, g_dev) = (
        rvea_gammas_cpu(&want, m).unwrap(),
        dev.rvea_gammas(&want, m).unwrap(),
    );
    assert_eq!(bits(&g_dev), bits(&g_cpu), "γ");
}

#[test]
fn mating_tournament_and_gather_cuda() {
    let Some(dev) = gpu() else { return };
    for (seed, n, n_pairs, gen) in [(1, 2, 1, 1), (2, 105, 53, 7), (3, 16384, 8192, 2)] {
        assert_eq!(
            dev.random_mating(n, n_pairs, seed, gen).unwrap(),
            random_mating(n, n_pairs, seed, gen).unwrap()
        );
        let mut s = stream(seed, "tournament-case", gen, 0);
        let cv: Vec<f64> = (0..n).map(|i| if i % 5 == 2 { 1.0 } else { 0.0 }).collect();
        let rank: Vec<usize> = (0..n).map(|_| s.below(3) as usize).collect();
        let crowd: Vec<f64> = (0..n).map(|_| s.below(4) as f64).collect();
        assert_eq!(
            dev.binary_tournament(&cv, &rank, &crowd, n_pairs, seed, gen)
                .unwrap(),
            binary_tournament(&cv, &rank, &crowd, n_pairs, seed, gen).unwrap()
        );
    }
    let (a, b) = ([1.0, 2.0, 3.0, 4.0], [5.0, 6.0]);
    assert_eq!(
        dev.gather_rows(&a, &b, 2, &[2, 0, 1]).unwrap(),
        vec![5.0, 6.0, 1.0, 2.0, 3.0, 4.0]
    );
}

#[test]
fn device_rvea_matches_cpu_rvea_cuda() {
    let Some(dev) = gpu() else { return };
    for (number, n_var, parts, max_gen) in [(1, 7, 13, 30u64), (2, 12, 20, 25)] {
        let p = Dtlz::new(number, n_var, 3).unwrap();
        let refs = das_dennis(3, parts).unwrap();
        let mut cpu = Rvea::new(&p, refs.clone(), max_gen, 11).unwrap();
        let ev = Evaluator::new(&p);
        run(&mut cpu, &ev, 1, &mut NoObserver, &Checkpointing::never()).unwrap();
        let mut gpu_rvea =
            DeviceRvea::new(&dev, &p, DeviceProblem::dtlz(&p), refs, max_gen, 11).unwrap();
        for g in 1..max_gen {
            assert_eq!(gpu_rvea.generation(), cpu.generation());
            let (x, f) = gpu_rvea.population().unwrap();
            assert_eq!(
                bits(&f),
                bits(&cpu.core().f),
                "DTLZ{number}: f differ at generation {g}"
            );
            assert_eq!(
                bits(&x),
                bits(&cpu.core().x),
                "DTLZ{number}: x differ at generation {g}"
            );
            let (v, _) = gpu_rvea.vectors().unwrap();
            assert_eq!(
                bits(&v),
                bits(cpu.reference_vectors()),
                "vectors at generation {g}"
            );
            gpu_rvea.step().unwrap();
            run(
                &mut cpu,
                &ev,
                g + 1,
                &mut NoObserver,
                &Checkpointing::never(),
            )
            .unwrap();
        }
    }
}

#[test]
fn device_nsga3_matches_cpu_nsga3_cuda() {
    let Some(dev) = gpu() else { return };
    for (number, n_var, parts, pop, gens) in [
        (1, 7, 12, 92, 20u64),
        (2, 12, 12, 91, 15),
        (3, 12, 6, 28, 20),
    ] {
        let p = Dtlz::new(number, n_var, 3).unwrap();
        let refs = das_dennis(3, parts).unwrap();
        let mut cpu = Nsga3::new(&p, refs.clone(), pop, 5).unwrap();
        let ev = Evaluator::new(&p);
        run(&mut cpu, &ev, 1, &mut NoObserver, &Checkpointing::never()).unwrap();
        let mut d = DeviceNsga3::new(&dev, &p, DeviceProblem::dtlz(&p), refs, pop, 5).unwrap();
        for g in 1..gens {
            assert_eq!(d.generation(), cpu.generation());
            let (x, f) = d.population().unwrap();
            assert_eq!(
                bits(&f),
                bits(&cpu.core().f),
                "DTLZ{number}: f differ at generation {g}"
            );
            assert_eq!(
                bits(&x),
                bits(&cpu.core().x),
                "DTLZ{number}: x differ at generation {g}"
            );
            d.step().unwrap();
            run(
                &mut cpu,
                &ev,
                g + 1,
                &mut NoObserver,
                &Checkpointing::never(),
            )
            .unwrap();
        }
    }
}

#[test]
fn device_nsga2_matches_cpu_nsga2_cuda() {
    let Some(dev) = gpu() else { return };
    for (p, pop, gens) in [
        (Dtlz::new(1, 7, 3).unwrap(), 100, 20u64),
        (Dtlz::new(2, 12, 2).unwrap(), 64, 15),
    ] {
        let mut cpu = Nsga2::new(&p, pop, 9).unwrap();
        let ev = Evaluator::new(&p);
        run(&mut cpu, &ev, 1, &mut NoObserver, &Checkpointing::never()).unwrap();
        let mut d = DeviceNsga2::new(&dev, &p, DeviceProblem::dtlz(&p), pop, 9).unwrap();
        for g in 1..gens {
            assert_eq!(d.generation(), cpu.generation());
            let (x, f) = d.population().unwrap();
            assert_eq!(bits(&f), bits(&cpu.core().f), "f differ at generation {g}");
            assert_eq!(bits(&x), bits(&cpu.core().x), "x differ at generation {g}");
            let (r, c) = d.rank_and_crowding().unwrap();
            assert_eq!(r, cpu.rank(), "ranks at generation {g}");
            assert_eq!(bits(&c), bits(cpu.crowding()), "crowding at generation {g}");
            d.step().unwrap();
            run(
                &mut cpu,
                &ev,
                g + 1,
                &mut NoObserver,
                &Checkpointing::never(),
            )
            .unwrap();
        }
    }
}
