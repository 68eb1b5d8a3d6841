// mlp_loss_fused: the genome gradient of a pointwise loss of the input jets (the Burgers
// residual, the MSE data term, given adjoints) for networks whose hidden layers all have width
// W and tanh, with an identity output layer, and the 4-component jet of a PDE in two inputs
// (value, both first derivatives, one second derivative): the PINN networks of the
// reproductions. f32.
//
// CPU twin: crate::backend::cpu::Cpu::loss_grad, through the same operations as
// mlp_loss_partial_* (mlp_population.cu, whose comment states the order): every dense sum
// runs over its inputs in index order with one __fmaf_rn per term; the activation jets and
// their reverse sweep are act_fwd_unit / act_bwd_unit term by term; each CPU lane (member,
// chunk of CHUNK points, lane j of 8) adds its points to its genome-shaped accumulators in
// point order, and mlp_loss_fold_f32 folds the lanes and chunks. So the bits are the CPU's.
//
// Why it is fast where mlp_loss_partial_* is not: there a block walks one lane's points one
// after another, every step of a point shared by the block's threads through memory with a
// barrier between steps. Here a block takes a whole (member, chunk) and, per round, 128
// consecutive points (16 groups of the 8 lanes), one thread per point: the forward jets and
// the reverse sweep of a point stay in the thread's registers (W × 4 values), the weights are
// read from shared memory four at a time (a transposed copy for the forward sums), and the
// only values that leave the thread are (tanh, the three derivative components of the
// pre-activation) per hidden unit, kept in `scratch` for the reverse sweep (s', s'', s''' and
// the layer's output jets are recomputed from them with the forward's own operations, so
// they are the same bits). After each layer's reverse step the round's pre-activation
// adjoints and layer inputs are staged in shared memory and the threads turn to the
// accumulators: thread (lane, tile) owns a 5 × 5 tile of a hidden layer's weights of one lane
// and adds the lane's points of the round in order, k inner, as the CPU lane does.
//
// Launch: FUSED_BLOCK threads, fused_shared_floats() · 4 bytes of dynamic shared memory, any
// grid (the blocks stride over the member × chunk items); scratch holds gridDim.x ·
// (L − 1) · W · FUSED_BLOCK four-float slots. Accumulators go to work + lane · loss_slots +
// gacc (the layout mlp_loss_fold_* reads), lane = (member · chunks + chunk) · 8 + j.
//
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "mlp_common.cuh"

typedef unsigned int u32;

// Threads per block = points per round (16 groups of the 8 lanes).
#define FUSED_BLOCK 128u
// Lanes of the CPU twin's f32 register.
#define FUSED_LANES 8u
// Jet components: value, d/dx_0, d/dx_1, one second derivative.
#define FUSED_C 4u
// Staged floats per point: C · W (80 for W = 20) padded to 84, so that the 16-byte stores of
// one warp's 32 points and the reads of two lanes' points hit distinct banks.
#define FUSED_STAGE 84u
// Largest n_out (the output layer's adjoints live in registers).
#define FUSED_MAX_OUT 4u

struct alignas(16) Vec4 {
    float x, y, z, w;
};

#ifdef __CUDACC__
extern __shared__ Vec4 fused_smem[];
#else
// The emulation runs one block at a time: a static buffer stands for the shared memory.
static Vec4 fused_smem[8192];
#endif

// Dense float offsets of the dynamic shared memory (also computed on the host,
// src/backend/cuda/mlp_fused.rs): staged adjoints, staged inputs, the genome (padded to 4),
// the transposed hidden W × W matrices, then per point its loss weight, loss and extra term.
__device__ __forceinline__ u32 fused_genome_at() { return 2u * FUSED_BLOCK * FUSED_STAGE; }

// The tanh unit's forward jet (act_fwd_unit with act_eval's tanh terms), from its
// pre-activation jet z and v = tanh(z0): y = (v, s1 z1, s1 z2, s2 z_pi z_pj + s1 z3).
__device__ __forceinline__ void tanh_jet(float v, float z1, float z2, float z3, u32 pi, u32 pj,
                                         float y[4]) {
    const float s1 = sub(1.0f, mul(v, v));
    const float s2 = mul(-2.0f, mul(v, s1));
    const float zi = pi == 0 ? z1 : z2, zj = pj == 0 ? z1 : z2;
    y[0] = v;
    y[1] = mul(s1, z1);
    y[2] = mul(s1, z2);
    y[3] = fma_(mul(s2, zi), zj, mul(s1, z3));
}

