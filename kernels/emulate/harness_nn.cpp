// Runs the population NN kernels (kernels/mlp_population.cu, kernels/adam.cu) on the CPU
// through block_shim.h (real threads inside a block for the gradient kernel, which
// synchronises; the others one thread at a time), with the launch shapes of src/backend/cuda/{mlp,adam}.rs
// (256-thread blocks), for tests/cuda_emulation_nn.rs. A separate executable from
// harness.cpp so that the NN kernels' tests do not rebuild (or depend on) the others.
//
// One command per run on stdin; arrays travel as raw native-endian files, scalars as decimal
// integers or hexadecimal bit patterns (floats):
//   jets <64|32> <n> <members> <n_threads> <plan_len> <plan> <genomes> <x> <out>
//   values <64|32> <n> <members> <width> <stride> <blocks> <plan_len> <plan> <padded genomes> <x> <out>
//        (mlp_values_w<width>_*, with the launch of DeviceValues::evaluate: VALUES_BLOCK-thread
//        blocks, one member per block)
//   loss|points <64|32> <n> <members> <chunk> <lanes> <block> <shared_work 0|1|2> <inv_n bits> <nu bits> <plan_len> <plan>
//        <genomes> <x> <aux> <extra> <out>      (out: loss[P], grad[P*np], grad_extra[P*ne])
//   fused 32 <n> <members> <chunk> <lanes> <grid> <unused> <inv_n bits> <nu bits> <plan_len> <plan>
//        <genomes> <x> <aux> <extra> <out>      (mlp_loss_fused_w20_f32 on `grid` blocks of
//        FUSED_BLOCK threads, then the fold; out as for loss)
//   adam <64|32> <n_params> <members> <mode> <b1 b2 c1 c2 eps wd decay bits>
//        <params> <grad> <m> <v> <step> <bc2s> <out>   (out: params, m, v)
//   ode 64 <members> <n_ints> <n_reals> <n_tab> <n_plan> <y0_len> <p_len> <n_out> <ints> <reals>
//        <tab> <plan> <y0> <params> <t_eval> <out>    (out: y (f64), status (u32), counts (3 u32), fstats (3 f64))
#include "block_shim.h"

#include "../adam.cu"
#include "../mlp_loss_fused.cu"
#include "../mlp_population.cu"
#include "../mlp_values.cu"
#include "../rk_step.cu"

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

template <typename T> static std::vector<T> read_file(const std::string &path, size_t n) {
    std::vector<T> v(n + 1);
    std::ifstream f(path, std::ios::binary);
    f.read(reinterpret_cast<char *>(v.data()), (std::streamsize)(sizeof(T) * n));
    if (!f) {
        std::fprintf(stderr, "short read of %s (%zu values)\n", path.c_str(), n);
        std::exit(2);
    }
    return v;
}
template <typename T> static void write_file(std::ofstream &f, const std::vector<T> &v, size_t n) {
    f.write(reinterpret_cast<const char *>(v.data()), (std::streamsize)(sizeof(T) * n));
}
template <typename T> static T read_bits() {
    unsigned long long b;
    std::cin >> std::hex >> b >> std::dec;
    T v;
    if (sizeof(T) == 8) std::memcpy(&v, &b, 8);
    else {
        unsigned b32 = (unsigned)b;
        std::memcpy(&v, &b32, 4);
    }
    return v;
}

template <typename T> static int jets() {
    unsigned n, members, n_threads, plan_len;
    std::string pf, gf, xf, of;
    std::cin >> n >> members >> n_threads >> plan_len >> pf >> gf >> xf >> of;
    auto plan = read_file<unsigned>(pf, plan_len);
    const unsigned *pl = plan.data();
    size_t np = pl[PL_N_PARAMS], width = (size_t)pl[PL_N_OUT] * pl[PL_C];
    auto g = read_file<T>(gf, np * members);
    auto x = read_file<T>(xf, (size_t)n * pl[PL_N_IN]);
    std::vector<T> out((size_t)members * n * width + 1), scratch((size_t)pl[PL_JET_SLOTS] * n_threads + 1);
    emu_launch_serial(blocks_for(n_threads), BLOCK, [&] {
        if (sizeof(T) == 8)
            mlp_jets_f64(pl, (const double *)g.data(), (const double *)x.data(), n, members, (double *)out.data(),
                         (double *)scratch.data(), n_threads);
        else
            mlp_jets_f32(pl, (const float *)g.data(), (const float *)x.data(), n, members, (float *)out.data(),
                         (float *)scratch.data(), n_threads);
    });
    std::ofstream f(of, std::ios::binary);
    write_file(f, out, (size_t)members * n * width);
    return f ? 0 : 2;
}

