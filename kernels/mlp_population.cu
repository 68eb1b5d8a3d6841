// mlp_population: population MLP forward passes with input jets (value, first and chosen
// second derivatives), and the genome gradients of pointwise losses (MSE data loss, Burgers
// residual, given adjoints per member), for P genomes x N points, in f32 and f64.
//
// CPU twin: crate::backend::cpu::Cpu::{jets, loss_grad} (src/backend/cpu/kernels.rs,
// src/nn/{forward,backprop,loss,activation}.rs)
//
// Bit identity with the CPU comes from doing the CPU's operations in the CPU's order:
// - every dense sum runs over the inputs in index order with one __fma_rn per term, starting
//   from the bias (value component) or +0 (derivative components), as src/nn/forward.rs;
// - the activation jets and their reverse sweep are the same expressions term by term
//   (src/nn/activation.rs, act_fwd, act_bwd), with tanh/sin/cos from common/math.cuh;
// - gradients: the CPU cuts each member's points into chunks of CHUNK points and runs a
//   chunk in lane blocks of W points (8 for f32, 4 for f64), each lane accumulating its own
//   genome-shaped gradient; a short last block repeats the last point with weight 0. Here one
//   thread *is* one lane of one chunk of one member (mlp_loss_partial_*), walking the same
//   points with the same weights; mlp_loss_fold_* then folds the W lanes pairwise
//   ((l0+l1)+(l2+l3))+... and sums the chunks in chunk order from +0, exactly as
//   Cpu::loss_grad does.
//
// The network, jet and loss are described by a u32 plan built on the host
// (crate::backend::cuda::MlpPlan): header words PL_*, then 8 words per layer, then the jet's
// (i, j) pairs. Per-thread working memory lives in one global buffer, slot-major
// (slot s of thread t at work[s * n_threads + t]), so a warp's accesses are coalesced.
// Generated to PTX by kernels/generate_ptx.py (NVRTC, -arch=compute_90 -fmad=false).

#include "mlp_common.cuh"

__device__ __forceinline__ float cos_t(float z) { return cos_f32(z); }
__device__ __forceinline__ double cos_t(double z) { return cos_f64(z); }

// (sigma, sigma', sigma'', sigma''') at z: src/nn/activation.rs::eval, term by term.
template <typename T> __device__ __forceinline__ void act_eval(unsigned a, T z, T s[4]) {
    const T one = (T)1.0, m2 = (T)-2.0;
    if (a == ACT_TANH) {
        T v = act_value(z, a);
        T s1 = sub(one, mul(v, v));
        T s2 = mul(m2, mul(v, s1));
        T s3 = mul(m2, fma_(v, s2, mul(s1, s1)));
        s[0] = v; s[1] = s1; s[2] = s2; s[3] = s3;
    } else if (a == ACT_SIN) {
        T v = act_value(z, a);
        T c = cos_t(z);
        const T m1 = (T)-1.0;
        s[0] = v; s[1] = c; s[2] = mul(m1, v); s[3] = mul(m1, c);
    } else {
        s[0] = z; s[1] = one; s[2] = (T)0.0; s[3] = (T)0.0;
    }
}

// Input jets of one point: value x_k, d/dx_k = 1 when first derivatives are carried.
template <typename T>
__device__ __forceinline__ void load_input(const unsigned *pl, const T *xp, Slots<T> a) {
    const unsigned n_in = pl[PL_N_IN], c = pl[PL_C], first = pl[PL_D_FIRST];
    for (unsigned k = 0; k < n_in; ++k) {
        for (unsigned q = 0; q < c; ++q) a[k * c + q] = (T)0.0;
        a[k * c] = xp[k];
        if (first) a[k * c + 1 + k] = (T)1.0;
    }
}

// z = W a + b on every component (bias on the value only), inputs in index order.
template <typename T>
__device__ __forceinline__ void dense_fwd(const T *w, const T *b, unsigned n_in, unsigned n_out,
                                          unsigned c, Slots<T> a, Slots<T> z) {
    for (unsigned o = 0; o < n_out; ++o) {
        for (unsigned k = 0; k < c; ++k) {
            T acc = k == 0 ? b[o] : (T)0.0;
            for (unsigned i = 0; i < n_in; ++i) acc = fma_(w[o * n_in + i], a[i * c + k], acc);
            z[o * c + k] = acc;
        }
    }
}

