//! ZDT/DTLZ objective values against pymoo 0.6.2 (oracle: `tests/data/moo_problems_oracle.py`),
//! Pareto-front samplers, the evaluator (thread-count bit-identity, failure marking) and bad
//! input.

use pareto_sciml::moo::problem::{Bounds, Evaluator, Problem};
use pareto_sciml::moo::problems::{Dtlz, KnownFront, Zdt};
use pareto_sciml::Error;
use proptest::prelude::*;

fn make(name: &str, n_var: usize, n_obj: usize) -> Box<dyn KnownFront> {
    match name {
        "zdt1" => Box::new(Zdt::zdt1(n_var).unwrap()),
        "zdt2" => Box::new(Zdt::zdt2(n_var).unwrap()),
        "zdt3" => Box::new(Zdt::zdt3(n_var).unwrap()),
        "zdt4" => Box::new(Zdt::zdt4(n_var).unwrap()),
        "zdt6" => Box::new(Zdt::zdt6(n_var).unwrap()),
        d => {
            let k: u8 = d.trim_start_matches("dtlz").parse().unwrap();
            Box::new(Dtlz::new(k, n_var, n_obj).unwrap())
        }
    }
}

#[test]
fn objectives_match_pymoo() {
    let text = include_str!("data/moo_problems_oracle.csv");
    let mut checked = 0;
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let (name, n_var, n_obj) = (
            cells[0],
            cells[1].parse().unwrap(),
            cells[2].parse().unwrap(),
        );
        let v: Vec<f64> = cells[3].split(' ').map(|s| s.parse().unwrap()).collect();
        let (x, want) = v.split_at(n_var);
        let p = make(name, n_var, n_obj);
        let mut f = vec![0.0; n_obj];
        p.evaluate(x, &mut f, &mut []).unwrap();
        for (j, (&a, &b)) in f.iter().zip(want).enumerate() {
            // Our cos/sin/pow/exp may differ from numpy's by an ulp or two; DTLZ1/3 sum ~10³
            // such terms, hence a relative bound well above rounding and far below any
            // formula error.
            let tol = 1e-11 * b.abs().max(1.0);
            assert!((a - b).abs() <= tol, "{name} f{j}: ours {a}, pymoo {b}");
        }
        checked += 1;
    }
    assert_eq!(checked, 14 * 8);
}

