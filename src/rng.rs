//! Named, seeded random streams.
//!
//! Every random draw in the crate comes from a [`Stream`] obtained with
//! [`stream(seed, purpose, generation, index)`](stream). The four coordinates are packed into
//! the 256-bit key of a ChaCha20 generator:
//!
//! | key bytes | content                                         |
//! |-----------|-------------------------------------------------|
//! | 0..8      | `seed` (little-endian)                           |
//! | 8..16     | FNV-1a 64 hash of the `purpose` string           |
//! | 16..24    | `generation`                                     |
//! | 24..32    | `index` (individual, member, run, ...)           |
//!
//! so two streams that differ in any coordinate are independent ChaCha20 keys, and a stream is
//! a pure function of its coordinates. Work split across threads therefore draws exactly the
//! same numbers whichever thread handles which index: results are bit-identical for 1, 2 or N
//! threads. A stream is owned by one piece of work and never shared across threads.
//!
//! The keystream is our own ChaCha20 block function (`rng/chacha.rs`: eight blocks per refill on
//! AVX2 lanes, sixteen on AVX-512 with the cargo feature `avx512`, on by default), checked word for word
//! against `rand_chacha`, whose words every committed table was made with. For many draws at
//! once use [`Stream::fill_uniform_f64`] / [`Stream::fill_u64`] / [`Stream::fill_u32`]: the same
//! values as single calls, without the per-draw bookkeeping.
//!
//! The conversions from raw words to floats are our own and documented below (not `rand`'s
//! distributions), so a GPU kernel implementing ChaCha20 reproduces every draw bit for bit.
//!
//! ```
//! use pareto_sciml::rng::stream;
//! let mut a = stream(42, "sbx", 7, 3);
//! let mut b = stream(42, "sbx", 7, 3);
//! assert_eq!(a.uniform_f64().to_bits(), b.uniform_f64().to_bits());
//! let mut c = stream(42, "sbx", 7, 4); // another individual: another stream
//! assert_ne!(stream(42, "sbx", 7, 3).next_u64(), c.next_u64());
//! ```

mod chacha;
mod prefixes;

pub(crate) use prefixes::{stream_prefixes, WordDraws};

/// 2⁻⁵³, the weight of the lowest of the 53 bits of a uniform `f64`.
const F64_UNIT: f64 = 1.0 / (1u64 << 53) as f64;

