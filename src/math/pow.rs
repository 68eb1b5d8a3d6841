//! x^y, double and single precision.
//!
//! # Algorithm
//! `|x|^y = exp(y·ln|x|)` with ln in double-double ([`super::log`]'s `ln_dd64`, relative error
//! near 2^−64), the product `y·(hi + lo)` carried as `ph + pl` (`pl = fma(y, hi, −ph) + y·lo`),
//! and exp's reduction applied to `ph` with `pl` added to the reduced argument:
//! `r = fma(−n, LN2_LO, fma(−n, LN2_HI, ph)) + pl`. So the error of y·ln|x| stays near 2^−64
//! relative even when |y·ln x| is in the hundreds, and pow is as accurate as exp.
//! f32 pow is the f64 pow of the widened arguments, rounded once to f32.
//!
//! # Special values (C99 / IEEE 754 `pow`)
//! `pow(x, ±0) = 1`, `pow(1, y) = 1` and `pow(x, 1) = x` for every x, y (NaN included);
//! otherwise a NaN argument is returned unchanged (x first). `pow(±1, ±∞) = 1`. For x < 0: integral y gives
//! `±|x|^y` (negative for odd y), non-integral finite y gives NaN. `pow(±0, y)` is +∞ for
//! y < 0 and +0 for y > 0 (signed ±0/±∞ for odd integral y); `pow(±∞, y)` likewise mirrored.
//! |y| = ∞ gives 0 or +∞ depending on whether |x| < 1. Overflow gives +∞, underflow 0 or a
//! subnormal, rounded once.

use super::exp::{exp_q64, scale2_64, LN2_HI_64, LN2_LO_64, LOG2E_64};
use super::lane::Lane;
use super::log::ln_dd64;

/// x^y for `0 < x < ∞` and finite `y ∉ {0, 1}`: the core of [`pow64`], without its
/// special-case selects (every one of which leaves `exp(y·ln x)` unchanged there: `x = 1`
/// gives exactly 1 through the logarithm as well), so the same bits. For callers that raise
/// many positive values to one exponent (SBX), where the selects were a sixth of each power.
#[inline(always)]
pub(crate) fn pow64_positive<V: Lane<E = f64, U = u64>>(x: V, y: V) -> V {
    let zero = V::splat(0.0);
    let one = V::splat(1.0);
    let (hi, lo) = ln_dd64(x);
    let ph = y * hi;
    // ph is never NaN here (finite y times a finite logarithm).
    let big = V::lt(V::splat(1000.0), ph.and_bits(V::splat_bits(!(1 << 63))));
    let pl = V::select(big, zero, y.fms(hi, ph) + y * lo);
    let top = V::splat(710.0);
    let bot = V::splat(-746.0);
    let phc = V::select(V::lt(top, ph), top, ph);
    let phc = V::select(V::lt(phc, bot), bot, phc);
    let n = (phc * V::splat(LOG2E_64)).round_even();
    let r = n.fnma(V::splat(LN2_HI_64), phc);
    let r = n.fnma(V::splat(LN2_LO_64), r) + pl;
    let p = exp_q64(r).fma(r, one);
    scale2_64(p, n)
}

/// x^y, f64.
#[inline(always)]
pub(crate) fn pow64<V: Lane<E = f64, U = u64>>(x: V, y: V) -> V {
    let zero = V::splat(0.0);
    let one = V::splat(1.0);
    let inf = V::splat(f64::INFINITY);
    let sign = V::splat_bits(1 << 63);
    let ax = x.and_bits(V::splat_bits(!(1 << 63)));
    let ok = V::and_m(V::lt(zero, ax), V::lt(ax, inf));
    // exp(y·ln|x|); where its value is NaN or meaningless (|x| = 0 or ∞, or y NaN or
    // infinite with |x| = 1), one of the selects below replaces it.
    let mag = pow64_positive(V::select(ok, ax, one), y);
    // |x| = 0 or ∞: 0 or ∞ by the sign of y (and of ln|x|).
    let y_neg = V::lt(y, zero);
    let at_zero = V::select(y_neg, inf, zero);
    let at_inf = V::select(y_neg, zero, inf);
    let mag = V::select(V::eq(ax, zero), at_zero, mag);
    let mag = V::select(V::eq(ax, inf), at_inf, mag);
    // Integral and odd y (±∞ and |y| ≥ 2^53 count as even integers).
    let y_int = V::eq(y.round_even(), y);
    let half = y * V::splat(0.5);
    let y_odd = V::and_m(y_int, V::not_m(V::eq(half.round_even(), half)));
    let neg_sign = V::select(y_odd, x.and_bits(sign), zero);
    let res = mag.or_bits(neg_sign);
    let x_neg_finite = V::and_m(V::lt(x, zero), V::lt(V::splat(f64::NEG_INFINITY), x));
    let res = V::select(
        V::and_m(x_neg_finite, V::not_m(y_int)),
        V::splat(f64::NAN),
        res,
    );
    let res = V::select(V::is_nan(y), y, res);
    let res = V::select(V::is_nan(x), x, res);
    let y_inf = V::eq(y.and_bits(V::splat_bits(!(1 << 63))), inf);
    let res = V::select(V::and_m(V::eq(ax, one), y_inf), one, res);
    let res = V::select(V::eq(x, one), one, res);
    // x^1 = x exactly (the exp·ln path is only within 1 ULP there).
    let res = V::select(V::eq(y, one), x, res);
    V::select(V::eq(y, zero), one, res)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `pow64_positive` equals `pow64` on its whole domain: positive finite `x` (subnormal,
    /// exactly 1, near 1, huge) and finite `y` other than 0 and 1 (the SBX and mutation
    /// exponents, random ones, and ones that overflow or underflow the result).
    #[test]
    fn positive_core_equals_pow_on_its_domain() {
        let mut s = crate::rng::stream(17, "pow-positive", 0, 0);
        let mut ys: Vec<f64> = (0..=30)
            .flat_map(|eta| {
                [
                    -(eta as f64 + 1.0),
                    1.0 / (eta as f64 + 2.0),
                    eta as f64 + 2.0,
                ]
            })
            .collect();
        ys.extend([
            1e300,
            -1e300,
            1e-300,
            -1e-300,
            0.5,
            -0.5,
            1.0 + f64::EPSILON,
        ]);
        ys.extend((0..200).map(|_| (s.uniform_f64() - 0.5) * 2000.0));
        let mut xs = vec![
            1.0,
            1.0 + f64::EPSILON,
            1.0 - f64::EPSILON / 2.0,
            f64::MIN_POSITIVE,
        ];
        xs.extend([5e-324, f64::MAX, 2.0, 0.5]);
        for _ in 0..2000 {
            xs.push(1.0 + s.uniform_f64() * 1e3);
            xs.push(s.uniform_f64());
            let bits = s.next_u64() & !(1 << 63);
            let x = f64::from_bits(bits);
            if x.is_finite() && x > 0.0 {
                xs.push(x);
            }
        }
        for &y in &ys {
            assert!(y.is_finite() && y.to_bits() != 0 && y.to_bits() != 1f64.to_bits());
            for &x in &xs {
                let (a, b) = (pow64(x, y), pow64_positive(x, y));
                assert_eq!(a.to_bits(), b.to_bits(), "x = {x:e}, y = {y:e}");
            }
        }
    }
}