// The instantiations of kernels/mlp_values.cu by width (and its points per thread R).
template <typename T> static bool run_values(unsigned width, unsigned blocks, const unsigned *pl, const T *g,
                                             unsigned stride, const T *x, unsigned n, unsigned members, T *out) {
    const bool wide = sizeof(T) == 8;
    const double *gd = (const double *)g, *xd = (const double *)x;
    const float *gf = (const float *)g, *xf = (const float *)x;
    double *od = (double *)out;
    float *of = (float *)out;
    auto go = [&](auto kernel) { emu_launch_serial(blocks, VALUES_BLOCK, kernel); };
    switch (width) {
    case 8: wide ? go([&] { mlp_values_w8_f64(pl, gd, stride, xd, n, members, od); })
                 : go([&] { mlp_values_w8_f32(pl, gf, stride, xf, n, members, of); }); break;
    case 16: wide ? go([&] { mlp_values_w16_f64(pl, gd, stride, xd, n, members, od); })
                  : go([&] { mlp_values_w16_f32(pl, gf, stride, xf, n, members, of); }); break;
    case 20: wide ? go([&] { mlp_values_w20_f64(pl, gd, stride, xd, n, members, od); })
                  : go([&] { mlp_values_w20_f32(pl, gf, stride, xf, n, members, of); }); break;
    case 32: wide ? go([&] { mlp_values_w32_f64(pl, gd, stride, xd, n, members, od); })
                  : go([&] { mlp_values_w32_f32(pl, gf, stride, xf, n, members, of); }); break;
    default: return false;
    }
    return true;
}

template <typename T> static int values() {
    unsigned n, members, width, stride, blocks, plan_len;
    std::string pf, gf, xf, of;
    std::cin >> n >> members >> width >> stride >> blocks >> plan_len >> pf >> gf >> xf >> of;
    auto plan = read_file<unsigned>(pf, plan_len);
    const unsigned *pl = plan.data();
    auto g = read_file<T>(gf, (size_t)stride * members);
    auto x = read_file<T>(xf, (size_t)n * pl[PL_N_IN]);
    size_t len = (size_t)members * n * pl[PL_N_OUT];
    std::vector<T> out(len + 1);
    if (!run_values<T>(width, blocks, pl, g.data(), stride, x.data(), n, members, out.data())) return 2;
    std::ofstream f(of, std::ios::binary);
    write_file(f, out, len);
    return f ? 0 : 2;
}

// The arguments and arrays of a loss command (loss, points, fused), the lanes' working
// memory, and the fold and output every loss kernel shares. `block` is the command's
// threads per lane (loss, points) or grid (fused); `mode` its shared_work (unused by fused).
template <typename T> struct LossRun {
    unsigned n, members, chunk, lanes, block, mode, plan_len;
    T inv_n, nu;
    std::string of;
    std::vector<unsigned> plan;
    const unsigned *pl;
    size_t np, ne;
    unsigned long long threads;
    std::vector<T> g, x, aux, extra, work, l, gr, ge;

    LossRun() {
        std::cin >> n >> members >> chunk >> lanes >> block >> mode;
        inv_n = read_bits<T>();
        nu = read_bits<T>();
        std::string pf, gf, xf, af, ef;
        std::cin >> plan_len >> pf >> gf >> xf >> af >> ef >> of;
        plan = read_file<unsigned>(pf, plan_len);
        pl = plan.data();
        np = pl[PL_N_PARAMS];
        ne = pl[PL_N_EXTRA];
        g = read_file<T>(gf, np * members);
        x = read_file<T>(xf, (size_t)n * pl[PL_N_IN]);
        // Given adjoints are per member (P x N rows), the other losses' data shared (N rows).
        size_t aux_rows = pl[PL_LOSS] == LOSS_ADJOINTS ? (size_t)n * members : n;
        aux = read_file<T>(af, aux_rows * pl[PL_AUX_WIDTH]);
        extra = read_file<T>(ef, ne * members);
        threads = (unsigned long long)members * ((n + chunk - 1) / chunk) * lanes;
        work.assign((size_t)(pl[PL_LOSS_SLOTS] * threads) + 1, T(0));
        l.assign(members + 1, T(0));
        gr.assign(np * members + 1, T(0));
        ge.assign(ne * members + 1, T(0));
    }

    // mlp_loss_fold_* over the lanes' accumulators, then loss, grad and extra to `of`.
    int fold_and_write() {
        emu_launch_serial(blocks_for((unsigned long long)members * (np + ne + 1)), BLOCK, [&] {
            if (sizeof(T) == 8)
                mlp_loss_fold_f64(pl, n, members, chunk, lanes, (const double *)work.data(), (double *)l.data(),
                                  (double *)gr.data(), (double *)ge.data());
            else
                mlp_loss_fold_f32(pl, n, members, chunk, lanes, (const float *)work.data(), (float *)l.data(),
                                  (float *)gr.data(), (float *)ge.data());
        });
        std::ofstream f(of, std::ios::binary);
        write_file(f, l, members);
        write_file(f, gr, np * members);
        write_file(f, ge, ne * members);
        return f ? 0 : 2;
    }
};

