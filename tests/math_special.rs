//! Special values: NaN propagation (same bits), infinities, signed zeros, subnormals, the
//! overflow and underflow thresholds, and the C99 special cases of pow (checked against the
//! standard library, which follows C99).

mod math_common;

use math_common::*;
use pareto_sciml::math::*;

fn same64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
}

fn same32(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits()
}

#[test]
fn nan_arguments_come_back_unchanged() {
    let nans64 = [
        f64::NAN,
        -f64::NAN,
        f64::from_bits(0x7ff8_dead_beef_0001),
        f64::from_bits(0xfff8_0000_0000_0042),
    ];
    for x in nans64 {
        for f in [exp_f64, ln_f64, tanh_f64, sin_f64, cos_f64] {
            assert!(same64(f(x), x), "{:#x}", x.to_bits());
        }
        assert!(same64(pow_f64(x, 2.5), x));
        assert!(same64(pow_f64(2.5, x), x));
    }
    let nans32 = [
        f32::NAN,
        -f32::NAN,
        f32::from_bits(0x7fc0_1234),
        f32::from_bits(0xffc0_0042),
    ];
    for x in nans32 {
        for f in [exp_f32, ln_f32, tanh_f32, sin_f32, cos_f32] {
            assert!(same32(f(x), x), "{:#x}", x.to_bits());
        }
        assert!(pow_f32(x, 2.5).is_nan() && pow_f32(2.5, x).is_nan());
    }
}

#[test]
fn exp_special_values_and_thresholds() {
    assert!(same64(exp_f64(f64::INFINITY), f64::INFINITY));
    assert!(same64(exp_f64(f64::NEG_INFINITY), 0.0));
    assert!(same64(exp_f64(0.0), 1.0) && same64(exp_f64(-0.0), 1.0));
    assert!(same64(exp_f64(f64::from_bits(1)), 1.0));
    let over = 709.782712893384_f64;
    assert!(exp_f64(over).is_finite());
    assert!(same64(
        exp_f64(f64::from_bits(over.to_bits() + 1)),
        f64::INFINITY
    ));
    assert!(same64(exp_f64(f64::MAX), f64::INFINITY));
    // The smallest subnormal and the last argument that still rounds to it.
    assert!(same64(exp_f64(-745.1332191019411), f64::from_bits(1)));
    assert!(same64(exp_f64(-745.1332191019412), 0.0));
    assert!(same64(exp_f64(-f64::MAX), 0.0));
    for x in [-708.5, -720.0, -740.0, -744.9] {
        assert!(exp_f64(x) < f64::MIN_POSITIVE && exp_f64(x) > 0.0);
        assert!(ulp_diff_f64(exp_f64(x), x.exp()) <= EXP_F64_MAX_ULP);
    }
    assert!(same32(exp_f32(f32::INFINITY), f32::INFINITY));
    assert!(same32(exp_f32(f32::NEG_INFINITY), 0.0));
    assert!(same32(exp_f32(0.0), 1.0));
    assert!(exp_f32(88.72283).is_finite());
    assert!(ulp_diff_f32(exp_f32(88.72283), (88.72283f32 as f64).exp() as f32) <= EXP_F32_MAX_ULP);
    assert!(same32(exp_f32(88.72284), f32::INFINITY));
    assert!(same32(exp_f32(-103.972_08), f32::from_bits(1)));
    assert!(same32(exp_f32(-104.0), 0.0));
}

#[test]
fn ln_special_values() {
    assert!(same64(ln_f64(1.0), 0.0));
    assert!(same64(ln_f64(0.0), f64::NEG_INFINITY) && same64(ln_f64(-0.0), f64::NEG_INFINITY));
    assert!(same64(ln_f64(f64::INFINITY), f64::INFINITY));
    assert!(
        ln_f64(-1.0).is_nan() && ln_f64(f64::NEG_INFINITY).is_nan() && ln_f64(-1e-310).is_nan()
    );
    for x in [
        f64::from_bits(1),
        f64::from_bits(0x000f_ffff_ffff_ffff),
        f64::MIN_POSITIVE,
        f64::MAX,
    ] {
        assert!(ulp_diff_f64(ln_f64(x), x.ln()) <= LN_F64_MAX_ULP, "{x:e}");
    }
    assert!(same32(ln_f32(1.0), 0.0));
    assert!(same32(ln_f32(0.0), f32::NEG_INFINITY) && same32(ln_f32(-0.0), f32::NEG_INFINITY));
    assert!(same32(ln_f32(f32::INFINITY), f32::INFINITY));
    assert!(ln_f32(-1.0).is_nan() && ln_f32(f32::NEG_INFINITY).is_nan());
    for x in [
        f32::from_bits(1),
        f32::from_bits(0x007f_ffff),
        f32::MIN_POSITIVE,
        f32::MAX,
    ] {
        assert!(
            ulp_diff_f32(ln_f32(x), (x as f64).ln() as f32) <= LN_F32_MAX_ULP,
            "{x:e}"
        );
    }
}

