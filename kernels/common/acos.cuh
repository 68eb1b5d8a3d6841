// The device arccosine shared by the RVEA kernels (rvea.cu, rvea_adapt.cu): fdlibm's
// algorithm and minimax coefficients (e_acos.c) evaluated with correctly rounded operations
// only. Twin: f64::acos within crate::backend::cuda::ACOS_MAX_ULP.
#pragma once
#include "math.cuh"

// fdlibm's rational approximation R(z) = (asin(s) − s)/s³, z = s² (e_acos.c pS0..pS5, qS1..qS4).
__device__ __forceinline__ double acos_r(double z) {
    double p = mul(z, add(0x1.5555555555555p-3,
               mul(z, add(-0x1.4d61203eb6f7dp-2,
               mul(z, add(0x1.9c1550e884455p-3,
               mul(z, add(-0x1.48228b5688f3bp-5,
               mul(z, add(0x1.9efe07501b288p-11, mul(z, 0x1.23de10dfdf709p-15)))))))))));
    double q = add(1.0, mul(z, add(-0x1.33a271c8a2d4bp+1,
                       mul(z, add(0x1.02ae59c598ac8p+1,
                       mul(z, add(-0x1.6066c1b8d0159p-1, mul(z, 0x1.3b8c5b12e9282p-4))))))));
    return dvd(p, q);
}

// acos x within 1 ulp (fdlibm's bound); NaN in → NaN out (same bits), |x| > 1 → quiet NaN.
__device__ __forceinline__ double acos_dev(double x) {
    const double pio2_hi = 0x1.921fb54442d18p+0, pio2_lo = 0x1.1a62633145c07p-54;
    if (x != x) return x;
    double ax = fabs(x);
    if (ax > 1.0) return from_bits(0x7ff8000000000000ull);
    if (x == 1.0) return 0.0;
    if (x == -1.0) return mul(2.0, pio2_hi);
    if (ax < 0.5) {
        if ((bits(x) >> 32 & 0x7fffffffu) <= 0x3c600000u) return pio2_hi;
        return sub(pio2_hi, sub(x, sub(pio2_lo, mul(x, acos_r(mul(x, x))))));
    }
    if (x < 0.0) {
        double z = mul(add(1.0, x), 0.5);
        double s = __dsqrt_rn(z);
        double w = sub(mul(acos_r(z), s), pio2_lo);
        return mul(2.0, sub(pio2_hi, add(s, w)));
    }
    double z = mul(sub(1.0, x), 0.5);
    double s = __dsqrt_rn(z);
    double df = from_bits(bits(s) & 0xffffffff00000000ull);
    double c = dvd(sub(z, mul(df, df)), add(s, df));
    double w = add(mul(acos_r(z), s), c);
    return mul(2.0, add(df, w));
}
