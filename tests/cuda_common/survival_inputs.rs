//! Inputs of the selection kernels' tests (emulation and GPU): DTLZ populations with
//! infeasible rows and their constrained ranks, and normalised association cases.

use super::evo_inputs::{cpu_objectives, population};
use pareto_sciml::backend::cuda::Nsga3Normalisation;
use pareto_sciml::moo::problems::Dtlz;
use pareto_sciml::moo::{constrained_nondominated_sort, das_dennis};
use pareto_sciml::rng::stream;

/// Objectives of a DTLZ population with every `infeasible_every`-th row violating (0: none).
pub fn selection_case(
    seed: u64,
    number: u8,
    n: usize,
    m: usize,
    infeasible_every: usize,
) -> (Vec<f64>, Vec<f64>, Vec<usize>) {
    let p = Dtlz::new(number, m + 4, m).unwrap();
    let f = cpu_objectives(&p, &population(&p, n, seed));
    let mut s = stream(seed, "survival-case", 0, 0);
    let cv: Vec<f64> = (0..n)
        .map(|i| {
            if infeasible_every > 0 && i % infeasible_every == 1 {
                0.1 + s.uniform_f64()
            } else {
                0.0
            }
        })
        .collect();
    let rank = constrained_nondominated_sort(&f, &cv, m).unwrap();
    (f, cv, rank)
}

/// Association inputs: a normalised population and its directions.
pub fn association_case(
    seed: u64,
    number: u8,
    n: usize,
    m: usize,
    parts: usize,
) -> (Vec<f64>, Vec<f64>, Nsga3Normalisation, Vec<f64>) {
    let (sel, cv, rank) = selection_case(seed, number, n, m, 0);
    let mut st = Nsga3Normalisation::new(m);
    let nadir = st.update_cpu(&sel, &cv, &rank).unwrap().unwrap();
    (sel, das_dennis(m, parts).unwrap(), st, nadir)
}