// y = sigma(z) on the jets of unit o (src/nn/forward.rs::act_fwd); in place when y and z
// alias, since the unit's components are read into registers first. Keeps the derivatives
// (s', s'', s''') in ss if given.
template <typename T>
__device__ __forceinline__ void act_fwd_unit(const unsigned *pl, unsigned act, unsigned o,
                                             Slots<T> z, Slots<T> y, Slots<T> *ss) {
    const unsigned c = pl[PL_C], d = pl[PL_D_FIRST], np = pl[PL_N_PAIRS], pb = pl[PL_PAIR_BASE];
    const unsigned *pairs = pl + PL_HEADER + PL_LAYER_WORDS * pl[PL_LAYERS];
    T zo[MAX_COMP];
    for (unsigned k = 0; k < c; ++k) zo[k] = z[o * c + k];
    if (act == ACT_IDENTITY) {
        for (unsigned k = 0; k < c; ++k) y[o * c + k] = zo[k];
        return;
    }
    T s[4];
    act_eval(act, zo[0], s);
    y[o * c] = s[0];
    for (unsigned k = 0; k < d; ++k) y[o * c + 1 + k] = mul(s[1], zo[1 + k]);
    for (unsigned p = 0; p < np; ++p) {
        unsigned i = pairs[2 * p], j = pairs[2 * p + 1];
        y[o * c + pb + p] = fma_(mul(s[2], zo[1 + i]), zo[1 + j], mul(s[1], zo[pb + p]));
    }
    if (ss) {
        (*ss)[o * 3] = s[1];
        (*ss)[o * 3 + 1] = s[2];
        (*ss)[o * 3 + 2] = s[3];
    }
}

// act_fwd_unit for every unit of a layer.
template <typename T>
__device__ __forceinline__ void act_fwd(const unsigned *pl, unsigned act, unsigned n, Slots<T> z,
                                        Slots<T> y, Slots<T> *ss) {
    for (unsigned o = 0; o < n; ++o) act_fwd_unit(pl, act, o, z, y, ss);
}

// ---- forward jets: one thread per (member, point), grid-stride --------------------------------
template <typename T>
__device__ void jets_body(const unsigned *pl, const T *genomes, const T *x, unsigned n,
                          unsigned members, T *out, T *scratch, unsigned n_threads) {
    const unsigned tid = blockIdx.x * blockDim.x + threadIdx.x;
    if (tid >= n_threads) return;
    const unsigned L = pl[PL_LAYERS], c = pl[PL_C], mw = pl[PL_MAX_WIDTH];
    const unsigned n_in = pl[PL_N_IN], n_out = pl[PL_N_OUT], np = pl[PL_N_PARAMS];
    Slots<T> a{scratch + tid, n_threads};
    Slots<T> z{scratch + (u64)mw * c * n_threads + tid, n_threads};
    for (u64 item = tid; item < (u64)members * n; item += n_threads) {
        const u64 m = item / n, pt = item % n;
        const T *g = genomes + m * np;
        load_input(pl, x + pt * n_in, a);
        for (unsigned l = 0; l < L; ++l) {
            const unsigned *lw = pl + PL_HEADER + PL_LAYER_WORDS * l;
            const unsigned li = lw[0], lo = lw[1], act = lw[2];
            const T *w = g + lw[3];
            dense_fwd(w, w + (u64)li * lo, li, lo, c, a, z);
            act_fwd<T>(pl, act, lo, z, z, nullptr);
            Slots<T> t = a;
            a = z;
            z = t;
        }
        T *o = out + item * n_out * c;
        for (unsigned q = 0; q < n_out * c; ++q) o[q] = a[q];
    }
}

