//! Lane types: the vocabulary every CPU kernel is written in.
//!
//! A kernel body is written once, generic over [`Lane`], and instantiated twice per element
//! type: with the AVX2/FMA register types ([`F32x8`], [`F64x4`]) inside a
//! `#[target_feature(enable = "avx2,fma")]` entry point, and with the portable scalar twin
//! [`Emu`], which holds the same number of lanes in an array and calls `mul_add` exactly where
//! the vector path issues an FMA. Every operation is lane-wise and correctly rounded (or, for
//! the elementary functions, lane-wise equal to the scalar [`crate::math`] function), so both
//! instantiations give the same bits.

use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A floating-point element type the kernels run in (`f32` or `f64`).
pub trait Real:
    Copy
    + Send
    + Sync
    + Debug
    + Default
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + 'static
{
    /// Zero.
    const ZERO: Self;
    /// One.
    const ONE: Self;
    /// Lanes of this type in an AVX2 register (8 for `f32`, 4 for `f64`).
    const LANES: usize;
    /// Rounds an `f64` to this type.
    fn from_f64(x: f64) -> Self;
    /// Widens to `f64` (exact).
    fn to_f64(self) -> f64;
    /// `self * a + b` with one rounding.
    fn fma(self, a: Self, b: Self) -> Self;
    /// Square root (correctly rounded).
    fn sqrt(self) -> Self;
    /// Our own hyperbolic tangent ([`crate::math`]).
    fn tanh(self) -> Self;
    /// Our own sine ([`crate::math`]).
    fn sin(self) -> Self;
    /// Our own cosine ([`crate::math`]).
    fn cos(self) -> Self;
    /// Whether the value is neither NaN nor infinite.
    fn is_finite(self) -> bool;
}

macro_rules! impl_real {
    ($t:ty, $lanes:expr, $tanh:path, $sin:path, $cos:path) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const LANES: usize = $lanes;
            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn fma(self, a: Self, b: Self) -> Self {
                self.mul_add(a, b)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                $tanh(self)
            }
            #[inline(always)]
            fn sin(self) -> Self {
                $sin(self)
            }
            #[inline(always)]
            fn cos(self) -> Self {
                $cos(self)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
        }
    };
}

impl_real!(
    f32,
    8,
    crate::math::tanh_f32,
    crate::math::sin_f32,
    crate::math::cos_f32
);
impl_real!(
    f64,
    4,
    crate::math::tanh_f64,
    crate::math::sin_f64,
    crate::math::cos_f64
);

/// A register of `W` lanes of [`Real`] values with lane-wise arithmetic.
///
/// Implementations must be lane-wise exact twins of one another: `fma` is a fused
/// multiply-add with one rounding, `tanh`/`sin`/`cos` equal the scalar [`crate::math`] functions
/// bit for bit.
pub trait Lane: Copy + Send + Sync + 'static {
    /// Element type.
    type T: Real;
    /// Number of lanes.
    const W: usize;
    /// All lanes equal to `x`.
    fn splat(x: Self::T) -> Self;
    /// Loads `W` elements from the front of `s` (`s.len() >= W`).
    fn load(s: &[Self::T]) -> Self;
    /// Loads `W` elements starting at `p`, without a bounds check (for inner loops whose
    /// extent was checked once up front).
    ///
    /// # Safety
    /// `p` must be valid for reads of `W` consecutive elements.
    unsafe fn load_ptr(p: *const Self::T) -> Self;
    /// Stores the lanes into the front of `s` (`s.len() >= W`).
    fn store(self, s: &mut [Self::T]);
    /// Lane-wise sum.
    fn add(self, o: Self) -> Self;
    /// Lane-wise difference.
    fn sub(self, o: Self) -> Self;
    /// Lane-wise product.
    fn mul(self, o: Self) -> Self;
    /// Lane-wise `self * a + b`, fused (one rounding).
    fn fma(self, a: Self, b: Self) -> Self;
    /// Lane-wise hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Lane-wise sine.
    fn sin(self) -> Self;
    /// Lane-wise cosine.
    fn cos(self) -> Self;
    /// All lanes zero.
    #[inline(always)]
    fn zero() -> Self {
        Self::splat(Self::T::ZERO)
    }
}