// The reverse sweep through one tanh unit (act_bwd_unit): yb holds the adjoint of the unit's
// output jet on entry and of its pre-activation jet on exit.
__device__ __forceinline__ void tanh_jet_back(Vec4 s, u32 pi, u32 pj, float yb[4]) {
    const float v = s.x, z1 = s.y, z2 = s.z, z3 = s.w;
    const float s1 = sub(1.0f, mul(v, v));
    const float s2 = mul(-2.0f, mul(v, s1));
    const float s3 = mul(-2.0f, fma_(v, s2, mul(s1, s1)));
    float g0 = mul(s1, yb[0]);
    g0 = fma_(mul(s2, yb[1]), z1, g0);
    float go1 = mul(s1, yb[1]);
    g0 = fma_(mul(s2, yb[2]), z2, g0);
    float go2 = mul(s1, yb[2]);
    const float zi = pi == 0 ? z1 : z2, zj = pj == 0 ? z1 : z2;
    const float dz = fma_(mul(s3, zi), zj, mul(s2, z3));
    g0 = fma_(yb[3], dz, g0);
    const float u = mul(s2, yb[3]);
    if (pi == 0) go1 = fma_(u, zj, go1);
    else go2 = fma_(u, zj, go2);
    if (pj == 0) go1 = fma_(u, zi, go1);
    else go2 = fma_(u, zi, go2);
    yb[0] = g0;
    yb[1] = go1;
    yb[2] = go2;
    yb[3] = mul(s1, yb[3]);
}

// rows[e][k] += w[e] · v[k] (one fma each) for four rows e, their weights one 16-byte read:
// a step of the forward sums (rows: pre-activations, v: one input's jet) and of the input
// adjoints (rows: input adjoints, v: one unit's pre-activation adjoint).
__device__ __forceinline__ void fma_rows4(const float *w, const float (&v)[FUSED_C],
                                          float (*rows)[FUSED_C]) {
    const Vec4 w4 = *reinterpret_cast<const Vec4 *>(w);
    const float wv[4] = {w4.x, w4.y, w4.z, w4.w};
#pragma unroll
    for (u32 e = 0; e < 4; ++e)
#pragma unroll
        for (u32 k = 0; k < FUSED_C; ++k) rows[e][k] = fma_(wv[e], v[k], rows[e][k]);
}

// Pre-activations of W tanh units to their output jets a, keeping (v, z1, z2, z3) of unit o
// at keep[o · FUSED_BLOCK].
template <u32 W>
__device__ __forceinline__ void tanh_layer(const float (&z)[W][FUSED_C], u32 pi, u32 pj,
                                           float (&a)[W][FUSED_C], Vec4 *keep) {
#pragma unroll
    for (u32 o = 0; o < W; ++o) {
        const float v = tanh_f32(z[o][0]);
        tanh_jet(v, z[o][1], z[o][2], z[o][3], pi, pj, a[o]);
        keep[o * FUSED_BLOCK] = Vec4{v, z[o][1], z[o][2], z[o][3]};
    }
}