#[test]
fn tanh_special_values() {
    assert!(same64(tanh_f64(f64::INFINITY), 1.0) && same64(tanh_f64(f64::NEG_INFINITY), -1.0));
    assert!(same64(tanh_f64(0.0), 0.0) && same64(tanh_f64(-0.0), -0.0));
    for x in [f64::from_bits(1), 1e-300, 1e-20, 7e-9, -7e-9, -1e-300] {
        assert!(same64(tanh_f64(x), x), "tiny {x:e}");
    }
    for x in [20.0, 25.0, 1e3, f64::MAX] {
        assert!(same64(tanh_f64(x), 1.0) && same64(tanh_f64(-x), -1.0));
    }
    assert!(same32(tanh_f32(f32::INFINITY), 1.0) && same32(tanh_f32(f32::NEG_INFINITY), -1.0));
    assert!(same32(tanh_f32(0.0), 0.0) && same32(tanh_f32(-0.0), -0.0));
    for x in [f32::from_bits(1), 1e-30, 2e-4, -2e-4] {
        assert!(same32(tanh_f32(x), x), "tiny {x:e}");
    }
    for x in [10.0f32, 50.0, f32::MAX] {
        assert!(same32(tanh_f32(x), 1.0) && same32(tanh_f32(-x), -1.0));
    }
    // Odd, bit for bit, on every edge argument.
    for x in edges64().into_iter().filter(|x| !x.is_nan()) {
        assert!(same64(tanh_f64(-x), -tanh_f64(x)), "{x:e}");
    }
}

#[test]
fn sin_cos_special_values() {
    for f in [sin_f64, cos_f64] {
        assert!(f(f64::INFINITY).is_nan() && f(f64::NEG_INFINITY).is_nan());
        assert!(f(SIN_COS_F64_MAX_ARG).is_finite() && f(-SIN_COS_F64_MAX_ARG).is_finite());
        assert!(f(SIN_COS_F64_MAX_ARG * 2.0).is_nan() && f(f64::MAX).is_nan());
    }
    for f in [sin_f32, cos_f32] {
        assert!(f(f32::INFINITY).is_nan() && f(f32::NEG_INFINITY).is_nan());
        assert!(f(SIN_COS_F32_MAX_ARG).is_finite() && f(SIN_COS_F32_MAX_ARG * 2.0).is_nan());
    }
    assert!(same64(sin_f64(0.0), 0.0) && same64(sin_f64(-0.0), -0.0));
    assert!(same64(cos_f64(0.0), 1.0) && same64(cos_f64(-0.0), 1.0));
    assert!(same32(sin_f32(-0.0), -0.0) && same32(cos_f32(-0.0), 1.0));
    for x in [f64::from_bits(1), -f64::from_bits(1), 1e-300, 1e-9] {
        assert!(same64(sin_f64(x), x) && same64(cos_f64(x), 1.0));
    }
    for x in [f32::from_bits(1), 1e-30, -1e-5] {
        assert!(same32(sin_f32(x), x) && same32(cos_f32(x), 1.0));
    }
    // Odd and even, bit for bit.
    for x in uniform64("sincos_sym", 0.0, 1e5, 10_000) {
        assert!(
            same64(sin_f64(-x), -sin_f64(x)) && same64(cos_f64(-x), cos_f64(x)),
            "{x:e}"
        );
    }
}

/// Every pair of edge arguments (zeros, ±1, infinities, NaNs, subnormals, extremes, odd and
/// even integers, halves): same class as C99 `pow` (std), the same bits where the result is
/// exact (0, ±∞, ±1, NaN), and within the bound elsewhere.
#[test]
fn pow_matches_c99_special_cases() {
    let e = edges64();
    let ys: Vec<f64> = e
        .iter()
        .copied()
        .chain([
            3.0,
            -3.0,
            0.5,
            -0.5,
            2.0,
            -2.0,
            1e17,
            -1e17,
            2f64.powi(53) + 2.0,
        ])
        .collect();
    for &x in &e {
        for &y in &ys {
            let (ours, std) = (pow_f64(x, y), x.powf(y));
            if y == 0.0 || x == 1.0 {
                // C99 F.9.4.4, also for NaN; glibc deviates for signalling NaNs, we do not.
                assert!(same64(ours, 1.0) && same32(pow_f32(x as f32, y as f32), 1.0));
                continue;
            }
            if std.is_nan() {
                assert!(ours.is_nan(), "pow({x:e}, {y:e}) = {ours:e}, C99 says NaN");
            } else if std == 0.0 || std.is_infinite() || std.abs() == 1.0 {
                assert!(
                    same64(ours, std),
                    "pow({x:e}, {y:e}) = {ours:e}, C99 says {std:e}"
                );
            } else {
                assert!(
                    ulp_diff_f64(ours, std) <= POW_F64_MAX_ULP,
                    "pow({x:e}, {y:e}) = {ours:e} vs {std:e}"
                );
            }
            let (xf, yf) = (x as f32, y as f32);
            let (ours, std) = (pow_f32(xf, yf), xf.powf(yf));
            if std.is_nan() {
                assert!(
                    ours.is_nan(),
                    "pow_f32({xf:e}, {yf:e}) = {ours:e}, C99 says NaN"
                );
            } else {
                assert!(
                    ulp_diff_f32(ours, std) <= POW_F32_MAX_ULP,
                    "pow_f32({xf:e}, {yf:e}) = {ours:e} vs {std:e}"
                );
            }
        }
    }
    assert!(same64(pow_f64(-0.0, 3.0), -0.0) && same64(pow_f64(-0.0, -3.0), f64::NEG_INFINITY));
    assert!(
        same64(pow_f64(-8.0, 1.0 / 3.0), pow_f64(-8.0, 1.0 / 3.0))
            && pow_f64(-8.0, 1.0 / 3.0).is_nan()
    );
    assert!(same64(pow_f64(-2.0, 3.0), -8.0) && same64(pow_f64(-2.0, -2.0), 0.25));
    assert!(same64(pow_f64(f64::NAN, 0.0), 1.0) && same64(pow_f64(1.0, f64::NAN), 1.0));
}
