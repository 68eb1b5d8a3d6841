//! Inverse cosine, double precision, reproducible on every backend.
//!
//! RVEA's angle between an objective vector and its reference vector is `acos` of their cosine;
//! the platform's `f64::acos` (libm) differs between platforms and has no GPU twin, so the
//! CPU and the device would give different angle-penalised distances. [`acos_f64`] is one
//! algorithm written with correctly rounded operations only (`+ − × ÷` and `sqrt`, no fused
//! multiply–add, no contraction), so the scalar CPU path and the CUDA twin `acos_dev` in
//! `kernels/rvea.cu` (compiled with `-fmad=false`, every operation an explicit `.rn` intrinsic)
//! agree to the bit.
//!
//! # Algorithm (fdlibm's `e_acos.c`, Sun Microsystems 1993, as freely licensed)
//! With `R(z) = z·P(z)/Q(z)` the minimax rational approximation of `(asin(√z) − √z)/√z³`
//! (coefficients `pS0..pS5`, `qS1..qS4`, given below by their bit patterns) and π/2 split
//! as `PIO2_HI + PIO2_LO`:
//! - `|x| < 0.5`: `acos x = PIO2_HI − (x − (PIO2_LO − x·R(x²)))`; for `|x| ≤ 2⁻⁵⁷` (high word
//!   at most `0x3c600000`) simply `PIO2_HI`.
//! - `x ≤ −0.5`: `z = (1 + x)·0.5`, `s = √z`, `w = R(z)·s − PIO2_LO`,
//!   `acos x = 2·(PIO2_HI − (s + w))` (equal to fdlibm's `π − 2(s + w)`: the ×2 is exact).
//! - `x ≥ 0.5`: `z = (1 − x)·0.5`, `s = √z`, `d` = `s` with its low 32 bits cleared,
//!   `c = (z − d²)/(s + d)` (the correction for the truncated root), `w = R(z)·s + c`,
//!   `acos x = 2·(d + w)`.
//!
//! The operations run in exactly the order written (Horner from the highest coefficient).
//!
//! # Special values
//! A NaN argument is returned unchanged (same bits); `|x| > 1` (±∞ included) gives
//! [`f64::NAN`]; `acos(1) = +0`, `acos(−1) = 2·PIO2_HI` (π rounded), `acos(±0) = PIO2_HI`.
//!
//! # Accuracy
//! fdlibm states an error below 1 ULP; [`ACOS_F64_MAX_ULP`] is what the tests assert against
//! the platform `f64::acos` (dense and random sweeps of `[−1, 1]`) and against correctly rounded
//! mpmath values (`tests/data/acos_oracle.csv`).
//!
//! ```
//! use pareto_sciml::math::inverse_trig::acos_f64;
//! assert_eq!(acos_f64(1.0).to_bits(), 0.0f64.to_bits());
//! assert_eq!(acos_f64(-1.0).to_bits(), std::f64::consts::PI.to_bits());
//! assert!((acos_f64(0.5) - std::f64::consts::FRAC_PI_3).abs() < 1e-15);
//! assert!(acos_f64(1.5).is_nan());
//! ```

/// Largest difference in ULP between [`acos_f64`] and the platform `f64::acos` or a correctly
/// rounded reference, over the arguments the tests sweep.
pub const ACOS_F64_MAX_ULP: u64 = 1;

const PIO2_HI: f64 = f64::from_bits(0x3FF9_21FB_5444_2D18);
const PIO2_LO: f64 = f64::from_bits(0x3C91_A626_3314_5C07);
const PS0: f64 = f64::from_bits(0x3FC5_5555_5555_5555);
const PS1: f64 = f64::from_bits(0xBFD4_D612_03EB_6F7D);
const PS2: f64 = f64::from_bits(0x3FC9_C155_0E88_4455);
const PS3: f64 = f64::from_bits(0xBFA4_8228_B568_8F3B);
const PS4: f64 = f64::from_bits(0x3F49_EFE0_7501_B288);
const PS5: f64 = f64::from_bits(0x3F02_3DE1_0DFD_F709);
const QS1: f64 = f64::from_bits(0xC003_3A27_1C8A_2D4B);
const QS2: f64 = f64::from_bits(0x4000_2AE5_9C59_8AC8);
const QS3: f64 = f64::from_bits(0xBFE6_066C_1B8D_0159);
const QS4: f64 = f64::from_bits(0x3FB3_B8C5_B12E_9282);

/// `R(z) = z·P(z) / Q(z)`, Horner, no fused operations.
#[inline(always)]
fn rational(z: f64) -> f64 {
    let p = z * (PS0 + z * (PS1 + z * (PS2 + z * (PS3 + z * (PS4 + z * PS5)))));
    let q = 1.0 + z * (QS1 + z * (QS2 + z * (QS3 + z * QS4)));
    p / q
}