template <u32 W>
__device__ void fused_body(const u32 *pl, const float *genomes, const float *x, const float *aux,
                           const float *extra, u32 n, u32 members, u32 chunk, float inv_n,
                           float nu_fixed, float *work, Vec4 *scratch) {
    constexpr u32 C = FUSED_C, B = FUSED_BLOCK, ST = FUSED_STAGE, LANES = FUSED_LANES;
    constexpr u32 T5 = W / 4;  // tile side of a hidden layer's accumulators
    const u32 t = threadIdx.x;
    const u32 L = pl[PL_LAYERS], n_in = pl[PL_N_IN], n_out = pl[PL_N_OUT];
    const u32 np = pl[PL_N_PARAMS], ne = pl[PL_N_EXTRA], aw = pl[PL_AUX_WIDTH];
    const u32 ls = pl[PL_LOSS_SLOTS], gacc = pl[PL_GACC];
    const u32 *pairs = pl + PL_HEADER + PL_LAYER_WORDS * L;
    const u32 pi = pairs[0], pj = pairs[1];
    float *sm = reinterpret_cast<float *>(fused_smem);
    float *co_s = sm, *ai_s = sm + B * ST;
    float *wg = sm + fused_genome_at();
    float *wt = wg + ((np + 3u) & ~3u);
    float *wt_s = wt + (L - 2) * W * W, *l_s = wt_s + B, *e_s = l_s + B;
    const u32 nchunks = (n + chunk - 1) / chunk;
    const u64 items = (u64)members * nchunks;
    // This thread's kept units: hidden layer l, unit o at mine[(l · W + o) · B].
    Vec4 *mine = scratch + (u64)blockIdx.x * (L - 1) * W * B + t;
    // Accumulator role: lane j, tile q.
    const u32 j = t / 16, q = t % 16;
    for (u64 item = blockIdx.x; item < items; item += gridDim.x) {
        const u64 m = item / nchunks;
        const u32 ch = (u32)(item % nchunks);
        const float *g = genomes + m * np;
        const float theta = ne > 0 ? extra[m * ne] : 0.0f;
        float *acc_lane = work + (item * LANES + j) * ls + gacc;
        __syncthreads();  // the previous item's readers of the weights are done
        for (u32 s = t; s < np; s += B) wg[s] = g[s];
        for (u32 l = 1; l + 1 < L; ++l) {
            const u32 off = pl[PL_HEADER + PL_LAYER_WORDS * l + 3];
            for (u32 s = t; s < W * W; s += B) {
                const u32 o = s / W, i = s - o * W;
                wt[(l - 1) * W * W + i * W + o] = g[off + s];
            }
        }
        for (u32 s = q; s < np + ne + 1; s += 16) acc_lane[s] = 0.0f;
        __syncthreads();
        const u32 lo = ch * chunk, hi = lo + chunk < n ? lo + chunk : n;
        const u32 groups = (hi - lo + LANES - 1) / LANES;
        for (u32 g0 = 0; g0 < groups; g0 += B / LANES) {
            const u32 ng = groups - g0 < B / LANES ? groups - g0 : B / LANES;
            const bool active = t / LANES < ng;
            const u32 p = lo + (g0 + t / LANES) * LANES + t % LANES;
            const u32 pt = p < n ? p : n - 1;
            const float wpt = p < hi ? inv_n : 0.0f;
            // cur: adjoint of the current layer's output jets (n_out units at the output).
            float cur[W][C];
#pragma unroll
            for (u32 o = 0; o < W; ++o)
#pragma unroll
                for (u32 k = 0; k < C; ++k) cur[o][k] = 0.0f;
            if (active) {
                float a[W][C], z[W][C];
                // Input layer (n_in → W): z = b (value) / +0, then + W_oi x_i per input jet.
                {
                    const float *b0 = wg + W * n_in;
#pragma unroll
                    for (u32 o = 0; o < W; ++o) {
                        z[o][0] = b0[o];
#pragma unroll
                        for (u32 k = 1; k < C; ++k) z[o][k] = 0.0f;
                    }
                    for (u32 i = 0; i < n_in; ++i) {
                        const float xin[C] = {x[(u64)pt * n_in + i], i == 0 ? 1.0f : 0.0f,
                                              i == 1 ? 1.0f : 0.0f, 0.0f};
#pragma unroll
                        for (u32 o = 0; o < W; ++o) {
                            const float wv = wg[o * n_in + i];
#pragma unroll
                            for (u32 k = 0; k < C; ++k) z[o][k] = fma_(wv, xin[k], z[o][k]);
                        }
                    }
                    tanh_layer<W>(z, pi, pj, a, mine);
                }
                // Hidden layers (W → W), weights from the transposed copy: row i holds W_·i.
                for (u32 l = 1; l + 1 < L; ++l) {
                    const u32 off = pl[PL_HEADER + PL_LAYER_WORDS * l + 3];
                    const float *bl = wg + off + W * W;
                    const float *wl = wt + (l - 1) * W * W;
#pragma unroll
                    for (u32 o = 0; o < W; ++o) {
                        z[o][0] = bl[o];
#pragma unroll
                        for (u32 k = 1; k < C; ++k) z[o][k] = 0.0f;
                    }
#pragma unroll
                    for (u32 i = 0; i < W; ++i) {
#pragma unroll
                        for (u32 o = 0; o < W; o += 4) fma_rows4(wl + i * W + o, a[i], z + o);
                    }
                    tanh_layer<W>(z, pi, pj, a, mine + (u64)l * W * B);
                }
                // Output layer (W → n_out, identity), then the loss and its adjoints.
                float outj[FUSED_MAX_OUT * C], adj[FUSED_MAX_OUT * C];
                {
                    const u32 off = pl[PL_HEADER + PL_LAYER_WORDS * (L - 1) + 3];
                    const float *wo = wg + off, *bo = wo + n_out * W;
#pragma unroll
                    for (u32 o = 0; o < FUSED_MAX_OUT; ++o) {
                        if (o < n_out) {
                            float acc[C];
                            acc[0] = bo[o];
#pragma unroll
                            for (u32 k = 1; k < C; ++k) acc[k] = 0.0f;
#pragma unroll
                            for (u32 i = 0; i < W; ++i) {
                                const float wv = wo[o * W + i];
#pragma unroll
                                for (u32 k = 0; k < C; ++k) acc[k] = fma_(wv, a[i][k], acc[k]);
                            }
#pragma unroll
                            for (u32 k = 0; k < C; ++k) outj[o * C + k] = acc[k];
                        }
                    }
                }
                float ae;
                const u64 row = pl[PL_LOSS] == LOSS_ADJOINTS ? m * n + pt : (u64)pt;
                const float lval = point_loss(pl, aux + row * aw, Slots<float>{outj, 1}, theta,
                                              nu_fixed, Slots<float>{adj, 1}, &ae);
#pragma unroll
                for (u32 o = 0; o < FUSED_MAX_OUT; ++o)
#pragma unroll
                    for (u32 k = 0; k < C; ++k)
                        if (o < n_out) cur[o][k] = mul(wpt, adj[o * C + k]);
                wt_s[t] = wpt;
                l_s[t] = lval;
                e_s[t] = ae;
            }
            // Reverse sweep, layer by layer (src/nn/backprop.rs::backward_block).
            for (u32 l = L; l-- > 0;) {
                const u32 *lw = pl + PL_HEADER + PL_LAYER_WORDS * l;
                const u32 li = lw[0], lo_ = lw[1], off = lw[3];
                float nxt[W][C];
                if (active) {
                    if (l + 1 < L) {
#pragma unroll
                        for (u32 o = 0; o < W; ++o)
                            tanh_jet_back(mine[((u64)l * W + o) * B], pi, pj, cur[o]);
                    }
                    // Stage the pre-activation adjoints [k][o] and the layer's inputs [k][i].
                    float *cs = co_s + t * ST, *as = ai_s + t * ST;
                    if (lo_ == W) {
#pragma unroll
                        for (u32 k = 0; k < C; ++k)
#pragma unroll
                            for (u32 o = 0; o < W; o += 4)
                                *reinterpret_cast<Vec4 *>(cs + k * W + o) =
                                    Vec4{cur[o][k], cur[o + 1][k], cur[o + 2][k], cur[o + 3][k]};
                    } else {
#pragma unroll
                        for (u32 o = 0; o < FUSED_MAX_OUT; ++o)
#pragma unroll
                            for (u32 k = 0; k < C; ++k)
                                if (o < lo_) cs[k * W + o] = cur[o][k];
                    }
                    if (l == 0) {
                        for (u32 i = 0; i < n_in; ++i) {
                            as[i] = x[(u64)pt * n_in + i];
                            as[W + i] = i == 0 ? 1.0f : 0.0f;
                            as[2 * W + i] = i == 1 ? 1.0f : 0.0f;
                            as[3 * W + i] = 0.0f;
                        }
                    } else {
#pragma unroll
                        for (u32 i = 0; i < W; i += 4) {
                            float y[4][4];
#pragma unroll
                            for (u32 e = 0; e < 4; ++e) {
                                const Vec4 s = mine[((u64)(l - 1) * W + i + e) * B];
                                tanh_jet(s.x, s.y, s.z, s.w, pi, pj, y[e]);
                            }
#pragma unroll
                            for (u32 k = 0; k < C; ++k)
                                *reinterpret_cast<Vec4 *>(as + k * W + i) =
                                    Vec4{y[0][k], y[1][k], y[2][k], y[3][k]};
                        }
                    }
                    // Adjoint of the layer's input jets: Σ_o W_oi cur_o, o ascending, from +0.
                    if (l > 0) {
#pragma unroll
                        for (u32 i = 0; i < W; ++i)
#pragma unroll
                            for (u32 k = 0; k < C; ++k) nxt[i][k] = 0.0f;
                        if (lo_ == W) {
#pragma unroll
                            for (u32 o = 0; o < W; ++o) {
#pragma unroll
                                for (u32 i = 0; i < W; i += 4)
                                    fma_rows4(wg + off + o * W + i, cur[o], nxt + i);
                            }
                        } else {
#pragma unroll
                            for (u32 o = 0; o < FUSED_MAX_OUT; ++o) {
                                if (o < lo_) {
#pragma unroll
                                    for (u32 i = 0; i < W; ++i) {
                                        const float wv = wg[off + o * W + i];
#pragma unroll
                                        for (u32 k = 0; k < C; ++k)
                                            nxt[i][k] = fma_(wv, cur[o][k], nxt[i][k]);
                                    }
                                }
                            }
                        }
                    }
                }
                __syncthreads();
                // Accumulators of lane j: this round's points of the lane are t' = 8 g + j.
                float *acc_l = acc_lane + off;
                if (l == L - 1) {
                    if (q == 0) {
                        float v = acc_lane[np + ne];
                        for (u32 gg = 0; gg < ng; ++gg)
                            v = fma_(wt_s[gg * LANES + j], l_s[gg * LANES + j], v);
                        acc_lane[np + ne] = v;
                    }
                    if (ne > 0 && q == 1) {
                        float v = acc_lane[np];
                        for (u32 gg = 0; gg < ng; ++gg)
                            v = fma_(wt_s[gg * LANES + j], e_s[gg * LANES + j], v);
                        acc_lane[np] = v;
                    }
                }
                if (li == W && lo_ == W) {
                    // Tile (to, ti): weights (T5·to + r, T5·ti + s), biases T5·to + r when ti = 0.
                    const u32 to = q / 4, ti = q % 4;
                    float acc[T5][T5], bacc[T5];
#pragma unroll
                    for (u32 r = 0; r < T5; ++r) {
#pragma unroll
                        for (u32 s = 0; s < T5; ++s)
                            acc[r][s] = acc_l[(T5 * to + r) * W + T5 * ti + s];
                        bacc[r] = ti == 0 ? acc_l[W * W + T5 * to + r] : 0.0f;
                    }
                    for (u32 gg = 0; gg < ng; ++gg) {
                        const float *cs = co_s + (gg * LANES + j) * ST + T5 * to;
                        const float *as = ai_s + (gg * LANES + j) * ST + T5 * ti;
#pragma unroll
                        for (u32 k = 0; k < C; ++k) {
                            float cv[T5], av[T5];
#pragma unroll
                            for (u32 r = 0; r < T5; ++r) {
                                cv[r] = cs[k * W + r];
                                av[r] = as[k * W + r];
                            }
#pragma unroll
                            for (u32 r = 0; r < T5; ++r)
#pragma unroll
                                for (u32 s = 0; s < T5; ++s) acc[r][s] = fma_(cv[r], av[s], acc[r][s]);
                        }
#pragma unroll
                        for (u32 r = 0; r < T5; ++r) bacc[r] = add(bacc[r], cs[r]);
                    }
#pragma unroll
                    for (u32 r = 0; r < T5; ++r) {
#pragma unroll
                        for (u32 s = 0; s < T5; ++s)
                            acc_l[(T5 * to + r) * W + T5 * ti + s] = acc[r][s];
                        if (ti == 0) acc_l[W * W + T5 * to + r] = bacc[r];
                    }
                } else {
                    const u32 nw = li * lo_;
                    for (u32 jj = q; jj < nw + lo_; jj += 16) {
                        float v = acc_l[jj];
                        if (jj < nw) {
                            const u32 o = jj / li, i = jj - o * li;
                            for (u32 gg = 0; gg < ng; ++gg) {
                                const float *cs = co_s + (gg * LANES + j) * ST + o;
                                const float *as = ai_s + (gg * LANES + j) * ST + i;
#pragma unroll
                                for (u32 k = 0; k < C; ++k) v = fma_(cs[k * W], as[k * W], v);
                            }
                        } else {
                            for (u32 gg = 0; gg < ng; ++gg)
                                v = add(v, co_s[(gg * LANES + j) * ST + (jj - nw)]);
                        }
                        acc_l[jj] = v;
                    }
                }
                __syncthreads();
                if (active && l > 0) {
#pragma unroll
                    for (u32 i = 0; i < W; ++i)
#pragma unroll
                        for (u32 k = 0; k < C; ++k) cur[i][k] = nxt[i][k];
                }
            }
        }
    }
}

// Floats of dynamic shared memory for a network of L layers and np parameters.
#define FUSED_KERNEL(W)                                                                            \
    extern "C" __global__ void __launch_bounds__(FUSED_BLOCK, 2)                                   \
        mlp_loss_fused_w##W##_f32(const unsigned *plan, const float *genomes, const float *x,      \
                                  const float *aux, const float *extra, unsigned n,                \
                                  unsigned members, unsigned chunk, float inv_n, float nu,         \
                                  float *work, Vec4 *scratch) {                                    \
        fused_body<W>(plan, genomes, x, aux, extra, n, members, chunk, inv_n, nu, work, scratch);  \
    }

FUSED_KERNEL(20)
