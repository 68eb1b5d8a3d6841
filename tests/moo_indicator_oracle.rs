//! Our indicators against pymoo 0.6.2 and moocore 0.3.2 on the fixed point sets written by
//! `tests/data/moo_indicator_oracle.py` (see that script for the file format and how to rerun).
//!
//! Tolerances: ranks and row counts exactly; hypervolume, IGD, IGD+ and crowding to a relative
//! `1e-12` (the libraries sum in different orders); Das–Dennis coordinates to `1e-15`.
//!
//! Crowding convention difference: pymoo's `calc_crowding_distance` divides the sum by the
//! number of objectives and normalises the gap to each neighbour separately; we compare
//! `ours / M` with it. Both break ties by position (pymoo's mergesort is stable).

use pareto_sciml::moo::{
    crowding_distance, das_dennis, das_dennis_layered, hypervolume, igd, igd_plus,
    nondominated_sort,
};
use std::collections::HashMap;

const TOL: f64 = 1e-12;

struct PointSet {
    m: usize,
    rows: Vec<f64>,
}

fn close(ours: f64, theirs: f64, tol: f64) -> bool {
    if ours.is_infinite() || theirs.is_infinite() {
        return ours.to_bits() == theirs.to_bits();
    }
    (ours - theirs).abs() <= tol * ours.abs().max(theirs.abs()) + 1e-15
}

fn floats(v: &[&str]) -> Vec<f64> {
    v.iter().map(|s| s.parse::<f64>().expect("float")).collect()
}

fn sorted_rows(w: &[f64], m: usize) -> Vec<Vec<f64>> {
    let mut rows: Vec<Vec<f64>> = w.chunks_exact(m).map(|r| r.to_vec()).collect();
    rows.sort_by(|a, b| {
        a.iter()
            .zip(b)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    rows
}

fn assert_same_rows(ours: &[f64], theirs: &[f64], m: usize, what: &str) {
    assert_eq!(ours.len(), theirs.len(), "{what}: row count");
    for (a, b) in sorted_rows(ours, m).iter().zip(sorted_rows(theirs, m)) {
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() <= 1e-15, "{what}: {a:?} vs {b:?}");
        }
    }
}

#[test]
fn indicators_match_pymoo_and_moocore() {
    let text = include_str!("data/moo_indicator_oracle.txt");
    let lines: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().collect())
        .collect();
    let mut sets: HashMap<String, PointSet> = HashMap::new();
    let mut current = String::new();
    let mut checks = HashMap::<&str, usize>::new();
    let mut i = 0;
    // Reads the `n` row lines after line `i` into one flat matrix.
    let read_rows = |i: usize, n: usize| -> Vec<f64> {
        (i + 1..=i + n)
            .flat_map(|k| {
                assert_eq!(lines[k][0], "row", "line {k}");
                floats(&lines[k][1..])
            })
            .collect()
    };
    while i < lines.len() {
        let l = &lines[i];
        match l[0] {
            "set" | "front" => {
                let (m, n): (usize, usize) = (l[2].parse().unwrap(), l[3].parse().unwrap());
                sets.insert(
                    l[1].to_string(),
                    PointSet {
                        m,
                        rows: read_rows(i, n),
                    },
                );
                current = l[1].to_string();
                i += n;
            }
            "rank_moocore" | "rank_pymoo" => {
                let s = &sets[&current];
                let theirs: Vec<usize> = l[1..].iter().map(|v| v.parse().unwrap()).collect();
                assert_eq!(
                    nondominated_sort(&s.rows, s.m).unwrap(),
                    theirs,
                    "{current} {}",
                    l[0]
                );
                *checks.entry("rank").or_default() += 1;
            }
            "crowding_pymoo" => {
                let s = &sets[&current];
                let members: Vec<usize> = (0..s.rows.len() / s.m).collect();
                let ours = crowding_distance(&s.rows, s.m, &members).unwrap();
                for (k, (d, t)) in ours.iter().zip(floats(&l[1..])).enumerate() {
                    let d = d / s.m as f64;
                    assert!(
                        close(d, t, TOL),
                        "{current} crowding[{k}]: ours/M {d} pymoo {t}"
                    );
                }
                *checks.entry("crowding").or_default() += 1;
            }
            "hv" => {
                let s = &sets[&current];
                let v = floats(&l[1..]);
                let ours = hypervolume(&s.rows, s.m, &v[..s.m]).unwrap();
                assert!(
                    close(ours, v[s.m], TOL),
                    "{current} hv: ours {ours} moocore {}",
                    v[s.m]
                );
                *checks.entry("hv").or_default() += 1;
            }
            "igd" | "igdplus" => {
                let (a, z) = (&sets[l[1]], &sets[l[2]]);
                let want: f64 = l[3].parse().unwrap();
                let ours = if l[0] == "igd" {
                    igd(&a.rows, &z.rows, a.m).unwrap()
                } else {
                    igd_plus(&a.rows, &z.rows, a.m).unwrap()
                };
                assert!(
                    close(ours, want, TOL),
                    "{} {}: ours {ours} moocore {want}",
                    l[0],
                    l[1]
                );
                *checks.entry(l[0]).or_default() += 1;
            }
            "dd" => {
                let (m, p, n): (usize, usize, usize) = (
                    l[1].parse().unwrap(),
                    l[2].parse().unwrap(),
                    l[3].parse().unwrap(),
                );
                assert_same_rows(
                    &das_dennis(m, p).unwrap(),
                    &read_rows(i, n),
                    m,
                    "das_dennis",
                );
                *checks.entry("dd").or_default() += 1;
                i += n;
            }
            "ddlayer" => {
                let m: usize = l[1].parse().unwrap();
                let (p1, p2, n): (usize, usize, usize) = (
                    l[2].parse().unwrap(),
                    l[3].parse().unwrap(),
                    l[4].parse().unwrap(),
                );
                let ours = das_dennis_layered(m, p1, p2).unwrap();
                assert_same_rows(&ours, &read_rows(i, n), m, "das_dennis_layered");
                *checks.entry("ddlayer").or_default() += 1;
                i += n;
            }
            other => panic!("unknown record {other:?} in the oracle file"),
        }
        i += 1;
    }
    // Guard against a truncated file silently checking less.
    let want = [
        ("rank", 24),
        ("crowding", 12),
        ("hv", 12),
        ("igd", 8),
        ("igdplus", 8),
        ("dd", 5),
        ("ddlayer", 3),
    ];
    for (k, n) in want {
        assert_eq!(
            checks.get(k).copied().unwrap_or(0),
            n,
            "number of {k} checks"
        );
    }
}
