//! EnKF analysis checks: the ensemble-space implementation against the textbook dense
//! formulas, the ETKF's exact covariance, convergence to the Kalman filter in the
//! linear-Gaussian case, determinism and bad input.

use pareto_sciml::da::enkf::*;
use pareto_sciml::rng::stream;
use pareto_sciml::Error;

/// Solves A X = B (A: n × n, B: n × m, row-major) by Gauss–Jordan with partial pivoting.
fn solve(a: &[f64], b: &[f64], n: usize, m: usize) -> Vec<f64> {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i * n + c].abs().total_cmp(&a[j * n + c].abs()))
            .unwrap();
        for k in 0..n {
            a.swap(c * n + k, p * n + k);
        }
        for k in 0..m {
            b.swap(c * m + k, p * m + k);
        }
        let d = a[c * n + c];
        for r in 0..n {
            if r != c {
                let f = a[r * n + c] / d;
                for k in 0..n {
                    a[r * n + k] -= f * a[c * n + k];
                }
                for k in 0..m {
                    b[r * m + k] -= f * b[c * m + k];
                }
            }
        }
    }
    for r in 0..n {
        for k in 0..m {
            b[r * m + k] /= a[r * n + r];
        }
    }
    b
}

fn matmul(a: &[f64], b: &[f64], n: usize, k: usize, m: usize) -> Vec<f64> {
    let mut c = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            c[i * m + j] = (0..k).map(|l| a[i * k + l] * b[l * m + j]).sum();
        }
    }
    c
}

fn transpose(a: &[f64], n: usize, m: usize) -> Vec<f64> {
    let mut t = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            t[j * n + i] = a[i * m + j];
        }
    }
    t
}

struct Case {
    members: usize,
    n_state: usize,
    n_obs: usize,
    states: Vec<f64>,
    h: Vec<f64>,
    obs: Vec<f64>,
    variances: Vec<f64>,
}

fn case(seed: u64, members: usize, n_state: usize, n_obs: usize) -> Case {
    let mut s = stream(seed, "enkf-test-case", 0, 0);
    Case {
        members,
        n_state,
        n_obs,
        states: (0..members * n_state).map(|_| s.normal_f64()).collect(),
        h: (0..n_obs * n_state)
            .map(|_| s.uniform_range(-1.0, 1.0))
            .collect(),
        obs: (0..n_obs).map(|_| s.normal_f64()).collect(),
        variances: (0..n_obs).map(|_| s.uniform_range(0.1, 0.5)).collect(),
    }
}

/// Textbook stochastic EnKF: K = A HAᵀ/(N−1) · (HA HAᵀ/(N−1) + R)⁻¹ in state × obs space.
/// Returns the analysis (members × n_state) and the gain (n_state × n_obs).
fn dense_analysis(c: &Case, rho: f64, eps: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (n, ns, no) = (c.members, c.n_state, c.n_obs);
    let mean: Vec<f64> = (0..ns)
        .map(|j| (0..n).map(|i| c.states[i * ns + j]).sum::<f64>() / n as f64)
        .collect();
    let x: Vec<f64> = (0..n * ns)
        .map(|k| mean[k % ns] + rho * (c.states[k] - mean[k % ns]))
        .collect();
    let xt = transpose(&x, n, ns); // ns × n
    let mean_in: Vec<f64> = mean.clone();
    let a: Vec<f64> = (0..ns * n).map(|k| xt[k] - mean_in[k / n]).collect(); // ns × n
    let ha = matmul(&c.h, &a, no, ns, n); // no × n
    let nm1 = (n - 1) as f64;
    let pht: Vec<f64> = matmul(&a, &transpose(&ha, no, n), ns, n, no)
        .iter()
        .map(|v| v / nm1)
        .collect();
    let mut s: Vec<f64> = matmul(&ha, &transpose(&ha, no, n), no, n, no)
        .iter()
        .map(|v| v / nm1)
        .collect();
    for i in 0..no {
        s[i * no + i] += c.variances[i];
    }
    // K = PHᵀ S⁻¹  ⇔  Kᵀ = S⁻¹ (PHᵀ)ᵀ (S symmetric)
    let kt = solve(&s, &transpose(&pht, ns, no), no, ns); // no × ns
    let k = transpose(&kt, no, ns); // ns × no
    let hx = matmul(&x, &transpose(&c.h, no, ns), n, ns, no); // n × no
    let mut out = x.clone();
    for j in 0..n {
        for r in 0..ns {
            out[j * ns + r] += (0..no)
                .map(|i| k[r * no + i] * (c.obs[i] + eps[j * no + i] - hx[j * no + i]))
                .sum::<f64>();
        }
    }
    (out, k)
}

