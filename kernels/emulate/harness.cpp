// Runs the kernels of kernels/*.cu on the CPU through cuda_host_shim.h, with the same launch
// shapes as src/backend/cuda/*.rs (256-thread blocks), for tests/cuda_emulation.rs.
//
// stdin, whitespace-separated; floats as hexadecimal bit patterns; output likewise, one line:
//   chacha <0 words | 1 f64 | 2 f32> <seed> <purpose hash> <generation> <first index> <n> <count>
//   ranks <64 | 32> <n> <m> <n*m values>
//   crowding <n> <m> <k> <n*m values> <k member indices>
//   math <exp|ln|pow|tanh|sin|cos> <64 | 32> <n> <input file> <output file>
//     (binary, native endianness: n arguments, for pow n x then n y; writes n results)
//   sbx <n> <n_var> <n_pairs> <seed> <purpose hash> <generation> <eta_c p_c p_var p_swap>
//       <n*n_var parents> <n_pairs a> <n_pairs b> <n_var lower> <n_var upper>
//   problem <dtlz | zdt> <number> <n> <n_var> <n_obj> <n*n_var x>
//   acos <n> <n values>
//   rvea <n> <m> <n_vec> <penalty> <n*m f> <m ideal> <n_vec*m v> <n_vec gamma> <tiling>
//       (tiling: see tiles_emu.h; prints n niche indices, then n APD values)
//   rvea_select <n> <n_vec> <n niche> <n apd> <n cv>   (prints n_vec survivor rows)
//   pm <n> <n_var> <seed> <purpose hash> <generation> <first index> <eta_m p_m>
//       <n*n_var x> <n_var lower> <n_var upper>
#include "cuda_host_shim.h"

#include "../chacha_uniform.cu"
#include "../crowding_distance.cu"
#include "../dominance_rank.cu"
#include "../math_eval.cu"
#include "../variation.cu"
#include "../problems.cu"
#include "../rvea.cu"
#include "tiles_emu.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

static const unsigned BLOCK = 256;
static unsigned blocks_for(unsigned long long items) {
    unsigned long long b = (items + BLOCK - 1) / BLOCK;
    return b == 0 ? 1 : (unsigned)b;
}

// Reads n (pow: 2n) values, runs the math_eval kernel of `fn` over them, writes n values.
template <typename T>
static bool run_math_t(const std::string &fn, unsigned n, const std::string &in, const std::string &out) {
    bool binary = fn == "pow";
    std::vector<T> x((size_t)n * (binary ? 2 : 1) + 1), r((size_t)n + 1);
    std::ifstream fin(in, std::ios::binary);
    fin.read(reinterpret_cast<char *>(x.data()), (std::streamsize)(sizeof(T) * (x.size() - 1)));
    if (!fin) return false;
    const bool wide = sizeof(T) == 8;
    const T *a = x.data();
    const T *b = x.data() + n;
    T *o = r.data();
    emu_launch(blocks_for(n), BLOCK, [&] {
        if (wide) {
            const double *da = (const double *)a, *db = (const double *)b;
            double *dout = (double *)o;
            if (fn == "exp") math_eval_exp_f64(da, dout, n);
            else if (fn == "ln") math_eval_ln_f64(da, dout, n);
            else if (fn == "pow") math_eval_pow_f64(da, db, dout, n);
            else if (fn == "tanh") math_eval_tanh_f64(da, dout, n);
            else if (fn == "sin") math_eval_sin_f64(da, dout, n);
            else if (fn == "cos") math_eval_cos_f64(da, dout, n);
        } else {
            const float *fa = (const float *)a, *fb = (const float *)b;
            float *fout = (float *)o;
            if (fn == "exp") math_eval_exp_f32(fa, fout, n);
            else if (fn == "ln") math_eval_ln_f32(fa, fout, n);
            else if (fn == "pow") math_eval_pow_f32(fa, fb, fout, n);
            else if (fn == "tanh") math_eval_tanh_f32(fa, fout, n);
            else if (fn == "sin") math_eval_sin_f32(fa, fout, n);
            else if (fn == "cos") math_eval_cos_f32(fa, fout, n);
        }
    });
    std::ofstream fout(out, std::ios::binary);
    fout.write(reinterpret_cast<const char *>(r.data()), (std::streamsize)(sizeof(T) * n));
    return (bool)fout;
}

static bool run_math(const std::string &fn, unsigned prec, unsigned n, const std::string &in,
                     const std::string &out) {
    return prec == 64 ? run_math_t<double>(fn, n, in, out) : run_math_t<float>(fn, n, in, out);
}

