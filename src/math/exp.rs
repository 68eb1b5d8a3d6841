//! e^x and tanh x, double and single precision.
//!
//! # Algorithm (both precisions)
//! 1. Clamp x into a range where the result is already ±∞/0 at the ends (so NaN-free integer
//!    arithmetic follows), then reduce: `n = rni(x·log2(e))`,
//!    `r = fma(−n, LN2_HI, x)` (exact: `LN2_HI` has trailing zero bits),
//!    `r = fma(−n, LN2_LO, r)`, so `x = n·ln2 + r` with `|r| ≤ ln2/2 + ε`.
//! 2. `e^r = 1 + r·q(r)` with `q` the Taylor polynomial `Σ r^j/(j+1)!` (j = 0..12 in f64,
//!    j = 0..6 in f32; coefficients are `1/k!` rounded to nearest), evaluated by Horner with fma,
//!    then `p = fma(q, r, 1)`.
//! 3. `2^n` is built from bits: `bits(n + (1.5·2^52 + 1023)) << 52` (f32: `1.5·2^23 + 127`,
//!    `<< 23`). To reach subnormal results and 2^1024 without overflow of the exponent field the
//!    scale is applied in two exact halves `n1 = rni(n/2)`, `n2 = n − n1`: `p·2^n1` is exact and
//!    `·2^n2` rounds once.
//!
//! tanh uses the same reduction on `u = 2|x|` (|x| clamped to 20 in f64, 10 in f32, where
//! tanh rounds to 1) and one formula on the whole range, with a single division:
//! `e^r − 1 = fma(r·p(r), r, r)` with `p = Σ_{j≥0} r^j/(j+2)!` (Taylor, to r^14 in f64 and r^8
//! in f32), `em = e^u − 1 = fma(2^n, e^r − 1, 2^n − 1)` and `tanh|x| = em/(em + 2)`.
//! `tanh x = x` for tiny |x|, and the sign bit of x is or-ed back in (so `tanh(−0) = −0` and
//! tanh is odd bit for bit). Its accuracy (measured, see [`super::TANH_F64_MAX_ULP`]) is at
//! most 2 ULP from the correctly rounded value in both precisions: the old double-word version
//! (faithful, two divisions and both branches per lane) cost 2.5–4 times as much
//! (`paper/tables/bench_math.md`), and tanh is the inner loop of every MLP kernel.

use super::lane::Lane;

/// 1.5·2^52: adding it to an integral |v| < 2^51 leaves v in the low mantissa bits.
pub(crate) const SHIFT64: f64 = 6_755_399_441_055_744.0;
/// 1.5·2^23: the f32 counterpart of [`SHIFT64`].
pub(crate) const SHIFT32: f32 = 12_582_912.0;

pub(crate) const LOG2E_64: f64 = std::f64::consts::LOG2_E;
/// ln2 rounded to 32 significant bits (0x3fe62e42fee00000), so `n·LN2_HI_64` is exact.
pub(crate) const LN2_HI_64: f64 = f64::from_bits(0x3fe62e42fee00000); // 0.6931471803691238
/// ln2 − LN2_HI_64 rounded to nearest (0x3dea39ef35793c76).
pub(crate) const LN2_LO_64: f64 = f64::from_bits(0x3dea39ef35793c76); // 1.9082149292705877e-10
const LOG2E_32: f32 = std::f32::consts::LOG2_E;
/// ln2 rounded to f32 (the one-constant reduction of [`tanh32`]).
const LN2_32: f32 = std::f32::consts::LN_2;
/// ln2 rounded to 9 significant bits (Cephes), so `n·LN2_HI_32` is exact.
const LN2_HI_32: f32 = f32::from_bits(0x3f318000); // 0.693359375
/// ln2 − LN2_HI_32 rounded to nearest.
const LN2_LO_32: f32 = f32::from_bits(0xb95e8083); // -0.00021219444170128554

/// 2^n for an integral lane n in [−1022, 1023].
#[inline(always)]
pub(crate) fn pow2i_64<V: Lane<E = f64, U = u64>>(n: V) -> V {
    match V::pow2i_native(n) {
        Some(p) => p,
        None => (n + V::splat(SHIFT64 + 1023.0)).shl_bits::<52>(),
    }
}

