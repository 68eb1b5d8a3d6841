// Runs the selection kernels (kernels/nsga3.cu, rvea_adapt.cu, survival.cu) on the CPU through
// block_shim.h, for tests/cuda_emulation_evo_survival.rs. Block-synchronous kernels run with
// real threads per block (the thread count is part of the command); the others one thread at
// a time with the host code's 256-thread blocks.
//
// stdin, whitespace-separated; floats as hexadecimal bit patterns, integers in hexadecimal;
// output likewise, one line:
//   normalise <T> <n> <m> <n_ext> <n*m sel> <n cv> <n rank> <m ideal> <m worst> <n_ext*m extremes>
//       (prints nfeas, m ideal, m worst, m*m extremes, m nadir)
//   associate <n> <m> <n_ref> <n*m sel> <n_ref*m units> <m ideal> <m nadir>  (n niches, n dists)
//   niching <L> <n> <n_ref> <remaining> <seed> <purpose> <generation> <L last> <n niche>
//       <n dist> <n_ref count>   (prints remaining chosen rows, then n_ref counts)
//   adapt <n_vec> <m> <n_vec*m v0> <m ideal> <m nadir> <n_vec*m v>   (prints n_vec*m v)
//   gamma <n_vec> <m> <n_vec*m v> <tiling>   (tiling: see tiles_emu.h; prints n_vec gammas)
//   perms <seed> <purpose> <generation> <n> <n_perm>   (prints n_perm*n indices)
//   perms_redraw <seed> <purpose> <generation> <n> <n_perm>   (the same, every permutation
//       through the sequential path of a rejected draw)
//   tournament <n> <n_pairs> <seed> <purpose> <generation> <4*n_pairs draws> <n cv> <n rank>
//       <n crowd>   (prints n_pairs a, n_pairs b)
//   gather <n_a> <n_b> <cols> <n_idx> <n_a*cols a> <n_b*cols b> <n_idx idx>
//   ideal <T> <n> <m> <n*m sel> <n cv> <m ideal>   (prints m ideal)
//   colmax <T> <n> <m> <n*m f>   (prints m maxima)
//   compact <n_vec> <n_vec best>   (prints count, then count rows)
//   split <n> <n_keep> <n rank>   (prints |chosen|, |last|, chosen rows, last rows)
//   count <n_chosen> <n> <n_ref> <n_chosen chosen> <n niche>   (prints n_ref counts)
//   nsga2 <n> <n_keep> <m> <n*m f> <n rank>   (the four nsga2 kernels in a row; prints the
//       number kept, then keep, rank and crowding of each survivor)
#include "block_shim.h"

#include "../nsga2.cu"
#include "../nsga3.cu"
#include "../rvea_adapt.cu"
#include "tiles_emu.h"
#include "../survival.cu"

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

static const unsigned BLOCK = 256;
static unsigned blocks_for(unsigned long long items) {
    unsigned long long b = (items + BLOCK - 1) / BLOCK;
    return b == 0 ? 1 : (unsigned)b;
}
// The host's chain kernels for permutations of at least PERM_CHAIN_MIN entries
// (src/backend/cuda/survival.rs, follow_swap_chains), same launches in the same order.
static void perm_chains(unsigned n, unsigned n_perm, std::vector<unsigned> &targets,
                        std::vector<unsigned> &rejected, std::vector<unsigned> &out) {
    unsigned long long len = (unsigned long long)n * n_perm, steps = (unsigned long long)(n - 1) * n_perm;
    unsigned ranges = (unsigned)((len + 63) / 64);
    if (ranges < 1) ranges = 1;
    if (ranges > 1024) ranges = 1024;
    std::vector<unsigned> counts(len + 1, 0u), offsets(len + 1, 0u), fill(len + 1, 0u), bucket(len + 1, 0u),
        sums(ranges + 1, 0u);
    emu_launch_serial(blocks_for(steps), BLOCK,
                      [&] { perm_count_u32(targets.data(), rejected.data(), n, n_perm, counts.data()); });
    emu_launch_serial(blocks_for(ranges), BLOCK,
                      [&] { range_sums_u32(counts.data(), (unsigned)len, ranges, sums.data()); });
    emu_launch_serial(1, 1, [&] { range_offsets_u32(sums.data(), ranges); });
    emu_launch_serial(blocks_for(ranges), BLOCK, [&] {
        prefix_offsets_u32(counts.data(), (unsigned)len, ranges, sums.data(), offsets.data());
    });
    // Scatter from the last step to the first: the device's atomics may fill a bucket in any
    // order, and the sort must make that irrelevant.
    gridDim = {blocks_for(steps), 1, 1};
    blockDim = {BLOCK, 1, 1};
    for (unsigned b = blocks_for(steps); b-- > 0;)
        for (unsigned t = BLOCK; t-- > 0;) {
            blockIdx = {b, 0, 0};
            threadIdx = {t, 0, 0};
            perm_scatter_u32(targets.data(), rejected.data(), n, n_perm, offsets.data(), fill.data(),
                             bucket.data());
        }
    emu_launch_serial(blocks_for(len), BLOCK,
                      [&] { perm_sort_buckets_u32(counts.data(), offsets.data(), len, bucket.data()); });
    emu_launch_serial(blocks_for(len), BLOCK, [&] {
        perm_follow_u32(targets.data(), rejected.data(), counts.data(), offsets.data(), bucket.data(), n,
                        n_perm, out.data());
    });
}

