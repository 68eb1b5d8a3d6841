//! The per-member kernel: one lane block of members through the network and back, generic
//! over [`Lane`] (the order of operations of the module docs of [`super`]).

use super::super::lanes::{Lane, Real};
use super::interleave::interleave;
use super::{tile_len, tiled_index, Genomes, Job, MemberMlp};
use crate::backend::cpu::{avx2_available, Element};
use crate::nn::activation;

/// Sixteen `f32` / eight `f64` members per register; lanes never mix, so the bits are those
/// of [`run_avx`].
///
/// # Safety
/// The CPU must support AVX2, FMA, AVX-512F and AVX-512VL.
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
#[target_feature(enable = "avx2,fma,avx512f,avx512vl")]
pub(super) unsafe fn run_avx512<T: Element>(
    net: &MemberMlp,
    job: &Job<'_, T>,
    r0: usize,
    a: &mut [T],
    b: &mut [T],
) {
    run::<T::Avx512>(net, job, r0, a, b)
}

/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn run_avx<T: Element>(
    net: &MemberMlp,
    job: &Job<'_, T>,
    r0: usize,
    a: &mut [T],
    b: &mut [T],
) {
    run::<T::Avx>(net, job, r0, a, b)
}

/// Members `r0..` of one work item. Forward (`job.v` empty): `a` receives the outputs
/// (`n × n_out`). Reverse: `a` receives the input adjoints (`n × n_in`), `b` the genome
/// adjoints packed (`n × n_params`).
#[inline(always)]
pub(super) fn run<V: Lane>(
    net: &MemberMlp,
    job: &Job<'_, V::T>,
    r0: usize,
    a: &mut [V::T],
    b: &mut [V::T],
) {
    let spec = &net.spec;
    let w = V::W;
    let (n_in, n_out, np) = (spec.n_in(), spec.n_out(), spec.n_params());
    let reverse = !job.v.is_empty();
    let n = if reverse {
        a.len() / n_in
    } else {
        a.len() / n_out
    };
    let zero = V::T::ZERO;
    // The interleaved scratch, sized on first use (tiled genomes are read in place).
    let mut wt = Vec::new();
    let mut h = vec![zero; net.act_off[net.act_off.len() - 1] * w];
    let mut d = if reverse {
        vec![zero; h.len()]
    } else {
        Vec::new()
    };
    let mut gw = if reverse {
        vec![zero; np * w]
    } else {
        Vec::new()
    };
    let mut ga = vec![zero; spec.max_width() * w];
    let mut gb = vec![zero; spec.max_width() * w];
    let avx = crate::math::vector_lanes() && avx2_available();
    for blk in (0..n).step_by(w) {
        // Lane l holds member blk + l; a short block repeats its last member.
        let member = |l: usize| r0 + (blk + l).min(n - 1);
        // One row slice per lane (a per-element index let the compiler build the indices in a
        // vector register and extract them one by one, a quarter of a solve's time).
        for l in 0..w {
            let m = member(l);
            let row = &job.x[m * n_in..(m + 1) * n_in];
            for (k, &v) in row.iter().enumerate() {
                h[k * w + l] = v;
            }
        }
        // The weights as registers: `ws` elements from one parameter's lanes to the next.
        let (weights, ws): (&[V::T], usize) = match job.genomes {
            Genomes::Rows(g, layout) => {
                let mut rows: [&[V::T]; 16] = [&[]; 16];
                for (l, row) in rows.iter_mut().enumerate().take(w) {
                    *row = &g[member(l) * layout.stride + layout.offset..][..np];
                }
                wt.resize(np * w, zero);
                interleave::<V>(&rows[..w], &mut wt, avx);
                (&wt, w)
            }
            // In place: every lane width divides the tile and work items start at multiples
            // of `MEMBER_CHUNK`, so a register never straddles two tiles. Lanes past the last
            // member compute on whatever the tile holds there, and are discarded.
            Genomes::Tiled(g) => {
                let tile = tile_len::<V::T>();
                assert!(
                    (r0 + blk) % tile + w <= tile,
                    "lane block straddles two tiles"
                );
                (&g[tiled_index::<V::T>(r0 + blk, 0, np)..], tile)
            }
        };
        forward_block::<V>(net, weights, ws, &mut h, &mut d, reverse);
        let top = net.act_off[spec.n_layers()] * w;
        let live = (n - blk).min(w);
        if !reverse {
            for l in 0..live {
                for o in 0..n_out {
                    a[(blk + l) * n_out + o] = h[top + o * w + l];
                }
            }
            continue;
        }
        for l in 0..w {
            for o in 0..n_out {
                ga[o * w + l] = job.v[member(l) * n_out + o];
            }
        }
        backward_block::<V>(net, weights, ws, &h, &d, &mut ga, &mut gb, &mut gw);
        for l in 0..live {
            for k in 0..n_in {
                a[(blk + l) * n_in + k] = ga[k * w + l];
            }
            let row = &mut b[(blk + l) * np..(blk + l + 1) * np];
            for (j, x) in row.iter_mut().enumerate() {
                *x = gw[j * w + l];
            }
        }
    }
}

