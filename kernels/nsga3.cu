// nsga3: NSGA-III normalisation, association and niche-preserving selection on the device.
//
// CPU twin: crate::moo::nsga3 (`normalise`, `associate`, `niching`, run by `Nsga3::survive`).
//
// nsga3_normalise_f64 (one block, any thread count T; the host launches 256, the emulation 1):
//   1. ideal = min(ideal, feasible rows), worst = max(worst, feasible rows), and the column
//      maxima of the feasible rows and of the feasible first-front rows, as per-thread partials
//      folded by thread 0 in thread order;
//   2. per axis the candidate of smallest ASF (old extremes first, then feasible rows in row
//      order; ties to the earlier candidate): a total order, so the partials' fold order
//      cannot change the winner;
//   3. thread 0: intercepts by Gaussian elimination with partial pivoting (the CPU's operations
//      in the CPU's order), nadir with both fallbacks.
//   Min and max keep the incumbent on ties, which can differ from the CPU only in the sign of a
//   zero (Rust leaves it unspecified); everything else is bit-identical.
// nsga3_associate_f64: one thread per row, the CPU's loop over directions (first on ties).
// nsga3_split_u32: one thread. The fronts that fit into n_keep (front order, rows ascending
//   within a front: `nsga2::fronts` concatenated) and the overflowing front, from the ranks.
// nsga3_count_u32: one thread. Niche counts of the chosen rows.
// nsga3_niching_u32: one thread. The CPU's rounds (open niches ascending, the least crowded
//   shuffled by the stream ("niching", generation, 0), one member each: nearest for an empty
//   niche, else a random one), with the last front bucketed by niche so a round costs
//   O(open niches + picks) instead of O(|last| · niches). Same draws, same picks.
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "common/math.cuh"
#include "common/emo.cuh"