// ---- loss and gradients: one block per lane of a chunk of a member ------------------------
// The reverse sweep through unit o's activation (src/nn/backprop.rs): g holds the adjoint of
// the layer's output jets on entry and of its pre-activation jets on exit.
template <typename T>
__device__ __forceinline__ void act_bwd_unit(const unsigned *pl, unsigned act, unsigned o,
                                             Slots<T> z, Slots<T> s, Slots<T> g) {
    if (act == ACT_IDENTITY) return;
    const unsigned c = pl[PL_C], d = pl[PL_D_FIRST], np = pl[PL_N_PAIRS], pb = pl[PL_PAIR_BASE];
    const unsigned *pairs = pl + PL_HEADER + PL_LAYER_WORDS * pl[PL_LAYERS];
    const T s1 = s[o * 3], s2 = s[o * 3 + 1], s3 = s[o * 3 + 2];
    T yb[MAX_COMP], go[MAX_COMP];
    for (unsigned k = 0; k < c; ++k) yb[k] = go[k] = g[o * c + k];
    T g0 = mul(s1, yb[0]);
    for (unsigned k = 0; k < d; ++k) {
        g0 = fma_(mul(s2, yb[1 + k]), z[o * c + 1 + k], g0);
        go[1 + k] = mul(s1, yb[1 + k]);
    }
    for (unsigned p = 0; p < np; ++p) {
        unsigned i = pairs[2 * p], j = pairs[2 * p + 1];
        T zi = z[o * c + 1 + i], zj = z[o * c + 1 + j];
        T dz = fma_(mul(s3, zi), zj, mul(s2, z[o * c + pb + p]));
        g0 = fma_(yb[pb + p], dz, g0);
        T u = mul(s2, yb[pb + p]);
        go[1 + i] = fma_(u, zj, go[1 + i]);
        go[1 + j] = fma_(u, zi, go[1 + j]);
        go[pb + p] = mul(s1, yb[pb + p]);
    }
    go[0] = g0;
    for (unsigned k = 0; k < c; ++k) g[o * c + k] = go[k];
}

// One block of threads per CPU lane (member m, chunk ch, lane): the block walks the lane's
// points in the CPU's order, and its threads share each point's work: the sums of a dense
// layer by (unit, component), the activations by unit, the loss on thread 0, and the
// gradient accumulators by parameter, each accumulator always on the same thread
// (t ≡ parameter index mod block size), so it adds the lane's points in order as the CPU
// lane does. Each shared step is the CPU's sequence of operations for its item, so the bits
// do not depend on the block size; __syncthreads separates the steps. The lane's state (the
// jets of every layer, the adjoints and the genome-shaped accumulators) lives in its own
// contiguous stretch of `work` (loss_slots values), where a block's accesses are contiguous.
// The first version ran each lane on one thread: 8 000 threads for P = 100, N = 10⁴, far too
// few to hide the memory latency of the per-lane state.
// Where a lane's slots live, by `shared_work` (the host's choice from the sizes): 0 all in
// global memory; 1 the working slots [0, gacc) (jets, adjoints) in dynamic shared memory;
// 2 every slot in shared memory, the accumulators copied to global memory at the end for the
// fold. The slots are read and written at every step, and global stores go to L2 each time.
// On the CPU the emulation's blocks run one after another, so one static buffer stands for
// the shared memory.
#ifdef __CUDACC__
extern __shared__ double mlp_lane_smem[];
#else
#define MLP_EMU_SMEM_DOUBLES 6144
static double mlp_lane_smem[MLP_EMU_SMEM_DOUBLES];
#endif

// ALL_SHARED: every slot in shared memory (mode 2), so the compiler addresses them as
// shared memory; otherwise (modes 0, 1) through generic pointers. The hot loops index plain
// pointers with 32-bit offsets (the first version went through a strided accessor with 64-bit
// arithmetic, and integer work kept the FMA pipe busier than the multiply-adds).
// C: the jet's component count at compile time (0: read from the plan). With C known, a thread
// takes a unit's whole jet in a dense step (one weight load for C multiply-adds, the C
// accumulators in registers) instead of one component; every component's sum still runs over
// the inputs in order, so the bits are the same.
// The work of one block of the gradient kernels (both cuts): block `lane_id` is lane `lane`
// of chunk `ch` of member `m` (the grid runs over members × chunks × lanes, the CPU's work
// items and lanes).
struct LaneItem {
    u64 lane_id, m;
    unsigned lane, ch;
};