/// FNV-1a 64-bit hash of a purpose name; stable across platforms and versions.
pub const fn purpose_hash(purpose: &str) -> u64 {
    let bytes = purpose.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

/// The 32-byte ChaCha20 key of the stream `(seed, purpose, generation, index)`.
pub fn stream_key(seed: u64, purpose: &str, generation: u64, index: u64) -> [u8; 32] {
    let mut key = [0u8; 32];
    key[0..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&purpose_hash(purpose).to_le_bytes());
    key[16..24].copy_from_slice(&generation.to_le_bytes());
    key[24..32].copy_from_slice(&index.to_le_bytes());
    key
}

/// Returns the stream named by `(seed, purpose, generation, index)`.
///
/// `purpose` names what the numbers are for (`"init"`, `"sbx"`, `"mutation"`, `"noise"`, ...);
/// `generation` is the generation, epoch or iteration; `index` the individual, member or run.
pub fn stream(seed: u64, purpose: &str, generation: u64, index: u64) -> Stream {
    Stream {
        key: stream_key_words(seed, purpose, generation, index),
        next_block: 0,
        pos: chacha::WORDS,
        buf: [0; chacha::WORDS],
    }
}

/// [`stream_key`] as the eight little-endian key words of the block function.
pub(crate) fn stream_key_words(seed: u64, purpose: &str, generation: u64, index: u64) -> [u32; 8] {
    let bytes = stream_key(seed, purpose, generation, index);
    let mut key = [0u32; 8];
    for (w, c) in key.iter_mut().zip(bytes.chunks_exact(4)) {
        *w = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    key
}

/// `(v >> 11) · 2⁻⁵³` by exact floating-point steps only, so that the compiler can run it on
/// vector lanes (x86 has no vector `u64 → f64` conversion before AVX-512DQ): `m = v >> 11 <
/// 2⁵³` is split into 21 high and 32 low bits, each placed in the mantissa of a constant
/// (`2⁸⁴ + hi·2³²` and `2⁵² + lo`), and `(hi·2³² − 2⁵²) + (2⁵² + lo) = m` is exact because
/// the first difference is exactly representable and so is the sum. Equal, bit for bit, to
/// `m as f64 · 2⁻⁵³`.
#[inline(always)]
fn unit_f64(v: u64) -> f64 {
    let m = v >> 11;
    let hi =
        f64::from_bits((m >> 32) | 0x4530_0000_0000_0000) - f64::from_bits(0x4530_0000_0010_0000);
    let lo = f64::from_bits((m & 0xffff_ffff) | 0x4330_0000_0000_0000);
    (hi + lo) * F64_UNIT
}

/// [`unit_f64`] on eight lanes: the same exact steps, so the same bits. `v` holds eight
/// 64-bit draws, each the little-endian pair of words (low word first) that the scalar path
/// combines as `lo | hi << 32`.
///
/// # Safety
/// The CPU must support AVX-512F.
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn unit_f64x8(v: std::arch::x86_64::__m512i) -> std::arch::x86_64::__m512d {
    use std::arch::x86_64::*;
    let m = _mm512_srli_epi64::<11>(v);
    let hi = _mm512_sub_pd(
        _mm512_castsi512_pd(_mm512_or_si512(
            _mm512_srli_epi64::<32>(m),
            _mm512_set1_epi64(0x4530_0000_0000_0000),
        )),
        _mm512_set1_pd(f64::from_bits(0x4530_0000_0010_0000)),
    );
    let lo = _mm512_castsi512_pd(_mm512_or_si512(
        _mm512_and_si512(m, _mm512_set1_epi64(0xffff_ffff)),
        _mm512_set1_epi64(0x4330_0000_0000_0000),
    ));
    _mm512_mul_pd(_mm512_add_pd(hi, lo), _mm512_set1_pd(F64_UNIT))
}

/// A deterministic random stream (ChaCha20, stream id 0, block counter from 0).
///
/// Words are produced in ChaCha20 output order (the words of `rand_chacha`'s `ChaCha20Rng`
/// seeded with [`stream_key`], which the tests check); `next_u64` joins two consecutive 32-bit
/// words, the first as the low half. The keystream is computed eight blocks (128 words) at a
/// time, on AVX2 lanes where the CPU has them; the words do not depend on the path.
///
/// The `fill_*` methods hand out many draws at once and equal the same number of single calls
/// bit for bit, so callers can mix both freely; they skip the per-word bookkeeping.
#[derive(Clone)]
pub struct Stream {
    key: [u32; 8],
    /// Counter of the first block not yet in `buf`.
    next_block: u64,
    /// Next unread word of `buf`; `WORDS` when it is used up.
    pos: usize,
    buf: [u32; chacha::WORDS],
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("key", &self.key)
            .field("word_pos", &self.word_pos())
            .finish()
    }
}

impl Stream {
    /// Number of 32-bit words drawn so far.
    pub fn word_pos(&self) -> u128 {
        self.next_block as u128 * 16 - (chacha::WORDS - self.pos) as u128
    }

    #[inline(never)]
    fn refill(&mut self) {
        chacha::blocks8(&self.key, self.next_block, &mut self.buf);
        self.next_block = self.next_block.wrapping_add(chacha::BLOCKS as u64);
        self.pos = 0;
    }

    /// Next 32 random bits.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if self.pos >= chacha::WORDS {
            self.refill();
        }
        let w = self.buf[self.pos];
        self.pos += 1;
        w
    }

    /// Next 64 random bits (two 32-bit words, low word first).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        if self.pos + 2 <= chacha::WORDS {
            let (lo, hi) = (self.buf[self.pos] as u64, self.buf[self.pos + 1] as u64);
            self.pos += 2;
            return lo | (hi << 32);
        }
        let lo = self.next_u32() as u64;
        let hi = self.next_u32() as u64;
        lo | (hi << 32)
    }

    /// Uniform in `[0, 1)`: the top 53 bits of [`next_u64`](Self::next_u64) times 2⁻⁵³.
    #[inline]
    pub fn uniform_f64(&mut self) -> f64 {
        // Below 2⁵³, so the signed conversion (one instruction) is exact, like the unsigned.
        ((self.next_u64() >> 11) as i64) as f64 * F64_UNIT
    }

    /// Fills `out` with the next `out.len()` words: the same as as many
    /// [`next_u32`](Self::next_u32) calls.
    pub fn fill_u32(&mut self, out: &mut [u32]) {
        let mut done = 0;
        while done < out.len() {
            if self.pos >= chacha::WORDS {
                self.refill();
            }
            let n = (chacha::WORDS - self.pos).min(out.len() - done);
            out[done..done + n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            done += n;
        }
    }

    /// Fills `out` with the next `out.len()` 64-bit draws: the same as as many
    /// [`next_u64`](Self::next_u64) calls.
    pub fn fill_u64(&mut self, out: &mut [u64]) {
        self.fill_pairs(out, |lo, hi| lo as u64 | ((hi as u64) << 32));
    }

    /// Fills `out` with the next `out.len()` uniforms in `[0, 1)`: the same values, bit for
    /// bit, as as many [`uniform_f64`](Self::uniform_f64) calls.
    ///
    /// ```
    /// let mut a = pareto_sciml::rng::stream(1, "doc", 0, 0);
    /// let mut b = a.clone();
    /// let mut u = [0.0; 300];
    /// a.fill_uniform_f64(&mut u);
    /// assert!(u.iter().all(|x| x.to_bits() == b.uniform_f64().to_bits()));
    /// ```
    pub fn fill_uniform_f64(&mut self, out: &mut [f64]) {
        self.fill_pairs(out, |lo, hi| unit_f64(lo as u64 | ((hi as u64) << 32)));
    }

    /// Fills `out[i] = f(word 2i, word 2i + 1)` from the buffer, a pair straddling two
    /// refills through the single-draw path.
    #[inline(always)]
    fn fill_pairs<T>(&mut self, out: &mut [T], f: impl Fn(u32, u32) -> T) {
        let mut done = 0;
        while done < out.len() {
            if self.pos >= chacha::WORDS
                && 2 * (out.len() - done) >= chacha::WIDE_WORDS
                && chacha::has_wide()
            {
                // A whole 16-block batch is wanted and the buffer is used up: generate it on
                // the wide path straight into a local batch (the buffer stays empty).
                let mut wide = [0u32; chacha::WIDE_WORDS];
                chacha::blocks16(&self.key, self.next_block, &mut wide);
                self.next_block = self.next_block.wrapping_add(chacha::WIDE_BLOCKS as u64);
                let n = chacha::WIDE_WORDS / 2;
                for (o, w) in out[done..done + n].iter_mut().zip(wide.chunks_exact(2)) {
                    *o = f(w[0], w[1]);
                }
                done += n;
                continue;
            }
            let avail = (chacha::WORDS - self.pos.min(chacha::WORDS)) / 2;
            if avail == 0 {
                let (lo, hi) = (self.next_u32(), self.next_u32());
                out[done] = f(lo, hi);
                done += 1;
                continue;
            }
            let n = avail.min(out.len() - done);
            let words = &self.buf[self.pos..self.pos + 2 * n];
            for (o, w) in out[done..done + n].iter_mut().zip(words.chunks_exact(2)) {
                *o = f(w[0], w[1]);
            }
            self.pos += 2 * n;
            done += n;
        }
    }

    /// Uniform in `[0, 1)` in single precision: the top 24 bits of
    /// [`next_u32`](Self::next_u32) times 2⁻²⁴.
    #[inline]
    pub fn uniform_f32(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
    }

    /// Uniform in `[low, high)` (computed as `low + (high - low) * u`).
    #[inline]
    pub fn uniform_range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.uniform_f64()
    }

    /// Uniform integer in `[0, n)` without modulo bias (Lemire's multiply-and-reject on
    /// 64-bit words). Returns 0 when `n == 0`.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = (self.next_u64() as u128) * (n as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Standard normal draw by the Box–Muller transform on two uniforms, using the crate's
    /// own `ln`, `sqrt`, `cos` (see [`crate::math`]) so a GPU twin reproduces it exactly.
    /// One normal is produced per call (the sine branch is discarded, keeping the stream's
    /// consumption fixed at two 64-bit words per draw).
    #[inline]
    pub fn normal_f64(&mut self) -> f64 {
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - self.uniform_f64();
        let u2 = self.uniform_f64();
        let radius = (-2.0 * crate::math::ln_f64(u1)).sqrt();
        radius * crate::math::cos_f64(std::f64::consts::TAU * u2)
    }

    /// Fisher–Yates shuffle driven by [`below`](Self::below), from the last element down.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }

    /// A uniformly random permutation of `0..n`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        self.shuffle(&mut p);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::{RngCore, SeedableRng};

    /// The reference generator: `rand_chacha`'s ChaCha20 with the stream's key, which is what
    /// `Stream` was before its own block function (every committed table depends on these
    /// words).
    fn reference(
        seed: u64,
        purpose: &str,
        generation: u64,
        index: u64,
    ) -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::from_seed(stream_key(seed, purpose, generation, index))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any mix of single and bulk draws gives exactly the words of the reference.
        #[test]
        fn stream_equals_rand_chacha_for_any_mix_of_calls(
            seed in any::<u64>(), generation in any::<u64>(), index in any::<u64>(),
            calls in proptest::collection::vec((0u8..6, 0usize..300), 1..12),
        ) {
            let mut s = stream(seed, "prop", generation, index);
            let mut r = reference(seed, "prop", generation, index);
            let r64 = |r: &mut rand_chacha::ChaCha20Rng| {
                let lo = r.next_u32() as u64;
                lo | ((r.next_u32() as u64) << 32)
            };
            for (kind, n) in calls {
                match kind {
                    0 => prop_assert_eq!(s.next_u32(), r.next_u32()),
                    1 => prop_assert_eq!(s.next_u64(), r64(&mut r)),
                    2 => {
                        let mut out = vec![0u32; n];
                        s.fill_u32(&mut out);
                        for w in out { prop_assert_eq!(w, r.next_u32()); }
                    }
                    3 => {
                        let mut out = vec![0u64; n];
                        s.fill_u64(&mut out);
                        for w in out { prop_assert_eq!(w, r64(&mut r)); }
                    }
                    4 => {
                        let mut out = vec![0.0f64; n];
                        s.fill_uniform_f64(&mut out);
                        for u in out {
                            let v = (r64(&mut r) >> 11) as f64 / (1u64 << 53) as f64;
                            prop_assert_eq!(u.to_bits(), v.to_bits());
                        }
                    }
                    _ => {
                        let u = s.uniform_f64();
                        let v = (r64(&mut r) >> 11) as f64 / (1u64 << 53) as f64;
                        prop_assert_eq!(u.to_bits(), v.to_bits());
                    }
                }
                prop_assert_eq!(s.word_pos(), r.get_word_pos());
            }
        }
    }

    #[test]
    fn exact_conversion_equals_the_integer_conversion() {
        let mut s = stream(6, "unit", 0, 0);
        let edges = [
            0u64,
            1 << 11,
            (1 << 43) - 1,
            1 << 43,
            u64::MAX,
            u64::MAX << 11,
        ];
        let randoms = (0..100_000).map(|_| s.next_u64());
        for v in edges.into_iter().chain(randoms) {
            let want = (v >> 11) as f64 * F64_UNIT;
            assert_eq!(unit_f64(v).to_bits(), want.to_bits(), "{v:#x}");
        }
    }

    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    #[test]
    fn eight_lane_conversion_equals_the_scalar_one() {
        if !crate::math::simd512::has_avx512f() {
            eprintln!("skipped: this CPU has no AVX-512F");
            return;
        }
        let mut s = stream(7, "unit8", 0, 0);
        let mut v: Vec<u64> = vec![0, 1 << 11, (1 << 43) - 1, 1 << 43, u64::MAX, u64::MAX << 11];
        v.extend((0..80_002).map(|_| s.next_u64()));
        for chunk in v.chunks_exact(8) {
            let mut got = [0.0f64; 8];
            // SAFETY: AVX-512F was detected above; `chunk` holds eight u64.
            unsafe {
                use std::arch::x86_64::*;
                let x = _mm512_loadu_si512(chunk.as_ptr().cast());
                _mm512_storeu_pd(got.as_mut_ptr(), unit_f64x8(x));
            }
            for (g, &w) in got.iter().zip(chunk) {
                assert_eq!(g.to_bits(), unit_f64(w).to_bits(), "{w:#x}");
            }
        }
    }

    #[test]
    fn bulk_draws_cross_refills_at_every_offset() {
        // Start the bulk fill at each parity and position around the 128-word buffer edge.
        for skip in 120..=130 {
            for n in [1, 2, 63, 64, 65, 200] {
                let mut a = stream(5, "edge", skip as u64, n as u64);
                let mut b = a.clone();
                for _ in 0..skip {
                    a.next_u32();
                    b.next_u32();
                }
                let mut u = vec![0.0; n];
                a.fill_uniform_f64(&mut u);
                for x in u {
                    assert_eq!(x.to_bits(), b.uniform_f64().to_bits(), "skip {skip}, n {n}");
                }
                assert_eq!(a.next_u32(), b.next_u32());
            }
        }
    }

    #[test]
    fn same_coordinates_same_bits() {
        let mut a = stream(1, "x", 2, 3);
        let mut b = stream(1, "x", 2, 3);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn each_coordinate_changes_the_stream() {
        let base = stream(1, "x", 2, 3).next_u64();
        assert_ne!(stream(0, "x", 2, 3).next_u64(), base);
        assert_ne!(stream(1, "y", 2, 3).next_u64(), base);
        assert_ne!(stream(1, "x", 1, 3).next_u64(), base);
        assert_ne!(stream(1, "x", 2, 4).next_u64(), base);
    }

    #[test]
    fn chacha20_matches_rfc_keystream_for_zero_key() {
        // RFC 7539 test vector (A.1, #1): all-zero key and nonce, block 0. No named stream has
        // the all-zero key (the purpose hash is never 0), so pin the block function directly.
        let mut block = [0u32; 16];
        chacha::block_scalar(&[0; 8], 0, &mut block);
        assert_eq!(block[0], 0xade0_b876);
        assert_eq!(block[1], 0x903d_f1a0);
        let mut eight = [0u32; chacha::WORDS];
        chacha::blocks8(&[0; 8], 0, &mut eight);
        assert_eq!(eight[..16], block);
    }

    #[test]
    fn purpose_hash_is_fnv1a() {
        assert_eq!(purpose_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(purpose_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn uniforms_are_in_range_and_below_is_unbiased_enough() {
        let mut s = stream(7, "test", 0, 0);
        let mut counts = [0usize; 6];
        for _ in 0..60_000 {
            let u = s.uniform_f64();
            assert!((0.0..1.0).contains(&u));
            let v = s.uniform_f32();
            assert!((0.0..1.0).contains(&v));
            counts[s.below(6) as usize] += 1;
        }
        // Each bucket expects 10 000 with sd ~ 91; 6 sd is a bound a fair die never crosses.
        for c in counts {
            assert!((c as i64 - 10_000).abs() < 550, "{counts:?}");
        }
    }

    #[test]
    fn normal_draws_have_unit_moments() {
        let mut s = stream(3, "normal", 0, 0);
        let n = 200_000;
        let (mut sum, mut sum2) = (0.0, 0.0);
        for _ in 0..n {
            let z = s.normal_f64();
            sum += z;
            sum2 += z * z;
        }
        let mean = sum / n as f64;
        let var = sum2 / n as f64 - mean * mean;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.015, "var {var}");
    }

    #[test]
    fn permutation_is_a_permutation() {
        let mut p = stream(5, "perm", 0, 0).permutation(1000);
        p.sort_unstable();
        assert!(p.iter().enumerate().all(|(i, &v)| i == v));
    }
}
