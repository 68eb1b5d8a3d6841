//! sin x and cos x, double and single precision.
//!
//! # Algorithm
//! 1. Reduction (Cody–Waite with an exact first step and a double-double remainder):
//!    `k = rni(x·2/π)`; `t = fma(−k, P1, x)` is exact (for |x| ≥ 1, x and k·P1 are multiples
//!    of 2^−52 and |t| < 2; below, t = x or |t| < 1 with t a multiple of 2^−53); `h + hl = k·P2` exactly (`hl = fma(k, P2, −h)`); `r + e = t − h` by TwoSum;
//!    `rl = fma(−k, P3, e − hl)`; then `(y, yl) = Fast2Sum(r, rl)`. P1 + P2 + P3 is π/2 to
//!    about 160 bits (f64) or 72 bits (f32), each part rounded to nearest.
//! 2. Quadrant from the low bits of `k + 1.5·2^52` (f32: `1.5·2^23`): bit 0 swaps sin/cos,
//!    bit 1 is xor-ed into the sign bit. cos uses quadrant k + 1.
//! 3. Kernels on |y| ≤ π/4 (+ε), Taylor coefficients `±1/k!` rounded to nearest:
//!    `sin(y + yl) ≈ y + (y³·S(z) + yl·(1 − z/2))` with `S` up to y^17 (f32: y^9), and
//!    `cos(y + yl) ≈ w + (((1 − w) − z/2) + (z²·C(z) − (zl/2 + y·yl)))`, `w = 1 − z/2`,
//!    `z + zl = y²` exactly, C up to y^18 (f32: y^10).
//!
//! Special values: NaN → the same NaN; ±∞ → NaN; |x| above `SIN_COS_F64_MAX_ARG`
//! (`SIN_COS_F32_MAX_ARG`) → NaN, because the reduction is no longer meaningful there;
//! sin(±0) = ±0 (and sin x = x for tiny x, subnormals included), cos(±0) = 1.

use super::exp::{SHIFT32, SHIFT64};
use super::lane::Lane;

const FRAC_2_PI_64: f64 = std::f64::consts::FRAC_2_PI;
const P1_64: f64 = std::f64::consts::FRAC_PI_2;
const P2_64: f64 = f64::from_bits(0x3c91a62633145c07); // 6.123233995736766e-17
const P3_64: f64 = f64::from_bits(0xb91f1976b7ed8fbc); // -1.4973849048591698e-33
const FRAC_2_PI_32: f32 = std::f32::consts::FRAC_2_PI;
const P1_32: f32 = std::f32::consts::FRAC_PI_2;
const P2_32: f32 = f32::from_bits(0xb33bbd2e); // -4.371138828673793e-08
const P3_32: f32 = f32::from_bits(0xa6f72ced); // -1.7151245100058819e-15

/// Largest |x| for which sin_f64/cos_f64 reduce the argument (2^50); above it they return NaN.
pub const SIN_COS_F64_MAX_ARG: f64 = 1_125_899_906_842_624.0;
/// Largest |x| for which sin_f32/cos_f32 reduce the argument (2^20); above it they return NaN.
pub const SIN_COS_F32_MAX_ARG: f32 = 1_048_576.0;

/// sin coefficients for y³..y^17 (−1/3!, 1/5!, …), highest first.
const S64: [f64; 8] = [
    1.0 / 355_687_428_096_000.0,
    -1.0 / 1_307_674_368_000.0,
    1.0 / 6_227_020_800.0,
    -1.0 / 39_916_800.0,
    1.0 / 362_880.0,
    -1.0 / 5_040.0,
    1.0 / 120.0,
    -1.0 / 6.0,
];
/// cos coefficients for y⁴..y^18 (1/4!, −1/6!, …), highest first.
const C64: [f64; 8] = [
    -1.0 / 6_402_373_705_728_000.0,
    1.0 / 20_922_789_888_000.0,
    -1.0 / 87_178_291_200.0,
    1.0 / 479_001_600.0,
    -1.0 / 3_628_800.0,
    1.0 / 40_320.0,
    -1.0 / 720.0,
    1.0 / 24.0,
];
const S32: [f32; 4] = [1.0 / 362_880.0, -1.0 / 5_040.0, 1.0 / 120.0, -1.0 / 6.0];
const C32: [f32; 4] = [-1.0 / 3_628_800.0, 1.0 / 40_320.0, -1.0 / 720.0, 1.0 / 24.0];

macro_rules! trig_family {
    ($sincos:ident, $E:ty, $U:ty, $sh:expr, $f2pi:expr, $p1:expr, $p2:expr, $p3:expr,
     $smax:expr, $tiny:expr, $S:expr, $C:expr, $signbit:expr) => {
        /// sin (`shift = 0`) or cos (`shift = 1`) of x.
        #[inline(always)]
        pub(crate) fn $sincos<V: Lane<E = $E, U = $U>>(x: V, shift: $U) -> V {
            let k = (x * V::splat($f2pi)).round_even();
            let t = k.fnma(V::splat($p1), x);
            let h = k * V::splat($p2);
            let hl = k.fms(V::splat($p2), h);
            let r = t - h;
            let bb = r - t;
            let e = (t - (r - bb)) + (-h - bb);
            let rl = k.fnma(V::splat($p3), e - hl);
            let y = r + rl;
            let yl = rl - (y - r);

            let half = V::splat(0.5);
            let one = V::splat(1.0);
            let z = y * y;
            let zl = y.fms(y, z);
            let hz = half * z;

            let mut ps = V::splat($S[0]);
            for &c in &$S[1..] {
                ps = ps.fma(z, V::splat(c));
            }
            let sin_k = y + (z * y).fma(ps, hz.fnma(yl, yl));

            let mut pc = V::splat($C[0]);
            for &c in &$C[1..] {
                pc = pc.fma(z, V::splat(c));
            }
            let w = one - hz;
            let cos_k = w + (((one - w) - hz) + (z * z).fms(pc, half.fma(zl, y * yl)));

            let q = (k + V::splat($sh)).add_bits(V::splat_bits(shift));
            let swap = q.shl_bits::<{ $signbit }>().sign_mask();
            let flip = q
                .shl_bits::<{ $signbit - 1 }>()
                .and_bits(V::splat_bits(1 << $signbit));
            let res = V::select(swap, cos_k, sin_k).xor_bits(flip);

            let ax = x.and_bits(V::splat_bits(!(1 << $signbit)));
            // sin x = x below `tiny` (x³/6 is under a quarter ulp); this also keeps sin(−0) = −0.
            let res = if shift == 0 {
                V::select(V::lt(ax, V::splat($tiny)), x, res)
            } else {
                res
            };
            let res = V::select(V::le(ax, V::splat($smax)), res, V::splat(<$E>::NAN));
            V::select(V::is_nan(x), x, res)
        }
    };
}

trig_family!(
    sincos64,
    f64,
    u64,
    SHIFT64,
    FRAC_2_PI_64,
    P1_64,
    P2_64,
    P3_64,
    SIN_COS_F64_MAX_ARG,
    1.0 / 67_108_864.0,
    S64,
    C64,
    63
);
trig_family!(
    sincos32,
    f32,
    u32,
    SHIFT32,
    FRAC_2_PI_32,
    P1_32,
    P2_32,
    P3_32,
    SIN_COS_F32_MAX_ARG,
    1.0 / 4_096.0,
    S32,
    C32,
    31
);