// Decodes blockIdx.x into `li`; false for the blocks past the last lane (a rounded-up grid).
__device__ inline bool lane_item(unsigned n, unsigned members, unsigned chunk, unsigned lanes,
                                 LaneItem &li) {
    const unsigned nchunks = (n + chunk - 1) / chunk;
    const u64 n_lanes = (u64)members * nchunks * lanes;
    li.lane_id = blockIdx.x;
    if (li.lane_id >= n_lanes) return false;
    li.lane = (unsigned)(li.lane_id % lanes);
    const u64 item = li.lane_id / lanes;
    li.m = item / nchunks;
    li.ch = (unsigned)(item % nchunks);
    return true;
}

template <typename T, bool ALL_SHARED, unsigned C>
__device__ void loss_partial_body(const unsigned *pl, const T *genomes, const T *x, const T *aux,
                                  const T *extra, unsigned n, unsigned members, unsigned chunk,
                                  unsigned lanes, T inv_n, T nu_fixed, T *work,
                                  unsigned shared_work) {
    LaneItem li;
    if (!lane_item(n, members, chunk, lanes, li)) return;
    const u64 lane_id = li.lane_id, m = li.m;
    const unsigned lane = li.lane, ch = li.ch;
    const unsigned t = threadIdx.x, B = blockDim.x;
    const unsigned L = pl[PL_LAYERS], n_in = pl[PL_N_IN], n_out = pl[PL_N_OUT];
    const unsigned c = C != 0 ? C : pl[PL_C];
    // CC: C where the code only runs with C != 0 (1 keeps the C = 0 instantiation's dead
    // loops well-formed).
    constexpr unsigned CC = C != 0 ? C : 1;
    const unsigned np = pl[PL_N_PARAMS], ne = pl[PL_N_EXTRA], aw = pl[PL_AUX_WIDTH];
    const unsigned first = pl[PL_D_FIRST];
    const T *g = genomes + m * np;
    const T theta = ne > 0 ? extra[m * ne] : (T)0.0;
    T *base = work + lane_id * pl[PL_LOSS_SLOTS];
    T *smem = reinterpret_cast<T *>(mlp_lane_smem);
    // Working slots (below gacc) from ws, accumulators from wa (both indexed by slot).
    T *ws = ALL_SHARED || shared_work ? smem : base;
    T *wa = ALL_SHARED ? smem : base;
    auto slots = [&](unsigned off) { return Slots<T>{ws + off, 1}; };
    const unsigned gacc = pl[PL_GACC];
    for (unsigned s = t; s < np + ne + 1; s += B) wa[gacc + s] = (T)0.0;
    const unsigned lo = ch * chunk;
    const unsigned hi = lo + chunk < n ? lo + chunk : n;
    for (unsigned p0 = lo; p0 < hi; p0 += lanes) {
        const unsigned pt = p0 + lane < n ? p0 + lane : n - 1;
        const T wt = p0 + lane < hi ? inv_n : (T)0.0;
        // Forward with the jets kept for the reverse sweep.
        {
            T *a = ws + pl[PL_HEADER + 4];
            const T *xp = x + (u64)pt * n_in;
            for (unsigned k = t; k < n_in; k += B) {
                for (unsigned q = 0; q < c; ++q) a[k * c + q] = (T)0.0;
                a[k * c] = xp[k];
                if (first) a[k * c + 1 + k] = (T)1.0;
            }
        }
        __syncthreads();
        for (unsigned l = 0; l < L; ++l) {
            const unsigned *lw = pl + PL_HEADER + PL_LAYER_WORDS * l;
            const unsigned li = lw[0], lo_ = lw[1];
            const T *wl = g + lw[3], *bl = wl + (u64)li * lo_;
            const T *a = ws + lw[4];
            T *z = ws + lw[5];
            Slots<T> ss = slots(lw[6]);
            Slots<T> y = slots(l + 1 < L ? lw[PL_LAYER_WORDS + 4] : pl[PL_OUT_ACTS]);
            if (C != 0) {
                for (unsigned o = t; o < lo_; o += B) {
                    const T *wr = wl + o * li;
                    T acc[CC];
                    acc[0] = bl[o];
#pragma unroll
                    for (unsigned k = 1; k < CC; ++k) acc[k] = (T)0.0;
                    for (unsigned i = 0; i < li; ++i) {
                        const T wv = wr[i], *ai = a + i * CC;
#pragma unroll
                        for (unsigned k = 0; k < CC; ++k) acc[k] = fma_(wv, ai[k], acc[k]);
                    }
#pragma unroll
                    for (unsigned k = 0; k < CC; ++k) z[o * CC + k] = acc[k];
                }
            } else {
                for (unsigned q = t; q < lo_ * c; q += B) {
                    const unsigned o = q / c, k = q - o * c;
                    const T *wr = wl + o * li, *ak = a + k;
                    T acc = k == 0 ? bl[o] : (T)0.0;
                    for (unsigned i = 0; i < li; ++i) acc = fma_(wr[i], ak[i * c], acc);
                    z[q] = acc;
                }
            }
            __syncthreads();
            for (unsigned o = t; o < lo_; o += B)
                act_fwd_unit<T>(pl, lw[2], o, Slots<T>{z, 1}, y, &ss);
            __syncthreads();
        }
        T *cur = ws + pl[PL_G0], *nxt = ws + pl[PL_G1];
        if (t == 0) {
            T ae;
            // Adjoints are per member (rows m·n + pt), the other losses' data shared.
            const u64 row = pl[PL_LOSS] == LOSS_ADJOINTS ? m * n + pt : (u64)pt;
            const T l = point_loss(pl, aux + row * aw, slots(pl[PL_OUT_ACTS]), theta, nu_fixed,
                                   Slots<T>{cur, 1}, &ae);
            wa[gacc + np + ne] = fma_(wt, l, wa[gacc + np + ne]);
            for (unsigned q = 0; q < n_out * c; ++q) cur[q] = mul(wt, cur[q]);
            if (ne > 0) wa[gacc + np] = fma_(wt, ae, wa[gacc + np]);
        }
        __syncthreads();
        // Reverse sweep (src/nn/backprop.rs::backward_block).
        for (unsigned l = L; l-- > 0;) {
            const unsigned *lw = pl + PL_HEADER + PL_LAYER_WORDS * l;
            const unsigned li = lw[0], lo_ = lw[1];
            const T *wl = g + lw[3];
            const T *a = ws + lw[4];
            for (unsigned o = t; o < lo_; o += B)
                act_bwd_unit(pl, lw[2], o, slots(lw[5]), slots(lw[6]), Slots<T>{cur, 1});
            __syncthreads();
            // Weight accumulators (o, i), then the biases, each on its own thread.
            T *acc_l = wa + gacc + lw[3];
            const unsigned nw = li * lo_;
            for (unsigned j = t; j < nw + lo_; j += B) {
                if (j < nw) {
                    const unsigned o = j / li, i = j - o * li;
                    const T *co = cur + o * c, *ai = a + i * c;
                    T acc = acc_l[j];
#pragma unroll
                    for (unsigned k = 0; k < (C != 0 ? C : c); ++k) acc = fma_(co[k], ai[k], acc);
                    acc_l[j] = acc;
                } else {
                    acc_l[j] = add(acc_l[j], cur[(j - nw) * c]);
                }
            }
            if (l > 0 && C != 0) {
                for (unsigned i = t; i < li; i += B) {
                    T acc[CC];
#pragma unroll
                    for (unsigned k = 0; k < CC; ++k) acc[k] = (T)0.0;
                    for (unsigned o = 0; o < lo_; ++o) {
                        const T wv = wl[o * li + i], *co = cur + o * CC;
#pragma unroll
                        for (unsigned k = 0; k < CC; ++k) acc[k] = fma_(wv, co[k], acc[k]);
                    }
#pragma unroll
                    for (unsigned k = 0; k < CC; ++k) nxt[i * CC + k] = acc[k];
                }
            } else if (l > 0) {
                for (unsigned q = t; q < li * c; q += B) {
                    const unsigned i = q / c, k = q - i * c;
                    const T *wc = wl + i, *ck = cur + k;
                    T acc = (T)0.0;
                    for (unsigned o = 0; o < lo_; ++o) acc = fma_(wc[o * li], ck[o * c], acc);
                    nxt[q] = acc;
                }
            }
            __syncthreads();
            T *tmp = cur;
            cur = nxt;
            nxt = tmp;
        }
    }
    if (ALL_SHARED) {
        __syncthreads();
        for (unsigned s = t; s < np + ne + 1; s += B) base[gacc + s] = smem[gacc + s];
    }
}