static unsigned long long rd() {
    unsigned long long v;
    std::cin >> std::hex >> v;
    return v;
}
static std::vector<double> rd_f64(size_t n) {
    std::vector<double> v(n + 1);
    for (size_t i = 0; i < n; ++i) {
        unsigned long long b = rd();
        std::memcpy(&v[i], &b, 8);
    }
    return v;
}
static std::vector<unsigned> rd_u32(size_t n) {
    std::vector<unsigned> v(n + 1);
    for (size_t i = 0; i < n; ++i) v[i] = (unsigned)rd();
    return v;
}
static void pr_f64(const std::vector<double> &v, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        unsigned long long b;
        std::memcpy(&b, &v[i], 8);
        std::printf("%llx ", b);
    }
}
static void pr_u32(const std::vector<unsigned> &v, size_t n) {
    for (size_t i = 0; i < n; ++i) std::printf("%x ", v[i]);
}

int main() {
    std::string cmd;
    std::cin >> cmd;
    if (cmd == "normalise") {
        unsigned T = rd(), n = rd(), m = rd(), n_ext = rd();
        auto sel = rd_f64((size_t)n * m), cv = rd_f64(n);
        auto rank = rd_u32(n);
        auto ideal = rd_f64(m), worst = rd_f64(m);
        std::vector<double> ext((size_t)m * m + 1);
        for (size_t i = 0; i < (size_t)n_ext * m; ++i) {
            unsigned long long b = rd();
            std::memcpy(&ext[i], &b, 8);
        }
        std::vector<double> nadir(m + 1), scratch((size_t)4 * T * m + 2 * m * (m + 1) + m * m + 1);
        std::vector<unsigned long long> keys((size_t)T * m + 1);
        std::vector<unsigned> nfeas(T + 1);
        emu_launch_threads(1, T, [&] {
            nsga3_normalise_f64(sel.data(), cv.data(), rank.data(), n, m, ideal.data(), worst.data(),
                                ext.data(), n_ext, nadir.data(), scratch.data(), keys.data(), nfeas.data());
        });
        pr_u32(nfeas, 1);
        pr_f64(ideal, m);
        pr_f64(worst, m);
        pr_f64(ext, (size_t)m * m);
        pr_f64(nadir, m);
    } else if (cmd == "associate") {
        unsigned n = rd(), m = rd(), n_ref = rd();
        auto sel = rd_f64((size_t)n * m), units = rd_f64((size_t)n_ref * m), ideal = rd_f64(m),
             nadir = rd_f64(m);
        std::vector<unsigned> niche(n + 1);
        std::vector<double> dist(n + 1);
        emu_launch_serial(blocks_for(n), BLOCK, [&] {
            nsga3_associate_f64(sel.data(), n, m, units.data(), n_ref, ideal.data(), nadir.data(),
                                niche.data(), dist.data());
        });
        pr_u32(niche, n);
        pr_f64(dist, n);
    } else if (cmd == "niching") {
        unsigned L = rd(), n = rd(), n_ref = rd(), remaining = rd();
        unsigned long long seed = rd(), purpose = rd(), gen = rd();
        auto last = rd_u32(L), niche = rd_u32(n);
        auto dist = rd_f64(n);
        auto count = rd_u32(n_ref);
        std::vector<unsigned> chosen(remaining + 1), scratch((size_t)3 * n_ref + 1 + L + 1);
        emu_launch_serial(1, 1, [&] {
            nsga3_niching_u32(last.data(), L, niche.data(), dist.data(), count.data(), n_ref, remaining,
                              seed, purpose, gen, chosen.data(), 0, scratch.data());
        });
        pr_u32(chosen, remaining);
        pr_u32(count, n_ref);
    } else if (cmd == "adapt") {
        unsigned nv = rd(), m = rd();
        auto v0 = rd_f64((size_t)nv * m), ideal = rd_f64(m), nadir = rd_f64(m), v = rd_f64((size_t)nv * m);
        emu_launch_serial(blocks_for(nv), BLOCK,
                          [&] { rvea_adapt_f64(v0.data(), nv, m, ideal.data(), nadir.data(), v.data()); });
        pr_f64(v, (size_t)nv * m);
    } else if (cmd == "gamma") {
        unsigned nv = rd(), m = rd();
        auto v = rd_f64((size_t)nv * m);
        EmuTiles tiles;
        tiles.read(nv, m);
        tiles.bounds(v.data(), [](unsigned items, auto kernel) { emu_launch_serial(blocks_for(items), BLOCK, kernel); });
        std::vector<double> gamma(nv + 1);
        emu_launch_serial(blocks_for(nv), BLOCK, [&] {
            rvea_gamma_f64(v.data(), nv, m, tiles.order.data(), tiles.tile_start.data(), tiles.group_tile.data(),
                           tiles.tile_c.data(), tiles.tile_r.data(), tiles.group_c.data(), tiles.group_r.data(),
                           tiles.n_tiles, tiles.n_groups, gamma.data());
        });
        pr_f64(gamma, nv);
    } else if (cmd == "perms_redraw") {
        // permutations_u32's sequential path, as after a rejected draw.
        unsigned long long seed = rd(), purpose = rd(), gen = rd();
        unsigned n = rd(), n_perm = rd();
        std::vector<unsigned> out((size_t)n * n_perm + 1), targets((size_t)n * n_perm + 1, 0u),
            rejected(n_perm + 1, 1u);
        emu_launch_threads(n_perm, 32, [&] {
            permutations_u32(seed, purpose, gen, n, n_perm, targets.data(), rejected.data(), out.data());
        });
        pr_u32(out, (size_t)n * n_perm);
    } else if (cmd == "perms") {
        unsigned long long seed = rd(), purpose = rd(), gen = rd();
        unsigned n = rd(), n_perm = rd();
        std::vector<unsigned> out((size_t)n * n_perm + 1), targets((size_t)n * n_perm + 1),
            rejected(n_perm + 1, 0u);
        // As the host (src/backend/cuda/survival.rs): targets in parallel, then one block of
        // one thread per permutation.
        unsigned long long blocks8 = n >= 2 ? (unsigned long long)n_perm * ((n - 1 + 7) / 8) : 0;
        emu_launch_serial(blocks_for(blocks8), BLOCK, [&] {
            shuffle_targets_u32(seed, purpose, gen, n, n_perm, targets.data(), rejected.data());
        });
        if (n >= PERM_CHAIN_MIN) perm_chains(n, n_perm, targets, rejected, out);
        emu_launch_threads(n_perm, 32, [&] {
            permutations_u32(seed, purpose, gen, n, n_perm, targets.data(), rejected.data(), out.data());
        });
        pr_u32(out, (size_t)n * n_perm);
    } else if (cmd == "tournament") {
        unsigned n = rd(), np = rd();
        unsigned long long seed = rd(), purpose = rd(), gen = rd();
        auto draws = rd_u32((size_t)4 * np);
        auto cv = rd_f64(n);
        auto rank = rd_u32(n);
        auto crowd = rd_f64(n);
        std::vector<unsigned> a(np + 1), b(np + 1);
        emu_launch_serial(blocks_for(np), BLOCK, [&] {
            tournament_pairs_u32(draws.data(), cv.data(), rank.data(), crowd.data(), np, seed, purpose, gen,
                                 a.data(), b.data());
        });
        pr_u32(a, np);
        pr_u32(b, np);
    } else if (cmd == "gather") {
        unsigned na = rd(), nb = rd(), cols = rd(), ni = rd();
        auto a = rd_f64((size_t)na * cols), b = rd_f64((size_t)nb * cols);
        auto idx = rd_u32(ni);
        std::vector<double> out((size_t)ni * cols + 1);
        emu_launch_serial(blocks_for((unsigned long long)ni * cols), BLOCK, [&] {
            gather_rows_f64(a.data(), na, b.data(), idx.data(), ni, cols, out.data());
        });
        pr_f64(out, (size_t)ni * cols);
    } else if (cmd == "ideal") {
        unsigned T = rd(), n = rd(), m = rd();
        auto sel = rd_f64((size_t)n * m), cv = rd_f64(n), ideal = rd_f64(m);
        emu_launch_threads(1, T, [&] { rvea_ideal_f64(sel.data(), cv.data(), n, m, ideal.data()); });
        pr_f64(ideal, m);
    } else if (cmd == "colmax") {
        unsigned T = rd(), n = rd(), m = rd();
        auto f = rd_f64((size_t)n * m);
        std::vector<double> out(m + 1);
        emu_launch_threads(1, T, [&] { column_max_f64(f.data(), n, m, out.data()); });
        pr_f64(out, m);
    } else if (cmd == "compact") {
        unsigned nv = rd();
        auto best = rd_u32(nv);
        std::vector<unsigned> out(nv + 1), count(1);
        // 7 threads: ranges of uneven fill, some empty (the host launches 256).
        emu_launch_threads(1, 7, [&] { compact_u32(best.data(), nv, out.data(), count.data()); });
        pr_u32(count, 1);
        pr_u32(out, count[0]);
    } else if (cmd == "split") {
        unsigned n = rd(), keep = rd();
        auto rank = rd_u32(n);
        std::vector<unsigned> chosen(n + 1), last(n + 1), counts(2), scratch(n + 2);
        emu_launch_serial(1, 1, [&] {
            nsga3_split_u32(rank.data(), n, keep, chosen.data(), last.data(), counts.data(), scratch.data());
        });
        pr_u32(counts, 2);
        pr_u32(chosen, counts[0]);
        pr_u32(last, counts[1]);
    } else if (cmd == "count") {
        unsigned nc = rd(), n = rd(), n_ref = rd();
        auto chosen = rd_u32(nc), niche = rd_u32(n);
        std::vector<unsigned> count(n_ref + 1, 7);
        emu_launch_serial(1, 1, [&] { nsga3_count_u32(chosen.data(), nc, niche.data(), n_ref, count.data()); });
        pr_u32(count, n_ref);
    } else if (cmd == "nsga2") {
        unsigned n = rd(), keep = rd(), m = rd();
        auto f = rd_f64((size_t)n * m);
        auto rank = rd_u32(n);
        std::vector<unsigned> rows(n + 1), seg(n + 1), counts(2), scratch(n + 2), order((size_t)m * n + 1),
            place((size_t)m * n + 1), kept(keep + 1), rank_out(keep + 1);
        std::vector<double> d(n + 1), crowd_out(keep + 1);
        emu_launch_serial(1, 1, [&] {
            nsga2_split_u32(rank.data(), n, keep, rows.data(), seg.data(), counts.data(), scratch.data());
        });
        unsigned total = counts[0], whole = counts[1];
        emu_launch_serial(blocks_for((unsigned long long)total * m), BLOCK, [&] {
            crowding_segments_order_f64(f.data(), m, rows.data(), seg.data(), total, order.data(), place.data());
        });
        emu_launch_serial(blocks_for(total), BLOCK, [&] {
            crowding_segments_accumulate_f64(f.data(), m, rows.data(), seg.data(), total, order.data(),
                                             place.data(), d.data());
        });
        emu_launch_serial(blocks_for(total), BLOCK, [&] {
            nsga2_select_u32(rows.data(), d.data(), rank.data(), total, whole, keep, kept.data(), rank_out.data(),
                             crowd_out.data());
        });
        unsigned k = keep < total ? keep : total;
        std::printf("%x ", k);
        pr_u32(kept, k);
        pr_u32(rank_out, k);
        pr_f64(crowd_out, k);
    } else {
        std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
        return 2;
    }
    std::printf("\n");
    return 0;
}
