//! AVX-512 lanes for SBX and the scan of polynomial mutation: eight variables per step, each
//! with exactly the operations of the portable loops in [`super::operators`], so the same
//! bits (`sbx_lanes_equal_the_portable_loop` and the operator pins in `tests/moo_perf_pins.rs`
//! check it).
//!
//! Why: the portable SBX converts, tests and packs one variable at a time, and its test
//! ("is this variable crossed?", true half the time at random) mispredicts every other
//! variable. At population 8192 on 100 variables that loop was a fifth of an RVEA
//! generation. Here the draws are converted eight at a time ([`crate::rng::unit_f64x8`]),
//! the crossed variables are chosen by masks and packed with `vcompresspd` (the register
//! form: the memory form is slow on AMD Zen 4), their four powers run on packed vectors two
//! chains at a time, and the children are expanded back into place with `vexpandpd`.

use std::arch::x86_64::*;

use super::operators::Variation;
use crate::math::simd512::{pow_f64x8, pow_positive_f64x8};
use crate::rng::{unit_f64x8, WordDraws};

/// Variables per packed batch: the portable loop's (the chunking changes no value).
const CHUNK: usize = super::operators::SBX_CHUNK;
/// Packed buffers hold a whole vector past their last entry (stores of compressed vectors).
const PAD: usize = CHUNK + 8;

/// Whether these lanes may run: AVX-512F present and the crate's vector lanes switched on.
#[inline]
pub(super) fn available() -> bool {
    crate::math::vector_lanes() && crate::math::simd512::has_avx512f()
}

/// Packed buffers of one chunk, reused by every pair a thread crosses.
pub(super) struct SbxScratch {
    p1: [f64; PAD],
    p2: [f64; PAD],
    spread: [f64; PAD],
    swap: [f64; CHUNK],
    masks: [u8; CHUNK / 8],
}

impl SbxScratch {
    /// Zeroed buffers (lanes past a batch's end are read, never used, so they must be
    /// initialised once).
    pub(super) fn new() -> Self {
        SbxScratch {
            p1: [0.0; PAD],
            p2: [0.0; PAD],
            spread: [0.0; PAD],
            swap: [0.0; CHUNK],
            masks: [0; CHUNK / 8],
        }
    }
}

/// Lane `i` takes element `c + 3i` of the 24 values `d0 ‖ d1 ‖ d2`: component `c` of the
/// eight (cross?, spread, swap?) triples in stream order.
#[inline(always)]
unsafe fn deinterleave3(c: i64, d0: __m512d, d1: __m512d, d2: __m512d) -> __m512d {
    let mut first = [0i64; 8];
    let mut second = [0i64; 8];
    for i in 0..8 {
        let src = c + 3 * i as i64;
        first[i] = if src < 16 { src } else { 0 };
        second[i] = if src < 16 { i as i64 } else { 8 + src - 16 };
    }
    let t = _mm512_permutex2var_pd(d0, _mm512_loadu_si512(first.as_ptr().cast()), d1);
    _mm512_permutex2var_pd(t, _mm512_loadu_si512(second.as_ptr().cast()), d2)
}

/// `k` lanes from the bottom.
#[inline(always)]
fn low_lanes(k: usize) -> __mmask8 {
    if k >= 8 {
        0xff
    } else {
        ((1u32 << k) - 1) as __mmask8
    }
}

/// Sixteen words from `words[at..]` as eight 64-bit draws, zero past the slice's end.
#[inline(always)]
unsafe fn load_draws(words: &[u32], at: usize) -> __m512i {
    if at + 16 <= words.len() {
        _mm512_loadu_si512(words.as_ptr().add(at).cast())
    } else {
        let mut tmp = [0u32; 16];
        if at < words.len() {
            tmp[..words.len() - at].copy_from_slice(&words[at..]);
        }
        _mm512_loadu_si512(tmp.as_ptr().cast())
    }
}