// ---- the point-parallel gradient kernel (mlp_loss_points_*) --------------------------------
// The same lanes, reduction and bits as mlp_loss_partial_*, with the work cut the other way:
// one block per CPU lane, one thread per point of a round of B consecutive lane points. A
// point's forward jets, loss and reverse sweep need nothing from the lane's other points, so
// each thread runs its own point alone, with no barrier; only the accumulators need the
// lane's point order. After each layer's reverse step the threads stage their points'
// pre-activation adjoints and input jets in shared memory, and each accumulator (always on
// the same thread) adds the round's points in order, exactly the CPU lane's sequence of
// fma/add. Per-thread slots (the working slots of the plan: jets, derivatives, adjoints) live
// in `scratch`, slot-major per block (slot s of thread t at s * B + t). Dynamic shared memory:
// B * (2 * MAX_WIDTH * c + 3) values (staged adjoints, staged inputs, then weight, loss and
// extra-gradient terms of each point). Accumulators go to work + lane * loss_slots + gacc, the
// layout mlp_loss_fold_* reads.
#ifdef __CUDACC__
extern __shared__ double mlp_points_smem[];
#else
#define mlp_points_smem mlp_lane_smem
#endif

template <typename T>
__device__ void loss_points_body(const unsigned *pl, const T *genomes, const T *x, const T *aux,
                                 const T *extra, unsigned n, unsigned members, unsigned chunk,
                                 unsigned lanes, T inv_n, T nu_fixed, T *work, T *scratch) {
    LaneItem li;
    if (!lane_item(n, members, chunk, lanes, li)) return;
    const u64 lane_id = li.lane_id, m = li.m;
    const unsigned lane = li.lane, ch = li.ch;
    const unsigned t = threadIdx.x, B = blockDim.x;
    const unsigned L = pl[PL_LAYERS], n_in = pl[PL_N_IN], n_out = pl[PL_N_OUT], c = pl[PL_C];
    const unsigned np = pl[PL_N_PARAMS], ne = pl[PL_N_EXTRA], aw = pl[PL_AUX_WIDTH];
    const unsigned mw = pl[PL_MAX_WIDTH], gacc = pl[PL_GACC];
    const T *g = genomes + m * np;
    const T theta = ne > 0 ? extra[m * ne] : (T)0.0;
    T *acc = work + lane_id * pl[PL_LOSS_SLOTS] + gacc;
    for (unsigned s = t; s < np + ne + 1; s += B) acc[s] = (T)0.0;
    T *mine = scratch + lane_id * (u64)gacc * B + t;
    auto slots = [&](unsigned off) { return Slots<T>{mine + (u64)off * B, B}; };
    // Staging: adjoints [q][k][o], inputs [q][k][i], then (weight, loss, extra term) per point.
    T *smem = reinterpret_cast<T *>(mlp_points_smem);
    const unsigned stage = mw * c;
    T *sh_co = smem, *sh_a = smem + (u64)B * stage, *sh_w = smem + 2 * (u64)B * stage;
    T *sh_l = sh_w + B, *sh_e = sh_l + B;
    const unsigned lo = ch * chunk;
    const unsigned hi = lo + chunk < n ? lo + chunk : n;
    const unsigned blocks = (hi - lo + lanes - 1) / lanes;
    for (unsigned r0 = 0; r0 < blocks; r0 += B) {
        const unsigned R = blocks - r0 < B ? blocks - r0 : B;
        const bool active = t < R;
        Slots<T> cur = slots(pl[PL_G0]), nxt = slots(pl[PL_G1]);
        if (active) {
            const unsigned p0 = lo + (r0 + t) * lanes;
            const unsigned pt = p0 + lane < n ? p0 + lane : n - 1;
            const T wt = p0 + lane < hi ? inv_n : (T)0.0;
            load_input(pl, x + (u64)pt * n_in, slots(pl[PL_HEADER + 4]));
            for (unsigned l = 0; l < L; ++l) {
                const unsigned *lw = pl + PL_HEADER + PL_LAYER_WORDS * l;
                const unsigned li = lw[0], lo_ = lw[1];
                const T *wl = g + lw[3];
                Slots<T> ss = slots(lw[6]);
                dense_fwd(wl, wl + (u64)li * lo_, li, lo_, c, slots(lw[4]), slots(lw[5]));
                act_fwd<T>(pl, lw[2], lo_, slots(lw[5]),
                           slots(l + 1 < L ? lw[PL_LAYER_WORDS + 4] : pl[PL_OUT_ACTS]), &ss);
            }
            T ae;
            const u64 row = pl[PL_LOSS] == LOSS_ADJOINTS ? m * n + pt : (u64)pt;
            const T l = point_loss(pl, aux + row * aw, slots(pl[PL_OUT_ACTS]), theta, nu_fixed,
                                   cur, &ae);
            for (unsigned q = 0; q < n_out * c; ++q) cur[q] = mul(wt, cur[q]);
            sh_w[t] = wt;
            sh_l[t] = l;
            sh_e[t] = ae;
        }
        __syncthreads();
        // The loss and extra-gradient accumulators, in point order.
        if (t == (np + ne) % B) {
            T a = acc[np + ne];
            for (unsigned q = 0; q < R; ++q) a = fma_(sh_w[q], sh_l[q], a);
            acc[np + ne] = a;
        }
        if (ne > 0 && t == np % B) {
            T a = acc[np];
            for (unsigned q = 0; q < R; ++q) a = fma_(sh_w[q], sh_e[q], a);
            acc[np] = a;
        }
        for (unsigned l = L; l-- > 0;) {
            const unsigned *lw = pl + PL_HEADER + PL_LAYER_WORDS * l;
            const unsigned li = lw[0], lo_ = lw[1];
            const T *wl = g + lw[3];
            if (active) {
                Slots<T> a = slots(lw[4]);
                for (unsigned o = 0; o < lo_; ++o)
                    act_bwd_unit(pl, lw[2], o, slots(lw[5]), slots(lw[6]), cur);
                T *co = sh_co + (u64)t * stage, *ai = sh_a + (u64)t * stage;
                for (unsigned o = 0; o < lo_; ++o)
                    for (unsigned k = 0; k < c; ++k) co[k * lo_ + o] = cur[o * c + k];
                for (unsigned i = 0; i < li; ++i)
                    for (unsigned k = 0; k < c; ++k) ai[k * li + i] = a[i * c + k];
            }
            __syncthreads();
            // Weight accumulators (o, i), then the biases, each on its own thread.
            T *acc_l = acc + lw[3];
            const unsigned nw = li * lo_;
            for (unsigned j = t; j < nw + lo_; j += B) {
                T v = acc_l[j];
                if (j < nw) {
                    const unsigned o = j / li, i = j - o * li;
                    for (unsigned q = 0; q < R; ++q) {
                        const T *co = sh_co + (u64)q * stage + o, *ai = sh_a + (u64)q * stage + i;
                        for (unsigned k = 0; k < c; ++k) v = fma_(co[k * lo_], ai[k * li], v);
                    }
                } else {
                    const T *co = sh_co + (j - nw);
                    for (unsigned q = 0; q < R; ++q) v = add(v, co[(u64)q * stage]);
                }
                acc_l[j] = v;
            }
            __syncthreads();
            if (active && l > 0) {
                for (unsigned i = 0; i < li; ++i) {
                    for (unsigned k = 0; k < c; ++k) {
                        T v = (T)0.0;
                        for (unsigned o = 0; o < lo_; ++o) v = fma_(wl[o * li + i], cur[o * c + k], v);
                        nxt[i * c + k] = v;
                    }
                }
                Slots<T> tmp = cur;
                cur = nxt;
                nxt = tmp;
            }
        }
    }
}

