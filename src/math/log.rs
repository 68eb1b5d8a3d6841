//! ln x, double and single precision, and a double-double ln used by pow.
//!
//! # Algorithm
//! 1. Subnormal x is first scaled by 2^54 (f32: 2^25), exactly. Then, with integer arithmetic
//!    on the bits, `x = 2^k·m` with `m ∈ [√½, √2)`: add `bits(1) − bits(√½)` to the bits, the
//!    exponent field is `k + bias`, and the mantissa field plus `bits(√½)` is m. k becomes a
//!    float exactly by or-ing the biased exponent into the mantissa of 2^52 (2^23) and
//!    subtracting `2^52 + 1023` (`2^23 + 127`).
//! 2. `f = m − 1` (exact), `s = f/(2 + f)`, `z = s²`, `ln m = 2·atanh(s) = f − f²/2 + s·(f²/2 + R)`
//!    with `R = Σ Lg_j z^j` (fdlibm's minimax `Lg1..Lg7` in f64, Taylor `2/(2j+1)`, j ≤ 4, in
//!    f32), and `ln x = fma(k, LN2_HI, (f − (hfsq − (s·(hfsq + R) + k·LN2_LO))))`.
//!
//! Special values: NaN → the same NaN, x < 0 (including −∞) → NaN, ±0 → −∞, +∞ → +∞.

use super::exp::{LN2_HI_64, LN2_LO_64};
use super::lane::{two_sum, Lane};

/// fdlibm's minimax coefficients for `R(z) = Σ Lg_j z^j`, |s| ≤ 0.1716, Lg7 first.
const LG64: [f64; 7] = [
    f64::from_bits(0x3fc2f112df3e5244), // 0.14798198605116586
    f64::from_bits(0x3fc39a09d078c69f), // 0.15313837699209373
    f64::from_bits(0x3fc7466496cb03de), // 0.1818357216161805
    f64::from_bits(0x3fcc71c51d8e78af), // 0.22222198432149784
    f64::from_bits(0x3fd2492494229359), // 0.2857142874366239
    f64::from_bits(0x3fd999999997fa04), // 0.3999999999940942
    f64::from_bits(0x3fe5555555555593), // 0.6666666666666735
];

/// Taylor coefficients `2/(2j+1)` of R for f32 (j = 4 first); truncation below 2e-9 relative.
const LG32: [f32; 4] = [2.0 / 9.0, 2.0 / 7.0, 2.0 / 5.0, 2.0 / 3.0];

/// ln2 split as 0x3f317180 (fdlibm logf) and the rounded remainder 0x3717f7d2.
const LN2_HI_32: f32 = f32::from_bits(0x3f317180); // 0.6931381225585938
const LN2_LO_32: f32 = f32::from_bits(0x3717f7d2); // 9.058001523953862e-06

const SQRT_HALF_BITS_64: u64 = 0x3fe6_a09e_667f_3bcd;
const SQRT_HALF_BITS_32: u32 = 0x3f35_04f3;

/// `(k, m)` with `x = 2^k·m`, `m ∈ [√½, √2)`, for finite x > 0 (subnormals included).
#[inline(always)]
pub(crate) fn split64<V: Lane<E = f64, U = u64>>(x: V) -> (V, V) {
    let sub = V::lt(x, V::splat(f64::MIN_POSITIVE));
    let xs = V::select(sub, x * V::splat(18_014_398_509_481_984.0), x);
    let kadj = V::select(sub, V::splat(54.0), V::splat(0.0));
    let u = xs.add_bits(V::splat_bits(0x3ff0_0000_0000_0000 - SQRT_HALF_BITS_64));
    let biased = u.shr_bits::<52>();
    let two52 = V::splat_bits(0x4330_0000_0000_0000);
    let k = biased.or_bits(two52) - V::splat(4_503_599_627_370_496.0 + 1023.0) - kadj;
    let m = u
        .and_bits(V::splat_bits(0x000f_ffff_ffff_ffff))
        .add_bits(V::splat_bits(SQRT_HALF_BITS_64));
    (k, m)
}

/// ln x, f64.
#[inline(always)]
pub(crate) fn ln64<V: Lane<E = f64, U = u64>>(x: V) -> V {
    let zero = V::splat(0.0);
    let inf = V::splat(f64::INFINITY);
    // Keep the bit arithmetic on a finite positive value; the specials are selected at the end.
    let ok = V::and_m(V::lt(zero, x), V::lt(x, inf));
    let xs = V::select(ok, x, V::splat(1.0));
    let (k, m) = split64(xs);
    let f = m - V::splat(1.0);
    let s = f / (V::splat(2.0) + f);
    let z = s * s;
    let mut r = V::splat(LG64[0]);
    for &c in &LG64[1..] {
        r = r.fma(z, V::splat(c));
    }
    let r = r * z;
    let hfsq = V::splat(0.5) * f * f;
    let tail = f - (hfsq - s.fma(hfsq + r, k * V::splat(LN2_LO_64)));
    let res = k.fma(V::splat(LN2_HI_64), tail);
    let res = V::select(V::eq(x, inf), inf, res);
    let res = V::select(V::eq(x, zero), V::splat(f64::NEG_INFINITY), res);
    let res = V::select(V::lt(x, zero), V::splat(f64::NAN), res);
    V::select(V::is_nan(x), x, res)
}