/// Arc cosine in `[0, π]`, within [`ACOS_F64_MAX_ULP`] of the correctly rounded value; the
/// CPU twin of `acos_dev` in `kernels/rvea.cu` (bit-identical). See the module docs for the
/// algorithm and special values.
#[inline]
pub fn acos_f64(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let ax = x.abs();
    if ax > 1.0 {
        return f64::NAN;
    }
    if x >= 1.0 {
        return 0.0;
    }
    if x <= -1.0 {
        return 2.0 * PIO2_HI;
    }
    if ax < 0.5 {
        if (x.to_bits() >> 32) as u32 & 0x7fff_ffff <= 0x3c60_0000 {
            return PIO2_HI;
        }
        return PIO2_HI - (x - (PIO2_LO - x * rational(x * x)));
    }
    if x < 0.0 {
        let z = (1.0 + x) * 0.5;
        let s = z.sqrt();
        let w = rational(z) * s - PIO2_LO;
        return 2.0 * (PIO2_HI - (s + w));
    }
    let z = (1.0 - x) * 0.5;
    let s = z.sqrt();
    let d = f64::from_bits(s.to_bits() & 0xffff_ffff_0000_0000);
    let c = (z - d * d) / (s + d);
    let w = rational(z) * s + c;
    2.0 * (d + w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::ulp_diff_f64;

    fn check(x: f64, worst: &mut u64) {
        let (got, want) = (acos_f64(x), x.acos());
        assert!(
            (0.0..=std::f64::consts::PI).contains(&got),
            "acos({x:e}) = {got:e}"
        );
        let d = ulp_diff_f64(got, want);
        assert!(
            d <= ACOS_F64_MAX_ULP,
            "acos({x:e}): {got:e} vs libm {want:e}, {d} ulp"
        );
        *worst = (*worst).max(d);
    }

    #[test]
    fn within_bound_of_libm_on_dense_and_random_sweeps() {
        let mut worst = 0;
        let n = 200_000;
        for i in 0..=n {
            check(-1.0 + 2.0 * i as f64 / n as f64, &mut worst);
        }
        // Near the branch points ±0.5, ±1 and 0, where the three formulas meet.
        for c in [-1.0f64, -0.5, 0.0, 0.5, 1.0] {
            let mut up = c;
            let mut down = c;
            for _ in 0..2000 {
                up = f64::from_bits(if up >= 0.0 {
                    up.to_bits() + 1
                } else {
                    up.to_bits() - 1
                });
                down = if down == 0.0 {
                    -f64::from_bits(1)
                } else if down > 0.0 {
                    f64::from_bits(down.to_bits() - 1)
                } else {
                    f64::from_bits(down.to_bits() + 1)
                };
                for x in [up, down] {
                    if x.abs() <= 1.0 {
                        check(x, &mut worst);
                    }
                }
            }
        }
        let mut s = crate::rng::stream(31, "acos-test", 0, 0);
        for _ in 0..200_000 {
            check(2.0 * s.uniform_f64() - 1.0, &mut worst);
            // Log-uniform magnitudes down to the subnormals, both signs.
            let m = f64::from_bits(s.below(0x3ff0_0000_0000_0000));
            check(m, &mut worst);
            check(-m, &mut worst);
        }
        assert!(worst <= ACOS_F64_MAX_ULP);
    }

    #[test]
    fn special_values() {
        assert_eq!(acos_f64(1.0).to_bits(), 0);
        assert_eq!(acos_f64(-1.0).to_bits(), std::f64::consts::PI.to_bits());
        assert_eq!(
            acos_f64(0.0).to_bits(),
            std::f64::consts::FRAC_PI_2.to_bits()
        );
        assert_eq!(
            acos_f64(-0.0).to_bits(),
            std::f64::consts::FRAC_PI_2.to_bits()
        );
        for x in [1.0 + f64::EPSILON, -1.5, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(acos_f64(x).to_bits(), f64::NAN.to_bits(), "{x}");
        }
        let nan = f64::from_bits(0x7ff8_0000_dead_beef);
        assert_eq!(acos_f64(nan).to_bits(), nan.to_bits());
    }

    #[test]
    fn monotone_decreasing() {
        let mut prev = acos_f64(-1.0);
        let mut s = crate::rng::stream(32, "acos-monotone", 0, 0);
        let mut xs: Vec<f64> = (0..50_000).map(|_| 2.0 * s.uniform_f64() - 1.0).collect();
        xs.sort_by(f64::total_cmp);
        for x in xs {
            let y = acos_f64(x);
            assert!(y <= prev, "acos not monotone at {x:e}");
            prev = y;
        }
    }

    /// Correctly rounded values from mpmath (`tests/data/acos_oracle.py`).
    #[test]
    fn within_bound_of_mpmath() {
        let data = include_str!("../../tests/data/acos_oracle.csv");
        let mut n = 0;
        for line in data.lines().filter(|l| !l.starts_with('#')) {
            let mut it = line.split(',');
            let x = f64::from_bits(u64::from_str_radix(it.next().unwrap(), 16).unwrap());
            let want = f64::from_bits(u64::from_str_radix(it.next().unwrap(), 16).unwrap());
            let d = ulp_diff_f64(acos_f64(x), want);
            assert!(d <= ACOS_F64_MAX_ULP, "acos({x:e}): {d} ulp from mpmath");
            n += 1;
        }
        assert!(n >= 500, "oracle has only {n} rows");
    }
}