/// 2^n for an integral lane n in [−126, 127].
#[inline(always)]
fn pow2i_32<V: Lane<E = f32, U = u32>>(n: V) -> V {
    match V::pow2i_native(n) {
        Some(p) => p,
        None => (n + V::splat(SHIFT32 + 127.0)).shl_bits::<23>(),
    }
}

/// `q(r) = Σ_{j=0}^{12} r^j/(j+1)!`, so that `e^r ≈ 1 + r·q(r)` (Taylor to r^13; truncation
/// below 5e-18 relative for |r| ≤ 0.3466).
#[inline(always)]
pub(crate) fn exp_q64<V: Lane<E = f64, U = u64>>(r: V) -> V {
    horner(r, &EXP_C64)
}

/// Horner evaluation with fma, highest coefficient first.
#[inline(always)]
fn horner<V: Lane>(r: V, c: &[V::E]) -> V {
    let mut q = V::splat(c[0]);
    for &ci in &c[1..] {
        q = q.fma(r, V::splat(ci));
    }
    q
}

/// `1/13!, 1/12!, …, 1/2!, 1`: the coefficients of `q` for f64, highest first.
const EXP_C64: [f64; 13] = [
    1.0 / 6_227_020_800.0,
    1.0 / 479_001_600.0,
    1.0 / 39_916_800.0,
    1.0 / 3_628_800.0,
    1.0 / 362_880.0,
    1.0 / 40_320.0,
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    0.5,
    1.0,
];

/// `1/7!, …, 1/2!, 1`: the coefficients of `q` for f32, highest first.
const EXP_C32: [f32; 7] = [
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    0.5,
    1.0,
];

/// `q(r) = Σ_{j=0}^{6} r^j/(j+1)!` (Taylor to r^7; truncation below 6e-9 relative).
#[inline(always)]
fn exp_q32<V: Lane<E = f32, U = u32>>(r: V) -> V {
    horner(r, &EXP_C32)
}

/// `(n, r)` with `x = n·ln2 + r`.
#[inline(always)]
pub(crate) fn reduce_ln2_64<V: Lane<E = f64, U = u64>>(x: V) -> (V, V) {
    let n = (x * V::splat(LOG2E_64)).round_even();
    (n, ln2_remainder_64(x, n))
}

/// `x − n·ln2` in two exact-product steps (Cody–Waite), for the `n` nearest `x/ln2`.
#[inline(always)]
fn ln2_remainder_64<V: Lane<E = f64, U = u64>>(x: V, n: V) -> V {
    let r = n.fnma(V::splat(LN2_HI_64), x);
    n.fnma(V::splat(LN2_LO_64), r)
}

#[inline(always)]
fn reduce_ln2_32<V: Lane<E = f32, U = u32>>(x: V) -> (V, V) {
    let n = (x * V::splat(LOG2E_32)).round_even();
    (n, ln2_remainder_32(x, n))
}

/// The f32 counterpart of [`ln2_remainder_64`].
#[inline(always)]
fn ln2_remainder_32<V: Lane<E = f32, U = u32>>(x: V, n: V) -> V {
    let r = n.fnma(V::splat(LN2_HI_32), x);
    n.fnma(V::splat(LN2_LO_32), r)
}

/// `p·2^n` for integral n in [−1076, 1024], rounding once.
#[inline(always)]
pub(crate) fn scale2_64<V: Lane<E = f64, U = u64>>(p: V, n: V) -> V {
    let n1 = (n * V::splat(0.5)).round_even();
    let n2 = n - n1;
    p * pow2i_64(n1) * pow2i_64(n2)
}

/// e^x, f64. Clamped to [−746, 710]: both ends already round to 0 and +∞.
#[inline(always)]
pub(crate) fn exp64<V: Lane<E = f64, U = u64>>(x: V) -> V {
    let hi = V::splat(710.0);
    let lo = V::splat(-746.0);
    let xc = V::select(V::lt(hi, x), hi, x);
    let xc = V::select(V::lt(xc, lo), lo, xc);
    let (n, r) = reduce_ln2_64(xc);
    let p = exp_q64(r).fma(r, V::splat(1.0));
    let res = scale2_64(p, n);
    V::select(V::is_nan(x), x, res)
}