/// ln x, f32.
#[inline(always)]
pub(crate) fn ln32<V: Lane<E = f32, U = u32>>(x: V) -> V {
    let zero = V::splat(0.0);
    let inf = V::splat(f32::INFINITY);
    let ok = V::and_m(V::lt(zero, x), V::lt(x, inf));
    let xs = V::select(ok, x, V::splat(1.0));
    let sub = V::lt(xs, V::splat(f32::MIN_POSITIVE));
    let xs = V::select(sub, xs * V::splat(33_554_432.0), xs);
    let kadj = V::select(sub, V::splat(25.0), V::splat(0.0));
    let u = xs.add_bits(V::splat_bits(0x3f80_0000 - SQRT_HALF_BITS_32));
    let biased = u.shr_bits::<23>();
    let k = biased.or_bits(V::splat_bits(0x4b00_0000)) - V::splat(8_388_608.0 + 127.0) - kadj;
    let m = u
        .and_bits(V::splat_bits(0x007f_ffff))
        .add_bits(V::splat_bits(SQRT_HALF_BITS_32));
    let f = m - V::splat(1.0);
    let s = f / (V::splat(2.0) + f);
    let z = s * s;
    let mut r = V::splat(LG32[0]);
    for &c in &LG32[1..] {
        r = r.fma(z, V::splat(c));
    }
    let r = r * z;
    let hfsq = V::splat(0.5) * f * f;
    let tail = f - (hfsq - s.fma(hfsq + r, k * V::splat(LN2_LO_32)));
    let res = k.fma(V::splat(LN2_HI_32), tail);
    let res = V::select(V::eq(x, inf), inf, res);
    let res = V::select(V::eq(x, zero), V::splat(f32::NEG_INFINITY), res);
    let res = V::select(V::lt(x, zero), V::splat(f32::NAN), res);
    V::select(V::is_nan(x), x, res)
}

/// ln2 as a double-double (`LN2_A + LN2_B`).
const LN2_A: f64 = std::f64::consts::LN_2;
const LN2_B: f64 = f64::from_bits(0x3c7abc9e3b39803f); // 2.3190468138462996e-17
/// 2/3 as a double-double.
const TWO_THIRDS_A: f64 = 2.0 / 3.0;
const TWO_THIRDS_B: f64 = f64::from_bits(0x3c85555555555555); // 3.700743415417188e-17

/// ln x as an unevaluated sum `hi + lo` with relative error near 2^−64, for finite x > 0.
///
/// Same split as [`ln64`]; then `s = f/(1 + m)` is carried as a double-double,
/// `ln m = 2s + (2/3)s³ + s⁵·Q(s²)` with the first two terms in double-double and
/// `Q = Σ_{j≥2} 2/(2j+1) z^(j−2)` (Taylor, j ≤ 11), and the parts are summed with TwoSum.
#[inline(always)]
pub(crate) fn ln_dd64<V: Lane<E = f64, U = u64>>(x: V) -> (V, V) {
    const Q: [f64; 10] = [
        2.0 / 23.0,
        2.0 / 21.0,
        2.0 / 19.0,
        2.0 / 17.0,
        2.0 / 15.0,
        2.0 / 13.0,
        2.0 / 11.0,
        2.0 / 9.0,
        2.0 / 7.0,
        2.0 / 5.0,
    ];
    let one = V::splat(1.0);
    let (k, m) = split64(x);
    let f = m - one;
    // 1 + m as a double-double (Fast2Sum: the exponent of m never exceeds that of 1).
    let uh = one + m;
    let ul = m - (uh - one);
    let sh = f / uh;
    let e = sh.fnma(uh, f);
    let e = sh.fnma(ul, e);
    let sl = e / uh;
    let z = sh * sh;
    let zl = sh.fms(sh, z);
    let s3h = z * sh;
    let s3l = z.fms(sh, s3h) + zl * sh;
    let th = s3h * V::splat(TWO_THIRDS_A);
    let tl = s3h.fms(V::splat(TWO_THIRDS_A), th)
        + (s3h * V::splat(TWO_THIRDS_B) + s3l * V::splat(TWO_THIRDS_A));
    let mut q = V::splat(Q[0]);
    for &c in &Q[1..] {
        q = q.fma(z, V::splat(c));
    }
    let rest = z * s3h * q;
    let a = k * V::splat(LN2_A);
    let al = k.fms(V::splat(LN2_A), a) + k * V::splat(LN2_B);
    let b = sh + sh;
    let (h1, e1) = two_sum(a, b);
    let (h2, e2) = two_sum(h1, th);
    // The low part of s enters 2s and, through d(2s³/3) = 2s²·ds, the cubic term.
    let sl2 = sl + sl;
    let lo = e1 + e2 + (al + sl2.fma(z, sl2) + tl + rest);
    let hi = h2 + lo;
    let lo = lo - (hi - h2);
    (hi, lo)
}
