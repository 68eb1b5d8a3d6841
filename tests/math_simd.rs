//! The AVX2/FMA lane functions equal the scalar functions bit for bit: millions of random
//! arguments (random bit patterns of the whole domain and uniform draws from the main ranges),
//! every edge case, and slices whose lengths leave tails of every size.

#![cfg(target_arch = "x86_64")]

mod math_common;

use std::arch::x86_64::*;

use math_common::*;
use pareto_sciml::math::simd::{self, has_avx2_fma};
use pareto_sciml::math::*;

const N: usize = 1 << 20;

/// (name, lane function, scalar function, range of the uniform draws).
type Case64 = (
    &'static str,
    unsafe fn(__m256d) -> __m256d,
    fn(f64) -> f64,
    f64,
    f64,
);
type Case32 = (
    &'static str,
    unsafe fn(__m256) -> __m256,
    fn(f32) -> f32,
    f32,
    f32,
);

fn skip() -> bool {
    if !has_avx2_fma() {
        println!("skipped: this CPU lacks AVX2 or FMA, so the lane functions cannot run");
        return true;
    }
    false
}

fn inputs64(purpose: &str, lo: f64, hi: f64) -> Vec<f64> {
    [bits64(purpose, N), uniform64(purpose, lo, hi, N), edges64()].concat()
}

fn inputs32(purpose: &str, lo: f32, hi: f32) -> Vec<f32> {
    let b: Vec<f32> = bits64(purpose, N)
        .into_iter()
        .map(|x| f32::from_bits(x.to_bits() as u32))
        .collect();
    [b, uniform32(purpose, lo, hi, N), edges32()].concat()
}

/// Lane function on a slice of any length: whole vectors, then the tail padded with `pad`
/// (the padding lanes are computed and dropped, exactly like a caller's tail handling).
fn apply64(xs: &[f64], f: unsafe fn(__m256d) -> __m256d) -> Vec<f64> {
    let mut out = Vec::with_capacity(xs.len());
    for chunk in xs.chunks(4) {
        let mut buf = [1.0f64; 4];
        buf[..chunk.len()].copy_from_slice(chunk);
        let mut res = [0.0f64; 4];
        // SAFETY: AVX2 and FMA were detected by the caller; buf/res hold one vector each.
        unsafe { _mm256_storeu_pd(res.as_mut_ptr(), f(_mm256_loadu_pd(buf.as_ptr()))) };
        out.extend_from_slice(&res[..chunk.len()]);
    }
    out
}

fn apply32(xs: &[f32], f: unsafe fn(__m256) -> __m256) -> Vec<f32> {
    let mut out = Vec::with_capacity(xs.len());
    for chunk in xs.chunks(8) {
        let mut buf = [1.0f32; 8];
        buf[..chunk.len()].copy_from_slice(chunk);
        let mut res = [0.0f32; 8];
        // SAFETY: as in apply64.
        unsafe { _mm256_storeu_ps(res.as_mut_ptr(), f(_mm256_loadu_ps(buf.as_ptr()))) };
        out.extend_from_slice(&res[..chunk.len()]);
    }
    out
}

fn assert_same64(name: &str, xs: &[f64], lanes: &[f64], scalar: fn(f64) -> f64) {
    for (&x, &l) in xs.iter().zip(lanes) {
        let s = scalar(x);
        assert_eq!(
            l.to_bits(),
            s.to_bits(),
            "{name}({x:e} = {:#x}): lane {l:e} != scalar {s:e}",
            x.to_bits()
        );
    }
}

fn assert_same32(name: &str, xs: &[f32], lanes: &[f32], scalar: fn(f32) -> f32) {
    for (&x, &l) in xs.iter().zip(lanes) {
        let s = scalar(x);
        assert_eq!(
            l.to_bits(),
            s.to_bits(),
            "{name}({x:e} = {:#x}): lane {l:e} != scalar {s:e}",
            x.to_bits()
        );
    }
}

#[test]
fn f64_lanes_equal_scalar() {
    if skip() {
        return;
    }
    let cases: [Case64; 5] = [
        ("exp", simd::exp_f64x4, exp_f64, -750.0, 720.0),
        ("ln", simd::ln_f64x4, ln_f64, 0.0, 4.0),
        ("tanh", simd::tanh_f64x4, tanh_f64, -25.0, 25.0),
        ("sin", simd::sin_f64x4, sin_f64, -1e7, 1e7),
        ("cos", simd::cos_f64x4, cos_f64, -1e7, 1e7),
    ];
    for (name, lane, scalar, lo, hi) in cases {
        let xs = inputs64(name, lo, hi);
        assert_same64(name, &xs, &apply64(&xs, lane), scalar);
        // Every tail length: drop a growing prefix of a shorter run.
        for skip in 1..4 {
            let xs = &xs[skip..4099 + skip];
            assert_same64(name, xs, &apply64(xs, lane), scalar);
        }
    }
}

#[test]
fn f32_lanes_equal_scalar() {
    if skip() {
        return;
    }
    let cases: [Case32; 5] = [
        ("exp", simd::exp_f32x8, exp_f32, -110.0, 95.0),
        ("ln", simd::ln_f32x8, ln_f32, 0.0, 4.0),
        ("tanh", simd::tanh_f32x8, tanh_f32, -12.0, 12.0),
        ("sin", simd::sin_f32x8, sin_f32, -2e6, 2e6),
        ("cos", simd::cos_f32x8, cos_f32, -2e6, 2e6),
    ];
    for (name, lane, scalar, lo, hi) in cases {
        let xs = inputs32(name, lo, hi);
        assert_same32(name, &xs, &apply32(&xs, lane), scalar);
        for skip in 1..8 {
            let xs = &xs[skip..4099 + skip];
            assert_same32(name, xs, &apply32(xs, lane), scalar);
        }
    }
}

#[test]
fn pow_lanes_equal_scalar() {
    if skip() {
        return;
    }
    let pairs = pow_pairs64(N);
    assert_pow_lanes64::<4>(&pairs, |x, y| {
        let mut r = [0.0f64; 4];
        // SAFETY: AVX2 and FMA were detected above; the arrays hold one vector each.
        unsafe {
            let v = simd::pow_f64x4(_mm256_loadu_pd(x.as_ptr()), _mm256_loadu_pd(y.as_ptr()));
            _mm256_storeu_pd(r.as_mut_ptr(), v);
        }
        r
    });
    for chunk in pairs.chunks(8) {
        let mut x = [1.0f32; 8];
        let mut y = [1.0f32; 8];
        for (i, &(a, b)) in chunk.iter().enumerate() {
            x[i] = a as f32;
            y[i] = b as f32;
        }
        let mut r = [0.0f32; 8];
        // SAFETY: as above.
        unsafe {
            let v = simd::pow_f32x8(_mm256_loadu_ps(x.as_ptr()), _mm256_loadu_ps(y.as_ptr()));
            _mm256_storeu_ps(r.as_mut_ptr(), v);
        }
        for i in 0..chunk.len() {
            let s = pow_f32(x[i], y[i]);
            assert_eq!(
                r[i].to_bits(),
                s.to_bits(),
                "pow_f32({:e}, {:e}): lane {:e} != scalar {s:e}",
                x[i],
                y[i],
                r[i]
            );
        }
    }
}
