//! The machine's f32 FMA ceiling, the denominator of every "% of peak" figure in
//! `paper/tables/bench_nn.md` (issue 4 states its forward target against "the 2-core AVX2/FMA
//! peak"): twelve independent FMA chains per thread (more than latency × ports on the cores
//! we know), on 8-lane AVX2 and, where the CPU and the `avx512` feature allow, 16-lane
//! AVX-512 registers, on 1 and 2 threads. Criterion's throughput is in flops (2 per lane and
//! FMA), so its "elem/s" reads as FLOP/s.
//!
//! Run: `cargo bench --bench fma_peak`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

/// FMAs per chain and call: long enough that the thread start is noise (≈ 2 ms per call).
const ITERS: u64 = 2_000_000;
const CHAINS: usize = 12;

/// One thread's chains on one register width: `$set1`, `$fma`, `$add` are that width's
/// intrinsics, `$sum` reduces the final register to one lane.
macro_rules! chains {
    ($name:ident, $feature:literal, $set1:ident, $zero:ident, $fma:ident, $add:ident, $sum:expr) => {
        #[target_feature(enable = $feature)]
        unsafe fn $name(m: f32) -> f32 {
            use std::arch::x86_64::*;
            let (mv, a) = ($set1(m), $set1(1e-7));
            let mut x = [$set1(1.0); CHAINS];
            for _ in 0..ITERS {
                for v in x.iter_mut() {
                    *v = $fma(*v, mv, a);
                }
            }
            let mut s = $zero();
            for v in x {
                s = $add(s, v);
            }
            $sum(s)
        }
    };
}

#[cfg(target_arch = "x86_64")]
chains!(
    chains_avx2,
    "avx2,fma",
    _mm256_set1_ps,
    _mm256_setzero_ps,
    _mm256_fmadd_ps,
    _mm256_add_ps,
    _mm256_cvtss_f32
);

#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
chains!(
    chains_avx512,
    "avx512f",
    _mm512_set1_ps,
    _mm512_setzero_ps,
    _mm512_fmadd_ps,
    _mm512_add_ps,
    _mm512_reduce_add_ps
);

/// Runs `f` on `threads` threads at once and returns their sum (so nothing is optimised out).
fn on_threads(threads: usize, f: fn(f32) -> f32) -> f32 {
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|_| s.spawn(move || f(black_box(0.999_999))))
            .collect();
        hs.into_iter().map(|h| h.join().expect("thread")).sum()
    })
}

/// One measured path: its name, its f32 lanes and the chains it runs on one thread.
type Path = (&'static str, usize, fn(f32) -> f32);

fn peak(c: &mut Criterion) {
    let mut g = c.benchmark_group("fma_peak_f32");
    g.sample_size(20);
    #[allow(unused_mut)]
    let mut paths: Vec<Path> = Vec::new();
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: AVX2 and FMA were detected just above.
        paths.push(("avx2", 8, |m| unsafe { chains_avx2(m) }));
    }
    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: AVX-512F was detected just above.
        paths.push(("avx512", 16, |m| unsafe { chains_avx512(m) }));
    }
    for (name, lanes, f) in paths {
        for threads in [1usize, 2] {
            let flops = 2 * lanes as u64 * CHAINS as u64 * ITERS * threads as u64;
            g.throughput(Throughput::Elements(flops));
            g.bench_function(format!("{name}/{threads}thread"), |b| {
                b.iter(|| black_box(on_threads(threads, f)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, peak);
criterion_main!(benches);
