//! Throughput of our elementary functions (scalar and AVX2 lanes) against the standard
//! library, per element, on 4096 arguments from each function's main range. Groups are named
//! `<op>_<precision>` with members `std`, `scalar`, `simd`, all measured in the same run.
//!
//! `cargo bench --bench math_elementary -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pareto_sciml::math::*;
use pareto_sciml::rng;

const N: usize = 4096;

fn args(lo: f64, hi: f64) -> Vec<f64> {
    let mut s = rng::stream(1, "bench-math", 0, 0);
    (0..N).map(|_| lo + (hi - lo) * s.uniform_f64()).collect()
}

#[cfg(target_arch = "x86_64")]
mod lanes {
    use std::arch::x86_64::*;

    /// Applies a 4-lane function over a slice whose length is a multiple of 4.
    pub fn map64(xs: &[f64], out: &mut [f64], f: unsafe fn(__m256d) -> __m256d) {
        for (x, o) in xs.chunks_exact(4).zip(out.chunks_exact_mut(4)) {
            // SAFETY: the caller checked AVX2/FMA; each chunk holds one vector.
            unsafe { _mm256_storeu_pd(o.as_mut_ptr(), f(_mm256_loadu_pd(x.as_ptr()))) };
        }
    }

    /// Applies an 8-lane function over a slice whose length is a multiple of 8.
    pub fn map32(xs: &[f32], out: &mut [f32], f: unsafe fn(__m256) -> __m256) {
        for (x, o) in xs.chunks_exact(8).zip(out.chunks_exact_mut(8)) {
            // SAFETY: as above.
            unsafe { _mm256_storeu_ps(o.as_mut_ptr(), f(_mm256_loadu_ps(x.as_ptr()))) };
        }
    }
}

type Case64 = (&'static str, fn(f64) -> f64, fn(f64) -> f64, f64, f64);
type Case32 = (&'static str, fn(f32) -> f32, fn(f32) -> f32, f64, f64);

fn bench(c: &mut Criterion) {
    let cases64: [Case64; 5] = [
        ("exp", f64::exp, exp_f64, -50.0, 50.0),
        ("ln", f64::ln, ln_f64, 1e-3, 1e3),
        ("tanh", f64::tanh, tanh_f64, -5.0, 5.0),
        ("sin", f64::sin, sin_f64, -10.0, 10.0),
        ("cos", f64::cos, cos_f64, -10.0, 10.0),
    ];
    #[cfg(target_arch = "x86_64")]
    let simd64: [unsafe fn(std::arch::x86_64::__m256d) -> std::arch::x86_64::__m256d; 5] = [
        simd::exp_f64x4,
        simd::ln_f64x4,
        simd::tanh_f64x4,
        simd::sin_f64x4,
        simd::cos_f64x4,
    ];
    for (i, (name, std_f, ours, lo, hi)) in cases64.into_iter().enumerate() {
        let xs = args(lo, hi);
        let mut out = vec![0.0; N];
        let mut g = c.benchmark_group(format!("{name}_f64"));
        g.throughput(Throughput::Elements(N as u64));
        g.bench_function("std", |b| {
            b.iter(|| {
                out.iter_mut()
                    .zip(&xs)
                    .for_each(|(o, &x)| *o = std_f(black_box(x)))
            })
        });
        g.bench_function("scalar", |b| {
            b.iter(|| {
                out.iter_mut()
                    .zip(&xs)
                    .for_each(|(o, &x)| *o = ours(black_box(x)))
            })
        });
        #[cfg(target_arch = "x86_64")]
        if simd::has_avx2_fma() {
            g.bench_function("simd", |b| {
                b.iter(|| lanes::map64(black_box(&xs), &mut out, simd64[i]))
            });
        }
        let _ = i;
        g.finish();
    }

    let cases32: [Case32; 5] = [
        ("exp", f32::exp, exp_f32, -50.0, 50.0),
        ("ln", f32::ln, ln_f32, 1e-3, 1e3),
        ("tanh", f32::tanh, tanh_f32, -5.0, 5.0),
        ("sin", f32::sin, sin_f32, -10.0, 10.0),
        ("cos", f32::cos, cos_f32, -10.0, 10.0),
    ];
    #[cfg(target_arch = "x86_64")]
    let simd32: [unsafe fn(std::arch::x86_64::__m256) -> std::arch::x86_64::__m256; 5] = [
        simd::exp_f32x8,
        simd::ln_f32x8,
        simd::tanh_f32x8,
        simd::sin_f32x8,
        simd::cos_f32x8,
    ];
    for (i, (name, std_f, ours, lo, hi)) in cases32.into_iter().enumerate() {
        let xs: Vec<f32> = args(lo, hi).into_iter().map(|x| x as f32).collect();
        let mut out = vec![0.0f32; N];
        let mut g = c.benchmark_group(format!("{name}_f32"));
        g.throughput(Throughput::Elements(N as u64));
        g.bench_function("std", |b| {
            b.iter(|| {
                out.iter_mut()
                    .zip(&xs)
                    .for_each(|(o, &x)| *o = std_f(black_box(x)))
            })
        });
        g.bench_function("scalar", |b| {
            b.iter(|| {
                out.iter_mut()
                    .zip(&xs)
                    .for_each(|(o, &x)| *o = ours(black_box(x)))
            })
        });
        #[cfg(target_arch = "x86_64")]
        if simd::has_avx2_fma() {
            g.bench_function("simd", |b| {
                b.iter(|| lanes::map32(black_box(&xs), &mut out, simd32[i]))
            });
        }
        let _ = i;
        g.finish();
    }

    let xs = args(1e-3, 4.0);
    let ys = args(-30.0, 30.0);
    let mut out = vec![0.0; N];
    let mut g = c.benchmark_group("pow_f64");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("std", |b| {
        b.iter(|| {
            out.iter_mut()
                .zip(xs.iter().zip(&ys))
                .for_each(|(o, (&x, &y))| *o = black_box(x).powf(y))
        })
    });
    g.bench_function("scalar", |b| {
        b.iter(|| {
            out.iter_mut()
                .zip(xs.iter().zip(&ys))
                .for_each(|(o, (&x, &y))| *o = pow_f64(black_box(x), y))
        })
    });
    #[cfg(target_arch = "x86_64")]
    if simd::has_avx2_fma() {
        use std::arch::x86_64::*;
        g.bench_function("simd", |b| {
            b.iter(|| {
                for ((x, y), o) in xs
                    .chunks_exact(4)
                    .zip(ys.chunks_exact(4))
                    .zip(out.chunks_exact_mut(4))
                {
                    // SAFETY: AVX2/FMA detected; each chunk holds one vector.
                    unsafe {
                        let v = simd::pow_f64x4(
                            _mm256_loadu_pd(x.as_ptr()),
                            _mm256_loadu_pd(y.as_ptr()),
                        );
                        _mm256_storeu_pd(o.as_mut_ptr(), v);
                    }
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
