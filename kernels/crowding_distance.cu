// crowding_distance: crowding distance of a set of members (Deb et al. 2002).
//
// CPU twin: crate::moo::crowding_distance (src/moo/crowding.rs), bit-identical. Its
// arithmetic is fixed: for each objective m = 0..M-1 in order, the member positions are
// sorted by (value, position) ascending, values compared by f64::total_cmp; the first and last
// get +inf; an interior position w gets d[w] += (v[next] - v[prev]) / range with
// range = v[last] - v[first]; range == 0 adds nothing; fewer than 3 members: all +inf.
// Subtraction and division are IEEE round-to-nearest (__dsub_rn, __ddiv_rn; -fmad=false), so
// every term and every sum equals the CPU's.
//
// Two kernels:
// 1. crowding_order_f64: one thread per (objective m, position p) computes p's place r in the
//    sorted order by counting the positions that sort before it (O(K) per thread, O(M K^2) in
//    all: fine for populations up to a few thousand, and free of any device sort), and writes
//    order[m * K + r] = p and place[m * K + p] = r. The key (value, position) is a total order,
//    so the places are a permutation.
// 2. crowding_accumulate_f64: one thread per position p folds the M objectives in order.
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

typedef unsigned int u32;
typedef long long i64;

// f64::total_cmp's key: flip the magnitude bits of negatives, then compare as signed.
__device__ __forceinline__ i64 total_key(double v) {
    i64 b = __double_as_longlong(v);
    return b ^ (i64)(((unsigned long long)(b >> 63)) >> 1);
}

__device__ __forceinline__ double member_value(const double *f, const u32 *members, u32 m_obj,
                                               u32 p, u32 m) {
    return f[(unsigned long long)members[p] * m_obj + m];
}

extern "C" __global__ void crowding_order_f64(const double *f, u32 m_obj, const u32 *members,
                                              u32 k, u32 *order, u32 *place) {
    unsigned long long t = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= (unsigned long long)k * m_obj) return;
    u32 m = (u32)(t / k);
    u32 p = (u32)(t % k);
    i64 kp = total_key(member_value(f, members, m_obj, p, m));
    u32 r = 0u;
    for (u32 q = 0; q < k; ++q) {
        i64 kq = total_key(member_value(f, members, m_obj, q, m));
        if (kq < kp || (kq == kp && q < p)) r += 1u;
    }
    order[(unsigned long long)m * k + r] = p;
    place[(unsigned long long)m * k + p] = r;
}

extern "C" __global__ void crowding_accumulate_f64(const double *f, u32 m_obj,
                                                   const u32 *members, u32 k,
                                                   const u32 *order, const u32 *place,
                                                   double *d) {
    u32 p = blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= k) return;
    const double inf = __longlong_as_double(0x7ff0000000000000LL);
    if (k <= 2u) {
        d[p] = inf;
        return;
    }
    double acc = 0.0;
    for (u32 m = 0; m < m_obj; ++m) {
        const u32 *ord = order + (unsigned long long)m * k;
        u32 r = place[(unsigned long long)m * k + p];
        if (r == 0u || r == k - 1u) {
            acc = inf;
            continue;
        }
        double first = member_value(f, members, m_obj, ord[0], m);
        double last = member_value(f, members, m_obj, ord[k - 1u], m);
        double range = __dsub_rn(last, first);
        if (range > 0.0) {
            double next = member_value(f, members, m_obj, ord[r + 1u], m);
            double prev = member_value(f, members, m_obj, ord[r - 1u], m);
            acc = __dadd_rn(acc, __ddiv_rn(__dsub_rn(next, prev), range));
        }
    }
    d[p] = acc;
}
