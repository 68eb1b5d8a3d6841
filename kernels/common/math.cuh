// Device twins of src/math (exp, ln, pow, tanh, sin, cos in f64 and f32), transcribed from the
// Rust generic bodies operation by operation so that they give the CPU's bits.
//
// CPU twin: crate::math::{exp_f64, ln_f64, pow_f64, tanh_f64, sin_f64, cos_f64, exp_f32, ln_f32,
// pow_f32, tanh_f32, sin_f32, cos_f32} (src/math/{exp,log,pow,trig}.rs).
//
// Every arithmetic step is an explicit correctly rounded intrinsic (`__dadd_rn`, `__dmul_rn`,
// `__ddiv_rn`, `__fma_rn`, and the `f` versions), so neither -fmad nor reassociation can
// change it; `rint` is PTX `cvt.rni` (round half to even, the Rust `round_ties_even`); `sel`
// is the Rust `Lane::select`; bit steps act on the integer pattern. One templated body per
// function, over `double` and `float`, as the Rust bodies are generic over the lane. Constants
// are hexadecimal literals of exactly the Rust constants' values (the Rust source names the
// bit patterns; the coefficient lists are the correctly rounded quotients written there).
//
// NaN: a NaN argument is selected unchanged and every other NaN result is the constant
// quiet NaN (0x7ff8... / 0x7fc00000), never a NaN made by arithmetic (which the GPU would
// canonicalise differently from the CPU), exactly as in src/math.
#pragma once

typedef unsigned int pm_u32;
typedef unsigned long long pm_u64;

