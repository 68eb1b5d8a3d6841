//! The ChaCha20 block function behind [`Stream`](super::Stream), eight blocks at a time.
//!
//! State layout (as `rand_chacha`'s `ChaCha20Rng::from_seed`, and `kernels/common/chacha.cuh`
//! on the GPU): words 0..4 the constants `"expand 32-byte k"`, 4..12 the key, 12..14 the 64-bit
//! block counter (low word first), 14..16 the stream id, always 0. Blocks are emitted in counter
//! order, words of a block in state order.
//!
//! Three paths compute the same words (ChaCha is integer arithmetic only, so there is nothing
//! to round): a portable scalar loop, AVX2 with eight blocks in the eight 32-bit lanes of each
//! state register (rotations by 16 and 8 as byte shuffles, by 12 and 7 as two shifts), and the
//! same with AVX-512VL's native 32-bit rotate. They are chosen once per process from the CPU's
//! features; the tests compare them word for word against each other and against
//! `rand_chacha`. Bulk fills of sixteen or more blocks use [`blocks16`], sixteen blocks in the
//! lanes of AVX-512 `zmm` registers. [`LaneBatch`] runs the same kernels with a key and a
//! block counter per lane, for callers that need a few blocks from each of many streams.
//!
//! The AVX-512 paths need the cargo feature `avx512` (default) and Rust 1.89 (their intrinsics were
//! stabilised there; the crate's MSRV is 1.85). Without the feature the AVX2 path is the
//! fastest; the words are the same either way. Keystream cost, min of 300 repeats of 128
//! streams × 301 draws (`fill_u64`): 0.49 ns/byte on AVX2, 0.25 ns/byte with `avx512`, against
//! 0.76 ns/byte for `rand_chacha` drawn word by word.

/// Blocks produced by one call of [`blocks8`].
pub(crate) const BLOCKS: usize = 8;
/// Words produced by one call of [`blocks8`].
pub(crate) const WORDS: usize = 16 * BLOCKS;

/// Blocks produced by one call of [`blocks16`].
pub(crate) const WIDE_BLOCKS: usize = 16;
/// Words produced by one call of [`blocks16`].
pub(crate) const WIDE_WORDS: usize = 16 * WIDE_BLOCKS;

const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// Which implementation [`blocks8`] runs on this CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Path {
    /// Portable scalar loop.
    Scalar,
    /// AVX2, rotations by shifts and byte shuffles.
    Avx2,
    /// AVX2 registers with the AVX-512VL rotate.
    Avx512Vl,
}

/// The fastest path this CPU supports (detected once; cached by the standard library).
#[inline]
pub(crate) fn detected_path() -> Path {
    #[cfg(target_arch = "x86_64")]
    {
        if !crate::math::vector_lanes() {
            return Path::Scalar;
        }
        if cfg!(feature = "avx512")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx2")
        {
            return Path::Avx512Vl;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return Path::Avx2;
        }
    }
    Path::Scalar
}

/// Writes the eight consecutive blocks starting at block `counter` of the stream with `key`
/// into `out` (block `b` at `out[16 b..16 b + 16]`).
#[inline]
pub(crate) fn blocks8(key: &[u32; 8], counter: u64, out: &mut [u32; WORDS]) {
    blocks8_on(detected_path(), key, counter, out);
}

/// [`blocks8`] on a chosen path (falls back to scalar where the CPU lacks it); used by the
/// tests to compare the paths.
#[inline]
pub(crate) fn blocks8_on(path: Path, key: &[u32; 8], counter: u64, out: &mut [u32; WORDS]) {
    #[cfg(target_arch = "x86_64")]
    match path {
        #[cfg(feature = "avx512")]
        Path::Avx512Vl
            if std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("avx512f") =>
        {
            // SAFETY: the features the function is compiled for were detected just above.
            unsafe { x86::blocks8_avx512vl(key, counter, out) };
            return;
        }
        Path::Avx2 | Path::Avx512Vl if std::arch::is_x86_feature_detected!("avx2") => {
            // SAFETY: as above, for AVX2.
            unsafe { x86::blocks8_avx2(key, counter, out) };
            return;
        }
        _ => {}
    }
    let _ = path;
    for (b, block) in out.chunks_exact_mut(16).enumerate() {
        let block: &mut [u32; 16] = block.try_into().expect("16 words");
        block_scalar(key, counter.wrapping_add(b as u64), block);
    }
}

