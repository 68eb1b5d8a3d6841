//! Genome rows of one lane block into lane order (`wt[j * W + l] = rows[l][j]`), with AVX2
//! transposes for whole groups of four `f64` / eight `f32` rows.

use super::super::lanes::Lane;

/// `wt[j * W + l] = rows[l][j]`: the genomes of one lane block, interleaved. Pure data
/// movement (no arithmetic), so the AVX2 shuffle version cannot change any bits.
#[inline(always)]
pub(super) fn interleave<V: Lane>(rows: &[&[V::T]], wt: &mut [V::T], avx: bool) {
    let w = rows.len();
    #[cfg(target_arch = "x86_64")]
    if avx && w % 4 == 0 && std::any::TypeId::of::<V::T>() == std::any::TypeId::of::<f64>() {
        let np = rows[0].len();
        assert!(rows.iter().all(|r| r.len() == np) && wt.len() >= w * np);
        for g in 0..w / 4 {
            // SAFETY: `V::T` is `f64` (same TypeId), AVX2/FMA were detected at run time
            // (`avx`), and the lengths were checked just above.
            unsafe {
                let p: [*const f64; 4] = std::array::from_fn(|l| rows[4 * g + l].as_ptr().cast());
                interleave_f64x4(p, np, wt.as_mut_ptr().cast::<f64>().add(4 * g), w);
            }
        }
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if avx && w % 8 == 0 && std::any::TypeId::of::<V::T>() == std::any::TypeId::of::<f32>() {
        let np = rows[0].len();
        assert!(rows.iter().all(|r| r.len() == np) && wt.len() >= w * np);
        for g in 0..w / 8 {
            // SAFETY: `V::T` is `f32` (same TypeId), AVX2/FMA were detected at run time
            // (`avx`), and the lengths were checked just above.
            unsafe {
                let p: [*const f32; 8] = std::array::from_fn(|l| rows[8 * g + l].as_ptr().cast());
                interleave_f32x8(p, np, wt.as_mut_ptr().cast::<f32>().add(8 * g), w);
            }
        }
        return;
    }
    let _ = avx;
    for j in 0..rows[0].len() {
        for (l, r) in rows.iter().enumerate() {
            wt[j * w + l] = r[j];
        }
    }
}

/// 4×4 transposes: four genome rows of `np` values into `out[j * s + l]` (`s ≥ 4`: the lanes
/// of the whole block, of which these rows are four).
///
/// # Safety
/// AVX2 present; `p[l]` valid for `np` reads, `out` for `s * (np - 1) + 4` writes.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn interleave_f64x4(p: [*const f64; 4], np: usize, out: *mut f64, s: usize) {
    use std::arch::x86_64::*;
    let mut j = 0;
    while j + 4 <= np {
        let r0 = _mm256_loadu_pd(p[0].add(j));
        let r1 = _mm256_loadu_pd(p[1].add(j));
        let r2 = _mm256_loadu_pd(p[2].add(j));
        let r3 = _mm256_loadu_pd(p[3].add(j));
        let t0 = _mm256_unpacklo_pd(r0, r1);
        let t1 = _mm256_unpackhi_pd(r0, r1);
        let t2 = _mm256_unpacklo_pd(r2, r3);
        let t3 = _mm256_unpackhi_pd(r2, r3);
        _mm256_storeu_pd(out.add(s * j), _mm256_permute2f128_pd::<0x20>(t0, t2));
        _mm256_storeu_pd(out.add(s * (j + 1)), _mm256_permute2f128_pd::<0x20>(t1, t3));
        _mm256_storeu_pd(out.add(s * (j + 2)), _mm256_permute2f128_pd::<0x31>(t0, t2));
        _mm256_storeu_pd(out.add(s * (j + 3)), _mm256_permute2f128_pd::<0x31>(t1, t3));
        j += 4;
    }
    while j < np {
        for (l, &pl) in p.iter().enumerate() {
            *out.add(s * j + l) = *pl.add(j);
        }
        j += 1;
    }
}

