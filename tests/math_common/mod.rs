//! Sampling and measuring helpers shared by the `math_*` integration tests.
#![allow(dead_code)]

use pareto_sciml::math::{ulp_diff_f32, ulp_diff_f64};
use pareto_sciml::rng;

/// Largest ULP distance of `ours` from `reference` over `xs`, with the worst argument.
pub fn max_ulp64(
    xs: &[f64],
    ours: impl Fn(f64) -> f64,
    reference: impl Fn(f64) -> f64,
) -> (u64, f64) {
    let mut worst = (0, 0.0);
    for &x in xs {
        let d = ulp_diff_f64(ours(x), reference(x));
        if d > worst.0 {
            worst = (d, x);
        }
    }
    worst
}

/// f32 counterpart of [`max_ulp64`]; the reference is computed in f64 and rounded to f32.
pub fn max_ulp32(
    xs: &[f32],
    ours: impl Fn(f32) -> f32,
    reference: impl Fn(f64) -> f64,
) -> (u64, f32) {
    let mut worst = (0, 0.0);
    for &x in xs {
        let d = ulp_diff_f32(ours(x), reference(x as f64) as f32);
        if d > worst.0 {
            worst = (d, x);
        }
    }
    worst
}

/// `n` evenly spaced points of `[lo, hi]`, both ends included.
pub fn sweep64(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * (i as f64 / (n - 1) as f64))
        .collect()
}

/// `n` uniform draws from `[lo, hi)`.
pub fn uniform64(purpose: &str, lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let mut s = rng::stream(20_261_126, purpose, 0, 0);
    (0..n).map(|_| lo + (hi - lo) * s.uniform_f64()).collect()
}

/// `n` uniform draws from the bit patterns of f64 (every binade equally likely), NaNs dropped.
pub fn bits64(purpose: &str, n: usize) -> Vec<f64> {
    let mut s = rng::stream(20_261_126, purpose, 1, 0);
    (0..n)
        .map(|_| f64::from_bits(s.next_u64()))
        .filter(|x| !x.is_nan())
        .collect()
}

/// `n` evenly spaced points of `[lo, hi]` in f32.
pub fn sweep32(lo: f32, hi: f32, n: usize) -> Vec<f32> {
    sweep64(lo as f64, hi as f64, n)
        .into_iter()
        .map(|x| x as f32)
        .collect()
}

/// `n` uniform draws from `[lo, hi)` in f32.
pub fn uniform32(purpose: &str, lo: f32, hi: f32, n: usize) -> Vec<f32> {
    uniform64(purpose, lo as f64, hi as f64, n)
        .into_iter()
        .map(|x| x as f32)
        .collect()
}

/// Every `stride`-th f32 bit pattern (both signs, all binades), NaNs dropped.
pub fn strided32(stride: u32) -> Vec<f32> {
    (0..=u32::MAX / stride)
        .map(|i| f32::from_bits(i * stride + (i % stride)))
        .filter(|x| !x.is_nan())
        .collect()
}

/// Interesting arguments: zeros, infinities, NaNs with payloads, subnormals, extremes, ±1,
/// and the neighbours of each.
pub fn edges64() -> Vec<f64> {
    let base = [
        0.0,
        f64::MIN_POSITIVE,
        f64::MIN_POSITIVE / 2.0,
        f64::from_bits(1),
        f64::EPSILON,
        1e-300,
        1e-20,
        1e-8,
        0.5,
        1.0,
        2.0,
        std::f64::consts::PI,
        std::f64::consts::FRAC_PI_2,
        std::f64::consts::FRAC_PI_4,
        10.0,
        19.0,
        20.0,
        88.72283935546875,
        103.97208,
        709.782712893384,
        745.1332191019411,
        746.0,
        1e6,
        1.6e6,
        1e15,
        1.125899906842624e15,
        1e300,
        f64::MAX,
        f64::INFINITY,
    ];
    let mut v = vec![
        f64::NAN,
        -f64::NAN,
        f64::from_bits(0x7ff0_0000_0000_0001),
        f64::from_bits(0x7ff8_dead_beef_0001),
    ];
    for &b in &base {
        for x in neighbours64(b) {
            v.push(x);
            v.push(-x);
        }
    }
    v
}

/// f32 counterpart of [`edges64`].
pub fn edges32() -> Vec<f32> {
    let mut v: Vec<f32> = edges64().into_iter().map(|x| x as f32).collect();
    v.push(f32::from_bits(0x7f80_0001));
    v.push(f32::from_bits(0xffc0_1234));
    for b in [
        f32::MIN_POSITIVE,
        f32::from_bits(1),
        9.0,
        10.0,
        88.72284,
        89.0,
        103.97208,
        104.0,
        1_048_576.0,
    ] {
        for x in neighbours32(b) {
            v.push(x);
            v.push(-x);
        }
    }
    v
}

/// b ≥ 0 and its two neighbours (only one for 0 and +∞).
fn neighbours64(b: f64) -> Vec<f64> {
    let k = b.to_bits();
    let mut v = vec![b, f64::from_bits(k + 1)];
    if k > 0 {
        v.push(f64::from_bits(k - 1));
    }
    v.retain(|x| !x.is_nan());
    v
}

fn neighbours32(b: f32) -> Vec<f32> {
    let k = b.to_bits();
    let mut v = vec![b, f32::from_bits(k + 1)];
    if k > 0 {
        v.push(f32::from_bits(k - 1));
    }
    v.retain(|x| !x.is_nan());
    v
}

/// Pairs (x, y): random bit patterns, positive x with y spanning every result magnitude,
/// negative x with integral and non-integral y, and the cross product of the edge cases.
pub fn pow_pairs64(n: usize) -> Vec<(f64, f64)> {
    let bx = bits64("pow_bx", n / 2);
    let by = bits64("pow_by", n / 2);
    let ux = uniform64("pow_ux", -4.0, 4.0, n / 2);
    let uy = uniform64("pow_uy", -300.0, 300.0, n / 2);
    let mut v: Vec<(f64, f64)> = bx.iter().copied().zip(by.iter().copied()).collect();
    v.extend(ux.iter().zip(&uy).map(|(&x, &y)| (x, y)));
    v.extend(ux.iter().zip(&uy).map(|(&x, &y)| (x, y.round())));
    let e = edges64();
    let ys: Vec<f64> = e
        .iter()
        .copied()
        .chain([3.0, -3.0, 0.5, -0.5, 2.0, -2.0, 1e17, -1e17])
        .collect();
    for &x in &e {
        for &y in &ys {
            v.push((x, y));
        }
    }
    v
}

/// Checks a `W`-lane `f64` pow against [`pow_f64`](pareto_sciml::math::pow_f64) on `pairs`,
/// bit for bit; the last chunk is padded with ones. `lanes(x, y)` computes one vector.
pub fn assert_pow_lanes64<const W: usize>(
    pairs: &[(f64, f64)],
    lanes: impl Fn(&[f64; W], &[f64; W]) -> [f64; W],
) {
    for chunk in pairs.chunks(W) {
        let mut x = [1.0f64; W];
        let mut y = [1.0f64; W];
        for (i, &(a, b)) in chunk.iter().enumerate() {
            x[i] = a;
            y[i] = b;
        }
        let r = lanes(&x, &y);
        for i in 0..chunk.len() {
            let s = pareto_sciml::math::pow_f64(x[i], y[i]);
            assert_eq!(
                r[i].to_bits(),
                s.to_bits(),
                "pow({:e}, {:e}): lane {:e} != scalar {s:e}",
                x[i],
                y[i],
                r[i]
            );
        }
    }
}