/// Whether [`blocks16`] has a fast path on this CPU (AVX-512F: sixteen blocks in the lanes of
/// `zmm` registers).
#[inline]
pub(crate) fn has_wide() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        cfg!(feature = "avx512")
            && crate::math::vector_lanes()
            && std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Writes the sixteen consecutive blocks starting at block `counter` into `out`, on AVX-512F
/// where [`has_wide`] says so, otherwise as two [`blocks8`] calls (same words either way).
#[inline]
pub(crate) fn blocks16(key: &[u32; 8], counter: u64, out: &mut [u32; WIDE_WORDS]) {
    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    if has_wide() {
        // SAFETY: AVX-512F was detected just above.
        unsafe { x86::blocks16_avx512(key, counter, out) };
        return;
    }
    let (a, b) = out.split_at_mut(WORDS);
    blocks8(key, counter, a.try_into().expect("128 words"));
    let next = counter.wrapping_add(BLOCKS as u64);
    blocks8(key, next, b.try_into().expect("128 words"));
}

/// Most blocks one [`LaneBatch`] holds: the lane count of the widest path.
pub(crate) const MAX_LANES: usize = 16;

/// Up to [`MAX_LANES`] blocks, each from its own stream and block counter, computed together
/// and each stored to its own place: the lanes of one batch may belong to different streams,
/// so a caller that needs a few blocks from each of many streams fills every lane (a
/// [`Stream`](super::Stream) computes whole batches of consecutive blocks of one stream,
/// read or not). Same words as [`block_scalar`] on every path.
pub(crate) struct LaneBatch {
    /// Lane `l`'s key (the wide path gathers word `i` of every lane into one vector).
    keys: [[u32; 8]; MAX_LANES],
    counters: [u64; MAX_LANES],
    /// `(first word, words kept)` of each lane's block in the output (at most 16 words).
    dest: [(usize, usize); MAX_LANES],
    n: usize,
}

impl LaneBatch {
    /// An empty batch.
    pub(crate) fn new() -> Self {
        LaneBatch {
            keys: [[0; 8]; MAX_LANES],
            counters: [0; MAX_LANES],
            dest: [(0, 0); MAX_LANES],
            n: 0,
        }
    }

    /// Whether every lane is taken.
    pub(crate) fn is_full(&self) -> bool {
        self.n == MAX_LANES
    }

    /// Adds block `counter` of the stream keyed `key`; its first `len ≤ 16` words go to
    /// `out[at..at + len]` when the batch [`run`](Self::run)s.
    pub(crate) fn push(&mut self, key: &[u32; 8], counter: u64, at: usize, len: usize) {
        assert!(
            !self.is_full() && len <= 16,
            "LaneBatch::push: full or len {len} > 16"
        );
        let l = self.n;
        self.keys[l] = *key;
        self.counters[l] = counter;
        self.dest[l] = (at, len);
        self.n += 1;
    }

    /// Computes the pushed blocks, stores them into `out` and empties the batch.
    ///
    /// # Panics
    /// If a destination lies outside `out`.
    pub(crate) fn run(&mut self, out: &mut [u32]) {
        let n = self.n;
        assert!(
            self.dest[..n]
                .iter()
                .all(|&(at, len)| at + len <= out.len()),
            "LaneBatch::run: a destination lies outside the output"
        );
        if n > 0 {
            self.store(out);
        }
        self.n = 0;
    }