// sel: n × m selection objectives, cv: n violations, rank: n constrained front ranks.
// ideal, worst (m) and extremes (m × m, valid when n_ext = m) are updated in place; nadir (m)
// is written. scratch: 4·T·m + 2·m·(m+1) + m·m doubles, keys: T·m words, nfeas: T + 1 counts
// (nfeas[0] = number of feasible rows; 0 means nothing was touched).
extern "C" __global__ void nsga3_normalise_f64(const double *sel, const double *cv, const u32 *rank,
                                               u32 n, u32 m, double *ideal, double *worst,
                                               double *extremes, u32 n_ext, double *nadir,
                                               double *scratch, u64 *keys, u32 *nfeas) {
    const u32 T = blockDim.x, t = threadIdx.x;
    const double NEG_INF = from_bits(0xfff0000000000000ull), INF = from_bits(0x7ff0000000000000ull);
    double *part = scratch + (u64)t * 3 * m;
    double *asf_val = scratch + (u64)T * 3 * m;
    double *mat = scratch + (u64)T * 4 * m;
    double *orig = mat + (u64)m * (m + 1);
    double *ext_new = orig + (u64)m * (m + 1);
    // Phase 1: per-thread minima and maxima over the feasible rows.
    u32 count = 0;
    for (u32 j = 0; j < m; ++j) {
        part[j] = INF;
        part[m + j] = NEG_INF;
        part[2 * m + j] = NEG_INF;
    }
    for (u32 i = t; i < n; i += T) {
        if (!(cv[i] <= 0.0)) continue;
        ++count;
        const double *r = sel + (u64)i * m;
        for (u32 j = 0; j < m; ++j) {
            part[j] = fold_min(part[j], r[j]);
            part[m + j] = fold_max(part[m + j], r[j]);
            if (rank[i] == 0) part[2 * m + j] = fold_max(part[2 * m + j], r[j]);
        }
    }
    nfeas[1 + t] = count;
    __syncthreads();
    if (t == 0) {
        u32 total = 0;
        for (u32 s = 0; s < T; ++s) total += nfeas[1 + s];
        nfeas[0] = total;
        if (total > 0) {
            for (u32 s = 0; s < T; ++s) {
                const double *p = scratch + (u64)s * 3 * m;
                for (u32 j = 0; j < m; ++j) {
                    ideal[j] = fold_min(ideal[j], p[j]);
                    worst[j] = fold_max(worst[j], p[m + j]);
                    // Thread 0's own partials become the population and first-front maxima.
                    if (s > 0) {
                        part[m + j] = fold_max(part[m + j], p[m + j]);
                        part[2 * m + j] = fold_max(part[2 * m + j], p[2 * m + j]);
                    }
                }
            }
        }
    }
    __syncthreads();
    if (nfeas[0] == 0) return;
    // Phase 2: per axis, the candidate of smallest (ASF, candidate index).
    for (u32 axis = 0; axis < m; ++axis) {
        double best = INF;
        u64 best_key = ~0ull;
        // Old extremes are candidates 0..n_ext, row i is candidate n_ext + i (row order is
        // the order of the feasible rows among the candidates).
        for (u64 c = t; c < (u64)n_ext + n; c += T) {
            const double *r;
            if (c < n_ext) {
                r = extremes + c * m;
            } else {
                if (!(cv[c - n_ext] <= 0.0)) continue;
                r = sel + (c - n_ext) * m;
            }
            double a = NEG_INF;
            for (u32 j = 0; j < m; ++j) {
                double d = sub(r[j], ideal[j]);
                if (d < 1e-3) d = 0.0;
                a = fold_max(a, j == axis ? d : mul(d, 1e6));
            }
            if (best_key == ~0ull || total_key(a) < total_key(best)) {
                best = a;
                best_key = c;
            }
        }
        asf_val[(u64)t * m + axis] = best;
        keys[(u64)t * m + axis] = best_key;
    }
    __syncthreads();
    if (t != 0) return;
    for (u32 axis = 0; axis < m; ++axis) {
        double best = INF;
        u64 best_key = ~0ull;
        for (u32 s = 0; s < T; ++s) {
            u64 k = keys[(u64)s * m + axis];
            if (k == ~0ull) continue;
            double a = asf_val[(u64)s * m + axis];
            long long ka = total_key(a), kb = total_key(best);
            if (best_key == ~0ull || ka < kb || (ka == kb && k < best_key)) {
                best = a;
                best_key = k;
            }
        }
        const double *r = best_key < n_ext ? extremes + best_key * m : sel + (best_key - n_ext) * m;
        for (u32 j = 0; j < m; ++j) ext_new[(u64)axis * m + j] = r[j];
    }
    for (u64 q = 0; q < (u64)m * m; ++q) extremes[q] = ext_new[q];
    // Phase 3: intercepts of the hyperplane through the extremes (augmented [E − z | 1]).
    const u32 w = m + 1;
    for (u32 i = 0; i < m; ++i) {
        for (u32 j = 0; j < m; ++j) mat[i * w + j] = sub(extremes[(u64)i * m + j], ideal[j]);
        mat[i * w + m] = 1.0;
    }
    for (u32 q = 0; q < m * w; ++q) orig[q] = mat[q];
    bool ok = true;
    for (u32 c = 0; c < m && ok; ++c) {
        u32 p = c;
        for (u32 r = c + 1; r < m; ++r)
            if (total_key(fabs(mat[r * w + c])) > total_key(fabs(mat[p * w + c]))) p = r;
        if (fabs(mat[p * w + c]) < 1e-12) {
            ok = false;
            break;
        }
        for (u32 j = 0; j < w; ++j) {
            double tmp = mat[c * w + j];
            mat[c * w + j] = mat[p * w + j];
            mat[p * w + j] = tmp;
        }
        for (u32 r = c + 1; r < m; ++r) {
            double k = dvd(mat[r * w + c], mat[c * w + c]);
            for (u32 j = c; j < w; ++j) mat[r * w + j] = sub(mat[r * w + j], mul(k, mat[c * w + j]));
        }
    }
    // The plane's coefficients go to nadir[] as scratch, intercepts then replace them.
    double *plane = nadir;
    if (ok) {
        for (u32 c = m; c-- > 0;) {
            double s = mat[c * w + m];
            for (u32 j = c + 1; j < m; ++j) s = sub(s, mul(mat[c * w + j], plane[j]));
            plane[c] = dvd(s, mat[c * w + c]);
        }
        for (u32 i = 0; i < m && ok; ++i) {
            double acc = 0.0;
            for (u32 j = 0; j < m; ++j) acc = add(acc, mul(orig[i * w + j], plane[j]));
            if (!(fabs(sub(acc, 1.0)) <= 1e-5 + 1e-8)) ok = false;
        }
        for (u32 j = 0; j < m && ok; ++j) {
            double icpt = dvd(1.0, plane[j]);
            if (!(icpt - icpt == 0.0 && icpt > 1e-6)) ok = false;
        }
    }
    const double *pop_max = part + m, *first_max = part + 2 * m;
    for (u32 j = 0; j < m; ++j) {
        double v = ok ? fold_min(add(ideal[j], dvd(1.0, plane[j])), worst[j]) : first_max[j];
        if (sub(v, ideal[j]) <= 1e-6) v = pop_max[j];
        nadir[j] = v;
    }
}