// Folds the lanes of each chunk pairwise and sums the chunks in order: one thread per
// (member, slot), slots = genome gradient, extra gradients, loss. Lane j's accumulators start
// at work + j · loss_slots (loss_partial_body's layout).
template <typename T>
__device__ void loss_fold_body(const unsigned *pl, unsigned n, unsigned members, unsigned chunk,
                               unsigned lanes, const T *work, T *loss, T *grad, T *grad_extra) {
    const unsigned np = pl[PL_N_PARAMS], ne = pl[PL_N_EXTRA];
    const unsigned slots = np + ne + 1;
    const u64 tid = (u64)blockIdx.x * blockDim.x + threadIdx.x;
    if (tid >= (u64)members * slots) return;
    const u64 m = tid / slots;
    const unsigned s = (unsigned)(tid % slots);
    const unsigned nchunks = (n + chunk - 1) / chunk;
    const u64 stride = pl[PL_LOSS_SLOTS];
    const T *col = work + (u64)pl[PL_GACC] + s;
    T acc = (T)0.0;
    for (unsigned ch = 0; ch < nchunks; ++ch) {
        T buf[16];
        const u64 base = (m * nchunks + ch) * lanes;
        for (unsigned j = 0; j < lanes; ++j) buf[j] = col[(base + j) * stride];
        for (unsigned h = lanes; h > 1;) {
            h /= 2;
            for (unsigned i = 0; i < h; ++i) buf[i] = add(buf[2 * i], buf[2 * i + 1]);
        }
        acc = add(acc, buf[0]);
    }
    if (s < np) grad[m * np + s] = acc;
    else if (s < np + ne) grad_extra[m * ne + (s - np)] = acc;
    else loss[m] = acc;
}