/// The parents `x1 = a[j..]`, `x2 = b[j..]`, the bounds, the ordered pair `y1 ≤ y2` (as the
/// portable `if x1 < x2`) and `δ = y2 − y1`, on the lanes `valid` (zero elsewhere).
#[inline(always)]
#[allow(clippy::type_complexity)]
unsafe fn order(
    a: &[f64],
    b: &[f64],
    lo: &[f64],
    hi: &[f64],
    j: usize,
    valid: __mmask8,
) -> (
    __m512d,
    __m512d,
    __m512d,
    __m512d,
    __m512d,
    __m512d,
    __m512d,
) {
    let x1 = _mm512_maskz_loadu_pd(valid, a.as_ptr().add(j));
    let x2 = _mm512_maskz_loadu_pd(valid, b.as_ptr().add(j));
    let l = _mm512_maskz_loadu_pd(valid, lo.as_ptr().add(j));
    let h = _mm512_maskz_loadu_pd(valid, hi.as_ptr().add(j));
    let lt = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(x1, x2);
    let y1 = _mm512_mask_blend_pd(lt, x2, x1);
    let y2 = _mm512_mask_blend_pd(lt, x1, x2);
    (x1, x2, l, h, y1, y2, _mm512_sub_pd(y2, y1))
}

/// The spread factor from `p = β^−(η+1)`: `α = 2 − p`, then `uα` if `u ≤ 1/α`, else
/// `1/(2 − uα)` (both computed, one kept per lane).
#[inline(always)]
unsafe fn spread(u: __m512d, p: __m512d) -> __m512d {
    let (one, two) = (_mm512_set1_pd(1.0), _mm512_set1_pd(2.0));
    let alpha = _mm512_sub_pd(two, p);
    let inside = _mm512_cmp_pd_mask::<_CMP_LE_OQ>(u, _mm512_div_pd(one, alpha));
    let ua = _mm512_mul_pd(u, alpha);
    let outside = _mm512_div_pd(one, _mm512_sub_pd(two, ua));
    _mm512_mask_blend_pd(inside, outside, ua)
}

/// `x^y` per lane as [`pow_f64x8`]; by the shorter [`pow_positive_f64x8`] when every lane is
/// in its domain (`y_ok`: the caller's constant `y` is finite and neither 0 nor 1).
#[inline(always)]
unsafe fn pow_lanes(x: __m512d, y: __m512d, y_ok: bool) -> __m512d {
    let positive = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(x, _mm512_setzero_pd())
        & _mm512_cmp_pd_mask::<_CMP_LT_OQ>(x, _mm512_set1_pd(f64::INFINITY));
    if y_ok && positive == 0xff {
        pow_positive_f64x8(x, y)
    } else {
        pow_f64x8(x, y)
    }
}

/// `f64::clamp(c, l, h)`: below the lower bound first, then above the upper one.
#[inline(always)]
unsafe fn clamp(c: __m512d, l: __m512d, h: __m512d) -> __m512d {
    let c = _mm512_mask_blend_pd(_mm512_cmp_pd_mask::<_CMP_LT_OQ>(c, l), c, l);
    _mm512_mask_blend_pd(_mm512_cmp_pd_mask::<_CMP_GT_OQ>(c, h), c, h)
}

