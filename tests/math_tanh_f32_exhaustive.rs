//! `tanh_f32` (scalar, AVX2 and AVX-512 lanes) equals the plain formula it was rewritten from,
//! bit for bit, on every f32 argument where it computes.
//!
//! The library reduces `u = 2·|x|` with `n = round(2·|x|·log₂e)` taken from one fma with the
//! shift constant 1.5·2^23 (the exact product rounded once), and builds 2^n from that sum's
//! bits. The plain formula below forms the exact product in f64, rounds it to an integer and
//! builds 2^n by adding 127 to n. (Rounding `u·log₂e` to f32 first, then to an integer, gives
//! another n where the product lies within half an ulp of a half integer, e.g. at
//! x = 0.5198604; with the degree-4 polynomial the two n give results one ULP apart there, so
//! the CUDA kernels round the exact product too: `kernels/common/math.cuh` `reduce_ln2_tanh`.)
//! Arguments with |x| ≥ 10 take the same
//! path as |x| = 10 (clamped) and |x| < 2^−12 or NaN return x on both sides; the loop covers
//! [2^−13, 10.5] in both signs, ≈ 2.8·10⁸ arguments, and the edges are checked one by one.

const LOG2E: f32 = std::f32::consts::LOG2_E;
const LN2: f32 = std::f32::consts::LN_2;
/// `src/math/exp.rs` `TANH_C32`, highest first.
const C: [f32; 5] = [
    f32::from_bits(0x3ab6_3505),
    f32::from_bits(0x3c09_05b3),
    f32::from_bits(0x3d2a_aadd),
    f32::from_bits(0x3e2a_aa6f),
    0.5,
];

/// The formula before the rewrite, in plain scalar f32 arithmetic (one rounding per
/// operation, `mul_add` for every fma).
fn tanh_plain(x: f32) -> f32 {
    let a = x.abs();
    if a.is_nan() || a < f32::from_bits(0x3980_0000) {
        return x;
    }
    let ac = a.min(10.0);
    let u = ac + ac;
    // The product of two f32 is exact in f64: n is it rounded once, to the nearest even integer.
    let n = (f64::from(u) * f64::from(LOG2E)).round_ties_even() as f32;
    let r = (-n).mul_add(LN2, u);
    let p = C[1..].iter().fold(C[0], |q, &c| q.mul_add(r, c));
    let s = f32::from_bits(((n as i32 + 127) as u32) << 23);
    let emr = (r * p).mul_add(r, r);
    let em = s.mul_add(emr, s - 1.0);
    let q = em / (em + 2.0);
    f32::from_bits(q.to_bits() | (x.to_bits() & 0x8000_0000))
}

/// Every f32 in [2^−13, 10.5] (rounded up to whole blocks), both signs, in blocks of 2^16.
fn blocks() -> impl Iterator<Item = Vec<f32>> {
    let lo = 0x3900_0000u32;
    let len = (10.5f32.to_bits() + 1 - lo).next_multiple_of(1 << 15);
    (lo..lo + len).step_by(1 << 15).map(|b0| {
        (b0..b0 + (1 << 15))
            .flat_map(|b| [f32::from_bits(b), -f32::from_bits(b)])
            .collect()
    })
}

fn first_mismatch(xs: &[f32], want: &[f32], got: &[f32]) -> Option<(f32, f32, f32)> {
    (0..xs.len())
        .find(|&i| got[i].to_bits() != want[i].to_bits())
        .map(|i| (xs[i], got[i], want[i]))
}

/// The AVX2 and AVX-512 lane versions of `xs`, where this CPU has them.
#[cfg(target_arch = "x86_64")]
fn lane_versions(xs: &[f32]) -> Vec<(&'static str, Vec<f32>)> {
    use std::arch::x86_64::*;
    let mut out = Vec::new();
    if pareto_sciml::math::simd::has_avx2_fma() {
        let mut got = vec![0f32; xs.len()];
        for (x, g) in xs.chunks_exact(8).zip(got.chunks_exact_mut(8)) {
            // SAFETY: AVX2 and FMA were detected; the chunks hold 8 elements.
            unsafe {
                let v = pareto_sciml::math::simd::tanh_f32x8(_mm256_loadu_ps(x.as_ptr()));
                _mm256_storeu_ps(g.as_mut_ptr(), v);
            }
        }
        out.push(("AVX2", got));
    }
    #[cfg(feature = "avx512")]
    if pareto_sciml::math::simd512::has_avx512f() {
        let mut got = vec![0f32; xs.len()];
        for (x, g) in xs.chunks_exact(16).zip(got.chunks_exact_mut(16)) {
            // SAFETY: AVX-512F was detected; the chunks hold 16 elements.
            unsafe {
                let v = pareto_sciml::math::simd512::tanh_f32x16(_mm512_loadu_ps(x.as_ptr()));
                _mm512_storeu_ps(g.as_mut_ptr(), v);
            }
        }
        out.push(("AVX-512", got));
    }
    out
}

#[cfg(not(target_arch = "x86_64"))]
fn lane_versions(_: &[f32]) -> Vec<(&'static str, Vec<f32>)> {
    Vec::new()
}

/// Checks blocks `k, k + step, …`; returns the argument count and the lane versions checked.
fn check_blocks(k: usize, step: usize) -> (usize, Vec<&'static str>) {
    let (mut count, mut lanes_checked) = (0usize, Vec::new());
    for xs in blocks().skip(k).step_by(step) {
        let want: Vec<f32> = xs.iter().map(|&x| tanh_plain(x)).collect();
        let got: Vec<f32> = xs
            .iter()
            .map(|&x| pareto_sciml::math::tanh_f32(x))
            .collect();
        assert_eq!(first_mismatch(&xs, &want, &got), None, "scalar");
        let lanes = lane_versions(&xs);
        for (name, got) in &lanes {
            assert_eq!(first_mismatch(&xs, &want, got), None, "{name} lanes");
        }
        lanes_checked = lanes.into_iter().map(|(n, _)| n).collect();
        count += xs.len();
    }
    (count, lanes_checked)
}

#[test]
fn tanh_f32_equals_the_plain_formula_on_every_argument() {
    let edges = [
        0.0,
        f32::from_bits(1),
        f32::MIN_POSITIVE,
        f32::from_bits(0x3980_0000),
        f32::from_bits(0x397f_ffff),
        10.0,
        10.5,
        11.0,
        1e30,
        f32::MAX,
        f32::INFINITY,
        f32::NAN,
    ];
    for x in edges.into_iter().flat_map(|x| [x, -x]) {
        let (g, w) = (pareto_sciml::math::tanh_f32(x), tanh_plain(x));
        assert_eq!(
            g.to_bits(),
            w.to_bits(),
            "tanh_f32({x:e}) = {g:e}, plain {w:e}"
        );
    }
    // Two threads, each taking every other block.
    let (count, lanes_checked) = std::thread::scope(|sc| {
        let workers: Vec<_> = (0..2)
            .map(|k| sc.spawn(move || check_blocks(k, 2)))
            .collect();
        let parts: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        (parts.iter().map(|p| p.0).sum::<usize>(), parts[0].1.clone())
    });
    assert!(count > 270_000_000, "only {count} arguments checked");
    println!("{count} arguments: scalar and {lanes_checked:?} lanes equal the plain formula");
}