#define PM_MLP_KERNELS(T, SUF)                                                                     \
    extern "C" __global__ void mlp_jets_##SUF(const unsigned *plan, const T *genomes, const T *x,  \
                                              unsigned n, unsigned members, T *out, T *scratch,     \
                                              unsigned n_threads) {                                 \
        jets_body<T>(plan, genomes, x, n, members, out, scratch, n_threads);                        \
    }                                                                                               \
    extern "C" __global__ void mlp_loss_partial_##SUF(                                             \
        const unsigned *plan, const T *genomes, const T *x, const T *aux, const T *extra,           \
        unsigned n, unsigned members, unsigned chunk, unsigned lanes, T inv_n, T nu, T *work,       \
        unsigned shared_work) {                                                                     \
        if (shared_work == 2 && plan[PL_C] == 4)                                                    \
            loss_partial_body<T, true, 4>(plan, genomes, x, aux, extra, n, members, chunk, lanes,   \
                                          inv_n, nu, work, shared_work);                            \
        else if (shared_work == 2)                                                                  \
            loss_partial_body<T, true, 0>(plan, genomes, x, aux, extra, n, members, chunk, lanes,   \
                                          inv_n, nu, work, shared_work);                            \
        else                                                                                        \
            loss_partial_body<T, false, 0>(plan, genomes, x, aux, extra, n, members, chunk, lanes,  \
                                           inv_n, nu, work, shared_work);                           \
    }                                                                                               \
    extern "C" __global__ void mlp_loss_points_##SUF(                                              \
        const unsigned *plan, const T *genomes, const T *x, const T *aux, const T *extra,           \
        unsigned n, unsigned members, unsigned chunk, unsigned lanes, T inv_n, T nu, T *work,       \
        T *scratch) {                                                                               \
        loss_points_body<T>(plan, genomes, x, aux, extra, n, members, chunk, lanes, inv_n, nu,     \
                            work, scratch);                                                         \
    }                                                                                               \
    extern "C" __global__ void mlp_loss_fold_##SUF(const unsigned *plan, unsigned n,               \
                                                   unsigned members, unsigned chunk,                \
                                                   unsigned lanes, const T *work, T *loss,          \
                                                   T *grad, T *grad_extra) {                        \
        loss_fold_body<T>(plan, n, members, chunk, lanes, work, loss, grad, grad_extra);           \
    }

PM_MLP_KERNELS(float, f32)
PM_MLP_KERNELS(double, f64)