#[test]
fn stochastic_analysis_equals_the_dense_textbook_formula() {
    // Both solution spaces: observation space when n_obs < N, ensemble space otherwise.
    for (seed, members, ns, no, rho) in [
        (1, 6, 4, 3, 1.0),
        (2, 10, 3, 7, 1.3),
        (3, 2, 5, 1, 1.0),
        (5, 4, 3, 6, 1.2),
        (6, 3, 2, 3, 1.0),
    ] {
        let c = case(seed, members, ns, no);
        let mut s = stream(seed, "enkf-test-eps", 0, 0);
        let eps: Vec<f64> = (0..members * no)
            .map(|k| c.variances[k % no].sqrt() * s.normal_f64())
            .collect();
        let (dense, _) = dense_analysis(&c, rho, &eps);
        let cfg = EnkfConfig {
            variant: Variant::Stochastic,
            inflation: rho,
        };
        let err = ObservationError::Diagonal {
            variances: c.variances.clone(),
        };
        let ours = enkf_analysis(
            &cfg,
            &c.states,
            ns,
            ObservationOperator::Linear(&c.h),
            &c.obs,
            &err,
            Perturbations::Given(&eps),
        )
        .unwrap();
        // Same analysis through the "predictions" operator.
        let pred: Vec<f64> = c
            .states
            .chunks(ns)
            .flat_map(|x| {
                c.h.chunks(ns)
                    .map(move |h| h.iter().zip(x).map(|(a, b)| a * b).sum::<f64>())
            })
            .collect();
        let via_pred = enkf_analysis(
            &cfg,
            &c.states,
            ns,
            ObservationOperator::Predictions(&pred),
            &c.obs,
            &err,
            Perturbations::Given(&eps),
        )
        .unwrap();
        for ((a, b), p) in ours.states.iter().zip(&dense).zip(&via_pred.states) {
            assert!(
                (a - b).abs() < 1e-11 * b.abs().max(1.0),
                "seed {seed}: {a} vs dense {b}"
            );
            assert!((a - p).abs() < 1e-12 * p.abs().max(1.0));
        }
    }
}

#[test]
fn etkf_mean_and_covariance_are_the_exact_kalman_update_of_the_sample() {
    let c = case(7, 12, 5, 4);
    let (n, ns) = (c.members, c.n_state);
    let zero_eps = vec![0.0; n * c.n_obs];
    let (_, k) = dense_analysis(&c, 1.0, &zero_eps);
    let cfg = EnkfConfig {
        variant: Variant::Etkf,
        inflation: 1.0,
    };
    let err = ObservationError::Diagonal {
        variances: c.variances.clone(),
    };
    let a = enkf_analysis(
        &cfg,
        &c.states,
        ns,
        ObservationOperator::Linear(&c.h),
        &c.obs,
        &err,
        Perturbations::Given(&zero_eps),
    )
    .unwrap();
    let mean_f: Vec<f64> = (0..ns)
        .map(|j| (0..n).map(|i| c.states[i * ns + j]).sum::<f64>() / n as f64)
        .collect();
    let hm: Vec<f64> =
        c.h.chunks(ns)
            .map(|h| h.iter().zip(&mean_f).map(|(a, b)| a * b).sum())
            .collect();
    for r in 0..ns {
        let expected = mean_f[r]
            + (0..c.n_obs)
                .map(|i| k[r * c.n_obs + i] * (c.obs[i] - hm[i]))
                .sum::<f64>();
        assert!(
            (a.mean[r] - expected).abs() < 1e-12,
            "{} vs {expected}",
            a.mean[r]
        );
    }
    let cov = |x: &[f64], m: &[f64]| -> Vec<f64> {
        let mut p = vec![0.0; ns * ns];
        for row in x.chunks(ns) {
            for i in 0..ns {
                for j in 0..ns {
                    p[i * ns + j] += (row[i] - m[i]) * (row[j] - m[j]) / (n - 1) as f64;
                }
            }
        }
        p
    };
    let pf = cov(&c.states, &mean_f);
    let pa = cov(&a.states, &a.mean);
    let kh = matmul(&k, &c.h, ns, c.n_obs, ns);
    let i_kh: Vec<f64> = (0..ns * ns)
        .map(|q| if q / ns == q % ns { 1.0 } else { 0.0 } - kh[q])
        .collect();
    let expected = matmul(&i_kh, &pf, ns, ns, ns);
    for (x, y) in pa.iter().zip(&expected) {
        assert!((x - y).abs() < 1e-12, "{x} vs {y}");
    }
}