// ---- correctly rounded operations, overloaded on precision --------------------------------
__device__ __forceinline__ double add(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ double sub(double a, double b) { return __dsub_rn(a, b); }
__device__ __forceinline__ double mul(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ double dvd(double a, double b) { return __ddiv_rn(a, b); }
__device__ __forceinline__ double fma_(double a, double b, double c) { return __fma_rn(a, b, c); }
__device__ __forceinline__ double rne(double a) { return rint(a); }
__device__ __forceinline__ float add(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ float sub(float a, float b) { return __fsub_rn(a, b); }
__device__ __forceinline__ float mul(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ float dvd(float a, float b) { return __fdiv_rn(a, b); }
__device__ __forceinline__ float fma_(float a, float b, float c) { return __fmaf_rn(a, b, c); }
__device__ __forceinline__ float rne(float a) { return rintf(a); }

// ---- bit patterns ------------------------------------------------------------------------
__device__ __forceinline__ pm_u64 bits(double a) { return (pm_u64)__double_as_longlong(a); }
__device__ __forceinline__ pm_u32 bits(float a) { return (pm_u32)__float_as_uint(a); }
__device__ __forceinline__ double from_bits(pm_u64 b) { return __longlong_as_double((long long)b); }
__device__ __forceinline__ float from_bits(pm_u32 b) { return __uint_as_float(b); }

template <typename T> __device__ __forceinline__ T sel(bool m, T a, T b) { return m ? a : b; }
template <typename T> __device__ __forceinline__ bool isnan_(T a) { return a != a; }
template <typename T> __device__ __forceinline__ T and_bits(T a, T b) { return from_bits(bits(a) & bits(b)); }
template <typename T> __device__ __forceinline__ T or_bits(T a, T b) { return from_bits(bits(a) | bits(b)); }

// ---- lane helpers of src/math/lane.rs -----------------------------------------------------
template <typename T> struct Pair { T hi, lo; };

// Knuth's TwoSum.
template <typename T> __device__ __forceinline__ Pair<T> two_sum(T a, T b) {
    T s = add(a, b);
    T bb = sub(s, a);
    T e = add(sub(a, sub(s, bb)), sub(b, bb));
    return {s, e};
}

// Dekker's Fast2Sum.
template <typename T> __device__ __forceinline__ Pair<T> fast_two_sum(T a, T b) {
    T s = add(a, b);
    T e = sub(b, sub(s, a));
    return {s, e};
}

// Horner with fma over the first `len` coefficients, highest first.
template <typename T, int N> __device__ __forceinline__ T horner(T r, const T (&c)[N], int len = N) {
    T q = c[0];
#pragma unroll
    for (int i = 1; i < len; ++i) q = fma_(q, r, c[i]);
    return q;
}

// ---- constants (src/math/exp.rs, log.rs, trig.rs) ----------------------------------------
#define PM_SHIFT64 6755399441055744.0   // 1.5 * 2^52
#define PM_SHIFT32 12582912.0f          // 1.5 * 2^23
#define PM_LOG2E64 0x1.71547652b82fep+0
#define PM_LN2_HI64 0x1.62e42fee00000p-1   // 0x3fe62e42fee00000
#define PM_LN2_LO64 0x1.a39ef35793c76p-33  // 0x3dea39ef35793c76
#define PM_LOG2E32 0x1.715476p+0f
#define PM_LN2_HI32 0x1.63p-1f             // 0x3f318000
#define PM_LN2_LO32 (-0x1.bd0106p-13f)     // 0xb95e8083
#define PM_LN2_32 0x1.62e430p-1f           // 0x3f317218, ln2 rounded to f32

// 1/13!, ..., 1/2!, 1 (exp q polynomial, f64), highest first.
__device__ static const double PM_EXP_C64[13] = {
    0x1.6124613a86d09p-33, 0x1.1eed8eff8d898p-29, 0x1.ae64567f544e4p-26, 0x1.27e4fb7789f5cp-22,
    0x1.71de3a556c734p-19, 0x1.a01a01a01a01ap-16, 0x1.a01a01a01a01ap-13, 0x1.6c16c16c16c17p-10,
    0x1.1111111111111p-7,  0x1.5555555555555p-5,  0x1.5555555555555p-3,  0x1.0p-1, 1.0};
// 1/7!, ..., 1/2!, 1 (f32).
__device__ static const float PM_EXP_C32[7] = {0x1.a01a02p-13f, 0x1.6c16c2p-10f, 0x1.111112p-7f,
                                                0x1.555556p-5f,  0x1.555556p-3f,  0x1.0p-1f, 1.0f};

template <typename T> struct Consts;
template <> struct Consts<double> {
    typedef pm_u64 U;
    static constexpr int MANT = 52;
    static constexpr U SIGN = 1ull << 63;
    __device__ static double shift_bias() { return PM_SHIFT64 + 1023.0; }
    __device__ static double inf() { return from_bits(0x7ff0000000000000ull); }
    __device__ static double nan() { return from_bits(0x7ff8000000000000ull); }
};
template <> struct Consts<float> {
    typedef pm_u32 U;
    static constexpr int MANT = 23;
    static constexpr U SIGN = 1u << 31;
    __device__ static float shift_bias() { return PM_SHIFT32 + 127.0f; }
    __device__ static float inf() { return from_bits(0x7f800000u); }
    __device__ static float nan() { return from_bits(0x7fc00000u); }
};

// 2^n for integral n in the normal exponent range: bits(n + 1.5*2^p + bias) << p.
template <typename T> __device__ __forceinline__ T pow2i(T n) {
    return from_bits((typename Consts<T>::U)(bits(add(n, Consts<T>::shift_bias())) << Consts<T>::MANT));
}

// (n, r) with x = n ln2 + r.
__device__ __forceinline__ Pair<double> reduce_ln2(double x) {
    double n = rne(mul(x, PM_LOG2E64));
    double r = fma_(-n, PM_LN2_HI64, x);
    r = fma_(-n, PM_LN2_LO64, r);
    return {n, r};
}
__device__ __forceinline__ Pair<float> reduce_ln2(float x) {
    float n = rne(mul(x, PM_LOG2E32));
    float r = fma_(-n, PM_LN2_HI32, x);
    r = fma_(-n, PM_LN2_LO32, r);
    return {n, r};
}

// tanh's reduction of u = 2 ac, ac = min(|x|, cap) (src/math/exp.rs tanh64 / tanh32). f64: as
// exp's. f32: n is the exact product u log2e rounded once to an integer (one fma with the shift
// constant; rne(mul(u, log2e)) rounds twice and differs where the product lies within half an
// ulp of a half integer), and r uses one f32 ln2, whose error n |ln2 - LN2_32| reaches tanh
// damped by 2/(e^u + 1).
__device__ __forceinline__ Pair<double> reduce_ln2_tanh(double ac) { return reduce_ln2(add(ac, ac)); }
__device__ __forceinline__ Pair<float> reduce_ln2_tanh(float ac) {
    float n = sub(fma_(ac, 2.0f * PM_LOG2E32, PM_SHIFT32), PM_SHIFT32);
    return {n, fma_(-n, PM_LN2_32, add(ac, ac))};
}

// p 2^n for integral n, in two exact halves so that subnormal results round once.
template <typename T> __device__ __forceinline__ T scale2(T p, T n) {
    T n1 = rne(mul(n, (T)0.5));
    T n2 = sub(n, n1);
    return mul(mul(p, pow2i(n1)), pow2i(n2));
}

__device__ __forceinline__ double exp_q(double r) { return horner(r, PM_EXP_C64); }
__device__ __forceinline__ float exp_q(float r) { return horner(r, PM_EXP_C32); }

// e^x. Clamped where the result already is +inf / +0: [-746, 710] (f64), [-104, 89] (f32).
template <typename T> __device__ __forceinline__ T pm_exp(T x) {
    const bool wide = sizeof(T) == 8;
    T hi = wide ? (T)710.0 : (T)89.0;
    T lo = wide ? (T)-746.0 : (T)-104.0;
    T xc = sel(hi < x, hi, x);
    xc = sel(xc < lo, lo, xc);
    Pair<T> nr = reduce_ln2(xc);
    T p = fma_(exp_q(nr.lo), nr.lo, (T)1.0);
    T res = scale2(p, nr.hi);
    return sel(isnan_(x), x, res);
}

// 1/14!, ..., 1/2! (f64): p(r) = sum_j r^j/(j+2)!, so that
// e^r - 1 = r + r^2 p(r) (src/math/exp.rs TANH_C64 / TANH_C32), highest first.
__device__ static const double PM_TANH_C64[13] = {
    0x1.93974a8c07c9dp-37, 0x1.6124613a86d09p-33, 0x1.1eed8eff8d898p-29, 0x1.ae64567f544e4p-26,
    0x1.27e4fb7789f5cp-22, 0x1.71de3a556c734p-19, 0x1.a01a01a01a01ap-16, 0x1.a01a01a01a01ap-13,
    0x1.6c16c16c16c17p-10, 0x1.1111111111111p-7,  0x1.5555555555555p-5,  0x1.5555555555555p-3,
    0x1.0p-1};
// f32: the degree-4 minimax of p on |r| <= 0.3468 (src/math/exp.rs TANH_C32).
__device__ static const float PM_TANH_C32[5] = {0x1.6c6a0ap-10f, 0x1.120b66p-7f, 0x1.5555bap-5f,
                                                 0x1.5554dep-3f, 0x1.0p-1f};
__device__ __forceinline__ double tanh_p(double r) { return horner(r, PM_TANH_C64); }
__device__ __forceinline__ float tanh_p(float r) { return horner(r, PM_TANH_C32); }

// em/(em + 2) with em = e^u - 1 = fma(s, fma(r p, r, r), s - 1): src/math/exp.rs `tanh_quot`.
template <typename T> __device__ __forceinline__ T tanh_quot(T r, T p, T s, T one, T two) {
    T emr = fma_(mul(r, p), r, r);
    T em = fma_(s, emr, sub(s, one));
    return dvd(em, add(em, two));
}

// tanh x: |x| capped at 20 (f64) / 10 (f32), one division, x itself below 2^-27 / 2^-12, sign
// or-ed back (src/math/exp.rs tanh64 / tanh32).
template <typename T> __device__ __forceinline__ T pm_tanh(T x) {
    typedef typename Consts<T>::U U;
    const bool wide = sizeof(T) == 8;
    const U sign = Consts<T>::SIGN;
    T a = from_bits((U)(bits(x) & ~sign));
    T cap = wide ? (T)20.0 : (T)10.0;
    T ac = sel(cap < a, cap, a);
    Pair<T> nr = reduce_ln2_tanh(ac);
    T res = tanh_quot(nr.lo, tanh_p(nr.lo), pow2i(nr.hi), (T)1.0, (T)2.0);
    res = from_bits((U)(bits(res) | (bits(x) & sign)));
    // x itself below the tiny bound and for NaN: one mask, !(tiny <= a) (exp.rs keep_tiny_or_nan).
    T tiny = wide ? (T)0x1.0p-27 : (T)0x1.0p-12f;
    return sel(!(tiny <= a), x, res);
}

// ---- ln (src/math/log.rs) ------------------------------------------------------------------
// fdlibm's Lg7..Lg1 (f64) and the Taylor 2/(2j+1), j = 4..1 (f32).
__device__ static const double PM_LG64[7] = {
    0x1.2f112df3e5244p-3, 0x1.39a09d078c69fp-3, 0x1.7466496cb03dep-3, 0x1.c71c51d8e78afp-3,
    0x1.2492494229359p-2, 0x1.999999997fa04p-2, 0x1.5555555555593p-1};
__device__ static const float PM_LG32[4] = {0x1.c71c72p-3f, 0x1.24924ap-2f, 0x1.99999ap-2f,
                                             0x1.555556p-1f};
#define PM_SQRT_HALF_BITS64 0x3fe6a09e667f3bcdull
#define PM_SQRT_HALF_BITS32 0x3f3504f3u

// (k, m), x = 2^k m with m in [sqrt(1/2), sqrt(2)), finite x > 0 (subnormals first scaled by 2^54).
__device__ __forceinline__ Pair<double> split(double x) {
    bool subn = x < 0x1.0p-1022;
    double xs = sel(subn, mul(x, 18014398509481984.0), x);
    double kadj = sel(subn, 54.0, 0.0);
    pm_u64 u = bits(xs) + (0x3ff0000000000000ull - PM_SQRT_HALF_BITS64);
    pm_u64 biased = u >> 52;
    double k = sub(sub(from_bits(biased | 0x4330000000000000ull), 4503599627370496.0 + 1023.0), kadj);
    double m = from_bits((u & 0x000fffffffffffffull) + PM_SQRT_HALF_BITS64);
    return {k, m};
}
__device__ __forceinline__ Pair<float> split(float x) {
    bool subn = x < 0x1.0p-126f;
    float xs = sel(subn, mul(x, 33554432.0f), x);
    float kadj = sel(subn, 25.0f, 0.0f);
    pm_u32 u = bits(xs) + (0x3f800000u - PM_SQRT_HALF_BITS32);
    pm_u32 biased = u >> 23;
    float k = sub(sub(from_bits(biased | 0x4b000000u), 8388608.0f + 127.0f), kadj);
    float m = from_bits((u & 0x007fffffu) + PM_SQRT_HALF_BITS32);
    return {k, m};
}

__device__ __forceinline__ double ln_r(double z) { return horner(z, PM_LG64); }
__device__ __forceinline__ float ln_r(float z) { return horner(z, PM_LG32); }
__device__ __forceinline__ double ln2_hi(double) { return PM_LN2_HI64; }
__device__ __forceinline__ double ln2_lo(double) { return PM_LN2_LO64; }
__device__ __forceinline__ float ln2_hi(float) { return 0x1.62e3p-1f; }     // 0x3f317180
__device__ __forceinline__ float ln2_lo(float) { return 0x1.2fefa4p-17f; }  // 0x3717f7d2

template <typename T> __device__ __forceinline__ T pm_ln(T x) {
    const T zero = (T)0.0, inf = Consts<T>::inf();
    bool ok = (zero < x) && (x < inf);
    T xs = sel(ok, x, (T)1.0);
    Pair<T> km = split(xs);
    T k = km.hi;
    T f = sub(km.lo, (T)1.0);
    T s = dvd(f, add((T)2.0, f));
    T z = mul(s, s);
    T r = mul(ln_r(z), z);
    T hfsq = mul(mul((T)0.5, f), f);
    T tail = sub(f, sub(hfsq, fma_(s, add(hfsq, r), mul(k, ln2_lo(x)))));
    T res = fma_(k, ln2_hi(x), tail);
    res = sel(x == inf, inf, res);
    res = sel(x == zero, -inf, res);
    res = sel(x < zero, Consts<T>::nan(), res);
    return sel(isnan_(x), x, res);
}

// ln x as hi + lo (relative error near 2^-64), finite x > 0; log.rs `ln_dd64`.
__device__ static const double PM_LNDD_Q[10] = {
    0x1.642c8590b2164p-4, 0x1.8618618618618p-4, 0x1.af286bca1af28p-4, 0x1.e1e1e1e1e1e1ep-4,
    0x1.1111111111111p-3, 0x1.3b13b13b13b14p-3, 0x1.745d1745d1746p-3, 0x1.c71c71c71c71cp-3,
    0x1.2492492492492p-2, 0x1.999999999999ap-2};
#define PM_LN2_A 0x1.62e42fefa39efp-1
#define PM_LN2_B 0x1.abc9e3b39803fp-56      // 0x3c7abc9e3b39803f
#define PM_TWO_THIRDS_A 0x1.5555555555555p-1
#define PM_TWO_THIRDS_B 0x1.5555555555555p-55  // 0x3c85555555555555

__device__ __forceinline__ Pair<double> ln_dd(double x) {
    const double one = 1.0;
    Pair<double> km = split(x);
    double k = km.hi, m = km.lo;
    double f = sub(m, one);
    double uh = add(one, m);
    double ul = sub(m, sub(uh, one));
    double sh = dvd(f, uh);
    double e = fma_(-sh, uh, f);
    e = fma_(-sh, ul, e);
    double sl = dvd(e, uh);
    double z = mul(sh, sh);
    double zl = fma_(sh, sh, -z);
    double s3h = mul(z, sh);
    double s3l = add(fma_(z, sh, -s3h), mul(zl, sh));
    double th = mul(s3h, PM_TWO_THIRDS_A);
    double tl = add(fma_(s3h, PM_TWO_THIRDS_A, -th),
                    add(mul(s3h, PM_TWO_THIRDS_B), mul(s3l, PM_TWO_THIRDS_A)));
    double q = horner(z, PM_LNDD_Q);
    double rest = mul(mul(z, s3h), q);
    double a = mul(k, PM_LN2_A);
    double al = add(fma_(k, PM_LN2_A, -a), mul(k, PM_LN2_B));
    double b = add(sh, sh);
    Pair<double> h1 = two_sum(a, b);
    Pair<double> h2 = two_sum(h1.hi, th);
    double sl2 = add(sl, sl);
    double lo = add(add(h1.lo, h2.lo), add(add(add(al, fma_(sl2, z, sl2)), tl), rest));
    double hi = add(h2.hi, lo);
    lo = sub(lo, sub(hi, h2.hi));
    return {hi, lo};
}

// ---- pow (src/math/pow.rs) ------------------------------------------------------------------
__device__ __forceinline__ double pm_pow(double x, double y) {
    const double zero = 0.0, one = 1.0, inf = Consts<double>::inf();
    const pm_u64 sign = 1ull << 63;
    double ax = from_bits(bits(x) & ~sign);
    bool ok = (zero < ax) && (ax < inf);
    Pair<double> l = ln_dd(sel(ok, ax, one));
    double ph = mul(y, l.hi);
    bool big = 1000.0 < from_bits(bits(ph) & ~sign);
    double pl = sel(big || isnan_(ph), zero, add(fma_(y, l.hi, -ph), mul(y, l.lo)));
    double phc = sel(710.0 < ph, 710.0, ph);
    phc = sel(phc < -746.0, -746.0, phc);
    double n = rne(mul(phc, PM_LOG2E64));
    double r = fma_(-n, PM_LN2_HI64, phc);
    r = add(fma_(-n, PM_LN2_LO64, r), pl);
    double p = fma_(exp_q(r), r, one);
    double mag = scale2(p, n);
    bool y_neg = y < zero;
    double at_zero = sel(y_neg, inf, zero);
    double at_inf = sel(y_neg, zero, inf);
    mag = sel(ax == zero, at_zero, mag);
    mag = sel(ax == inf, at_inf, mag);
    bool y_int = rne(y) == y;
    double half = mul(y, 0.5);
    bool y_odd = y_int && !(rne(half) == half);
    double neg_sign = sel(y_odd, from_bits(bits(x) & sign), zero);
    double res = from_bits(bits(mag) | bits(neg_sign));
    bool x_neg_finite = (x < zero) && (-inf < x);
    res = sel(x_neg_finite && !y_int, Consts<double>::nan(), res);
    res = sel(isnan_(y), y, res);
    res = sel(isnan_(x), x, res);
    bool y_inf = from_bits(bits(y) & ~sign) == inf;
    res = sel(ax == one && y_inf, one, res);
    res = sel(x == one, one, res);
    res = sel(y == one, x, res);
    return sel(y == zero, one, res);
}

// f32 <-> f64 conversions with the x86 NaN rule (sign and leading payload kept, quiet bit
// set), because the GPU's cvt would return its canonical NaN instead. Other values convert
// exactly (widening) or round to nearest (narrowing), as cvt does.
__device__ __forceinline__ double widen(float v) {
    if (v != v) {
        pm_u32 b = bits(v);
        return from_bits(((pm_u64)(b >> 31) << 63) | 0x7ff8000000000000ull |
                         ((pm_u64)(b & 0x003fffffu) << 29));
    }
    return (double)v;
}
__device__ __forceinline__ float narrow(double v) {
    if (v != v) {
        pm_u64 b = bits(v);
        return from_bits((pm_u32)((b >> 63) << 31) | 0x7fc00000u | (pm_u32)((b >> 29) & 0x003fffffu));
    }
    return __double2float_rn(v);
}

// pow_f32 = pow_f64 of the widened arguments, rounded once.
__device__ __forceinline__ float pm_pow(float x, float y) { return narrow(pm_pow(widen(x), widen(y))); }

// ---- sin, cos (src/math/trig.rs) --------------------------------------------------------------
__device__ static const double PM_S64[8] = {
    0x1.952c77030ad4ap-49, -0x1.ae7f3e733b81fp-41, 0x1.6124613a86d09p-33, -0x1.ae64567f544e4p-26,
    0x1.71de3a556c734p-19, -0x1.a01a01a01a01ap-13, 0x1.1111111111111p-7,  -0x1.5555555555555p-3};
__device__ static const double PM_C64[8] = {
    -0x1.6827863b97d97p-53, 0x1.ae7f3e733b81fp-45, -0x1.93974a8c07c9dp-37, 0x1.1eed8eff8d898p-29,
    -0x1.27e4fb7789f5cp-22, 0x1.a01a01a01a01ap-16, -0x1.6c16c16c16c17p-10, 0x1.5555555555555p-5};
__device__ static const float PM_S32[4] = {0x1.71de3ap-19f, -0x1.a01a02p-13f, 0x1.111112p-7f,
                                            -0x1.555556p-3f};
__device__ static const float PM_C32[4] = {-0x1.27e4fcp-22f, 0x1.a01a02p-16f, -0x1.6c16c2p-10f,
                                            0x1.555556p-5f};

struct Trig64 {
    typedef pm_u64 U;
    static constexpr int SIGNBIT = 63;
    __device__ static double shift() { return PM_SHIFT64; }
    __device__ static double f2pi() { return 0x1.45f306dc9c883p-1; }
    __device__ static double p1() { return 0x1.921fb54442d18p+0; }
    __device__ static double p2() { return 0x1.1a62633145c07p-54; }    // 0x3c91a62633145c07
    __device__ static double p3() { return -0x1.f1976b7ed8fbcp-110; }  // 0xb91f1976b7ed8fbc
    __device__ static double smax() { return 1125899906842624.0; }    // 2^50
    __device__ static double tiny() { return 0x1.0p-26; }
    __device__ static double ps(double z) { return horner(z, PM_S64); }
    __device__ static double pc(double z) { return horner(z, PM_C64); }
};
struct Trig32 {
    typedef pm_u32 U;
    static constexpr int SIGNBIT = 31;
    __device__ static float shift() { return PM_SHIFT32; }
    __device__ static float f2pi() { return 0x1.45f306p-1f; }
    __device__ static float p1() { return 0x1.921fb6p+0f; }
    __device__ static float p2() { return -0x1.777a5cp-25f; }   // 0xb33bbd2e
    __device__ static float p3() { return -0x1.ee59dap-50f; }   // 0xa6f72ced
    __device__ static float smax() { return 1048576.0f; }       // 2^20
    __device__ static float tiny() { return 0x1.0p-12f; }
    __device__ static float ps(float z) { return horner(z, PM_S32); }
    __device__ static float pc(float z) { return horner(z, PM_C32); }
};

// sin (shift = 0) or cos (shift = 1).
template <typename T, typename C> __device__ __forceinline__ T pm_sincos(T x, typename C::U shift) {
    typedef typename C::U U;
    T k = rne(mul(x, C::f2pi()));
    T t = fma_(-k, C::p1(), x);
    T h = mul(k, C::p2());
    T hl = fma_(k, C::p2(), -h);
    T r = sub(t, h);
    T bb = sub(r, t);
    T e = add(sub(t, sub(r, bb)), sub(-h, bb));
    T rl = fma_(-k, C::p3(), sub(e, hl));
    T y = add(r, rl);
    T yl = sub(rl, sub(y, r));
    const T half = (T)0.5, one = (T)1.0;
    T z = mul(y, y);
    T zl = fma_(y, y, -z);
    T hz = mul(half, z);
    T sin_k = add(y, fma_(mul(z, y), C::ps(z), fma_(-hz, yl, yl)));
    T w = sub(one, hz);
    T cos_k = add(w, add(sub(sub(one, w), hz), fma_(mul(z, z), C::pc(z), -fma_(half, zl, mul(y, yl)))));
    U q = bits(add(k, C::shift())) + shift;
    bool swap = ((U)(q << C::SIGNBIT) >> C::SIGNBIT) != 0;
    U flip = (U)(q << (C::SIGNBIT - 1)) & ((U)1 << C::SIGNBIT);
    T res = from_bits((U)(bits(sel(swap, cos_k, sin_k)) ^ flip));
    T ax = from_bits((U)(bits(x) & ~((U)1 << C::SIGNBIT)));
    if (shift == 0) res = sel(ax < C::tiny(), x, res);
    res = sel(ax <= C::smax(), res, Consts<T>::nan());
    return sel(isnan_(x), x, res);
}

// ---- the public device functions ----------------------------------------------------------------
__device__ __forceinline__ double exp_f64(double x) { return pm_exp(x); }
__device__ __forceinline__ double ln_f64(double x) { return pm_ln(x); }
__device__ __forceinline__ double pow_f64(double x, double y) { return pm_pow(x, y); }
__device__ __forceinline__ double tanh_f64(double x) { return pm_tanh(x); }
__device__ __forceinline__ double sin_f64(double x) { return pm_sincos<double, Trig64>(x, 0); }
__device__ __forceinline__ double cos_f64(double x) { return pm_sincos<double, Trig64>(x, 1); }
__device__ __forceinline__ float exp_f32(float x) { return pm_exp(x); }
__device__ __forceinline__ float ln_f32(float x) { return pm_ln(x); }
__device__ __forceinline__ float pow_f32(float x, float y) { return pm_pow(x, y); }
__device__ __forceinline__ float tanh_f32(float x) { return pm_tanh(x); }
__device__ __forceinline__ float sin_f32(float x) { return pm_sincos<float, Trig32>(x, 0); }
__device__ __forceinline__ float cos_f32(float x) { return pm_sincos<float, Trig32>(x, 1); }