/// A register of twice the lanes of [`Wide::Half`]: its low and high halves hold the points of
/// two consecutive 8/4-lane blocks, so kernels that sum over points can keep the 8/4-lane
/// summation order while everything per point runs on the wide register.
pub trait Wide: Lane {
    /// The 8/4-lane register type.
    type Half: Lane<T = Self::T>;
    /// (low lanes, high lanes).
    fn halves(self) -> (Self::Half, Self::Half);
    /// `[half h of a | half h of b]` (`h` = 0: the low lanes, 1: the high lanes): one shuffle,
    /// no arithmetic.
    fn pair_halves(a: Self, b: Self, h: usize) -> Self;
    /// `[half h of v | half h of v]`, read from memory by one 256-bit broadcast load (no
    /// shuffle).
    fn dup_half(v: &Self, h: usize) -> Self;
}

/// The portable scalar twin of a `W`-lane register: an array, with `mul_add` for every FMA.
#[derive(Clone, Copy, Debug)]
pub struct Emu<T, const W: usize>(pub [T; W]);

impl<T: Real, const W: usize> Emu<T, W> {
    #[inline(always)]
    fn map(self, f: impl Fn(T) -> T) -> Self {
        let mut r = self.0;
        for v in r.iter_mut() {
            *v = f(*v);
        }
        Emu(r)
    }
    #[inline(always)]
    fn zip(self, o: Self, f: impl Fn(T, T) -> T) -> Self {
        let mut r = self.0;
        for (v, w) in r.iter_mut().zip(o.0) {
            *v = f(*v, w);
        }
        Emu(r)
    }
}

impl<T: Real, const W: usize> Lane for Emu<T, W> {
    type T = T;
    const W: usize = W;
    #[inline(always)]
    fn splat(x: T) -> Self {
        Emu([x; W])
    }
    #[inline(always)]
    fn load(s: &[T]) -> Self {
        let mut r = [T::ZERO; W];
        r.copy_from_slice(&s[..W]);
        Emu(r)
    }
    #[inline(always)]
    unsafe fn load_ptr(p: *const T) -> Self {
        // SAFETY: the caller guarantees `W` readable elements at `p`.
        Emu(unsafe { p.cast::<[T; W]>().read_unaligned() })
    }
    #[inline(always)]
    fn store(self, s: &mut [T]) {
        s[..W].copy_from_slice(&self.0);
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self.zip(o, |a, b| a + b)
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        self.zip(o, |a, b| a - b)
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        self.zip(o, |a, b| a * b)
    }
    // Out of line (here and in tanh/sin/cos): inlined, every use site of the scalar twin
    // expanded to eight library `fmaf` calls or eight whole tanh bodies, and the twin's loss
    // kernel alone reached 650 KB of code. A call per register costs the twin little.
    #[inline(never)]
    fn fma(self, a: Self, b: Self) -> Self {
        let mut r = self.0;
        for ((v, x), y) in r.iter_mut().zip(a.0).zip(b.0) {
            *v = v.fma(x, y);
        }
        Emu(r)
    }
    #[inline(never)]
    fn tanh(self) -> Self {
        self.map(T::tanh)
    }
    #[inline(never)]
    fn sin(self) -> Self {
        self.map(T::sin)
    }
    #[inline(never)]
    fn cos(self) -> Self {
        self.map(T::cos)
    }
}