#[test]
fn large_ensembles_approach_the_exact_kalman_filter() {
    // Prior N(m, P) in 3-D, H observes x0 + x1 and x2, R = diag(0.2, 0.5).
    let m = [1.0, -0.5, 2.0];
    let l = [1.0, 0.0, 0.0, 0.5, 0.8, 0.0, -0.3, 0.2, 0.6]; // P = L Lᵀ
    let p = matmul(&l, &transpose(&l, 3, 3), 3, 3, 3);
    let h = [1.0, 1.0, 0.0, 0.0, 0.0, 1.0];
    let r = [0.2, 0.5];
    let y = [0.7, 2.4];
    // Exact update.
    let ph = matmul(&p, &transpose(&h, 2, 3), 3, 3, 2);
    let mut s = matmul(&h, &ph, 2, 3, 2);
    s[0] += r[0];
    s[3] += r[1];
    let k = transpose(&solve(&s, &transpose(&ph, 3, 2), 2, 3), 2, 3);
    let hm = matmul(&h, &m, 2, 3, 1);
    let m_a: Vec<f64> = (0..3)
        .map(|i| m[i] + (0..2).map(|j| k[i * 2 + j] * (y[j] - hm[j])).sum::<f64>())
        .collect();
    let kh = matmul(&k, &h, 3, 2, 3);
    let i_kh: Vec<f64> = (0..9)
        .map(|q| if q / 3 == q % 3 { 1.0 } else { 0.0 } - kh[q])
        .collect();
    let p_a = matmul(&i_kh, &p, 3, 3, 3);

    let errors = |members: usize| -> (f64, f64) {
        let mut st = stream(11, "enkf-prior", 0, members as u64);
        let states: Vec<f64> = (0..members)
            .flat_map(|_| {
                let z = [st.normal_f64(), st.normal_f64(), st.normal_f64()];
                (0..3)
                    .map(move |i| m[i] + (0..3).map(|j| l[i * 3 + j] * z[j]).sum::<f64>())
                    .collect::<Vec<_>>()
            })
            .collect();
        let cfg = EnkfConfig::default();
        let err = ObservationError::Diagonal {
            variances: r.to_vec(),
        };
        let a = enkf_analysis(
            &cfg,
            &states,
            3,
            ObservationOperator::Linear(&h),
            &y,
            &err,
            Perturbations::Drawn {
                seed: 5,
                iteration: 0,
            },
        )
        .unwrap();
        let mean_err = (0..3)
            .map(|i| (a.mean[i] - m_a[i]).abs())
            .fold(0.0, f64::max);
        let mut cov_err: f64 = 0.0;
        for i in 0..3 {
            for j in 0..3 {
                let c: f64 = a
                    .states
                    .chunks(3)
                    .map(|x| (x[i] - a.mean[i]) * (x[j] - a.mean[j]))
                    .sum::<f64>()
                    / (members - 1) as f64;
                cov_err = cov_err.max((c - p_a[i * 3 + j]).abs());
            }
        }
        (mean_err, cov_err)
    };
    let (m_small, c_small) = errors(50);
    let (m_big, c_big) = errors(20_000);
    eprintln!("N = 50: mean err {m_small:.3e}, cov err {c_small:.3e}; N = 20000: {m_big:.3e}, {c_big:.3e}");
    // Monte-Carlo error ~ sd/√N: with sd ≤ 1 and N = 20 000, 0.03 is over 4 standard errors.
    assert!(m_big < 0.03, "{m_big}");
    assert!(c_big < 0.03, "{c_big}");
    assert!(m_big < m_small && c_big < c_small);
}

#[test]
fn analysis_is_deterministic_and_member_keyed() {
    let c = case(3, 8, 4, 6);
    let cfg = EnkfConfig::default();
    let err = ObservationError::Isotropic { sigma: 0.3 };
    let run = || {
        enkf_analysis(
            &cfg,
            &c.states,
            4,
            ObservationOperator::Linear(&c.h),
            &c.obs,
            &err,
            Perturbations::Drawn {
                seed: 9,
                iteration: 2,
            },
        )
        .unwrap()
    };
    let (a, b) = (run(), run());
    assert!(a
        .states
        .iter()
        .zip(&b.states)
        .all(|(x, y)| x.to_bits() == y.to_bits()));
    let other = enkf_analysis(
        &cfg,
        &c.states,
        4,
        ObservationOperator::Linear(&c.h),
        &c.obs,
        &err,
        Perturbations::Drawn {
            seed: 9,
            iteration: 3,
        },
    )
    .unwrap();
    assert!(a
        .states
        .iter()
        .zip(&other.states)
        .any(|(x, y)| x.to_bits() != y.to_bits()));
}

