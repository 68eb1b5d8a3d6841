//! Work items of the loss kernels, generic over the lane type and the loss, and the entry
//! points that pick an ISA for both kinds of item (these and `forward_items`).

use super::forward_items::{fixed_values_width, Inputs};
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
use super::lanes::Wide;
use super::lanes::{fold_lanes, Lane, Real};
use super::reuse::{self, zeroed, Footprint};
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
use super::sweeps::PairedSweeps;
use super::sweeps::{GenomeSweeps, Sweeps};
use super::{Element, Path};
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
pub(crate) use crate::nn::backprop::PairedBlock;
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
use crate::nn::backprop::PairedGrad;
use crate::nn::forward::Scratch;
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
pub(super) fn gather<V: Lane>(m: &[V::T], width: usize, n: usize, p0: usize, k: usize) -> V {
    let mut buf = [V::T::ZERO; 16];
    for (j, b) in buf.iter_mut().enumerate().take(V::W) {
        *b = m[(p0 + j).min(n - 1) * width + k];
    }
    V::load(&buf)
}

/// Loads the inputs and per-point data of points `p0..p0+W` into registers.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn load_block<V: Lane>(
    x: &[V::T],
    aux: &[V::T],
    aw: usize,
    n: usize,
    p0: usize,
    xv: &mut [V],
    av: &mut [V],
) {
    let d = xv.len();
    for (k, v) in xv.iter_mut().enumerate() {
        *v = gather::<V>(x, d, n, p0, k);
    }
    for (k, v) in av.iter_mut().enumerate() {
        *v = gather::<V>(aux, aw, n, p0, k);
    }
}

/// Folds the lane accumulators of a work item into its partial sums.
///
/// Plain loops, not `map(fold_lanes)`: iterator adaptors are compiled without the caller's
/// target features, so the lane stores inside would become calls.
#[inline(always)]
fn fold_partial<V: Lane>(lacc: V, gacc: &[V], eacc: &[V]) -> Partial<V::T> {
    let mut grad = Vec::with_capacity(gacc.len());
    for &v in gacc {
        grad.push(fold_lanes(v));
    }
    let mut grad_extra = Vec::with_capacity(eacc.len());
    for &v in eacc {
        grad_extra.push(fold_lanes(v));
    }
    Partial {
        loss: fold_lanes(lacc),
        grad,
        grad_extra,
    }
}

/// `1/n` for the first `valid` lanes, zero for the padding lanes past the end.
#[inline(always)]
fn point_weights<V: Lane>(inv_n: V::T, valid: usize) -> V {
    let mut wbuf = [V::T::ZERO; 16];
    for (j, w) in wbuf.iter_mut().enumerate().take(V::W) {
        *w = if j < valid { inv_n } else { V::T::ZERO };
    }
    V::load(&wbuf)
}