/// One register type's [`Lane`] implementation from its intrinsics (used by the AVX2 and the
/// AVX-512 modules, each of which brings its intrinsics into scope).
#[cfg(target_arch = "x86_64")]
macro_rules! impl_avx {
    ($ty:ident, $t:ty, $w:expr, $set1:ident, $loadu:ident, $storeu:ident, $add:ident,
     $sub:ident, $mul:ident, $fmadd:ident, $tanh:path, $sin:path, $cos:path) => {
        impl Lane for $ty {
            type T = $t;
            const W: usize = $w;
            #[inline(always)]
            fn splat(x: $t) -> Self {
                // SAFETY: only reached under avx2+fma (module docs).
                $ty(unsafe { $set1(x) })
            }
            #[inline(always)]
            fn load(s: &[$t]) -> Self {
                assert!(s.len() >= $w);
                // SAFETY: bounds checked above; unaligned load; avx2 present.
                $ty(unsafe { $loadu(s.as_ptr()) })
            }
            #[inline(always)]
            unsafe fn load_ptr(p: *const $t) -> Self {
                // SAFETY: the caller guarantees `W` readable elements; unaligned load; avx2
                // present.
                $ty(unsafe { $loadu(p) })
            }
            #[inline(always)]
            fn store(self, s: &mut [$t]) {
                assert!(s.len() >= $w);
                // SAFETY: bounds checked above; unaligned store; avx2 present.
                unsafe { $storeu(s.as_mut_ptr(), self.0) }
            }
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                // SAFETY: avx2 present.
                $ty(unsafe { $add(self.0, o.0) })
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                // SAFETY: avx2 present.
                $ty(unsafe { $sub(self.0, o.0) })
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                // SAFETY: avx2 present.
                $ty(unsafe { $mul(self.0, o.0) })
            }
            #[inline(always)]
            fn fma(self, a: Self, b: Self) -> Self {
                // SAFETY: fma present.
                $ty(unsafe { $fmadd(self.0, a.0, b.0) })
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                // SAFETY: avx2+fma present.
                $ty(unsafe { $tanh(self.0) })
            }
            #[inline(always)]
            fn sin(self) -> Self {
                // SAFETY: avx2+fma present.
                $ty(unsafe { $sin(self.0) })
            }
            #[inline(always)]
            fn cos(self) -> Self {
                // SAFETY: avx2+fma present.
                $ty(unsafe { $cos(self.0) })
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
pub use avx::{F32x8, F64x4};
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
pub use avx512::{F32x16, F64x8};

#[cfg(target_arch = "x86_64")]
mod avx {
    //! AVX2/FMA registers. Every method is `#[inline(always)]` and only ever reached from a
    //! `#[target_feature(enable = "avx2,fma")]` entry point that was selected after
    //! `is_x86_feature_detected!`; that is what makes the `unsafe` intrinsic calls sound.
    use super::Lane;
    use crate::math::simd;
    use std::arch::x86_64::*;

    /// Eight `f32` lanes in an AVX register.
    #[derive(Clone, Copy, Debug)]
    pub struct F32x8(pub(in crate::backend::cpu::lanes) __m256);
    /// Four `f64` lanes in an AVX register.
    #[derive(Clone, Copy, Debug)]
    pub struct F64x4(pub(in crate::backend::cpu::lanes) __m256d);

    impl_avx!(
        F32x8,
        f32,
        8,
        _mm256_set1_ps,
        _mm256_loadu_ps,
        _mm256_storeu_ps,
        _mm256_add_ps,
        _mm256_sub_ps,
        _mm256_mul_ps,
        _mm256_fmadd_ps,
        simd::tanh_f32x8,
        simd::sin_f32x8,
        simd::cos_f32x8
    );
    impl_avx!(
        F64x4,
        f64,
        4,
        _mm256_set1_pd,
        _mm256_loadu_pd,
        _mm256_storeu_pd,
        _mm256_add_pd,
        _mm256_sub_pd,
        _mm256_mul_pd,
        _mm256_fmadd_pd,
        simd::tanh_f64x4,
        simd::sin_f64x4,
        simd::cos_f64x4
    );
}

#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
mod avx512 {
    //! AVX-512 registers (cargo feature `avx512`). Every method is `#[inline(always)]` and only
    //! ever reached from a `#[target_feature(enable = "avx512f")]` entry point selected after
    //! `is_x86_feature_detected!("avx512f")`; that makes the `unsafe` intrinsic calls sound.
    //! Each lane computes exactly what one lane of [`super::F32x8`]/[`super::F64x4`] computes,
    //! so a kernel without cross-lane sums gives the same bits on either.
    use super::Lane;
    use crate::math::simd512 as simd;
    use std::arch::x86_64::*;

    /// Sixteen `f32` lanes in an AVX-512 register.
    #[derive(Clone, Copy, Debug)]
    pub struct F32x16(__m512);
    /// Eight `f64` lanes in an AVX-512 register.
    #[derive(Clone, Copy, Debug)]
    pub struct F64x8(__m512d);

    impl_avx!(
        F32x16,
        f32,
        16,
        _mm512_set1_ps,
        _mm512_loadu_ps,
        _mm512_storeu_ps,
        _mm512_add_ps,
        _mm512_sub_ps,
        _mm512_mul_ps,
        _mm512_fmadd_ps,
        simd::tanh_f32x16,
        simd::sin_f32x16,
        simd::cos_f32x16
    );
    impl super::Wide for F32x16 {
        type Half = super::F32x8;
        #[inline(always)]
        fn halves(self) -> (super::F32x8, super::F32x8) {
            // Register moves only (the high 256 bits through the f64 view, an AVX-512F
            // instruction; the f32 form needs AVX-512DQ).
            // SAFETY: avx512f present.
            unsafe {
                let hi = _mm512_extractf64x4_pd::<1>(_mm512_castps_pd(self.0));
                (
                    super::F32x8(_mm512_castps512_ps256(self.0)),
                    super::F32x8(_mm256_castpd_ps(hi)),
                )
            }
        }
        #[inline(always)]
        fn pair_halves(a: Self, b: Self, h: usize) -> Self {
            // 128-bit lanes (0, 1) or (2, 3) of each operand.
            // SAFETY: avx512f present.
            unsafe {
                if h == 0 {
                    F32x16(_mm512_shuffle_f32x4::<0x44>(a.0, b.0))
                } else {
                    F32x16(_mm512_shuffle_f32x4::<0xee>(a.0, b.0))
                }
            }
        }
        #[inline(always)]
        fn dup_half(v: &Self, h: usize) -> Self {
            // Through the f64 view, as in `halves` (the f32 broadcast needs AVX-512DQ).
            // SAFETY: `h < 2`, so the 32 bytes read lie inside `v`; avx512f present.
            unsafe {
                let p = (&v.0 as *const __m512).cast::<f64>().add(4 * (h & 1));
                F32x16(_mm512_castpd_ps(_mm512_broadcast_f64x4(_mm256_loadu_pd(p))))
            }
        }
    }
    impl super::Wide for F64x8 {
        type Half = super::F64x4;
        #[inline(always)]
        fn halves(self) -> (super::F64x4, super::F64x4) {
            // SAFETY: avx512f present.
            unsafe {
                (
                    super::F64x4(_mm512_castpd512_pd256(self.0)),
                    super::F64x4(_mm512_extractf64x4_pd::<1>(self.0)),
                )
            }
        }
        #[inline(always)]
        fn pair_halves(a: Self, b: Self, h: usize) -> Self {
            // SAFETY: avx512f present.
            unsafe {
                if h == 0 {
                    F64x8(_mm512_shuffle_f64x2::<0x44>(a.0, b.0))
                } else {
                    F64x8(_mm512_shuffle_f64x2::<0xee>(a.0, b.0))
                }
            }
        }
        #[inline(always)]
        fn dup_half(v: &Self, h: usize) -> Self {
            // SAFETY: `h < 2`, so the 32 bytes read lie inside `v`; avx512f present.
            unsafe {
                let p = (&v.0 as *const __m512d).cast::<f64>().add(4 * (h & 1));
                F64x8(_mm512_broadcast_f64x4(_mm256_loadu_pd(p)))
            }
        }
    }

    impl_avx!(
        F64x8,
        f64,
        8,
        _mm512_set1_pd,
        _mm512_loadu_pd,
        _mm512_storeu_pd,
        _mm512_add_pd,
        _mm512_sub_pd,
        _mm512_mul_pd,
        _mm512_fmadd_pd,
        simd::tanh_f64x8,
        simd::sin_f64x8,
        simd::cos_f64x8
    );
}

/// Folds the lanes of `v` in a fixed pairwise order (lane count is a power of two), the same
/// for every ISA: `((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7))`.
#[inline(always)]
pub fn fold_lanes<V: Lane>(v: V) -> V::T {
    let mut buf = [V::T::ZERO; 16];
    v.store(&mut buf);
    let mut n = V::W;
    while n > 1 {
        n /= 2;
        for i in 0..n {
            buf[i] = buf[2 * i] + buf[2 * i + 1];
        }
    }
    buf[0]
}
