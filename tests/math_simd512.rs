//! The AVX-512 lane functions (cargo feature `avx512`, on by default) equal the scalar functions bit for bit:
//! millions of random arguments (random bit patterns of the whole domain and uniform draws from
//! the main ranges), every edge case, and slices whose lengths leave tails of every size.

#![cfg(all(target_arch = "x86_64", feature = "avx512"))]

mod math_common;

use std::arch::x86_64::*;

use math_common::*;
use pareto_sciml::math::simd512::{self, has_avx512f};
use pareto_sciml::math::*;

const N: usize = 1 << 20;

type Case64 = (
    &'static str,
    unsafe fn(__m512d) -> __m512d,
    fn(f64) -> f64,
    f64,
    f64,
);
type Case32 = (
    &'static str,
    unsafe fn(__m512) -> __m512,
    fn(f32) -> f32,
    f32,
    f32,
);

fn skip() -> bool {
    if !has_avx512f() {
        println!("skipped: this CPU lacks AVX-512F, so the 512-bit lane functions cannot run");
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

/// Lane function on a slice of any length, the tail padded with ones (computed and dropped).
fn apply64(xs: &[f64], f: unsafe fn(__m512d) -> __m512d) -> Vec<f64> {
    let mut out = Vec::with_capacity(xs.len());
    for chunk in xs.chunks(8) {
        let mut buf = [1.0f64; 8];
        buf[..chunk.len()].copy_from_slice(chunk);
        let mut res = [0.0f64; 8];
        // SAFETY: AVX-512F was detected by the caller; buf/res hold one vector each.
        unsafe { _mm512_storeu_pd(res.as_mut_ptr(), f(_mm512_loadu_pd(buf.as_ptr()))) };
        out.extend_from_slice(&res[..chunk.len()]);
    }
    out
}

fn apply32(xs: &[f32], f: unsafe fn(__m512) -> __m512) -> Vec<f32> {
    let mut out = Vec::with_capacity(xs.len());
    for chunk in xs.chunks(16) {
        let mut buf = [1.0f32; 16];
        buf[..chunk.len()].copy_from_slice(chunk);
        let mut res = [0.0f32; 16];
        // SAFETY: as in apply64.
        unsafe { _mm512_storeu_ps(res.as_mut_ptr(), f(_mm512_loadu_ps(buf.as_ptr()))) };
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
fn f64x8_lanes_equal_scalar() {
    if skip() {
        return;
    }
    let cases: [Case64; 4] = [
        ("exp", simd512::exp_f64x8, exp_f64, -750.0, 720.0),
        ("tanh", simd512::tanh_f64x8, tanh_f64, -25.0, 25.0),
        ("sin", simd512::sin_f64x8, sin_f64, -1e7, 1e7),
        ("cos", simd512::cos_f64x8, cos_f64, -1e7, 1e7),
    ];
    for (name, lane, scalar, lo, hi) in cases {
        let xs = inputs64(name, lo, hi);
        assert_same64(name, &xs, &apply64(&xs, lane), scalar);
        for skip in 1..8 {
            let xs = &xs[skip..4099 + skip];
            assert_same64(name, xs, &apply64(xs, lane), scalar);
        }
    }
}

#[test]
fn f32x16_lanes_equal_scalar() {
    if skip() {
        return;
    }
    let cases: [Case32; 4] = [
        ("exp", simd512::exp_f32x16, exp_f32, -110.0, 95.0),
        ("tanh", simd512::tanh_f32x16, tanh_f32, -12.0, 12.0),
        ("sin", simd512::sin_f32x16, sin_f32, -2e6, 2e6),
        ("cos", simd512::cos_f32x16, cos_f32, -2e6, 2e6),
    ];
    for (name, lane, scalar, lo, hi) in cases {
        let xs = inputs32(name, lo, hi);
        assert_same32(name, &xs, &apply32(&xs, lane), scalar);
        for skip in 1..16 {
            let xs = &xs[skip..4099 + skip];
            assert_same32(name, xs, &apply32(xs, lane), scalar);
        }
    }
}

#[test]
fn pow_f64x8_lanes_equal_scalar() {
    if skip() {
        return;
    }
    assert_pow_lanes64::<8>(&pow_pairs64(N), |x, y| {
        let mut r = [0.0f64; 8];
        // SAFETY: AVX-512F was detected above; the arrays hold one vector each.
        unsafe {
            let v = simd512::pow_f64x8(_mm512_loadu_pd(x.as_ptr()), _mm512_loadu_pd(y.as_ptr()));
            _mm512_storeu_pd(r.as_mut_ptr(), v);
        }
        r
    });
}