// (r_j − z_j) / (nadir_j − z_j), a zero denominator replaced by 1e-12 (the CPU's `denom`).
__device__ __forceinline__ double norm_at(const double *r, const double *ideal, const double *nadir, u32 j) {
    double den = sub(nadir[j], ideal[j]);
    if (den == 0.0) den = 1e-12;
    return dvd(sub(r[j], ideal[j]), den);
}

// sel: n × m, units: n_ref × m unit directions (the CPU's `w / ‖w‖`), ideal and nadir: m.
// Out: niche (n) and perpendicular distance (n) per row.
extern "C" __global__ void nsga3_associate_f64(const double *sel, u32 n, u32 m, const double *units,
                                               u32 n_ref, const double *ideal, const double *nadir,
                                               u32 *niche, double *dist) {
    u32 i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const double *r = sel + (u64)i * m;
    u32 best = 0;
    double best_d = from_bits(0x7ff0000000000000ull);
    // The normalised row p once per row for up to 16 objectives (recomputed per direction
    // beyond: the same operations on the same operands either way).
    double pl[16];
    const bool cached = m <= 16;
    if (cached)
        for (u32 j = 0; j < m; ++j) {
            double den = sub(nadir[j], ideal[j]);
            if (den == 0.0) den = 1e-12;
            pl[j] = dvd(sub(r[j], ideal[j]), den);
        }
    for (u32 k = 0; k < n_ref; ++k) {
        const double *u = units + (u64)k * m;
        double dot = 0.0;
        for (u32 j = 0; j < m; ++j) dot = add(dot, mul(cached ? pl[j] : norm_at(r, ideal, nadir, j), u[j]));
        double d2 = 0.0;
        for (u32 j = 0; j < m; ++j) {
            double e = sub(cached ? pl[j] : norm_at(r, ideal, nadir, j), mul(dot, u[j]));
            d2 = add(d2, mul(e, e));
        }
        double d = __dsqrt_rn(d2);
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    niche[i] = best;
    dist[i] = best_d;
}

// last: L rows of the overflowing front; niche, dist: per row; count: n_ref niche counts of
// the rows already chosen (updated). Writes `remaining` chosen rows to chosen[first..], in the
// CPU's order. scratch: 3·n_ref + 1 + L words (bucket offsets, bucket lengths, niche lists,
// members).
extern "C" __global__ void nsga3_niching_u32(const u32 *last, u32 L, const u32 *niche,
                                             const double *dist, u32 *count, u32 n_ref,
                                             u32 remaining, u64 seed, u64 purpose, u64 generation,
                                             u32 *chosen, u32 first, u32 *scratch) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    chosen += first;
    u32 *start = scratch;            // n_ref + 1 bucket offsets
    u32 *len = start + n_ref + 1;    // n_ref open members per niche
    u32 *list = len + n_ref;         // n_ref: open niches, then candidates
    u32 *members = list + n_ref;     // L positions in last, by niche then position
    for (u32 k = 0; k <= n_ref; ++k) start[k] = 0;
    for (u32 p = 0; p < L; ++p) start[niche[last[p]] + 1] += 1;
    for (u32 k = 0; k < n_ref; ++k) start[k + 1] += start[k];
    for (u32 k = 0; k < n_ref; ++k) len[k] = 0;
    for (u32 p = 0; p < L; ++p) {
        u32 k = niche[last[p]];
        members[start[k] + len[k]++] = p;
    }
    Stream st;
    stream_init(st, seed, purpose, generation, 0);
    u32 picked = 0;
    while (picked < remaining) {
        // Open niches ascending, and the smallest count among them.
        u32 n_open = 0, min = 0xffffffffu;
        for (u32 k = 0; k < n_ref; ++k) {
            if (len[k] == 0) continue;
            if (count[k] < min) min = count[k];
            list[n_open++] = k;
        }
        if (n_open == 0) break; // Unreachable when remaining ≤ L (the host checks).
        u32 n_c = 0;
        for (u32 q = 0; q < n_open; ++q)
            if (count[list[q]] == min) list[n_c++] = list[q];
        shuffle_u32(st, list, n_c);
        if (n_c > remaining - picked) n_c = remaining - picked;
        for (u32 q = 0; q < n_c; ++q) {
            u32 k = list[q];
            u32 *mem = members + start[k];
            u32 at;
            if (count[k] == 0) {
                at = 0;
                for (u32 a = 1; a < len[k]; ++a)
                    if (total_key(dist[last[mem[a]]]) < total_key(dist[last[mem[at]]])) at = a;
            } else {
                at = (u32)below(st, len[k]);
            }
            u32 p = mem[at];
            for (u32 a = at + 1; a < len[k]; ++a) mem[a - 1] = mem[a];
            len[k] -= 1;
            chosen[picked++] = last[p];
            count[k] += 1;
        }
    }
}