static double read_f64() {
    unsigned long long bits;
    std::cin >> std::hex >> bits >> std::dec;
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
}
static unsigned long long read_hex() {
    unsigned long long v;
    std::cin >> std::hex >> v >> std::dec;
    return v;
}
static void print_f64(const std::vector<double> &v, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        unsigned long long bits;
        std::memcpy(&bits, &v[i], 8);
        std::printf("%llx ", bits);
    }
}

int main() {
    std::string cmd;
    std::cin >> cmd;
    if (cmd == "chacha") {
        unsigned kind, n, count;
        unsigned long long seed, purpose, gen, first;
        std::cin >> kind >> std::hex >> seed >> purpose >> gen >> first >> std::dec >> n >> count;
        std::vector<unsigned long long> words(std::max(1ull, (unsigned long long)n * count));
        std::vector<double> f64(words.size());
        std::vector<float> f32(words.size());
        emu_launch(blocks_for(n), BLOCK, [&] {
            if (kind == 0) chacha_words_u64(words.data(), seed, purpose, gen, first, n, count);
            if (kind == 1) chacha_uniform_f64(f64.data(), seed, purpose, gen, first, n, count);
            if (kind == 2) chacha_uniform_f32(f32.data(), seed, purpose, gen, first, n, count);
        });
        for (unsigned long long i = 0; i < (unsigned long long)n * count; ++i) {
            unsigned long long bits = words[i];
            if (kind == 1) std::memcpy(&bits, &f64[i], 8);
            if (kind == 2) {
                unsigned b32;
                std::memcpy(&b32, &f32[i], 4);
                bits = b32;
            }
            std::printf("%llx ", bits);
        }
    } else if (cmd == "ranks") {
        unsigned prec, n, m;
        std::cin >> prec >> n >> m;
        std::vector<double> f64(n * m);
        std::vector<float> f32(n * m);
        for (unsigned i = 0; i < n * m; ++i) {
            unsigned long long bits;
            std::cin >> std::hex >> bits >> std::dec;
            if (prec == 64) std::memcpy(&f64[i], &bits, 8);
            else {
                unsigned b32 = (unsigned)bits;
                std::memcpy(&f32[i], &b32, 4);
            }
        }
        unsigned words = (n + 31) / 32;
        std::vector<unsigned> dom_by((size_t)n * words + 1, 0), count(n + 1, 0), front(words + 1, 0),
            rank(n + 1, 0xffffffffu);
        emu_launch(blocks_for((unsigned long long)n * words), BLOCK, [&] {
            if (prec == 64) dominance_matrix_f64(f64.data(), n, m, dom_by.data(), count.data());
            else dominance_matrix_f32(f32.data(), n, m, dom_by.data(), count.data());
        });
        emu_launch(1, 1, [&] { dominance_peel_u32(dom_by.data(), count.data(), n, front.data(), rank.data()); });
        for (unsigned j = 0; j < n; ++j) std::printf("%x ", rank[j]);
    } else if (cmd == "crowding") {
        unsigned n, m, k;
        std::cin >> n >> m >> k;
        std::vector<double> f(n * m);
        for (auto &v : f) {
            unsigned long long bits;
            std::cin >> std::hex >> bits >> std::dec;
            std::memcpy(&v, &bits, 8);
        }
        std::vector<unsigned> members(k);
        for (auto &p : members) std::cin >> p;
        std::vector<unsigned> order((size_t)k * m + 1), place((size_t)k * m + 1);
        std::vector<double> d(k + 1);
        if (k > 2)
            emu_launch(blocks_for((unsigned long long)k * m), BLOCK,
                       [&] { crowding_order_f64(f.data(), m, members.data(), k, order.data(), place.data()); });
        emu_launch(blocks_for(k), BLOCK, [&] {
            crowding_accumulate_f64(f.data(), m, members.data(), k, order.data(), place.data(), d.data());
        });
        for (unsigned p = 0; p < k; ++p) {
            unsigned long long bits;
            std::memcpy(&bits, &d[p], 8);
            std::printf("%llx ", bits);
        }
    } else if (cmd == "math") {
        std::string fn, in, out;
        unsigned prec, n;
        std::cin >> fn >> prec >> n >> in >> out;
        if (!run_math(fn, prec, n, in, out)) return 2;
    } else if (cmd == "sbx") {
        unsigned n, nv, np;
        std::cin >> n >> nv >> np;
        unsigned long long seed = read_hex(), purpose = read_hex(), gen = read_hex();
        double eta = read_f64(), pc = read_f64(), pv = read_f64(), ps = read_f64();
        std::vector<double> par((size_t)n * nv + 1), lo(nv + 1), hi(nv + 1), out((size_t)2 * np * nv + 1);
        std::vector<unsigned> pa(np + 1), pb(np + 1);
        for (size_t i = 0; i < (size_t)n * nv; ++i) par[i] = read_f64();
        for (unsigned k = 0; k < np; ++k) std::cin >> pa[k];
        for (unsigned k = 0; k < np; ++k) std::cin >> pb[k];
        for (unsigned j = 0; j < nv; ++j) lo[j] = read_f64();
        for (unsigned j = 0; j < nv; ++j) hi[j] = read_f64();
        emu_launch(blocks_for((unsigned long long)np * ((nv + VAR_CHUNK - 1) / VAR_CHUNK)), BLOCK, [&] {
            sbx_f64(par.data(), pa.data(), pb.data(), np, nv, lo.data(), hi.data(), eta, pc, pv, ps, seed,
                    purpose, gen, out.data());
        });
        print_f64(out, (size_t)2 * np * nv);
    } else if (cmd == "problem") {
        std::string fam;
        unsigned number, n, nv, m;
        std::cin >> fam >> number >> n >> nv >> m;
        std::vector<double> x((size_t)n * nv + 1), f((size_t)n * m + 1);
        for (size_t i = 0; i < (size_t)n * nv; ++i) x[i] = read_f64();
        // As the host (src/backend/cuda/problems.rs): long DTLZ1/DTLZ3 rows take their
        // Rastrigin terms from a separate launch.
        unsigned k = fam == "dtlz" ? nv - (m - 1) : 0;
        bool split = fam == "dtlz" && (number == 1 || number == 3) && k >= DTLZ_TERMS_MIN_K;
        std::vector<double> terms(split ? (size_t)n * k : 1);
        if (split)
            emu_launch(blocks_for((unsigned long long)n * k), BLOCK, [&] {
                dtlz_rastrigin_terms_f64(x.data(), n, nv, m, terms.data());
            });
        emu_launch(blocks_for(n), BLOCK, [&] {
            if (fam == "dtlz") dtlz_f64(x.data(), n, nv, m, number, split ? terms.data() : nullptr, f.data());
            else zdt_f64(x.data(), n, nv, number, f.data());
        });
        print_f64(f, (size_t)n * m);
    } else if (cmd == "acos") {
        unsigned n;
        std::cin >> n;
        std::vector<double> x(n + 1), r(n + 1);
        for (unsigned i = 0; i < n; ++i) x[i] = read_f64();
        emu_launch(blocks_for(n), BLOCK, [&] { acos_eval_f64(x.data(), r.data(), n); });
        print_f64(r, n);
    } else if (cmd == "rvea") {
        unsigned n, m, nv;
        std::cin >> n >> m >> nv;
        double penalty = read_f64();
        std::vector<double> f((size_t)n * m + 1), ideal(m + 1), v((size_t)nv * m + 1), gamma(nv + 1), apd(n + 1);
        std::vector<unsigned> niche(n + 1);
        for (size_t i = 0; i < (size_t)n * m; ++i) f[i] = read_f64();
        for (unsigned j = 0; j < m; ++j) ideal[j] = read_f64();
        for (size_t i = 0; i < (size_t)nv * m; ++i) v[i] = read_f64();
        for (unsigned k = 0; k < nv; ++k) gamma[k] = read_f64();
        EmuTiles tiles;
        tiles.read(nv, m);
        auto launch = [](unsigned items, auto kernel) { emu_launch(blocks_for(items), BLOCK, kernel); };
        tiles.bounds(v.data(), launch);
        // As the host (src/backend/cuda/rvea.rs, rvea_associate): seed tiles, the rows
        // bucketed by seed tile, the tiled search, the APD. The bucket order is reversed
        // before the search: the atomics may leave it in any order, and each row's answer
        // must not depend on which thread searches it.
        std::vector<unsigned> key(n + 1), counts(tiles.n_tiles + 1), fill(tiles.n_tiles + 1),
            offsets(tiles.n_tiles + 1), rows(n + 1);
#define EMU_TILE_ARGS                                                                              \
    v.data(), tiles.order.data(), tiles.tile_start.data(), tiles.group_tile.data(),                \
        tiles.tile_c.data(), tiles.tile_r.data(), tiles.group_c.data(), tiles.group_r.data(),      \
        tiles.n_tiles, tiles.n_groups
        emu_launch(blocks_for(n), BLOCK,
                   [&] { rvea_seed_u32(f.data(), ideal.data(), n, m, EMU_TILE_ARGS, key.data()); });
        emu_launch(blocks_for(n), BLOCK,
                   [&] { rvea_niche_count_u32(key.data(), n, tiles.n_tiles, counts.data()); });
        for (unsigned t = 0, run = 0; t < tiles.n_tiles; ++t) {
            offsets[t] = run;
            run += counts[t];
        }
        emu_launch(blocks_for(n), BLOCK, [&] {
            rvea_niche_scatter_u32(key.data(), n, tiles.n_tiles, offsets.data(), fill.data(), rows.data());
        });
        std::reverse(rows.begin(), rows.begin() + n);
        emu_launch(blocks_for(n), BLOCK, [&] {
            rvea_nearest_f64(f.data(), ideal.data(), n, m, EMU_TILE_ARGS, key.data(), rows.data(), niche.data());
        });
#undef EMU_TILE_ARGS
        emu_launch(blocks_for(n), BLOCK, [&] {
            rvea_apd_f64(f.data(), ideal.data(), v.data(), gamma.data(), penalty, n, m, niche.data(), apd.data());
        });
        for (unsigned i = 0; i < n; ++i) std::printf("%x ", niche[i]);
        print_f64(apd, n);
    } else if (cmd == "rvea_select") {
        unsigned n, nv;
        std::cin >> n >> nv;
        std::vector<unsigned> niche(n + 1), best(nv + 1);
        std::vector<double> apd(n + 1), cv(n + 1);
        for (unsigned i = 0; i < n; ++i) std::cin >> niche[i];
        for (unsigned i = 0; i < n; ++i) apd[i] = read_f64();
        for (unsigned i = 0; i < n; ++i) cv[i] = read_f64();
        // As the host (src/backend/cuda/rvea.rs, rvea_select_device), and once more with every
        // bucket reversed: the atomics of the scatter may leave a bucket in any order, and the
        // result must not depend on it (a mismatch prints "order-dependent").
        unsigned ranges = (nv + 63) / 64;
        if (ranges < 1) ranges = 1;
        if (ranges > 1024) ranges = 1024;
        std::vector<unsigned> counts(nv + 1, 0u), offsets(nv + 1, 0u), fill(nv + 1, 0u), sums(ranges + 1, 0u),
            bucket(n + 1), best2(nv + 1);
        emu_launch(blocks_for(n), BLOCK, [&] { rvea_niche_count_u32(niche.data(), n, nv, counts.data()); });
        emu_launch(blocks_for(ranges), BLOCK, [&] { range_sums_u32(counts.data(), nv, ranges, sums.data()); });
        emu_launch(1, 1, [&] { range_offsets_u32(sums.data(), ranges); });
        emu_launch(blocks_for(ranges), BLOCK,
                   [&] { prefix_offsets_u32(counts.data(), nv, ranges, sums.data(), offsets.data()); });
        emu_launch(blocks_for(n), BLOCK, [&] {
            rvea_niche_scatter_u32(niche.data(), n, nv, offsets.data(), fill.data(), bucket.data());
        });
        emu_launch(blocks_for(nv), BLOCK, [&] {
            rvea_select_f64(bucket.data(), offsets.data(), counts.data(), apd.data(), cv.data(), nv, best.data());
        });
        for (unsigned k = 0; k < nv; ++k)
            std::reverse(bucket.begin() + offsets[k], bucket.begin() + offsets[k] + counts[k]);
        emu_launch(blocks_for(nv), BLOCK, [&] {
            rvea_select_f64(bucket.data(), offsets.data(), counts.data(), apd.data(), cv.data(), nv, best2.data());
        });
        if (best != best2) std::printf("order-dependent ");
        for (unsigned k = 0; k < nv; ++k) std::printf("%x ", best[k]);
    } else if (cmd == "pm") {
        unsigned n, nv;
        std::cin >> n >> nv;
        unsigned long long seed = read_hex(), purpose = read_hex(), gen = read_hex(), first = read_hex();
        double eta = read_f64(), pm = read_f64();
        std::vector<double> x((size_t)n * nv + 1), lo(nv + 1), hi(nv + 1);
        for (size_t i = 0; i < (size_t)n * nv; ++i) x[i] = read_f64();
        for (unsigned j = 0; j < nv; ++j) lo[j] = read_f64();
        for (unsigned j = 0; j < nv; ++j) hi[j] = read_f64();
        emu_launch(blocks_for((unsigned long long)n * ((nv + VAR_CHUNK - 1) / VAR_CHUNK)), BLOCK, [&] {
            polynomial_mutation_f64(x.data(), n, nv, lo.data(), hi.data(), eta, pm, seed, purpose, gen, first);
        });
        print_f64(x, (size_t)n * nv);
    } else {
        std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
        return 2;
    }
    std::printf("\n");
    return 0;
}