/// The loss of every block of `V::W` points of `lo..hi` (unweighted, one register per block,
/// in block order) for a value-only loss on a network [`fixed_values_width`] serves, or `None`
/// where it does not serve (`grad`, more than the value, other shapes). The outputs come from
/// the fixed-width forward ([`Sweeps::outputs_fixed`]), whose bits are those of
/// `forward_block`, and padding lanes repeat the last point as [`gather`] does, so every loss
/// has the bits of the general path; the callers weight and sum them in the same order.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn block_losses_if_fixed<V: Sweeps, L: PointLoss>(
    grad: bool,
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
) -> Option<Vec<V>> {
    if grad {
        return None;
    }
    let h = fixed_values_width(spec, jet)?;
    let (d, n_out, aw) = (spec.n_in(), spec.n_out(), loss.aux_width());
    let y = V::outputs_fixed(spec, genome, h, x, lo, hi);
    let th: Vec<V> = extra.iter().map(|&e| V::splat(e)).collect();
    let mut xv = vec![V::zero(); d];
    let mut av = vec![V::zero(); aw];
    let mut out = vec![V::zero(); n_out];
    let mut adj = vec![V::zero(); n_out];
    let mut adj_e = vec![V::zero(); th.len()];
    let mut losses = Vec::with_capacity((hi - lo).div_ceil(V::W));
    let mut p0 = lo;
    while p0 < hi {
        load_block(x, aux, aw, n, p0, &mut xv, &mut av);
        for (q, o) in out.iter_mut().enumerate() {
            *o = gather::<V>(&y, n_out, hi - lo, p0 - lo, q);
        }
        losses.push(loss.eval(jet, &xv, &av, &out, &th, &mut adj, &mut adj_e));
        p0 += V::W;
    }
    Some(losses)
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn loss_item<V: GenomeSweeps, L: PointLoss>(
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
    grad: bool,
) -> Partial<V::T> {
    let d = spec.n_in();
    let c = jet.n_comp();
    let n_out = spec.n_out();
    let aw = loss.aux_width();
    let ne = extra.len();
    if let Some(ls) =
        block_losses_if_fixed::<V, L>(grad, spec, genome, jet, x, aux, extra, loss, n, lo, hi)
    {
        let inv_n = V::T::ONE / V::T::from_f64(n as f64);
        let mut lacc = V::zero();
        for (b, l) in ls.into_iter().enumerate() {
            let wt = point_weights::<V>(inv_n, hi - (lo + b * V::W));
            lacc = wt.fma(l, lacc);
        }
        return fold_partial(lacc, &[], &vec![V::zero(); ne]);
    }
    let mut bufs = reuse::take::<NarrowBuffers<V>>();
    let NarrowBuffers { sc, gacc } = &mut *bufs;
    sc.reset(spec, jet, genome);
    // Values only: no gradient accumulators to fill or fold.
    zeroed(gacc, if grad { spec.n_params() } else { 0 }, V::zero());
    let mut eacc = vec![V::zero(); ne];
    let mut lacc = V::zero();
    let th: Vec<V> = extra.iter().map(|&e| V::splat(e)).collect();
    let mut xv = vec![V::zero(); d];
    let mut av = vec![V::zero(); aw];
    let mut adj = vec![V::zero(); n_out * c];
    let mut adj_e = vec![V::zero(); ne];
    let inv_n = V::T::ONE / V::T::from_f64(n as f64);
    let mut p0 = lo;
    while p0 < hi {
        load_block(x, aux, aw, n, p0, &mut xv, &mut av);
        let wt = point_weights::<V>(inv_n, hi - p0);
        V::forward(spec, genome, jet, &xv, sc, grad);
        adj.fill(V::zero());
        adj_e.fill(V::zero());
        let out = &sc.acts[spec.n_layers()];
        let l = loss.eval(jet, &xv, &av, out, &th, &mut adj, &mut adj_e);
        lacc = wt.fma(l, lacc);
        // Values only: the adjoints the loss returned are not needed.
        if grad {
            for a in adj.iter_mut() {
                *a = wt.mul(*a);
            }
            for (acc, a) in eacc.iter_mut().zip(&adj_e) {
                *acc = wt.fma(*a, *acc);
            }
            V::backward(spec, genome, jet, &adj, sc, gacc);
        }
        p0 += V::W;
    }
    let part = fold_partial(lacc, gacc, &eacc);
    reuse::give(bufs);
    part
}

/// The working memory of [`loss_item`], kept per thread ([`reuse`]).
struct NarrowBuffers<V: Lane> {
    sc: Scratch<V>,
    gacc: Vec<V>,
}

impl<V: Lane> Default for NarrowBuffers<V> {
    fn default() -> Self {
        Self {
            sc: Scratch::default(),
            gacc: Vec::new(),
        }
    }
}

/// The working memory of [`loss_item_wide`], kept per thread ([`reuse`]).
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
struct WideBuffers<W: Wide> {
    sc: Scratch<W>,
    grad: PairedGrad<W>,
    genome_grad: Vec<W::Half>,
}

#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
impl<W: Wide> Default for WideBuffers<W> {
    fn default() -> Self {
        Self {
            sc: Scratch::default(),
            grad: PairedGrad::default(),
            genome_grad: Vec::new(),
        }
    }
}

impl<V: Lane> Footprint for NarrowBuffers<V> {
    fn bytes(&self) -> usize {
        self.sc.bytes() + self.gacc.bytes()
    }
}

#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
impl<W: Wide> Footprint for WideBuffers<W> {
    fn bytes(&self) -> usize {
        self.sc.bytes() + self.grad.bytes() + self.genome_grad.bytes()
    }
}

/// [`loss_item`] on wide registers, two 8/4-lane blocks per register: the forward sweep, the
/// loss and the input-adjoint sweep run per point on `W`; every sum over points takes the low
/// block and then the high one, into 8/4-lane accumulators (loss, extra gradients) or into
/// wide registers that hold the 8/4-lane accumulators of two units side by side (weight
/// gradients, `PairedGrad`), so the bits equal those of [`loss_item`] on `W::Half`.
/// `acc + w·v` over the low halves, then over the high halves when `both` (the 8/4-lane order
/// of summing two blocks one after the other).
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
#[inline(always)]
fn fma_halves<W: Wide>(w: W, v: W, both: bool, acc: W::Half) -> W::Half {
    let (w_lo, w_hi) = w.halves();
    let (v_lo, v_hi) = v.halves();
    let acc = w_lo.fma(v_lo, acc);
    if both {
        w_hi.fma(v_hi, acc)
    } else {
        acc
    }
}

#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn loss_item_wide<W: PairedSweeps, L: PointLoss>(
    spec: &MlpSpec,
    genome: &[W::T],
    jet: &JetSpec,
    x: &[W::T],
    aux: &[W::T],
    extra: &[W::T],
    loss: &L,
    n: usize,
    lo: usize,
    hi: usize,
    grad: bool,
) -> Partial<W::T> {
    let d = spec.n_in();
    let c = jet.n_comp();
    let n_out = spec.n_out();
    let aw = loss.aux_width();
    let ne = extra.len();
    let half = W::W / 2;
    if let Some(ls) =
        block_losses_if_fixed::<W, L>(grad, spec, genome, jet, x, aux, extra, loss, n, lo, hi)
    {
        let inv_n = W::T::ONE / W::T::from_f64(n as f64);
        let mut lacc = W::Half::zero();
        for (b, l) in ls.into_iter().enumerate() {
            let rest = hi - (lo + b * W::W);
            let wt = point_weights::<W>(inv_n, rest);
            lacc = fma_halves(wt, l, rest > half, lacc);
        }
        return fold_partial(lacc, &[], &vec![W::Half::zero(); ne]);
    }
    let mut bufs = reuse::take::<WideBuffers<W>>();
    let WideBuffers {
        sc,
        grad: grad_acc,
        genome_grad,
    } = &mut *bufs;
    sc.reset(spec, jet, genome);
    // Values only: no gradient accumulators to fill or fold.
    if grad {
        grad_acc.reset(spec, c);
    }
    let mut eacc = vec![W::Half::zero(); ne];
    let mut lacc = W::Half::zero();
    let th: Vec<W> = extra.iter().map(|&e| W::splat(e)).collect();
    let mut xv = vec![W::zero(); d];
    let mut av = vec![W::zero(); aw];
    let mut adj = vec![W::zero(); n_out * c];
    let mut adj_e = vec![W::zero(); ne];
    let inv_n = W::T::ONE / W::T::from_f64(n as f64);
    let mut p0 = lo;
    while p0 < hi {
        load_block(x, aux, aw, n, p0, &mut xv, &mut av);
        // The high block exists only where the 8/4-lane kernel would run a block there.
        let nb = if hi - p0 > half { 2 } else { 1 };
        let wt = point_weights::<W>(inv_n, hi - p0);
        W::forward(spec, genome, jet, &xv, sc, grad);
        adj.fill(W::zero());
        adj_e.fill(W::zero());
        let out = &sc.acts[spec.n_layers()];
        let l = loss.eval(jet, &xv, &av, out, &th, &mut adj, &mut adj_e);
        lacc = fma_halves(wt, l, nb == 2, lacc);
        if grad {
            for a in adj.iter_mut() {
                *a = wt.mul(*a);
            }
            for (acc, a) in eacc.iter_mut().zip(&adj_e) {
                *acc = fma_halves(wt, *a, nb == 2, *acc);
            }
            let mut grads = PairedBlock { grad: grad_acc, nb };
            W::backward(spec, genome, jet, &adj, sc, &mut grads);
        }
        p0 += W::W;
    }
    genome_grad.clear();
    if grad {
        grad_acc.to_genome(spec, genome_grad);
    }
    let part = fold_partial(lacc, genome_grad, &eacc);
    reuse::give(bufs);
    part
}