// fused: mlp_loss_fused_w20_f32 (f32 only) on `grid` blocks, each striding over the
// (member, chunk) items.
static int fused() {
    LossRun<float> r;
    const unsigned *pl = r.pl;
    const size_t L = pl[PL_LAYERS], grid = r.block;
    size_t smem = fused_genome_at() + ((r.np + 3) & ~(size_t)3) + (L - 2) * 400 + 3 * FUSED_BLOCK;
    if (smem * sizeof(float) > sizeof(fused_smem)) {
        std::fprintf(stderr, "the network exceeds the emulated shared memory\n");
        return 2;
    }
    std::vector<Vec4> scratch(grid * (L - 1) * 20 * FUSED_BLOCK);
    emu_launch_threads((unsigned)grid, FUSED_BLOCK, [&] {
        mlp_loss_fused_w20_f32(pl, r.g.data(), r.x.data(), r.aux.data(), r.extra.data(), r.n, r.members,
                               r.chunk, r.inv_n, r.nu, r.work.data(), scratch.data());
    });
    return r.fold_and_write();
}

// points: the point-parallel kernel (mlp_loss_points_*; `block` threads per lane, one point
// each, `shared_work` ignored) instead of mlp_loss_partial_*.
template <typename T> static int loss(bool points) {
    LossRun<T> r;
    const unsigned *pl = r.pl;
    const unsigned block = r.block, shared_work = r.mode, n = r.n, members = r.members;
    const unsigned chunk = r.chunk, lanes = r.lanes;
    const T inv_n = r.inv_n, nu = r.nu;
    size_t in_shared = shared_work == 2 ? pl[PL_LOSS_SLOTS] : shared_work == 1 ? pl[PL_GACC] : 0;
    if (points) in_shared = (size_t)block * (2 * pl[PL_MAX_WIDTH] * pl[PL_C] + 3);
    if (in_shared * sizeof(T) > sizeof(mlp_lane_smem)) {
        std::fprintf(stderr, "working slots exceed the emulated shared memory\n");
        return 2;
    }
    const T *g = r.g.data(), *x = r.x.data(), *aux = r.aux.data(), *extra = r.extra.data();
    T *work = r.work.data();
    // One block of `block` threads per lane, run with real threads (the kernel synchronises).
    std::vector<T> scratch(points ? (size_t)pl[PL_GACC] * block * r.threads + 1 : 1);
    if (points) {
        emu_launch_threads((unsigned)r.threads, block, [&] {
            if (sizeof(T) == 8)
                mlp_loss_points_f64(pl, (const double *)g, (const double *)x, (const double *)aux,
                                    (const double *)extra, n, members, chunk, lanes, (double)inv_n,
                                    (double)nu, (double *)work, (double *)scratch.data());
            else
                mlp_loss_points_f32(pl, (const float *)g, (const float *)x, (const float *)aux,
                                    (const float *)extra, n, members, chunk, lanes, (float)inv_n, (float)nu,
                                    (float *)work, (float *)scratch.data());
        });
    } else emu_launch_threads((unsigned)r.threads, block, [&] {
        if (sizeof(T) == 8)
            mlp_loss_partial_f64(pl, (const double *)g, (const double *)x, (const double *)aux,
                                 (const double *)extra, n, members, chunk, lanes, (double)inv_n, (double)nu,
                                 (double *)work, shared_work);
        else
            mlp_loss_partial_f32(pl, (const float *)g, (const float *)x, (const float *)aux,
                                 (const float *)extra, n, members, chunk, lanes, (float)inv_n, (float)nu,
                                 (float *)work, shared_work);
    });
    return r.fold_and_write();
}

