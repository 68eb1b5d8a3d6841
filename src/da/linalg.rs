//! Small dense linear algebra for ensemble-space computations (matrices of ensemble size,
//! a few to a few hundred rows): Cholesky solves and the symmetric eigen-decomposition by
//! cyclic Jacobi rotations. Row-major `n × n` slices; fixed loop orders, so results are
//! reproducible bit for bit.

use crate::error::{Error, Result};

/// Cholesky factor L (lower, row-major) of a symmetric positive-definite matrix.
pub fn cholesky(a: &[f64], n: usize) -> Result<Vec<f64>> {
    crate::error::check_len("cholesky", "a.len()", n * n, a.len())?;
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s.is_nan() || s <= 0.0 || s.is_infinite() {
                    return Err(Error::Numerical {
                        op: "cholesky",
                        reason: format!("matrix is not positive definite (pivot {i} = {s})"),
                    });
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Ok(l)
}

/// Solves `L Lᵀ x = b` in place for a Cholesky factor from [`cholesky`].
pub fn cholesky_solve(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= l[k * n + i] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

/// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: returns the
/// eigenvalues and the eigenvectors as the *columns* of a row-major `n × n` matrix V, so that
/// `A = V diag(λ) Vᵀ`. Accurate to a few ulps of ‖A‖ for the small matrices it is meant for.
pub fn symmetric_eigen(a: &[f64], n: usize) -> Result<(Vec<f64>, Vec<f64>)> {
    crate::error::check_len("symmetric_eigen", "a.len()", n * n, a.len())?;
    crate::error::check_finite("symmetric_eigen", "matrix", a)?;
    let mut m = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let scale: f64 = m.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-15 * scale || off == 0.0 {
            let values = (0..n).map(|i| m[i * n + i]).collect();
            return Ok((values, v));
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                // Rotation angle that zeroes m[p][q] (Golub & Van Loan, Alg. 8.4.1).
                let theta = (m[q * n + q] - m[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkq) = (m[k * n + p], m[k * n + q]);
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[p * n + k], m[q * n + k]);
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    Err(Error::Numerical {
        op: "symmetric_eigen",
        reason: "Jacobi sweeps did not converge".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spd(n: usize) -> Vec<f64> {
        let mut s = crate::rng::stream(1, "test-spd", 0, n as u64);
        let b: Vec<f64> = (0..n * n).map(|_| s.uniform_range(-1.0, 1.0)).collect();
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (0..n).map(|k| b[i * n + k] * b[j * n + k]).sum::<f64>()
                    + if i == j { 1.0 } else { 0.0 };
            }
        }
        a
    }

    #[test]
    fn cholesky_solves_spd_systems() {
        for n in [1, 2, 5, 12] {
            let a = spd(n);
            let l = cholesky(&a, n).unwrap();
            let x: Vec<f64> = (0..n).map(|i| i as f64 - 1.5).collect();
            let mut b: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| a[i * n + j] * x[j]).sum())
                .collect();
            cholesky_solve(&l, n, &mut b);
            for (u, v) in b.iter().zip(&x) {
                assert!((u - v).abs() < 1e-10);
            }
        }
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_err());
    }

    #[test]
    fn eigen_reconstructs_the_matrix() {
        for n in [1, 3, 8, 20] {
            let a = spd(n);
            let (w, v) = symmetric_eigen(&a, n).unwrap();
            for i in 0..n {
                for j in 0..n {
                    let r: f64 = (0..n).map(|k| v[i * n + k] * w[k] * v[j * n + k]).sum();
                    assert!((r - a[i * n + j]).abs() < 1e-11 * n as f64, "{n} {i} {j}");
                    let orth: f64 = (0..n).map(|k| v[k * n + i] * v[k * n + j]).sum();
                    let id = if i == j { 1.0 } else { 0.0 };
                    assert!((orth - id).abs() < 1e-12);
                }
            }
        }
    }
}
