//! Special functions the fractional-calculus problems need: Γ and digamma ψ for real
//! arguments, built on the crate's own `exp`/`ln` (so values are reproducible bit for bit).

use crate::math::{exp_f64, ln_f64};
use std::f64::consts::PI;

/// Lanczos coefficients (g = 7, n = 9), as in Numerical Recipes / Boost's "lanczos13" family;
/// relative accuracy about 1e-15 for positive arguments.
const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// Γ(x) for real `x` (reflection formula below 1/2; poles at non-positive integers give ±inf
/// or NaN as the limit dictates).
///
/// ```
/// use pareto_sciml::pinn::special::gamma;
/// assert!((gamma(4.0) - 6.0).abs() < 1e-13);
/// assert!((gamma(0.5) - std::f64::consts::PI.sqrt()).abs() < 1e-14);
/// ```
pub fn gamma(x: f64) -> f64 {
    if x < 0.5 {
        // Γ(x) Γ(1−x) = π / sin(πx)
        return PI / (crate::math::sin_f64(PI * x) * gamma(1.0 - x));
    }
    let x = x - 1.0;
    let mut a = LANCZOS[0];
    let t = x + LANCZOS_G + 0.5;
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    (2.0 * PI).sqrt() * exp_f64((x + 0.5) * ln_f64(t) - t) * a
}

/// Digamma ψ(x) = Γ'(x)/Γ(x) for `x > 0`: recurrence up to x ≥ 6, then the asymptotic series.
///
/// ```
/// use pareto_sciml::pinn::special::digamma;
/// // ψ(1) = −γ (Euler–Mascheroni)
/// assert!((digamma(1.0) + 0.577_215_664_901_532_9).abs() < 1e-14);
/// ```
pub fn digamma(mut x: f64) -> f64 {
    let mut result = 0.0;
    while x < 6.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    // ψ(x) ~ ln x − 1/(2x) − Σ B_{2k}/(2k x^{2k})
    let series = inv2
        * (1.0 / 12.0
            - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 / 132.0))));
    result + ln_f64(x) - 0.5 * inv - series
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_matches_factorials_and_half_integers() {
        let mut fact = 1.0;
        for n in 1..20 {
            assert!(((gamma(n as f64) - fact) / fact).abs() < 2e-14, "Γ({n})");
            fact *= n as f64;
        }
        // Γ(3.5) = 15√π/8, Γ(−0.5) = −2√π
        let sp = PI.sqrt();
        assert!((gamma(3.5) - 15.0 * sp / 8.0).abs() < 1e-13);
        assert!((gamma(-0.5) + 2.0 * sp).abs() < 1e-13);
    }

    #[test]
    fn digamma_is_the_log_derivative_of_gamma() {
        for &x in &[0.3, 0.5, 1.5, 2.5, 3.7, 8.0, 20.0] {
            let h = 1e-5 * x;
            let fd = (gamma(x + h).ln() - gamma(x - h).ln()) / (2.0 * h);
            assert!(
                (digamma(x) - fd).abs() < 1e-8,
                "x={x}: {} vs {fd}",
                digamma(x)
            );
        }
    }
}
