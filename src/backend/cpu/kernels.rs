//! Work items of the population kernels, generic over the lane type, and their AVX2 entry
//! points.

use super::lanes::{fold_lanes, Lane, Real};
use super::Element;
use crate::nn::backprop::backward_block;
use crate::nn::forward::{forward_block, Scratch};
use crate::nn::{JetSpec, MlpSpec, PointLoss};

/// Points per work item. Fixed (a multiple of every lane count) so that the summation order
/// of gradients never depends on threads or ISA.
pub const CHUNK: usize = 1024;

/// Partial loss and gradients of one work item (lanes already folded).
pub(crate) struct Partial<T> {
    pub(crate) loss: T,
    pub(crate) grad: Vec<T>,
    pub(crate) grad_extra: Vec<T>,
}

/// Loads column `k` of points `p0..p0+W` of a row-major `n × width` matrix into a register,
/// repeating the last point past `n`.
#[inline(always)]
fn gather<V: Lane>(m: &[V::T], width: usize, n: usize, p0: usize, k: usize) -> V {
    let mut buf = [V::T::ZERO; 16];
    for (j, b) in buf.iter_mut().enumerate().take(V::W) {
        *b = m[(p0 + j).min(n - 1) * width + k];
    }
    V::load(&buf)
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn jets_item<V: Lane>(
    spec: &MlpSpec,
    genome: &[V::T],
    jet: &JetSpec,
    x: &[V::T],
    n: usize,
    lo: usize,
    hi: usize,
) -> Vec<V::T> {
    let d = spec.n_in();
    let c = jet.n_comp();
    let n_out = spec.n_out();
    let mut sc = Scratch::<V>::new(spec, jet, genome);
    let mut out = vec![V::T::ZERO; (hi - lo) * n_out * c];
    let mut xv = vec![V::zero(); d];
    let mut buf = [V::T::ZERO; 16];
    let mut p0 = lo;
    while p0 < hi {
        for (k, v) in xv.iter_mut().enumerate() {
            *v = gather::<V>(x, d, n, p0, k);
        }
        forward_block(spec, genome, jet, &xv, &mut sc, false);
        let y = &sc.acts[spec.n_layers()];
        let valid = (hi - p0).min(V::W);
        for q in 0..n_out * c {
            y[q].store(&mut buf);
            for (j, &v) in buf.iter().enumerate().take(valid) {
                out[(p0 - lo + j) * n_out * c + q] = v;
            }
        }
        p0 += V::W;
    }
    out
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn loss_item<V: Lane, L: PointLoss>(
    spec: &MlpSpec,
    genome: &[V::T],
    jet: &JetSpec,
    x: &[V::T],
    aux: &[V::T],
    extra: &[V::T],
    loss: &L,
    n: usize,
    lo: usize,
    hi: usize,
) -> Partial<V::T> {
    let d = spec.n_in();
    let c = jet.n_comp();
    let n_out = spec.n_out();
    let aw = loss.aux_width();
    let ne = extra.len();
    let mut sc = Scratch::<V>::new(spec, jet, genome);
    let mut gacc = vec![V::zero(); spec.n_params()];
    let mut eacc = vec![V::zero(); ne];
    let mut lacc = V::zero();
    let th: Vec<V> = extra.iter().map(|&e| V::splat(e)).collect();
    let mut xv = vec![V::zero(); d];
    let mut av = vec![V::zero(); aw];
    let mut adj = vec![V::zero(); n_out * c];
    let mut adj_e = vec![V::zero(); ne];
    let inv_n = V::T::ONE / V::T::from_f64(n as f64);
    let mut wbuf = [V::T::ZERO; 16];
    let mut p0 = lo;
    while p0 < hi {
        for (k, v) in xv.iter_mut().enumerate() {
            *v = gather::<V>(x, d, n, p0, k);
        }
        for (k, v) in av.iter_mut().enumerate() {
            *v = gather::<V>(aux, aw, n, p0, k);
        }
        let valid = (hi - p0).min(V::W);
        for (j, w) in wbuf.iter_mut().enumerate().take(V::W) {
            *w = if j < valid { inv_n } else { V::T::ZERO };
        }
        let wt = V::load(&wbuf);
        forward_block(spec, genome, jet, &xv, &mut sc, true);
        adj.fill(V::zero());
        adj_e.fill(V::zero());
        let out = &sc.acts[spec.n_layers()];
        let l = loss.eval(jet, &xv, &av, out, &th, &mut adj, &mut adj_e);
        lacc = wt.fma(l, lacc);
        for a in adj.iter_mut() {
            *a = wt.mul(*a);
        }
        for (acc, a) in eacc.iter_mut().zip(&adj_e) {
            *acc = wt.fma(*a, *acc);
        }
        backward_block(spec, genome, jet, &adj, &mut sc, &mut gacc);
        p0 += V::W;
    }
    // Plain loops, not `map(fold_lanes)`: iterator adaptors are compiled without the caller's
    // target features, so the lane stores inside would become calls.
    let mut grad = Vec::with_capacity(gacc.len());
    for &v in &gacc {
        grad.push(fold_lanes(v));
    }
    let mut grad_extra = Vec::with_capacity(eacc.len());
    for &v in &eacc {
        grad_extra.push(fold_lanes(v));
    }
    Partial {
        loss: fold_lanes(lacc),
        grad,
        grad_extra,
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
fn jets_avx<V: Lane>(
    spec: &MlpSpec,
    genome: &[V::T],
    jet: &JetSpec,
    x: &[V::T],
    n: usize,
    lo: usize,
    hi: usize,
) -> Vec<V::T> {
    jets_item::<V>(spec, genome, jet, x, n, lo, hi)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
fn loss_avx<V: Lane, L: PointLoss>(
    spec: &MlpSpec,
    genome: &[V::T],
    jet: &JetSpec,
    x: &[V::T],
    aux: &[V::T],
    extra: &[V::T],
    loss: &L,
    n: usize,
    lo: usize,
    hi: usize,
) -> Partial<V::T> {
    loss_item::<V, L>(spec, genome, jet, x, aux, extra, loss, n, lo, hi)
}

/// Output jets of points `lo..hi` for one genome (`(hi-lo) × n_out × c`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_jets<T: Element>(
    avx: bool,
    spec: &MlpSpec,
    genome: &[T],
    jet: &JetSpec,
    x: &[T],
    n: usize,
    lo: usize,
    hi: usize,
) -> Vec<T> {
    #[cfg(target_arch = "x86_64")]
    if avx {
        // SAFETY: `avx` is only true after `is_x86_feature_detected!("avx2")` and `("fma")`.
        return unsafe { jets_avx::<T::Avx>(spec, genome, jet, x, n, lo, hi) };
    }
    let _ = avx;
    jets_item::<T::Emu>(spec, genome, jet, x, n, lo, hi)
}

/// Loss partial of points `lo..hi` for one genome.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_loss<T: Element, L: PointLoss>(
    avx: bool,
    spec: &MlpSpec,
    genome: &[T],
    jet: &JetSpec,
    x: &[T],
    aux: &[T],
    extra: &[T],
    loss: &L,
    n: usize,
    lo: usize,
    hi: usize,
) -> Partial<T> {
    #[cfg(target_arch = "x86_64")]
    if avx {
        // SAFETY: as in `run_jets`.
        return unsafe { loss_avx::<T::Avx, L>(spec, genome, jet, x, aux, extra, loss, n, lo, hi) };
    }
    let _ = avx;
    loss_item::<T::Emu, L>(spec, genome, jet, x, aux, extra, loss, n, lo, hi)
}