/// e^x, f32. Clamped to [−104, 89]: both ends already round to 0 and +∞.
#[inline(always)]
pub(crate) fn exp32<V: Lane<E = f32, U = u32>>(x: V) -> V {
    let hi = V::splat(89.0);
    let lo = V::splat(-104.0);
    let xc = V::select(V::lt(hi, x), hi, x);
    let xc = V::select(V::lt(xc, lo), lo, xc);
    let (n, r) = reduce_ln2_32(xc);
    let p = exp_q32(r).fma(r, V::splat(1.0));
    let n1 = (n * V::splat(0.5)).round_even();
    let n2 = n - n1;
    let res = p * pow2i_32(n1) * pow2i_32(n2);
    V::select(V::is_nan(x), x, res)
}

/// `1/14!, 1/13!, …, 1/2!`: `p(r) = Σ_{j=0}^{12} r^j/(j+2)!`, so that
/// `e^r − 1 = r + r²·p(r)` (Taylor to r^14; truncation below 3e-19 relative for
/// |r| ≤ 0.3466), highest first.
const TANH_C64: [f64; 13] = [
    1.0 / 87_178_291_200.0,
    1.0 / 6_227_020_800.0,
    1.0 / 479_001_600.0,
    1.0 / 39_916_800.0,
    1.0 / 3_628_800.0,
    1.0 / 362_880.0,
    1.0 / 40_320.0,
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    0.5,
];

/// The f32 counterpart of [`TANH_C64`], highest first: the minimax polynomial of degree 4 for
/// `p(r) = (e^r − 1 − r)/r²` on |r| ≤ 0.3468 under relative error (Remez, mpmath at 40 digits,
/// coefficients rounded to f32: `tests/data/tanh_f32_minimax.py` regenerates them; 1.2e-7
/// relative in p, which reaches tanh through `r²·p` and `2/(em + 2)` as at most 0.4 ULP).
/// The Taylor polynomial of degree 6 used before (seven terms) was accurate far below f32's
/// rounding; degree 4 keeps tanh's bound (2 ULP, every f32 checked) and saves two multiply-adds
/// per tanh, with the one-constant reduction three of twelve: about 10 % of a hidden tanh layer
/// of the MLP kernels (per unit and point, 20 multiply-adds and tanh's multiply-add-pipe
/// operations).
const TANH_C32: [f32; 5] = [
    f32::from_bits(0x3ab6_3505), // 1.3901299e-3 (1/720 = 1.3888889e-3)
    f32::from_bits(0x3c09_05b3), // 8.363175e-3 (1/120)
    f32::from_bits(0x3d2a_aadd), // 4.1666854e-2 (1/24)
    f32::from_bits(0x3e2a_aa6f), // 0.16666578 (1/6)
    0.5,
];

/// `tanh(u/2) = em/(em + 2)` for `u = n·ln2 + r ≥ 0`, `s = 2^n`, `p = p(r)`.
///
/// `e^r − 1 = fma(r·p, r, r)`, then `em = e^u − 1 = fma(s, e^r − 1, s − 1)`: for n = 0 this is
/// e^r − 1 itself, so small arguments keep their relative accuracy (no cancellation in
/// `e^u − 1`), and for n ≥ 1 the sum does not cancel by more than a factor 2.5. The quotient's
/// sensitivity to the relative error of `em` is `2/(em + 2) ≤ 1`. One division per lane, no
/// branch-dependent work: this is the whole cost of tanh in the MLP kernels.
#[inline(always)]
fn tanh_quot<V: Lane>(r: V, p: V, s: V, one: V, two: V) -> V {
    let emr = (r * p).fma(r, r);
    let em = s.fma(emr, s - one);
    em / (em + two)
}