// rank: n front ranks (< n). Writes chosen (the rows of the fronts that fit, up to n_keep),
// last (the rows of the first front that does not fit, or none), counts[0] = |chosen|,
// counts[1] = |last|. scratch: n + 1 words.
extern "C" __global__ void nsga3_split_u32(const u32 *rank, u32 n, u32 n_keep, u32 *chosen, u32 *last,
                                           u32 *counts, u32 *scratch) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    u32 *hist = scratch;
    for (u32 r = 0; r <= n; ++r) hist[r] = 0;
    for (u32 i = 0; i < n; ++i) hist[rank[i]] += 1;
    u32 taken = 0, cut = n; // fronts 0..cut fit; front `cut` overflows (cut = n: none does)
    for (u32 r = 0; r < n && hist[r] > 0; ++r) {
        if (taken + hist[r] <= n_keep) {
            taken += hist[r];
            if (taken == n_keep) {
                cut = r + 1;
                break;
            }
        } else {
            cut = r;
            break;
        }
        cut = r + 1;
    }
    // Rows of the kept fronts by counting sort on the rank (stable: rows ascending).
    u32 at = 0;
    for (u32 r = 0; r < cut; ++r) {
        u32 c = hist[r];
        hist[r] = at;
        at += c;
    }
    u32 n_last = 0;
    bool overflow = cut < n && taken < n_keep;
    for (u32 i = 0; i < n; ++i) {
        u32 r = rank[i];
        if (r < cut) chosen[hist[r]++] = i;
        else if (overflow && r == cut) last[n_last++] = i;
    }
    counts[0] = taken;
    counts[1] = n_last;
}

// count[niche[chosen[q]]] += 1 for q < n_chosen (count zeroed first, n_ref entries).
extern "C" __global__ void nsga3_count_u32(const u32 *chosen, u32 n_chosen, const u32 *niche, u32 n_ref,
                                           u32 *count) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    for (u32 k = 0; k < n_ref; ++k) count[k] = 0;
    for (u32 q = 0; q < n_chosen; ++q) count[niche[chosen[q]]] += 1;
}