    fn store(&self, out: &mut [u32]) {
        let n = self.n;
        #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
        if has_wide() && n > BLOCKS {
            // SAFETY: AVX-512F was detected by `has_wide`; `run` checked the destinations.
            // Lanes n.. compute whatever they hold and are not stored.
            unsafe { x86::lane_batch16(self, out) };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if detected_path() != Path::Scalar {
            for g in (0..n).step_by(BLOCKS) {
                let keys: [[u32; 8]; BLOCKS] = std::array::from_fn(|l| self.keys[g + l]);
                let counters: [u64; BLOCKS] = std::array::from_fn(|l| self.counters[g + l]);
                let mut words = [0u32; WORDS];
                x86::blocks8_lanes(detected_path(), &keys, &counters, &mut words);
                for l in 0..BLOCKS.min(n - g) {
                    let (at, len) = self.dest[g + l];
                    out[at..at + len].copy_from_slice(&words[16 * l..16 * l + len]);
                }
            }
            return;
        }
        for l in 0..n {
            let mut block = [0u32; 16];
            block_scalar(&self.keys[l], self.counters[l], &mut block);
            let (at, len) = self.dest[l];
            out[at..at + len].copy_from_slice(&block[..len]);
        }
    }
}

/// One ChaCha20 block (20 rounds) of `key` at block `counter`: the reference every fast path
/// is tested against.
pub(crate) fn block_scalar(key: &[u32; 8], counter: u64, out: &mut [u32; 16]) {
    let mut x = [0u32; 16];
    x[..4].copy_from_slice(&SIGMA);
    x[4..12].copy_from_slice(key);
    x[12] = counter as u32;
    x[13] = (counter >> 32) as u32;
    let init = x;
    #[inline(always)]
    fn qr(x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
        x[a] = x[a].wrapping_add(x[b]);
        x[d] = (x[d] ^ x[a]).rotate_left(16);
        x[c] = x[c].wrapping_add(x[d]);
        x[b] = (x[b] ^ x[c]).rotate_left(12);
        x[a] = x[a].wrapping_add(x[b]);
        x[d] = (x[d] ^ x[a]).rotate_left(8);
        x[c] = x[c].wrapping_add(x[d]);
        x[b] = (x[b] ^ x[c]).rotate_left(7);
    }
    for _ in 0..10 {
        qr(&mut x, 0, 4, 8, 12);
        qr(&mut x, 1, 5, 9, 13);
        qr(&mut x, 2, 6, 10, 14);
        qr(&mut x, 3, 7, 11, 15);
        qr(&mut x, 0, 5, 10, 15);
        qr(&mut x, 1, 6, 11, 12);
        qr(&mut x, 2, 7, 8, 13);
        qr(&mut x, 3, 4, 9, 14);
    }
    for (o, (v, s)) in out.iter_mut().zip(x.iter().zip(&init)) {
        *o = v.wrapping_add(*s);
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{SIGMA, WORDS};
    use std::arch::x86_64::*;

    /// How a path rotates the 32-bit lanes left by 12 and 7 (16 and 8 are byte shuffles on
    /// both paths).
    trait Rotate {
        unsafe fn rol12(x: __m256i) -> __m256i;
        unsafe fn rol7(x: __m256i) -> __m256i;
    }

    struct Shifts;
    impl Rotate for Shifts {
        #[inline(always)]
        unsafe fn rol12(x: __m256i) -> __m256i {
            _mm256_or_si256(_mm256_slli_epi32::<12>(x), _mm256_srli_epi32::<20>(x))
        }
        #[inline(always)]
        unsafe fn rol7(x: __m256i) -> __m256i {
            _mm256_or_si256(_mm256_slli_epi32::<7>(x), _mm256_srli_epi32::<25>(x))
        }
    }

    #[cfg(feature = "avx512")]
    struct Native;
    #[cfg(feature = "avx512")]
    impl Rotate for Native {
        #[inline(always)]
        unsafe fn rol12(x: __m256i) -> __m256i {
            _mm256_rol_epi32::<12>(x)
        }
        #[inline(always)]
        unsafe fn rol7(x: __m256i) -> __m256i {
            _mm256_rol_epi32::<7>(x)
        }
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn blocks8_avx2(key: &[u32; 8], counter: u64, out: &mut [u32; WORDS]) {
        body::<Shifts>(key, counter, out)
    }

    #[cfg(feature = "avx512")]
    #[target_feature(enable = "avx2,avx512f,avx512vl")]
    pub(super) unsafe fn blocks8_avx512vl(key: &[u32; 8], counter: u64, out: &mut [u32; WORDS]) {
        body::<Native>(key, counter, out)
    }

    /// Sixteen blocks, block `b` in lane `b` of every `zmm` state register, all four rotations
    /// native (`vprold`), then transposed: 4×4 words inside each 128-bit lane by unpacks, then
    /// the 4×4 grid of 128-bit lanes by `vshufi32x4`.
    #[cfg(feature = "avx512")]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn blocks16_avx512(
        key: &[u32; 8],
        counter: u64,
        out: &mut [u32; super::WIDE_WORDS],
    ) {
        let mut counters = [0u64; 16];
        for (b, c) in counters.iter_mut().enumerate() {
            *c = counter.wrapping_add(b as u64);
        }
        let kx = key.map(|w| _mm512_set1_epi32(w as i32));
        for (b, v) in rounds16(kx, &counters).into_iter().enumerate() {
            _mm512_storeu_si512(out.as_mut_ptr().add(16 * b).cast(), v);
        }
    }

    /// The first `n` lanes of `batch` (see [`super::LaneBatch`]), each block stored straight
    /// to its destination in `out`.
    ///
    /// # Safety
    /// AVX-512F must be available, and every destination of the first `n` lanes must lie in
    /// `out` (checked by the caller).
    #[cfg(feature = "avx512")]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn lane_batch16(batch: &super::LaneBatch, out: &mut [u32]) {
        // Word i of lane l's key is word 8 l + i of the row-major key array.
        let rows = _mm512_setr_epi32(
            0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120,
        );
        let base: *const i32 = batch.keys.as_ptr().cast();
        let mut kx = [_mm512_setzero_si512(); 8];
        for (i, v) in kx.iter_mut().enumerate() {
            let at = _mm512_add_epi32(rows, _mm512_set1_epi32(i as i32));
            *v = _mm512_i32gather_epi32::<4>(at, base);
        }
        let blocks = rounds16(kx, &batch.counters);
        for (&(at, len), v) in batch.dest[..batch.n].iter().zip(blocks) {
            let p = out.as_mut_ptr().add(at);
            if len == 16 {
                _mm512_storeu_si512(p.cast(), v);
            } else {
                _mm512_mask_storeu_epi32(p.cast(), ((1u32 << len) - 1) as u16, v);
            }
        }
    }

    /// The 20 rounds and the transposition of [`blocks16_avx512`] from the key words `kx`
    /// (one vector per key word, one lane per block) and the lanes' block counters: the
    /// sixteen blocks, block `b` (lane `b`) in vector `b`.
    #[cfg(feature = "avx512")]
    #[target_feature(enable = "avx512f")]
    // `j` also names the output blocks (j, 4 + j, ...), not only an index into `a`.
    #[allow(clippy::needless_range_loop)]
    #[inline]
    unsafe fn rounds16(kx: [__m512i; 8], counters: &[u64; 16]) -> [__m512i; 16] {
        // The counters' low and high words, by narrowing the 64-bit lanes (`vpmovqd`).
        let c0 = _mm512_loadu_si512(counters.as_ptr().cast());
        let c1 = _mm512_loadu_si512(counters.as_ptr().add(8).cast());
        let (h0, h1) = (_mm512_srli_epi64::<32>(c0), _mm512_srli_epi64::<32>(c1));
        let mut x = [_mm512_setzero_si512(); 16];
        for i in 0..4 {
            x[i] = _mm512_set1_epi32(SIGMA[i] as i32);
        }
        x[4..12].copy_from_slice(&kx);
        x[12] = _mm512_inserti64x4::<1>(
            _mm512_castsi256_si512(_mm512_cvtepi64_epi32(c0)),
            _mm512_cvtepi64_epi32(c1),
        );
        x[13] = _mm512_inserti64x4::<1>(
            _mm512_castsi256_si512(_mm512_cvtepi64_epi32(h0)),
            _mm512_cvtepi64_epi32(h1),
        );
        let init = x;
        macro_rules! qr {
            ($a:expr, $b:expr, $c:expr, $d:expr) => {
                x[$a] = _mm512_add_epi32(x[$a], x[$b]);
                x[$d] = _mm512_rol_epi32::<16>(_mm512_xor_si512(x[$d], x[$a]));
                x[$c] = _mm512_add_epi32(x[$c], x[$d]);
                x[$b] = _mm512_rol_epi32::<12>(_mm512_xor_si512(x[$b], x[$c]));
                x[$a] = _mm512_add_epi32(x[$a], x[$b]);
                x[$d] = _mm512_rol_epi32::<8>(_mm512_xor_si512(x[$d], x[$a]));
                x[$c] = _mm512_add_epi32(x[$c], x[$d]);
                x[$b] = _mm512_rol_epi32::<7>(_mm512_xor_si512(x[$b], x[$c]));
            };
        }
        for _ in 0..10 {
            qr!(0, 4, 8, 12);
            qr!(1, 5, 9, 13);
            qr!(2, 6, 10, 14);
            qr!(3, 7, 11, 15);
            qr!(0, 5, 10, 15);
            qr!(1, 6, 11, 12);
            qr!(2, 7, 8, 13);
            qr!(3, 4, 9, 14);
        }
        for i in 0..16 {
            x[i] = _mm512_add_epi32(x[i], init[i]);
        }
        // a[g][j], 128-bit lane L: words 4g..4g+4 of block 4L + j.
        let mut a = [[_mm512_setzero_si512(); 4]; 4];
        for g in 0..4 {
            let r = &x[4 * g..4 * g + 4];
            let t0 = _mm512_unpacklo_epi32(r[0], r[1]);
            let t1 = _mm512_unpackhi_epi32(r[0], r[1]);
            let t2 = _mm512_unpacklo_epi32(r[2], r[3]);
            let t3 = _mm512_unpackhi_epi32(r[2], r[3]);
            a[g] = [
                _mm512_unpacklo_epi64(t0, t2),
                _mm512_unpackhi_epi64(t0, t2),
                _mm512_unpacklo_epi64(t1, t3),
                _mm512_unpackhi_epi64(t1, t3),
            ];
        }
        let mut blocks = [_mm512_setzero_si512(); 16];
        for j in 0..4 {
            let s0 = _mm512_shuffle_i32x4::<0x44>(a[0][j], a[1][j]);
            let s1 = _mm512_shuffle_i32x4::<0xEE>(a[0][j], a[1][j]);
            let s2 = _mm512_shuffle_i32x4::<0x44>(a[2][j], a[3][j]);
            let s3 = _mm512_shuffle_i32x4::<0xEE>(a[2][j], a[3][j]);
            blocks[j] = _mm512_shuffle_i32x4::<0x88>(s0, s2);
            blocks[4 + j] = _mm512_shuffle_i32x4::<0xDD>(s0, s2);
            blocks[8 + j] = _mm512_shuffle_i32x4::<0x88>(s1, s3);
            blocks[12 + j] = _mm512_shuffle_i32x4::<0xDD>(s1, s3);
        }
        blocks
    }

    /// Block `counters[b]` of the stream keyed `keys[b]` into `out[16 b..16 b + 16]`, on the
    /// AVX2 or AVX-512VL path (`path` as [`super::detected_path`] returned it, not scalar).
    pub(super) fn blocks8_lanes(
        path: super::Path,
        keys: &[[u32; 8]; 8],
        counters: &[u64; 8],
        out: &mut [u32; WORDS],
    ) {
        match path {
            #[cfg(feature = "avx512")]
            super::Path::Avx512Vl => {
                // SAFETY: `detected_path` returns this path only where the CPU has AVX-512VL.
                unsafe { lanes8_avx512vl(keys, counters, out) }
            }
            // SAFETY: `detected_path` returns a vector path only where the CPU has AVX2.
            _ => unsafe { lanes8_avx2(keys, counters, out) },
        }
    }

    #[target_feature(enable = "avx2")]
    unsafe fn lanes8_avx2(keys: &[[u32; 8]; 8], counters: &[u64; 8], out: &mut [u32; WORDS]) {
        core8::<Shifts>(lane_keys8(keys), counters, out)
    }

    #[cfg(feature = "avx512")]
    #[target_feature(enable = "avx2,avx512f,avx512vl")]
    unsafe fn lanes8_avx512vl(keys: &[[u32; 8]; 8], counters: &[u64; 8], out: &mut [u32; WORDS]) {
        core8::<Native>(lane_keys8(keys), counters, out)
    }

    /// Key word `i` of every lane's key, one vector per word.
    #[inline(always)]
    unsafe fn lane_keys8(keys: &[[u32; 8]; 8]) -> [__m256i; 8] {
        std::array::from_fn(|i| {
            let words: [u32; 8] = std::array::from_fn(|b| keys[b][i]);
            _mm256_loadu_si256(words.as_ptr().cast())
        })
    }

    /// Eight consecutive blocks of one stream.
    #[inline(always)]
    unsafe fn body<R: Rotate>(key: &[u32; 8], counter: u64, out: &mut [u32; WORDS]) {
        let counters: [u64; 8] = std::array::from_fn(|b| counter.wrapping_add(b as u64));
        core8::<R>(key.map(|w| _mm256_set1_epi32(w as i32)), &counters, out)
    }

    /// Eight blocks, block `b` in lane `b` of every state register (key words `kx`, counter
    /// `counters[b]`), then transposed.
    #[inline(always)]
    unsafe fn core8<R: Rotate>(kx: [__m256i; 8], counters: &[u64; 8], out: &mut [u32; WORDS]) {
        let rot16 = _mm256_setr_epi8(
            2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11,
            8, 9, 14, 15, 12, 13,
        );
        let rot8 = _mm256_setr_epi8(
            3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9,
            10, 15, 12, 13, 14,
        );
        let lo: [u32; 8] = counters.map(|c| c as u32);
        let hi: [u32; 8] = counters.map(|c| (c >> 32) as u32);
        let mut x = [_mm256_setzero_si256(); 16];
        for i in 0..4 {
            x[i] = _mm256_set1_epi32(SIGMA[i] as i32);
        }
        x[4..12].copy_from_slice(&kx);
        x[12] = _mm256_loadu_si256(lo.as_ptr().cast());
        x[13] = _mm256_loadu_si256(hi.as_ptr().cast());
        let init = x;
        macro_rules! qr {
            ($a:expr, $b:expr, $c:expr, $d:expr) => {
                x[$a] = _mm256_add_epi32(x[$a], x[$b]);
                x[$d] = _mm256_shuffle_epi8(_mm256_xor_si256(x[$d], x[$a]), rot16);
                x[$c] = _mm256_add_epi32(x[$c], x[$d]);
                x[$b] = R::rol12(_mm256_xor_si256(x[$b], x[$c]));
                x[$a] = _mm256_add_epi32(x[$a], x[$b]);
                x[$d] = _mm256_shuffle_epi8(_mm256_xor_si256(x[$d], x[$a]), rot8);
                x[$c] = _mm256_add_epi32(x[$c], x[$d]);
                x[$b] = R::rol7(_mm256_xor_si256(x[$b], x[$c]));
            };
        }
        for _ in 0..10 {
            qr!(0, 4, 8, 12);
            qr!(1, 5, 9, 13);
            qr!(2, 6, 10, 14);
            qr!(3, 7, 11, 15);
            qr!(0, 5, 10, 15);
            qr!(1, 6, 11, 12);
            qr!(2, 7, 8, 13);
            qr!(3, 4, 9, 14);
        }
        for i in 0..16 {
            x[i] = _mm256_add_epi32(x[i], init[i]);
        }
        // Words 0..8 and 8..16 of the eight blocks: two 8×8 transposes of 32-bit lanes.
        for half in 0..2 {
            let r = &x[8 * half..8 * half + 8];
            let t0 = _mm256_unpacklo_epi32(r[0], r[1]);
            let t1 = _mm256_unpackhi_epi32(r[0], r[1]);
            let t2 = _mm256_unpacklo_epi32(r[2], r[3]);
            let t3 = _mm256_unpackhi_epi32(r[2], r[3]);
            let t4 = _mm256_unpacklo_epi32(r[4], r[5]);
            let t5 = _mm256_unpackhi_epi32(r[4], r[5]);
            let t6 = _mm256_unpacklo_epi32(r[6], r[7]);
            let t7 = _mm256_unpackhi_epi32(r[6], r[7]);
            // u_k holds words 0..4 (resp. 4..8 of this half) of blocks k and k + 4.
            let u = [
                _mm256_unpacklo_epi64(t0, t2),
                _mm256_unpackhi_epi64(t0, t2),
                _mm256_unpacklo_epi64(t1, t3),
                _mm256_unpackhi_epi64(t1, t3),
            ];
            let v = [
                _mm256_unpacklo_epi64(t4, t6),
                _mm256_unpackhi_epi64(t4, t6),
                _mm256_unpacklo_epi64(t5, t7),
                _mm256_unpackhi_epi64(t5, t7),
            ];
            let base = out.as_mut_ptr().add(8 * half);
            for k in 0..4 {
                let low = _mm256_permute2x128_si256::<0x20>(u[k], v[k]);
                let high = _mm256_permute2x128_si256::<0x31>(u[k], v[k]);
                _mm256_storeu_si256(base.add(16 * k).cast(), low);
                _mm256_storeu_si256(base.add(16 * (k + 4)).cast(), high);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;
    use rand::SeedableRng;

    fn key_of(seed: u64) -> ([u8; 32], [u32; 8]) {
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (seed
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .rotate_left(i as u32)
                >> 7) as u8
                ^ i as u8;
        }
        let mut key = [0u32; 8];
        for (w, c) in key.iter_mut().zip(bytes.chunks_exact(4)) {
            *w = u32::from_le_bytes(c.try_into().unwrap());
        }
        (bytes, key)
    }

    #[test]
    fn every_path_equals_rand_chacha() {
        for seed in 0..20u64 {
            let (bytes, key) = key_of(seed);
            let mut reference = rand_chacha::ChaCha20Rng::from_seed(bytes);
            let expected: Vec<u32> = (0..3 * WORDS).map(|_| reference.next_u32()).collect();
            for path in [Path::Scalar, Path::Avx2, Path::Avx512Vl] {
                let mut got = Vec::new();
                for call in 0..3 {
                    let mut out = [0u32; WORDS];
                    blocks8_on(path, &key, (call * BLOCKS) as u64, &mut out);
                    got.extend_from_slice(&out);
                }
                assert_eq!(got, expected, "path {path:?}, seed {seed}");
            }
        }
    }

    #[test]
    fn sixteen_blocks_equal_the_scalar_blocks_across_the_carry() {
        for (seed, start) in [
            (3u64, 0u64),
            (4, 5),
            (5, (1u64 << 32) - 7),
            (6, u64::MAX - 20),
        ] {
            let (_, key) = key_of(seed);
            let mut wide = [0u32; WIDE_WORDS];
            blocks16(&key, start, &mut wide);
            for (b, block) in wide.chunks_exact(16).enumerate() {
                let mut want = [0u32; 16];
                block_scalar(&key, start.wrapping_add(b as u64), &mut want);
                assert_eq!(block, want, "seed {seed}, block {b}");
            }
        }
    }

    #[test]
    fn lanes_of_different_streams_equal_scalar_blocks_on_every_path() {
        // Sixteen lanes, each its own key and counter, counters across the 2^32 carry.
        let keys: [[u32; 8]; 16] = std::array::from_fn(|l| key_of(40 + l as u64).1);
        let counters: [u64; 16] = std::array::from_fn(|l| {
            [0, 7, (1u64 << 32) - 1, 1 << 32, u64::MAX][l % 5].wrapping_add(l as u64)
        });
        let want: Vec<u32> = (0..16)
            .flat_map(|l| {
                let mut b = [0u32; 16];
                block_scalar(&keys[l], counters[l], &mut b);
                b
            })
            .collect();
        for n in [1usize, 5, 8, 9, 16] {
            // Lanes stored in reverse order, the last one cut to 5 words.
            let mut out = vec![0u32; 16 * n];
            let mut batch = LaneBatch::new();
            for l in 0..n {
                let len = if l == n - 1 { 5 } else { 16 };
                batch.push(&keys[l], counters[l], 16 * (n - 1 - l), len);
            }
            batch.run(&mut out);
            for l in 0..n {
                let len = if l == n - 1 { 5 } else { 16 };
                let at = 16 * (n - 1 - l);
                assert_eq!(
                    out[at..at + len],
                    want[16 * l..16 * l + len],
                    "{n} lanes, lane {l}"
                );
                assert!(
                    out[at + len..at + 16].iter().all(|&w| w == 0),
                    "{n} lanes, lane {l}"
                );
            }
        }
        #[cfg(target_arch = "x86_64")]
        for path in [Path::Avx2, Path::Avx512Vl] {
            let available = match path {
                Path::Avx512Vl => {
                    cfg!(feature = "avx512") && std::arch::is_x86_feature_detected!("avx512vl")
                }
                _ => std::arch::is_x86_feature_detected!("avx2"),
            };
            if !available {
                continue;
            }
            for half in 0..2 {
                let k: [[u32; 8]; 8] = std::array::from_fn(|l| keys[8 * half + l]);
                let c: [u64; 8] = std::array::from_fn(|l| counters[8 * half + l]);
                let mut out = [0u32; WORDS];
                x86::blocks8_lanes(path, &k, &c, &mut out);
                assert_eq!(out, want[WORDS * half..WORDS * (half + 1)], "{path:?}");
            }
        }
    }

    #[test]
    fn counter_carries_into_the_high_word_on_every_path() {
        // Blocks 2^32 - 3 .. 2^32 + 5 straddle the carry from word 12 into word 13.
        let (_, key) = key_of(99);
        let start = (1u64 << 32) - 3;
        let mut expected = [0u32; WORDS];
        blocks8_on(Path::Scalar, &key, start, &mut expected);
        for path in [Path::Avx2, Path::Avx512Vl] {
            let mut out = [0u32; WORDS];
            blocks8_on(path, &key, start, &mut out);
            assert_eq!(out, expected, "{path:?}");
        }
        let mut reference = rand_chacha::ChaCha20Rng::from_seed(key_of(99).0);
        reference.set_word_pos(16 * start as u128);
        assert!(expected.iter().all(|&w| w == reference.next_u32()));
    }
}
