// nsga2: NSGA-II's rank-and-crowding survival on the device.
//
// CPU twin: crate::moo::nsga2 (`survive`: fronts while they fit, crowding distance per front
// as crate::moo::crowding_distance, the overflowing front truncated by crowding descending,
// ties by position).
//
// nsga2_split_u32 (one thread): the rows of every front that gets crowding distances (the
//   fronts that fit and the first that does not), front by front, rows ascending, with each
//   position's segment start and length; counts = (positions listed, positions of whole
//   fronts).
// crowding_segments_order_f64 / crowding_segments_accumulate_f64: crowding_distance.cu's two
//   kernels with every position counted against its own segment (front) only: O(M Σ K²).
// nsga2_select_u32: one thread per listed position. Whole fronts keep their positions; in the
//   overflowing front a position's place is the number of its members with larger crowding
//   (total order) or equal crowding and a smaller position; places < the free slots survive.
//   Writes the survivors, their front index and crowding, as the CPU's (keep, rank, crowd).
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/math.cuh"
#include "common/emo.cuh"

// rank: n ranks (< n); n_keep survivors. rows, seg: n entries (rows listed, segment start of
// each position); counts[0] = positions listed, counts[1] = positions in whole fronts.
// scratch: n + 1 words.
extern "C" __global__ void nsga2_split_u32(const u32 *rank, u32 n, u32 n_keep, u32 *rows, u32 *seg,
                                           u32 *counts, u32 *scratch) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    u32 *hist = scratch;
    for (u32 r = 0; r <= n; ++r) hist[r] = 0;
    for (u32 i = 0; i < n; ++i) hist[rank[i]] += 1;
    // Fronts 0..cut are listed; `whole` positions belong to fronts kept entirely.
    u32 listed = 0, whole = 0, cut = 0;
    for (u32 r = 0; r < n && hist[r] > 0; ++r) {
        if (listed >= n_keep) break;
        cut = r + 1;
        if (listed + hist[r] <= n_keep) whole += hist[r];
        listed += hist[r];
    }
    u32 at = 0;
    for (u32 r = 0; r < cut; ++r) {
        u32 c = hist[r];
        hist[r] = at;
        at += c;
    }
    // Segment starts: the first position of each listed front (hist[r] before filling).
    for (u32 i = 0; i < n; ++i) {
        u32 r = rank[i];
        if (r >= cut) continue;
        u32 pos = hist[r]++;
        rows[pos] = i;
    }
    // After filling, hist[r] is the end of front r; its start is the previous end.
    u32 start = 0;
    for (u32 r = 0; r < cut; ++r) {
        for (u32 p = start; p < hist[r]; ++p) seg[p] = start;
        start = hist[r];
    }
    counts[0] = listed;
    counts[1] = whole;
}

// Segment [seg[p], seg[p] + len) of position p, with len from the next segment's start.
__device__ __forceinline__ u32 seg_len(const u32 *seg, u32 total, u32 p) {
    u32 s = seg[p], e = p + 1;
    while (e < total && seg[e] == s) ++e;
    return e - s;
}

// One thread per (objective m, position p < total): p's place within its segment, sorted by
// (value, position). order[m·total + start + place] = p, place_of[m·total + p] = place.
extern "C" __global__ void crowding_segments_order_f64(const double *f, u32 m_obj, const u32 *rows,
                                                       const u32 *seg, u32 total, u32 *order,
                                                       u32 *place_of) {
    u64 t = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= (u64)total * m_obj) return;
    u32 m = (u32)(t / total), p = (u32)(t % total);
    u32 s = seg[p], k = seg_len(seg, total, p);
    long long kp = total_key(f[(u64)rows[p] * m_obj + m]);
    u32 r = 0;
    for (u32 q = s; q < s + k; ++q) {
        long long kq = total_key(f[(u64)rows[q] * m_obj + m]);
        if (kq < kp || (kq == kp && q < p)) r += 1;
    }
    order[(u64)m * total + s + r] = p;
    place_of[(u64)m * total + p] = r;
}

// One thread per position: the crowding distance within its segment (crowding_distance.cu's
// accumulation, objectives in order).
extern "C" __global__ void crowding_segments_accumulate_f64(const double *f, u32 m_obj, const u32 *rows,
                                                            const u32 *seg, u32 total, const u32 *order,
                                                            const u32 *place_of, double *d) {
    u32 p = blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= total) return;
    const double inf = from_bits(0x7ff0000000000000ull);
    u32 s = seg[p], k = seg_len(seg, total, p);
    if (k <= 2u) {
        d[p] = inf;
        return;
    }
    double acc = 0.0;
    for (u32 m = 0; m < m_obj; ++m) {
        const u32 *ord = order + (u64)m * total + s;
        u32 r = place_of[(u64)m * total + p];
        if (r == 0u || r == k - 1u) {
            acc = inf;
            continue;
        }
        double first = f[(u64)rows[ord[0]] * m_obj + m];
        double last = f[(u64)rows[ord[k - 1u]] * m_obj + m];
        double range = sub(last, first);
        if (range > 0.0) {
            double next = f[(u64)rows[ord[r + 1u]] * m_obj + m];
            double prev = f[(u64)rows[ord[r - 1u]] * m_obj + m];
            acc = add(acc, dvd(sub(next, prev), range));
        }
    }
    d[p] = acc;
}

// rows, seg, d: `total` listed positions; rank: per row. The first `whole` positions survive
// where they are; the overflowing front (positions whole..total) fills n_keep − whole slots.
// Out: keep, rank_out, crowd_out (n_keep each).
extern "C" __global__ void nsga2_select_u32(const u32 *rows, const double *d, const u32 *rank,
                                            u32 total, u32 whole, u32 n_keep, u32 *keep,
                                            u32 *rank_out, double *crowd_out) {
    u32 p = blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= total) return;
    u32 slot;
    if (p < whole) {
        slot = p;
    } else {
        long long kp = total_key(d[p]);
        u32 place = 0;
        for (u32 q = whole; q < total; ++q) {
            long long kq = total_key(d[q]);
            if (kq > kp || (kq == kp && q < p)) place += 1;
        }
        slot = whole + place;
        if (slot >= n_keep) return;
    }
    keep[slot] = rows[p];
    rank_out[slot] = rank[rows[p]];
    crowd_out[slot] = d[p];
}
