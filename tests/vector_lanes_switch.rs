//! The process-wide vector-lane switch (`pareto_sciml::math::set_vector_lanes`) changes the
//! path, never the bits: NSGA-II, NSGA-III and RVEA runs and ChaCha streams with the lanes
//! off equal those with the lanes on. Alone in its test binary because the switch is global.

use pareto_sciml::math::{set_vector_lanes, vector_lanes};
use pareto_sciml::moo::algorithm::{run, Algorithm, Checkpointing};
use pareto_sciml::moo::observer::NoObserver;
use pareto_sciml::moo::problem::Evaluator;
use pareto_sciml::moo::problems::{Dtlz, Zdt, ZdtKind};
use pareto_sciml::moo::{das_dennis, Nsga2, Nsga3, Rvea};
use pareto_sciml::rng::stream;

fn generations<A: Algorithm, P: pareto_sciml::moo::problem::Problem>(mut a: A, p: &P) -> A {
    run(
        &mut a,
        &Evaluator::new(p).threads(2),
        12,
        &mut NoObserver,
        &Checkpointing::never(),
    )
    .unwrap();
    a
}

fn all_runs() -> (Rvea, Nsga2, Nsga3, Vec<u64>) {
    let dtlz1 = Dtlz::new(1, 40, 3).unwrap();
    let refs = das_dennis(3, 12).unwrap();
    let rvea = generations(Rvea::new(&dtlz1, refs.clone(), 12, 7).unwrap(), &dtlz1);
    let zdt = Zdt::new(ZdtKind::Zdt3, 30).unwrap();
    let nsga2 = generations(Nsga2::new(&zdt, 64, 5).unwrap(), &zdt);
    let dtlz2 = Dtlz::new(2, 12, 3).unwrap();
    let nsga3 = generations(Nsga3::new(&dtlz2, refs, 90, 3).unwrap(), &dtlz2);
    let mut s = stream(11, "lanes-switch", 0, 0);
    let words = (0..1000).map(|_| s.next_u64()).collect();
    (rvea, nsga2, nsga3, words)
}

#[test]
fn scalar_loops_give_the_vector_lanes_bits() {
    assert!(vector_lanes(), "the lanes are on by default");
    let with_lanes = all_runs();
    set_vector_lanes(false);
    let scalar = all_runs();
    set_vector_lanes(true);
    assert!(with_lanes.0 == scalar.0, "RVEA differs without the lanes");
    assert!(
        with_lanes.1 == scalar.1,
        "NSGA-II differs without the lanes"
    );
    assert!(
        with_lanes.2 == scalar.2,
        "NSGA-III differs without the lanes"
    );
    assert_eq!(
        with_lanes.3, scalar.3,
        "ChaCha words differ without the lanes"
    );
}