/// SBX of one pair: the children of the parents `pa`, `pb` into `a`, `b`, equal bit for bit to
/// the portable `sbx_pair_in_place` on the same words (which crosses copies of the parents in
/// place; here the parents are read where they lie and each child written once).
///
/// # Safety
/// The CPU must support AVX-512F ([`available`]).
///
/// # Panics
/// If the slices' lengths disagree or `words` holds fewer than `2 + 6 · n_var` words
/// (sizing bugs of the caller).
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn sbx_pair(
    pa: &[f64],
    pb: &[f64],
    a: &mut [f64],
    b: &mut [f64],
    lo: &[f64],
    hi: &[f64],
    v: &Variation,
    words: &[u32],
    sc: &mut SbxScratch,
) {
    let n = a.len();
    assert!(pa.len() == n && pb.len() == n && b.len() == n && lo.len() == n && hi.len() == n);
    assert!(words.len() >= 2 + 6 * n);
    if WordDraws::new(&words[..2]).uniform_f64() >= v.p_c {
        // The pair is not crossed: every variable keeps its parent's value.
        a.copy_from_slice(pa);
        b.copy_from_slice(pb);
        return;
    }
    let words = &words[2..2 + 6 * n];
    let (neg_exp, inv_exp) = (-(v.eta_c + 1.0), 1.0 / (v.eta_c + 1.0));
    // −(η+1) ≤ −1 always qualifies for the positive-domain power; 1/(η+1) unless η = 0.
    let inv_ok = inv_exp < 1.0;
    let (one, two, half) = (
        _mm512_set1_pd(1.0),
        _mm512_set1_pd(2.0),
        _mm512_set1_pd(0.5),
    );
    let (p_var, p_swap) = (_mm512_set1_pd(v.p_var), _mm512_set1_pd(v.p_swap));
    let (eps, abs_mask) = (_mm512_set1_pd(1e-14), _mm512_set1_epi64(i64::MAX));
    let (neg_exp, inv_exp) = (_mm512_set1_pd(neg_exp), _mm512_set1_pd(inv_exp));
    for start in (0..n).step_by(CHUNK) {
        let end = (start + CHUNK).min(n);
        let groups = (end - start).div_ceil(8);
        // Pass 1: which variables cross, and their bound ratios, packed.
        let mut packed = 0;
        for g in 0..groups {
            let j = start + 8 * g;
            let valid = low_lanes(end - j);
            let at = 6 * j;
            let d0 = unit_f64x8(load_draws(words, at));
            let d1 = unit_f64x8(load_draws(words, at + 16));
            let d2 = unit_f64x8(load_draws(words, at + 32));
            let u_cross = deinterleave3(0, d0, d1, d2);
            let u_spread = deinterleave3(1, d0, d1, d2);
            let u_swap = deinterleave3(2, d0, d1, d2);
            let (x1, x2, l, h, y1, y2, delta) = order(pa, pb, lo, hi, j, valid);
            // The portable loop's `continue` conditions, negated exactly (NaN included).
            let diff = _mm512_castsi512_pd(_mm512_and_si512(
                _mm512_castpd_si512(_mm512_sub_pd(x1, x2)),
                abs_mask,
            ));
            let m = _mm512_mask_cmp_pd_mask::<_CMP_NGE_UQ>(valid, u_cross, p_var);
            let m = _mm512_mask_cmp_pd_mask::<_CMP_NLE_UQ>(m, diff, eps);
            let m = _mm512_mask_cmp_pd_mask::<_CMP_NGE_UQ>(m, l, h);
            let p1 = _mm512_add_pd(
                one,
                _mm512_div_pd(_mm512_mul_pd(two, _mm512_sub_pd(y1, l)), delta),
            );
            let p2 = _mm512_add_pd(
                one,
                _mm512_div_pd(_mm512_mul_pd(two, _mm512_sub_pd(h, y2)), delta),
            );
            _mm512_storeu_pd(
                sc.p1.as_mut_ptr().add(packed),
                _mm512_maskz_compress_pd(m, p1),
            );
            _mm512_storeu_pd(
                sc.p2.as_mut_ptr().add(packed),
                _mm512_maskz_compress_pd(m, p2),
            );
            _mm512_storeu_pd(
                sc.spread.as_mut_ptr().add(packed),
                _mm512_maskz_compress_pd(m, u_spread),
            );
            _mm512_storeu_pd(sc.swap.as_mut_ptr().add(8 * g), u_swap);
            sc.masks[g] = m;
            packed += m.count_ones() as usize;
        }

        // Pass 2 on the packed variables: β^−(η+1), the spread factor, its 1/(η+1) power;
        // the two children's chains interleaved for the out-of-order core.
        for k in (0..packed).step_by(8) {
            // Lanes past the packed values (stale) are set to 1, inside every power's domain.
            let live = low_lanes(packed - k);
            let u = _mm512_loadu_pd(sc.spread.as_ptr().add(k));
            let p1 = _mm512_mask_blend_pd(live, one, _mm512_loadu_pd(sc.p1.as_ptr().add(k)));
            let p2 = _mm512_mask_blend_pd(live, one, _mm512_loadu_pd(sc.p2.as_ptr().add(k)));
            let q1 = pow_lanes(p1, neg_exp, true);
            let q2 = pow_lanes(p2, neg_exp, true);
            let b1 = pow_lanes(spread(u, q1), inv_exp, inv_ok);
            let b2 = pow_lanes(spread(u, q2), inv_exp, inv_ok);
            _mm512_storeu_pd(sc.p1.as_mut_ptr().add(k), b1);
            _mm512_storeu_pd(sc.p2.as_mut_ptr().add(k), b2);
        }
        // Pass 3: the children, the crossed lanes expanded back among their parents' values.
        let mut taken = 0;
        for g in 0..groups {
            let m = sc.masks[g];
            let j = start + 8 * g;
            let valid = low_lanes(end - j);
            let (x1, x2, l, h, y1, y2, delta) = order(pa, pb, lo, hi, j, valid);
            if m == 0 {
                _mm512_mask_storeu_pd(a.as_mut_ptr().add(j), valid, x1);
                _mm512_mask_storeu_pd(b.as_mut_ptr().add(j), valid, x2);
                continue;
            }
            let sum = _mm512_add_pd(y1, y2);
            let b1 = _mm512_maskz_expand_pd(m, _mm512_loadu_pd(sc.p1.as_ptr().add(taken)));
            let b2 = _mm512_maskz_expand_pd(m, _mm512_loadu_pd(sc.p2.as_ptr().add(taken)));
            let c1 = _mm512_mul_pd(half, _mm512_sub_pd(sum, _mm512_mul_pd(b1, delta)));
            let c2 = _mm512_mul_pd(half, _mm512_add_pd(sum, _mm512_mul_pd(b2, delta)));
            let sw = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(
                _mm512_loadu_pd(sc.swap.as_ptr().add(8 * g)),
                p_swap,
            );
            let (c1, c2) = (
                _mm512_mask_blend_pd(sw, c1, c2),
                _mm512_mask_blend_pd(sw, c2, c1),
            );
            let (c1, c2) = (clamp(c1, l, h), clamp(c2, l, h));
            _mm512_mask_storeu_pd(
                a.as_mut_ptr().add(j),
                valid,
                _mm512_mask_blend_pd(m, x1, c1),
            );
            _mm512_mask_storeu_pd(
                b.as_mut_ptr().add(j),
                valid,
                _mm512_mask_blend_pd(m, x2, c2),
            );
            taken += m.count_ones() as usize;
        }
    }
}