/// `x` where `|x| = a < tiny` or x is NaN, else `res`: one mask, `!(tiny ≤ a)`, true for
/// both. Below `tiny` the quotient is within 1 ULP of x, and x is the correctly rounded tanh;
/// a NaN is returned unchanged.
#[inline(always)]
fn keep_tiny_or_nan<V: Lane>(x: V, a: V, tiny: V, res: V) -> V {
    V::select(V::not_m(V::le(tiny, a)), x, res)
}

/// tanh x, f64. |x| is clamped to 20 (tanh(20) rounds to 1), |x| < 2^−27 returns x; the sign
/// bit of x is or-ed back in, so tanh is odd bit for bit and tanh(±0) = ±0.
#[inline(always)]
pub(crate) fn tanh64<V: Lane<E = f64, U = u64>>(x: V) -> V {
    let sign = V::splat_bits(1 << 63);
    let a = x.and_bits(V::splat_bits(!(1 << 63)));
    let ac = V::splat(20.0).min(a);
    // `round(ac·2log₂e)` is `round((ac + ac)·log₂e)` (both scalings by 2 are exact), so n
    // need not wait for the doubled argument.
    let n = (ac * V::splat(2.0 * LOG2E_64)).round_even();
    let r = ln2_remainder_64(ac + ac, n);
    let p = horner(r, &TANH_C64);
    let res = tanh_quot(r, p, pow2i_64(n), V::splat(1.0), V::splat(2.0));
    let res = res.or_bits(x.and_bits(sign));
    keep_tiny_or_nan(x, a, V::splat(f64::from_bits(0x3e40_0000_0000_0000)), res)
}

/// tanh x, f32. |x| is clamped to 10 (tanh(10) rounds to 1), |x| < 2^−12 returns x;
/// otherwise as [`tanh64`].
///
/// Written for latency, which bounds it inside the MLP kernels (one tanh per unit waits on the
/// unit's whole dot product and the next layer waits on it): `n = round(2·ac·log₂e)` comes
/// from one fma with [`SHIFT32`] (the exact product rounded once to an integer), `2^n` from the
/// same sum's bits, and the doubled argument `2·ac` runs beside them. Rounding `2·ac·log₂e`
/// to f32 first would pick the other n at 18 arguments (both results are accurate, but one
/// ULP apart): the CUDA transcription rounds the exact product the same way, and
/// `tests/math_tanh_f32_exhaustive.rs` checks every f32 argument of the computing range
/// against the plain formula (exact product in f64, `r = fma(−n, ln2, u)`, [`pow2i_32`]) bit
/// for bit.
#[inline(always)]
pub(crate) fn tanh32<V: Lane<E = f32, U = u32>>(x: V) -> V {
    let sign = V::splat_bits(1 << 31);
    let a = x.and_bits(V::splat_bits(!(1 << 31)));
    let ac = V::splat(10.0).min(a);
    let t = ac.fma(V::splat(2.0 * LOG2E_32), V::splat(SHIFT32));
    let n = t - V::splat(SHIFT32);
    // One f32 ln2, not a Cody–Waite pair: the reduction then errs by n·|ln2 − LN2_32| ≤
    // 29 · 1.9e-9 in u, a relative error of e^u that reaches tanh times 2/(e^u + 1) ≤ 2^{1−n}:
    // under 2e-9 for every n. `n·LN2_32` need not be exact, because the fma rounds once.
    let r = n.fnma(V::splat(LN2_32), ac + ac);
    // n ≤ 29, so the low nine bits of `t + 127` are the biased exponent of 2^n (one add
    // less on the latency path than from n). Built from the bits on AVX-512 as well, not by
    // `vscalef`: inside the MLP kernels tanh runs beside the dense layers' multiply-adds, and
    // the integer add and shift run on pipes those leave free (the value-only forward of the
    // Burgers network: about 1.5 % faster on Zen 5 than with `vscalef`; the same power of 2).
    let s = t.add_bits(V::splat_bits(127)).shl_bits::<23>();
    let p = horner(r, &TANH_C32);
    let res = tanh_quot(r, p, s, V::splat(1.0), V::splat(2.0));
    let res = res.or_bits(x.and_bits(sign));
    keep_tiny_or_nan(x, a, V::splat(f32::from_bits(0x3980_0000)), res)
}
