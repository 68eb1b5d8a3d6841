//! Gauss–Hermite quadrature (weight e^{-z²} on ℝ), with log-weights so that sums of hugely
//! different magnitudes (the Cole–Hopf integrals) can be taken in log space.

use crate::error::{Error, Result};

/// Nodes `z` and natural-log weights `ln w` of the `n`-point Gauss–Hermite rule:
/// `∫ g(z) e^{-z²} dz ≈ Σ_k exp(ln w_k) g(z_k)`, exact for polynomials of degree < 2n.
///
/// Nodes are the eigenvalues of the Jacobi matrix of the Hermite recurrence (zero diagonal,
/// off-diagonals sqrt(k/2)), isolated by Sturm-sequence bisection — robust for any n, where
/// Newton from asymptotic guesses can jump between neighbouring roots for n in the hundreds —
/// then polished by Newton steps on the orthonormal recurrence, whose derivative also gives the
/// weights `w = 2 / p'_n(z)²` (kept as logarithms: the outer weights underflow f64 for n ≳ 150).
/// Nodes are returned in descending order; symmetric pairs are mirrored exactly.
///
/// ```
/// let (z, lnw) = pareto_sciml::pinn::quadrature::gauss_hermite(20).unwrap();
/// let total: f64 = lnw.iter().map(|l| l.exp()).sum();
/// assert!((total - std::f64::consts::PI.sqrt()).abs() < 1e-13);
/// assert_eq!(z.len(), 20);
/// ```
pub fn gauss_hermite(n: usize) -> Result<(Vec<f64>, Vec<f64>)> {
    if n == 0 {
        return Err(Error::config(
            "n",
            "a quadrature rule needs at least one node",
        ));
    }
    if n > 600 {
        return Err(Error::config(
            "n",
            format!("at most 600 nodes are supported (the recurrence overflows beyond), got {n}"),
        ));
    }
    let nf = n as f64;
    // Squared off-diagonals of the Jacobi matrix: k/2 for k = 1..n−1.
    let off2: Vec<f64> = (1..n).map(|k| k as f64 / 2.0).collect();
    // Number of eigenvalues below x (Sturm sequence of the LDLᵀ pivots).
    let count_below = |x: f64| -> usize {
        let mut count = 0;
        let mut q = -x;
        if q < 0.0 {
            count += 1;
        }
        for &b2 in &off2 {
            let prev = if q == 0.0 { f64::MIN_POSITIVE } else { q };
            q = -x - b2 / prev;
            if q < 0.0 {
                count += 1;
            }
        }
        count
    };
    let bound = (2.0 * nf).sqrt() + 1.0;
    let mut z = vec![0.0; n];
    let mut lnw = vec![0.0; n];
    for i in 0..n.div_ceil(2) {
        // z[i] is the (n−1−i)-th eigenvalue in ascending order: the smallest x with
        // count_below(x) ≥ n − i.
        let (mut lo, mut hi) = (-bound, bound);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if count_below(mid) >= n - i {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        let mut root = 0.5 * (lo + hi);
        let mut derivative = orthonormal_hermite(n, root).1;
        for _ in 0..3 {
            let (p, d) = orthonormal_hermite(n, root);
            if d == 0.0 || !d.is_finite() {
                break;
            }
            let next = root - p / d;
            if !next.is_finite() || next <= lo - 1e-12 || next >= hi + 1e-12 {
                break;
            }
            root = next;
            derivative = orthonormal_hermite(n, root).1;
        }
        if !(root.is_finite() && derivative.is_finite() && derivative != 0.0) {
            return Err(Error::Numerical {
                op: "gauss_hermite",
                reason: format!("node {i} of {n} could not be computed"),
            });
        }
        z[i] = root;
        z[n - 1 - i] = -root;
        let l = std::f64::consts::LN_2 - 2.0 * derivative.abs().ln();
        lnw[i] = l;
        lnw[n - 1 - i] = l;
    }
    if n % 2 == 1 {
        z[n / 2] = 0.0;
    }
    Ok((z, lnw))
}

/// The orthonormal Hermite polynomial p_n(z) and the scaled derivative sqrt(2n)·p_{n−1}(z),
/// by p_j = z·sqrt(2/j)·p_{j−1} − sqrt((j−1)/j)·p_{j−2}, p_0 = π^(−1/4).
fn orthonormal_hermite(n: usize, z: f64) -> (f64, f64) {
    const PI_M4: f64 = 0.751_125_544_464_942_5;
    let (mut p1, mut p2) = (PI_M4, 0.0);
    for j in 1..=n {
        let jf = j as f64;
        let p3 = p2;
        p2 = p1;
        p1 = z * (2.0 / jf).sqrt() * p2 - ((jf - 1.0) / jf).sqrt() * p3;
    }
    (p1, (2.0 * n as f64).sqrt() * p2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ∫ z^{2k} e^{-z²} dz = Γ(k + 1/2) = (2k−1)!! √π / 2^k.
    fn even_moment(k: u32) -> f64 {
        let mut v = std::f64::consts::PI.sqrt();
        for j in 0..k {
            v *= (2 * j + 1) as f64 / 2.0;
        }
        v
    }

    #[test]
    fn rule_is_exact_for_polynomials_below_degree_2n() {
        for n in [1usize, 2, 5, 16, 64, 200, 400] {
            let (z, lnw) = gauss_hermite(n).unwrap();
            for k in 0..(n as u32).min(12) {
                let q: f64 = z
                    .iter()
                    .zip(&lnw)
                    .map(|(z, l)| l.exp() * z.powi(2 * k as i32))
                    .sum();
                let exact = even_moment(k);
                assert!(
                    ((q - exact) / exact).abs() < 1e-11,
                    "n={n} k={k}: {q} vs {exact}"
                );
                let odd: f64 = z
                    .iter()
                    .zip(&lnw)
                    .map(|(z, l)| l.exp() * z.powi(2 * k as i32 + 1))
                    .sum();
                assert!(odd.abs() < 1e-11 * exact.max(1.0), "odd moment {odd}");
            }
        }
    }

    #[test]
    fn nodes_are_sorted_and_symmetric() {
        let (z, _) = gauss_hermite(101).unwrap();
        assert!(z.windows(2).all(|w| w[0] > w[1]));
        for (a, b) in z.iter().zip(z.iter().rev()) {
            assert_eq!(a.abs().to_bits(), b.abs().to_bits());
        }
        assert!(gauss_hermite(0).is_err());
    }
}