template <typename T> static int adam() {
    unsigned np, members, mode;
    std::cin >> np >> members >> mode;
    T c[7];
    for (auto &v : c) v = read_bits<T>();
    std::string pf, gf, mf, vf, sf, bf, of;
    std::cin >> pf >> gf >> mf >> vf >> sf >> bf >> of;
    size_t len = (size_t)np * members;
    auto p = read_file<T>(pf, len), g = read_file<T>(gf, len), m = read_file<T>(mf, len), v = read_file<T>(vf, len);
    auto step = read_file<T>(sf, members), bc2s = read_file<T>(bf, members);
    emu_launch_serial(blocks_for(len), BLOCK, [&] {
        if (sizeof(T) == 8)
            adam_step_f64((double *)p.data(), (const double *)g.data(), (double *)m.data(), (double *)v.data(),
                          (const double *)step.data(), (const double *)bc2s.data(), np, members, c[0], c[1], c[2],
                          c[3], c[4], c[5], c[6], mode);
        else
            adam_step_f32((float *)p.data(), (const float *)g.data(), (float *)m.data(), (float *)v.data(),
                          (const float *)step.data(), (const float *)bc2s.data(), np, members, c[0], c[1], c[2],
                          c[3], c[4], c[5], c[6], mode);
    });
    std::ofstream f(of, std::ios::binary);
    write_file(f, p, len);
    write_file(f, m, len);
    write_file(f, v, len);
    return f ? 0 : 2;
}

static int ode() {
    unsigned members, ni, nr, nt, npl, ny, npar, nout;
    std::cin >> members >> ni >> nr >> nt >> npl >> ny >> npar >> nout;
    std::string icf, fcf, tf, plf, yf, pf, tef, of;
    std::cin >> icf >> fcf >> tf >> plf >> yf >> pf >> tef >> of;
    auto plan = read_file<unsigned>(plf, npl);
    auto ic = read_file<unsigned>(icf, ni);
    auto fc = read_file<double>(fcf, nr);
    auto tab = read_file<double>(tf, nt);
    auto y0 = read_file<double>(yf, ny);
    auto p = read_file<double>(pf, npar);
    auto te = read_file<double>(tef, nout);
    size_t dim = ny / members;
    std::vector<double> y(members * nout * dim + 1), fst(3 * members + 1);
    std::vector<unsigned> st(members + 1), cnt(3 * members + 1);
    emu_launch_serial(blocks_for(members), BLOCK, [&] {
        rk_solve_f64(ic.data(), fc.data(), tab.data(), plan.data(), y0.data(), p.data(), te.data(), y.data(), st.data(), cnt.data(),
                     fst.data());
    });
    std::ofstream f(of, std::ios::binary);
    write_file(f, y, members * nout * dim);
    write_file(f, st, members);
    write_file(f, cnt, 3 * members);
    write_file(f, fst, 3 * members);
    return f ? 0 : 2;
}

int main() {
    std::string cmd;
    unsigned prec;
    std::cin >> cmd >> prec;
    if (cmd == "jets") return prec == 64 ? jets<double>() : jets<float>();
    if (cmd == "values") return prec == 64 ? values<double>() : values<float>();
    if (cmd == "loss") return prec == 64 ? loss<double>(false) : loss<float>(false);
    if (cmd == "fused") return fused();
    if (cmd == "points") return prec == 64 ? loss<double>(true) : loss<float>(true);
    if (cmd == "adam") return prec == 64 ? adam<double>() : adam<float>();
    if (cmd == "ode") return ode();
    std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
    return 2;
}