/// The variables polynomial mutation changes in one row: calls `hit(j, u)` for each, in
/// variable order, with the row's second draw of that variable (the portable scan's
/// `u_mut < p_m` and `lo < hi` tests, eight variables at a time).
///
/// # Safety
/// The CPU must support AVX-512F ([`available`]).
///
/// # Panics
/// If `words` holds fewer than `4 · n_var` words or the bounds' lengths differ.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn mutation_hits(
    lo: &[f64],
    hi: &[f64],
    p_m: f64,
    words: &[u32],
    mut hit: impl FnMut(usize, f64),
) {
    let n = lo.len();
    assert!(hi.len() == n && words.len() >= 4 * n);
    let words = &words[..4 * n];
    let p_m = _mm512_set1_pd(p_m);
    let even = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    let odd = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
    for j in (0..n).step_by(8) {
        let valid = low_lanes(n - j);
        let d0 = unit_f64x8(load_draws(words, 4 * j));
        let d1 = unit_f64x8(load_draws(words, 4 * j + 16));
        let u_mut = _mm512_permutex2var_pd(d0, even, d1);
        let l = _mm512_maskz_loadu_pd(valid, lo.as_ptr().add(j));
        let h = _mm512_maskz_loadu_pd(valid, hi.as_ptr().add(j));
        let m = _mm512_mask_cmp_pd_mask::<_CMP_NGE_UQ>(valid, u_mut, p_m);
        let m = _mm512_mask_cmp_pd_mask::<_CMP_NGE_UQ>(m, l, h);
        if m == 0 {
            continue;
        }
        let mut u = [0.0; 8];
        _mm512_storeu_pd(u.as_mut_ptr(), _mm512_permutex2var_pd(d0, odd, d1));
        let mut bits = m;
        while bits != 0 {
            let lane = bits.trailing_zeros() as usize;
            hit(j + lane, u[lane]);
            bits &= bits - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::moo::operators::sbx_pair_in_place;
    use crate::rng::stream;

    /// Parents with the cases the portable loop branches on: equal values, a fixed
    /// variable (`lo == hi`), values on the bounds, and ordinary spreads.
    /// Two parents, their bounds and a pair's words.
    struct Case {
        a: Vec<f64>,
        b: Vec<f64>,
        lo: Vec<f64>,
        hi: Vec<f64>,
        words: Vec<u32>,
    }

    fn case(n: usize, seed: u64) -> Case {
        let mut s = stream(seed, "sbx-lanes-test", n as u64, 0);
        let lo: Vec<f64> = (0..n).map(|j| -(j as f64) * 0.25).collect();
        let hi: Vec<f64> = (0..n)
            .map(|j| {
                if j % 11 == 5 {
                    lo[j]
                } else {
                    1.0 + j as f64 * 0.5
                }
            })
            .collect();
        let mut draw = |j: usize| lo[j] + s.uniform_f64() * (hi[j] - lo[j]);
        let a: Vec<f64> = (0..n).map(&mut draw).collect();
        let mut b: Vec<f64> = (0..n).map(&mut draw).collect();
        for j in (3..n).step_by(7) {
            b[j] = a[j];
        }
        for j in (4..n).step_by(9) {
            b[j] = hi[j];
        }
        let mut words = vec![0u32; 2 + 6 * n];
        stream(seed, "sbx-lanes-words", n as u64, 1).fill_u32(&mut words);
        Case {
            a,
            b,
            lo,
            hi,
            words,
        }
    }

    #[test]
    fn sbx_lanes_equal_the_portable_loop() {
        if !available() {
            eprintln!("skipped: this CPU has no AVX-512F");
            return;
        }
        let mut sc = SbxScratch::new();
        let lengths = (1..=20).chain([63, 64, 65, 100, 127, 128, 129, 200]);
        for n in lengths {
            for seed in 0..6 {
                for v in [
                    Variation::default(),
                    Variation {
                        eta_c: 2.0,
                        p_c: 0.7,
                        p_var: 0.9,
                        p_swap: 0.1,
                        ..Default::default()
                    },
                    Variation {
                        eta_c: 0.0,
                        p_var: 1.0,
                        p_swap: 1.0,
                        ..Default::default()
                    },
                ] {
                    let Case {
                        a,
                        b,
                        lo,
                        hi,
                        words,
                    } = case(n, seed);
                    let (mut a1, mut b1) = (a.clone(), b.clone());
                    sbx_pair_in_place(&mut a1, &mut b1, &lo, &hi, &v, &mut WordDraws::new(&words));
                    let (mut a2, mut b2) = (vec![f64::NAN; n], vec![f64::NAN; n]);
                    // SAFETY: `available` checked that the CPU has AVX-512F.
                    unsafe { sbx_pair(&a, &b, &mut a2, &mut b2, &lo, &hi, &v, &words, &mut sc) };
                    let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&a1), bits(&a2), "n {n}, seed {seed}, {v:?}");
                    assert_eq!(bits(&b1), bits(&b2), "n {n}, seed {seed}, {v:?}");
                    if v.p_c >= 1.0 && n > 8 {
                        assert_ne!(bits(&a1), bits(&a), "a crossed pair changed nothing");
                    }
                }
            }
        }
    }

    #[test]
    fn mutation_hits_equal_the_portable_scan() {
        if !available() {
            eprintln!("skipped: this CPU has no AVX-512F");
            return;
        }
        for n in (1..=20).chain([63, 64, 65, 100, 129]) {
            let Case { lo, hi, .. } = case(n, 3);
            let mut words = vec![0u32; 4 * n];
            stream(9, "mutation-lanes-words", n as u64, 0).fill_u32(&mut words);
            for p_m in [0.0, 0.1, 0.5, 1.0] {
                let mut want = Vec::new();
                let mut s = WordDraws::new(&words);
                for j in 0..n {
                    let (u_mut, u) = (s.uniform_f64(), s.uniform_f64());
                    if !(u_mut >= p_m || lo[j] >= hi[j]) {
                        want.push((j, u.to_bits()));
                    }
                }
                let mut got = Vec::new();
                // SAFETY: `available` checked that the CPU has AVX-512F.
                unsafe { mutation_hits(&lo, &hi, p_m, &words, |j, u| got.push((j, u.to_bits()))) };
                assert_eq!(got, want, "n {n}, p_m {p_m}");
            }
        }
    }
}