/// Forward through all layers for one lane block. Weight `j`'s register is `wt[j * ws..]`.
/// `h` holds the input in its first `n_in` registers and receives every layer's output after
/// it; with `keep`, `d` receives `σ'`.
#[inline(always)]
fn forward_block<V: Lane>(
    net: &MemberMlp,
    wt: &[V::T],
    ws: usize,
    h: &mut [V::T],
    d: &mut [V::T],
    keep: bool,
) {
    let spec = &net.spec;
    let w = V::W;
    for l in 0..spec.n_layers() {
        let (ni, no) = spec.layer_shape(l);
        let act = spec.activations()[l];
        let base = spec.layer_offset(l);
        let (lo, hi) = h.split_at_mut(net.act_off[l + 1] * w);
        let hin = &lo[net.act_off[l] * w..];
        let dl = if keep {
            &mut d[net.act_off[l + 1] * w..]
        } else {
            &mut []
        };
        // All pre-activations first, eight units at a time (eight independent FMA chains
        // sharing each input load: two FMA ports times four cycles of latency), then the
        // activations as one loop of independent calls, so their division latencies overlap
        // instead of queueing behind each unit's chain.
        let mut o = 0;
        while o < no {
            let t = match no - o {
                1 => 1,
                2 => 2,
                3 => 3,
                4..=7 => 4,
                _ => 8,
            };
            match t {
                1 => unit_tile::<V, 1>(wt, ws, base, hin, (ni, no), o, hi),
                2 => unit_tile::<V, 2>(wt, ws, base, hin, (ni, no), o, hi),
                3 => unit_tile::<V, 3>(wt, ws, base, hin, (ni, no), o, hi),
                4 => unit_tile::<V, 4>(wt, ws, base, hin, (ni, no), o, hi),
                _ => unit_tile::<V, 8>(wt, ws, base, hin, (ni, no), o, hi),
            }
            o += t;
        }
        for o in 0..no {
            let z = V::load(&hi[o * w..]);
            if keep {
                let e = activation::eval(act, z);
                e[0].store(&mut hi[o * w..]);
                e[1].store(&mut dl[o * w..]);
            } else {
                activation::value(act, z).store(&mut hi[o * w..]);
            }
        }
    }
}

/// Pre-activations of units `o..o+T` into `z`: `b_o`, then `fma(W_ok, h_k, acc)` for `k`
/// ascending, each unit's own chain (the order of the module docs). The layer (`ni` inputs,
/// `no` units) starts at parameter `base`; parameter `j`'s register is `wt[j * ws..]`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn unit_tile<V: Lane, const T: usize>(
    wt: &[V::T],
    ws: usize,
    base: usize,
    hin: &[V::T],
    (ni, no): (usize, usize),
    o: usize,
    z: &mut [V::T],
) {
    let w = V::W;
    // The biases follow the layer's weights, so the last bias is the highest register read;
    // one check here instead of one per load keeps the inner loop to its loads and FMAs.
    let bias0 = base + ni * no + o;
    assert!(o + T <= no && (bias0 + T - 1) * ws + w <= wt.len() && hin.len() >= ni * w);
    let (wp, hp) = (wt.as_ptr(), hin.as_ptr());
    let mut acc = [V::zero(); T];
    for (t, a) in acc.iter_mut().enumerate() {
        // SAFETY: `bias0 + t ≤ bias0 + T − 1`, checked above.
        *a = unsafe { V::load_ptr(wp.add((bias0 + t) * ws)) };
    }
    // One pointer walking input `k` of unit `o`'s row, the other units at fixed distances
    // (loop-invariant offsets: an index recomputed per load was vectorised by the compiler
    // and extracted lane by lane, which cost more than the FMAs).
    let offsets: [usize; T] = std::array::from_fn(|t| t * ni * ws);
    // SAFETY: `base + o·ni ≤ bias0`, inside `wt` (checked above).
    let mut q = unsafe { wp.add((base + o * ni) * ws) };
    for k in 0..ni {
        // SAFETY: `k < ni` and `hin` holds `ni` registers (checked above).
        let hk = unsafe { V::load_ptr(hp.add(k * w)) };
        for (a, &off) in acc.iter_mut().zip(&offsets) {
            // SAFETY: `q + off` is weight (o + t, k): below `bias0` (weights precede biases),
            // so inside `wt`.
            *a = unsafe { V::load_ptr(q.add(off)) }.fma(hk, *a);
        }
        // SAFETY: at most one past input `ni − 1` of unit `o`, still inside `wt`.
        q = unsafe { q.add(ws) };
    }
    for (t, a) in acc.iter().enumerate() {
        a.store(&mut z[(o + t) * w..]);
    }
}

/// Reverse through all layers for one lane block (weight `j`'s register at `wt[j * ws..]`):
/// `ga` holds the output adjoints on entry and the input adjoints on exit; `gw` receives the
/// genome adjoints (interleaved).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn backward_block<V: Lane>(
    net: &MemberMlp,
    wt: &[V::T],
    ws: usize,
    h: &[V::T],
    d: &[V::T],
    ga: &mut [V::T],
    gb: &mut [V::T],
    gw: &mut [V::T],
) {
    let spec = &net.spec;
    let w = V::W;
    for l in (0..spec.n_layers()).rev() {
        let (ni, no) = spec.layer_shape(l);
        let base = spec.layer_offset(l) * w;
        let hin = &h[net.act_off[l] * w..net.act_off[l + 1] * w];
        let dl = &d[net.act_off[l + 1] * w..];
        for x in gb[..ni * w].iter_mut() {
            *x = V::T::ZERO;
        }
        for o in 0..no {
            let delta = V::load(&ga[o * w..]).mul(V::load(&dl[o * w..]));
            delta.store(&mut gw[base + (ni * no + o) * w..]);
            let row = base + o * ni * w;
            let wrow = spec.layer_offset(l) + o * ni;
            for k in 0..ni {
                let at = row + k * w;
                delta.mul(V::load(&hin[k * w..])).store(&mut gw[at..]);
                V::load(&wt[(wrow + k) * ws..])
                    .fma(delta, V::load(&gb[k * w..]))
                    .store(&mut gb[k * w..]);
            }
        }
        ga[..ni * w].copy_from_slice(&gb[..ni * w]);
    }
}