/// 8×8 transposes: eight genome rows of `np` values into `out[j * s + l]` (`s ≥ 8`: the lanes
/// of the whole block, of which these rows are eight).
///
/// # Safety
/// AVX2 present; `p[l]` valid for `np` reads, `out` for `s * (np - 1) + 8` writes.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn interleave_f32x8(p: [*const f32; 8], np: usize, out: *mut f32, s: usize) {
    use std::arch::x86_64::*;
    let mut j = 0;
    while j + 8 <= np {
        let r: [__m256; 8] = std::array::from_fn(|l| _mm256_loadu_ps(p[l].add(j)));
        // Pairs of rows interleaved, then quadruples: `q[c]` holds column c (low half, rows
        // 0-3 / 4-7 in q[c] / q[c + 4]) and column c + 4 (high half).
        let t: [__m256; 8] = [
            _mm256_unpacklo_ps(r[0], r[1]),
            _mm256_unpackhi_ps(r[0], r[1]),
            _mm256_unpacklo_ps(r[2], r[3]),
            _mm256_unpackhi_ps(r[2], r[3]),
            _mm256_unpacklo_ps(r[4], r[5]),
            _mm256_unpackhi_ps(r[4], r[5]),
            _mm256_unpacklo_ps(r[6], r[7]),
            _mm256_unpackhi_ps(r[6], r[7]),
        ];
        let q: [__m256; 8] = [
            _mm256_shuffle_ps::<0x44>(t[0], t[2]),
            _mm256_shuffle_ps::<0xee>(t[0], t[2]),
            _mm256_shuffle_ps::<0x44>(t[1], t[3]),
            _mm256_shuffle_ps::<0xee>(t[1], t[3]),
            _mm256_shuffle_ps::<0x44>(t[4], t[6]),
            _mm256_shuffle_ps::<0xee>(t[4], t[6]),
            _mm256_shuffle_ps::<0x44>(t[5], t[7]),
            _mm256_shuffle_ps::<0xee>(t[5], t[7]),
        ];
        for c in 0..4 {
            let lo = _mm256_permute2f128_ps::<0x20>(q[c], q[c + 4]);
            let hi = _mm256_permute2f128_ps::<0x31>(q[c], q[c + 4]);
            _mm256_storeu_ps(out.add(s * (j + c)), lo);
            _mm256_storeu_ps(out.add(s * (j + c + 4)), hi);
        }
        j += 8;
    }
    while j < np {
        for (l, &pl) in p.iter().enumerate() {
            *out.add(s * j + l) = *pl.add(j);
        }
        j += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::cpu::avx2_available;

    /// The AVX2 transposes move every value to the same place as the plain loop, for row
    /// lengths around their block widths.
    #[test]
    fn interleave_transposes_equal_the_plain_loop() {
        fn plain<T: Copy + Default>(rows: &[&[T]]) -> Vec<T> {
            let w = rows.len();
            let mut out = vec![T::default(); w * rows[0].len()];
            for j in 0..rows[0].len() {
                for (l, r) in rows.iter().enumerate() {
                    out[j * w + l] = r[j];
                }
            }
            out
        }
        if !avx2_available() {
            return;
        }
        // Block widths of the AVX2 (8 f32 / 4 f64) and the AVX-512 (16 / 8) kernels.
        for np in [1usize, 3, 4, 5, 7, 8, 9, 15, 16, 17, 354] {
            for w in [8usize, 16] {
                let v32: Vec<Vec<f32>> = (0..w)
                    .map(|l| (0..np).map(|j| (l * 1000 + j) as f32).collect())
                    .collect();
                let r32: Vec<&[f32]> = v32.iter().map(|v| v.as_slice()).collect();
                let mut got = vec![0.0f32; w * np];
                interleave::<crate::backend::cpu::lanes::Emu<f32, 8>>(&r32, &mut got, true);
                assert_eq!(got, plain(&r32), "f32, np = {np}, w = {w}");
            }
            for w in [4usize, 8] {
                let v64: Vec<Vec<f64>> = (0..w)
                    .map(|l| (0..np).map(|j| (l * 1000 + j) as f64).collect())
                    .collect();
                let r64: Vec<&[f64]> = v64.iter().map(|v| v.as_slice()).collect();
                let mut got = vec![0.0f64; w * np];
                interleave::<crate::backend::cpu::lanes::Emu<f64, 4>>(&r64, &mut got, true);
                assert_eq!(got, plain(&r64), "f64, np = {np}, w = {w}");
            }
        }
    }
}