#[test]
fn fronts_lie_on_the_analytic_surface() {
    let d1 = Dtlz::new(1, 7, 3).unwrap().pareto_front(105).unwrap();
    assert_eq!(d1.len(), 105 * 3);
    assert!(d1
        .chunks(3)
        .all(|r| (r.iter().sum::<f64>() - 0.5).abs() < 1e-12));
    for k in 2..=4 {
        let f = Dtlz::new(k, 12, 3).unwrap().pareto_front(100).unwrap();
        assert!(f
            .chunks(3)
            .all(|r| (r.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-12));
    }
    for k in 5..=6 {
        let f = Dtlz::new(k, 12, 3).unwrap().pareto_front(50).unwrap();
        assert_eq!(f.len(), 150);
        assert!(f
            .chunks(3)
            .all(|r| (r.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-12));
        assert!(f.chunks(3).all(|r| (r[0] - r[1]).abs() < 1e-12));
    }
    let z1 = Zdt::zdt1(30).unwrap().pareto_front(100).unwrap();
    assert!(z1
        .chunks(2)
        .all(|r| (r[1] - (1.0 - r[0].sqrt())).abs() < 1e-15));
    // Front points must be reached by decision vectors with g at its optimum.
    let p = Dtlz::new(2, 12, 3).unwrap();
    let mut x = vec![0.5; 12];
    x[0] = 0.3;
    x[1] = 0.8;
    let mut f = vec![0.0; 3];
    p.evaluate(&x, &mut f, &mut []).unwrap();
    assert!((f.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn dtlz7_and_zdt3_fronts_are_nondominated_and_on_the_surface() {
    for (p, n_obj) in [
        (
            Box::new(Dtlz::new(7, 22, 3).unwrap()) as Box<dyn KnownFront>,
            3,
        ),
        (Box::new(Zdt::zdt3(30).unwrap()), 2),
    ] {
        let f = p.pareto_front(200).unwrap();
        assert!(f.len() / n_obj >= 100, "{}", p.name());
        let ranks = pareto_sciml::moo::nondominated_sort(&f, n_obj).unwrap();
        assert!(ranks.iter().all(|&r| r == 0), "{}", p.name());
    }
    // A DTLZ7 front point is the objective vector of x = (f1, f2, 0, ..., 0).
    let p = Dtlz::new(7, 22, 3).unwrap();
    let front = p.pareto_front(100).unwrap();
    let row = &front[3..6];
    let mut x = vec![0.0; 22];
    x[..2].copy_from_slice(&row[..2]);
    let mut f = vec![0.0; 3];
    p.evaluate(&x, &mut f, &mut []).unwrap();
    assert!((f[2] - row[2]).abs() < 1e-12);
}

/// A problem that fails (NaN) on rows whose first variable exceeds 0.9.
struct Flaky;
impl Problem for Flaky {
    fn n_var(&self) -> usize {
        2
    }
    fn n_obj(&self) -> usize {
        2
    }
    fn n_constr(&self) -> usize {
        1
    }
    fn bounds(&self) -> &Bounds {
        static B: std::sync::OnceLock<Bounds> = std::sync::OnceLock::new();
        B.get_or_init(|| Bounds::uniform(2, 0.0, 1.0).unwrap())
    }
    fn evaluate(&self, x: &[f64], f: &mut [f64], g: &mut [f64]) -> pareto_sciml::Result<()> {
        for ((xr, fr), gr) in x.chunks(2).zip(f.chunks_mut(2)).zip(g.iter_mut()) {
            let bad = if xr[0] > 0.9 { f64::NAN } else { 0.0 };
            fr[0] = xr[0] + bad;
            fr[1] = 1.0 - xr[0] + xr[1];
            *gr = xr[1] - 0.5;
        }
        Ok(())
    }
}

#[test]
fn evaluator_marks_failures_and_counts() {
    let ev = Evaluator::new(&Flaky).threads(3);
    let x = [0.1, 0.2, 0.95, 0.1, 0.5, 0.9];
    let (f, g) = ev.evaluate(&x).unwrap();
    assert_eq!(ev.evaluations(), 3);
    assert!(f[2].is_infinite() && f[3].is_infinite() && g[1].is_infinite());
    assert!(f[0].is_finite() && g[2] > 0.0);
    assert!(matches!(ev.evaluate(&[]), Err(Error::Empty { .. })));
    assert!(matches!(
        ev.evaluate(&[0.1, 0.2, 0.3]),
        Err(Error::Shape { .. })
    ));
}

#[test]
fn bad_configurations_are_errors() {
    assert!(matches!(
        Bounds::new(vec![0.0, 2.0], vec![1.0, 1.0]),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        Bounds::new(vec![f64::NAN], vec![1.0]),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        Bounds::new(vec![0.0], vec![1.0, 2.0]),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        Bounds::new(vec![], vec![]),
        Err(Error::Empty { .. })
    ));
    assert!(Dtlz::new(8, 12, 3).is_err());
    assert!(Dtlz::new(2, 12, 1).is_err());
    assert!(Dtlz::new(2, 2, 3).is_err());
    assert!(Zdt::zdt1(1).is_err());
    let p = Dtlz::new(2, 12, 3).unwrap();
    assert!(p.pareto_front(0).is_err());
    let mut f = vec![0.0; 3];
    assert!(matches!(
        p.evaluate(&[0.5; 11], &mut f, &mut []),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        p.evaluate(&[0.5; 12], &mut f[..2], &mut []),
        Err(Error::Shape { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn evaluation_is_bit_identical_for_any_thread_count(seed in 0u64..1000, n in 1usize..40, t in 2usize..6) {
        let p = Dtlz::new(3, 12, 3).unwrap();
        let x = pareto_sciml::moo::operators::random_population(n, p.bounds().lower(), p.bounds().upper(), seed);
        let (f1, _) = Evaluator::new(&p).threads(1).evaluate(&x).unwrap();
        let (ft, _) = Evaluator::new(&p).threads(t).evaluate(&x).unwrap();
        prop_assert!(f1.iter().zip(&ft).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
