//! Identities and monotonicity of the elementary functions, within stated tolerances derived
//! from the documented ULP bounds (each tolerance below says where it comes from).

use pareto_sciml::math::*;
use proptest::prelude::*;

/// Relative distance |a − b| / max(|a|, |b|).
fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// exp(a + b) = exp(a)·exp(b): the sum's rounding moves the argument by up to
    /// ulp(a + b)/2, which changes exp by a relative |a + b|·2^−53; plus three results of
    /// at most EXP_F64_MAX_ULP each and one product rounding.
    #[test]
    fn exp_of_sum_is_product(a in -300.0f64..300.0, b in -300.0f64..300.0) {
        let s = a + b;
        let tol = (s.abs() + 3.0 * EXP_F64_MAX_ULP as f64 + 1.0) * f64::EPSILON;
        prop_assert!(rel(exp_f64(s), exp_f64(a) * exp_f64(b)) <= tol);
    }

    /// sin² + cos² = 1 within a few ULP of 1 (each term within 1 ULP, two products, a sum).
    #[test]
    fn pythagoras(x in -1e6f64..1e6) {
        let (s, c) = (sin_f64(x), cos_f64(x));
        prop_assert!((s.mul_add(s, c * c) - 1.0).abs() <= 4.0 * f64::EPSILON);
        let xf = x as f32;
        let (s, c) = (sin_f32(xf) as f64, cos_f32(xf) as f64);
        prop_assert!((s * s + c * c - 1.0).abs() <= 4.0 * f32::EPSILON as f64);
    }

    /// tanh, sin odd and cos even, bit for bit.
    #[test]
    fn symmetry(x in proptest::num::f64::ANY) {
        prop_assert_eq!(tanh_f64(-x).to_bits(), (-tanh_f64(x)).to_bits());
        if x.abs() <= SIN_COS_F64_MAX_ARG {
            prop_assert_eq!(sin_f64(-x).to_bits(), (-sin_f64(x)).to_bits());
            prop_assert_eq!(cos_f64(-x).to_bits(), cos_f64(x).to_bits());
        }
        let xf = x as f32;
        prop_assert_eq!(tanh_f32(-xf).to_bits(), (-tanh_f32(xf)).to_bits());
    }

    /// ln(exp(x)) = x: exp's error of EXP_F64_MAX_ULP relative becomes an absolute error of
    /// about that many ulp(1) in the logarithm, plus ln's own ULP.
    #[test]
    fn ln_inverts_exp(x in -700.0f64..700.0) {
        let back = ln_f64(exp_f64(x));
        let tol = (EXP_F64_MAX_ULP as f64 + 0.5) * f64::EPSILON + (LN_F64_MAX_ULP as f64) * f64::EPSILON * x.abs();
        prop_assert!((back - x).abs() <= tol, "{} -> {}", x, back);
    }

    /// exp(ln(x)) = x for positive x over the whole range: ln's absolute error of
    /// LN_F64_MAX_ULP·ulp(ln x) becomes a relative error |ln x|·that in exp.
    #[test]
    fn exp_inverts_ln(x in 1e-300f64..1e300) {
        let l = ln_f64(x);
        let tol = (l.abs() * LN_F64_MAX_ULP as f64 + EXP_F64_MAX_ULP as f64 + 0.5) * f64::EPSILON;
        prop_assert!(rel(exp_f64(l), x) <= tol);
    }

    /// pow agrees with exp/ln identities: x^1 = x exactly, x^2 within the bound of x·x, and
    /// x^a·x^b ≈ x^(a+b).
    #[test]
    fn pow_identities(x in 1e-3f64..1e3, a in -20.0f64..20.0, b in -20.0f64..20.0) {
        prop_assert_eq!(pow_f64(x, 1.0).to_bits(), x.to_bits());
        prop_assert!(ulp_diff_f64(pow_f64(x, 2.0), x * x) <= POW_F64_MAX_ULP + 1);
        let lhs = pow_f64(x, a) * pow_f64(x, b);
        let s = a + b;
        let tol = ((s * x.ln()).abs() + 3.0 * POW_F64_MAX_ULP as f64 + 1.0) * f64::EPSILON;
        prop_assert!(rel(lhs, pow_f64(x, s)) <= tol);
    }

    /// Monotonic on sampled pairs (tanh: up to its error, see `tanh_monotone64`): a ≤ b implies f(a) ≤ f(b) for exp, ln, tanh (and f32).
    #[test]
    fn monotone(a in -800.0f64..800.0, b in -800.0f64..800.0) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(exp_f64(lo) <= exp_f64(hi));
        prop_assert!(tanh_monotone64(lo, hi));
        prop_assert!(tanh_monotone32(lo as f32, hi as f32));
        prop_assert!(exp_f32(lo as f32) <= exp_f32(hi as f32));
        let (plo, phi) = (lo.abs().min(hi.abs()), lo.abs().max(hi.abs()));
        prop_assert!(ln_f64(plo) <= ln_f64(phi));
        prop_assert!(ln_f32(plo as f32) <= ln_f32(phi as f32));
    }

    /// Monotonic on neighbouring pairs (adjacent floats), where a faulty polynomial or
    /// reduction switch would show first.
    #[test]
    fn monotone_adjacent(x in -700.0f64..700.0) {
        let y = f64::from_bits(if x >= 0.0 { x.to_bits() + 1 } else { x.to_bits() - 1 });
        prop_assert!(exp_f64(x) <= exp_f64(y));
        prop_assert!(tanh_monotone64(x, y));
        prop_assert!(tanh_monotone32(x as f32, f32::from_bits((x as f32).to_bits() + 1)));
        let ax = x.abs();
        prop_assert!(ln_f64(ax) <= ln_f64(f64::from_bits(ax.to_bits() + 1)));
    }
}

/// tanh is within `TANH_MAX_ULP_CORRECTLY_ROUNDED` = B of the (monotone) exact function, so
/// `a ≤ b` only implies `tanh(a) ≤ tanh(b) + 2B` ULP: its single-division form (`exp.rs`) is
/// not monotone at the last bit. The check is one-sided: tanh(a) may exceed tanh(b) by at most
/// 2B ULP, never fall below it by any amount.
fn tanh_monotone64(a: f64, b: f64) -> bool {
    let (ta, tb) = (tanh_f64(a), tanh_f64(b));
    ta <= tb || ulp_diff_f64(ta, tb) <= 2 * TANH_MAX_ULP_CORRECTLY_ROUNDED
}

/// f32 counterpart of [`tanh_monotone64`].
fn tanh_monotone32(a: f32, b: f32) -> bool {
    let (ta, tb) = (tanh_f32(a), tanh_f32(b));
    ta <= tb || ulp_diff_f32(ta, tb) <= 2 * TANH_MAX_ULP_CORRECTLY_ROUNDED
}