#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
#[target_feature(enable = "avx2,fma,avx512f,avx512vl")]
#[allow(clippy::too_many_arguments)]
fn loss_avx512<W: PairedSweeps, L: PointLoss>(
    spec: &MlpSpec,
    genome: &[W::T],
    jet: &JetSpec,
    x: &[W::T],
    aux: &[W::T],
    extra: &[W::T],
    loss: &L,
    n: usize,
    lo: usize,
    hi: usize,
    grad: bool,
) -> Partial<W::T> {
    loss_item_wide::<W, L>(spec, genome, jet, x, aux, extra, loss, n, lo, hi, grad)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
fn loss_avx<V: GenomeSweeps, L: PointLoss>(
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
    grad: bool,
) -> Partial<V::T> {
    loss_item::<V, L>(spec, genome, jet, x, aux, extra, loss, n, lo, hi, grad)
}

/// Output jets of points `lo..hi` for one genome, into `out` (`(hi-lo) × n_out × c`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_jets<T: Element>(
    path: Path,
    spec: &MlpSpec,
    genome: &[T],
    jet: &JetSpec,
    x: &Inputs<T>,
    n: usize,
    lo: usize,
    hi: usize,
    out: &mut [T],
) {
    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    if path == Path::Avx512 {
        // `Path::Avx512` is only chosen after `avx512_available()` detected avx2, fma,
        // avx512f and avx512vl, which the AVX-512 sweeps rely on.
        return T::Avx512::jets(spec, genome, jet, x, n, lo, hi, out);
    }
    #[cfg(target_arch = "x86_64")]
    if path != Path::Scalar {
        // The vector paths are only chosen after `is_x86_feature_detected!("avx2")` and
        // `("fma")`, which the AVX2 sweeps rely on.
        return T::Avx::jets(spec, genome, jet, x, n, lo, hi, out);
    }
    let _ = path;
    T::Emu::jets(spec, genome, jet, x, n, lo, hi, out)
}

/// Loss partial of points `lo..hi` for one genome; the gradients only when `grad` (else the
/// backward sweep is skipped and they stay zero; the loss has the same bits either way).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_loss<T: Element, L: PointLoss>(
    path: Path,
    grad: bool,
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
    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    if path == Path::Avx512 {
        // SAFETY: `Path::Avx512` is only chosen after `avx512_available()` detected avx2,
        // fma, avx512f and avx512vl.
        return unsafe {
            loss_avx512::<T::Avx512, L>(spec, genome, jet, x, aux, extra, loss, n, lo, hi, grad)
        };
    }
    #[cfg(target_arch = "x86_64")]
    if path != Path::Scalar {
        // SAFETY: the vector paths are only chosen after `is_x86_feature_detected!("avx2")`
        // and `("fma")`.
        return unsafe {
            loss_avx::<T::Avx, L>(spec, genome, jet, x, aux, extra, loss, n, lo, hi, grad)
        };
    }
    let _ = path;
    loss_item::<T::Emu, L>(spec, genome, jet, x, aux, extra, loss, n, lo, hi, grad)
}