#[test]
fn ten_thousand_observations_with_eight_members() {
    // MoPINNEnKF's size: must run in ensemble space (an n_obs² matrix would be 800 MB).
    let (members, n_obs) = (8, 10_000);
    let mut s = stream(1, "enkf-big", 0, 0);
    let pred: Vec<f64> = (0..members * n_obs).map(|_| s.normal_f64()).collect();
    let obs: Vec<f64> = (0..n_obs).map(|_| s.normal_f64()).collect();
    let cfg = EnkfConfig::default();
    let a = enkf_analysis(
        &cfg,
        &pred,
        n_obs,
        ObservationOperator::Predictions(&pred),
        &obs,
        &ObservationError::Isotropic { sigma: 0.5 },
        Perturbations::Drawn {
            seed: 0,
            iteration: 0,
        },
    )
    .unwrap();
    assert_eq!(a.states.len(), members * n_obs);
    assert!(a.states.iter().all(|v| v.is_finite()));
}

#[test]
fn bad_input_is_a_clear_error() {
    let c = case(4, 5, 3, 2);
    let cfg = EnkfConfig::default();
    let ok_err = ObservationError::Isotropic { sigma: 0.1 };
    let drawn = Perturbations::Drawn {
        seed: 0,
        iteration: 0,
    };
    let run = |states: &[f64], ns: usize, obs: &[f64], err: &ObservationError, cfg: &EnkfConfig| {
        enkf_analysis(
            cfg,
            states,
            ns,
            ObservationOperator::Linear(&c.h),
            obs,
            err,
            drawn,
        )
    };
    // fewer than 2 members
    assert!(matches!(
        run(&c.states[..3], 3, &c.obs, &ok_err, &cfg),
        Err(Error::InvalidConfig { .. })
    ));
    // σ ≤ 0, non-finite, bad variances
    for sigma in [0.0, -1.0, f64::NAN] {
        assert!(matches!(
            run(
                &c.states,
                3,
                &c.obs,
                &ObservationError::Isotropic { sigma },
                &cfg
            ),
            Err(Error::InvalidConfig { .. })
        ));
    }
    assert!(run(
        &c.states,
        3,
        &c.obs,
        &ObservationError::Diagonal {
            variances: vec![1.0, 0.0]
        },
        &cfg
    )
    .is_err());
    assert!(matches!(
        run(
            &c.states,
            3,
            &c.obs,
            &ObservationError::Diagonal {
                variances: vec![1.0]
            },
            &cfg
        ),
        Err(Error::Shape { .. })
    ));
    // ragged states, wrong H, wrong predictions
    assert!(matches!(
        run(&c.states[..14], 3, &c.obs, &ok_err, &cfg),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        run(&c.states, 3, &[0.0; 3], &ok_err, &cfg),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        enkf_analysis(
            &cfg,
            &c.states,
            3,
            ObservationOperator::Predictions(&[0.0; 3]),
            &c.obs,
            &ok_err,
            drawn
        ),
        Err(Error::Shape { .. })
    ));
    // NaN forecast
    let mut bad = c.states.clone();
    bad[4] = f64::NAN;
    assert!(matches!(
        run(&bad, 3, &c.obs, &ok_err, &cfg),
        Err(Error::NonFinite { .. })
    ));
    // collapsed ensemble
    let same = [1.0, 2.0, 3.0].repeat(5);
    assert!(matches!(
        run(&same, 3, &c.obs, &ok_err, &cfg),
        Err(Error::Numerical { .. })
    ));
    // inflation < 1
    let deflate = EnkfConfig {
        variant: Variant::Stochastic,
        inflation: 0.5,
    };
    assert!(matches!(
        run(&c.states, 3, &c.obs, &ok_err, &deflate),
        Err(Error::InvalidConfig { .. })
    ));
    // no observations
    assert!(matches!(
        enkf_analysis(
            &cfg,
            &c.states,
            3,
            ObservationOperator::Predictions(&[]),
            &[],
            &ok_err,
            drawn
        ),
        Err(Error::Empty { .. })
    ));
}
