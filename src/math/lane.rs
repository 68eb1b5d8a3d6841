//! The lane abstraction every elementary function is written against.
//!
//! Each algorithm in this module tree is one `#[inline(always)]` generic body over [`Lane`]. The
//! scalar types (`f64`, `f32`) and the AVX2 vectors (`F64x4`, `F32x8` in [`super::simd`])
//! implement the same small set of operations, each of which is correctly rounded (or exact)
//! on both paths, so the same body gives the same bits on both. Branches are written as
//! [`Lane::select`] of both candidates, never as control flow on a lane's value.
//!
//! The operations map one to one onto PTX: `add/sub/mul/div .rn`, `fma.rn`, `sqrt.rn`,
//! `cvt.rni` (for [`Lane::round_even`]), `setp` + `selp`, and `and/or/xor/shl/shr/add .b64`
//! (or `.b32`) on the reinterpreted bits.

use std::ops::{Add, Div, Mul, Neg, Sub};

/// Operations the elementary functions are built from. `Self` is one scalar or one SIMD vector
/// of lanes; masks have the same representation (all bits set = true) for the vector types and
/// are `bool` for the scalars.
pub(crate) trait Lane:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// Element type (`f64` or `f32`).
    type E: Copy;
    /// The bit pattern type of one element (`u64` or `u32`).
    type U: Copy;
    /// Mask type.
    type M: Copy;

    /// Every lane equal to `c`.
    fn splat(c: Self::E) -> Self;
    /// Every lane with bit pattern `b`.
    fn splat_bits(b: Self::U) -> Self;
    /// `self * b + c` with a single rounding.
    fn fma(self, b: Self, c: Self) -> Self;
    /// Round to the nearest integer, ties to even (`cvt.rni`, `roundsd` mode 0).
    fn round_even(self) -> Self;
    /// `c − self·b` with a single rounding, bit for bit `(−self).fma(b, c)`. The x86 lanes
    /// override it with `vfnmadd`: written as a negation, the sign flip is an integer xor the
    /// compiler does not fold into the fma, one extra port operation per use.
    #[inline(always)]
    fn fnma(self, b: Self, c: Self) -> Self {
        (-self).fma(b, c)
    }
    /// `self·b − c` with a single rounding, bit for bit `self.fma(b, −c)` (`vfmsub` on x86,
    /// for the reason given at [`Lane::fnma`]).
    #[inline(always)]
    fn fms(self, b: Self, c: Self) -> Self {
        self.fma(b, -c)
    }
    /// `2^n` for an integral lane `n` whose power is a normal number, by the lane's own
    /// instruction where it has one (AVX-512 `vscalef`: one operation instead of an add and a
    /// shift); `None` where the caller builds the power from its exponent bits (same value).
    #[inline(always)]
    fn pow2i_native(_n: Self) -> Option<Self> {
        None
    }

    /// `self < o` (false when either is NaN).
    fn lt(self, o: Self) -> Self::M;
    /// `self <= o` (false when either is NaN).
    fn le(self, o: Self) -> Self::M;
    /// `self == o` (false when either is NaN).
    fn eq(self, o: Self) -> Self::M;
    /// `self != self`.
    fn is_nan(self) -> Self::M;
    /// True where the sign bit of the pattern is set (also for -0.0 and negative NaNs).
    fn sign_mask(self) -> Self::M;
    /// Lane-wise `if m { a } else { b }`.
    fn select(m: Self::M, a: Self, b: Self) -> Self;
    /// Lane-wise `if self < o { self } else { o }` (so `o` where either is NaN): x86
    /// `minps`/`minpd` with `self` first, one instruction instead of compare and blend.
    fn min(self, o: Self) -> Self;
    /// Mask conjunction.
    fn and_m(a: Self::M, b: Self::M) -> Self::M;
    /// Mask negation.
    fn not_m(a: Self::M) -> Self::M;

    /// Bitwise and of the bit patterns.
    fn and_bits(self, o: Self) -> Self;
    /// Bitwise or of the bit patterns.
    fn or_bits(self, o: Self) -> Self;
    /// Bitwise exclusive or of the bit patterns.
    fn xor_bits(self, o: Self) -> Self;
    /// Wrapping integer addition of the bit patterns.
    fn add_bits(self, o: Self) -> Self;
    /// Logical left shift of the bit pattern.
    fn shl_bits<const N: i32>(self) -> Self;
    /// Logical right shift of the bit pattern.
    fn shr_bits<const N: i32>(self) -> Self;
}

macro_rules! scalar_lane {
    ($t:ty, $u:ty) => {
        impl Lane for $t {
            type E = $t;
            type U = $u;
            type M = bool;

            #[inline(always)]
            fn splat(c: $t) -> $t {
                c
            }
            #[inline(always)]
            fn splat_bits(b: $u) -> $t {
                <$t>::from_bits(b)
            }
            #[inline(always)]
            fn fma(self, b: $t, c: $t) -> $t {
                self.mul_add(b, c)
            }
            #[inline(always)]
            fn round_even(self) -> $t {
                self.round_ties_even()
            }
            #[inline(always)]
            fn lt(self, o: $t) -> bool {
                self < o
            }
            #[inline(always)]
            fn le(self, o: $t) -> bool {
                self <= o
            }
            #[inline(always)]
            fn eq(self, o: $t) -> bool {
                self <= o && o <= self
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline(always)]
            fn sign_mask(self) -> bool {
                self.is_sign_negative()
            }
            #[inline(always)]
            fn select(m: bool, a: $t, b: $t) -> $t {
                if m {
                    a
                } else {
                    b
                }
            }
            #[inline(always)]
            fn min(self, o: $t) -> $t {
                if self < o {
                    self
                } else {
                    o
                }
            }
            #[inline(always)]
            fn and_m(a: bool, b: bool) -> bool {
                a & b
            }
            #[inline(always)]
            fn not_m(a: bool) -> bool {
                !a
            }
            #[inline(always)]
            fn and_bits(self, o: $t) -> $t {
                <$t>::from_bits(self.to_bits() & o.to_bits())
            }
            #[inline(always)]
            fn or_bits(self, o: $t) -> $t {
                <$t>::from_bits(self.to_bits() | o.to_bits())
            }
            #[inline(always)]
            fn xor_bits(self, o: $t) -> $t {
                <$t>::from_bits(self.to_bits() ^ o.to_bits())
            }
            #[inline(always)]
            fn add_bits(self, o: $t) -> $t {
                <$t>::from_bits(self.to_bits().wrapping_add(o.to_bits()))
            }
            #[inline(always)]
            fn shl_bits<const N: i32>(self) -> $t {
                <$t>::from_bits(self.to_bits() << N)
            }
            #[inline(always)]
            fn shr_bits<const N: i32>(self) -> $t {
                <$t>::from_bits(self.to_bits() >> N)
            }
        }
    };
}

scalar_lane!(f64, u64);
scalar_lane!(f32, u32);

/// `s + e = a + b` exactly (Knuth's TwoSum, no ordering requirement).
#[inline(always)]
pub(crate) fn two_sum<V: Lane>(a: V, b: V) -> (V, V) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}
