//! Work items of the population kernels, generic over the lane type, and their AVX2 entry
//! points.

#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
use super::lanes::Wide;
use super::lanes::{fold_lanes, Lane, Real};
use super::reuse::{self, Footprint};
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
use super::sweeps::PairedSweeps;
use super::sweeps::{GenomeSweeps, Sweeps};
use super::{Element, Path};
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
pub(crate) use crate::nn::backprop::PairedBlock;
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
use crate::nn::backprop::PairedGrad;
use crate::nn::forward::{forward_block, Scratch};
use crate::nn::forward_fixed::{
    fixed_hidden_width, forward_values_blocks, layers, FixedScratch, Layer, MAX_FIXED_IO,
};
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

#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn jets_item<V: Lane>(
    spec: &MlpSpec,
    genome: &[V::T],
    jet: &JetSpec,
    x: &Inputs<V::T>,
    n: usize,
    lo: usize,
    hi: usize,
    out: &mut [V::T],
) {
    let d = spec.n_in();
    let c = jet.n_comp();
    let n_out = spec.n_out();
    let (x, fixed) = (x.rows, x.fixed);
    if let Some((xt, h)) = fixed {
        match h {
            10 => return values_fixed::<V, 10>(spec, genome, xt, lo, hi, out),
            20 => return values_fixed::<V, 20>(spec, genome, xt, lo, hi, out),
            _ => return values_fixed::<V, 50>(spec, genome, xt, lo, hi, out),
        }
    }
    let mut sc = reuse::take::<Scratch<V>>();
    sc.reset(spec, jet, genome);
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
    reuse::give(sc);
}

/// The inputs of a forward pass: row-major `n × d`, and where the kernel of
/// [`fixed_values_width`] serves the pass, also by column ([`columns_padded`]) with the
/// hidden width it runs at.
pub(crate) struct Inputs<'a, T> {
    pub(crate) rows: &'a [T],
    pub(crate) fixed: Option<(&'a Columns<T>, usize)>,
}

/// Inputs by column, each padded to `stride ≥ n + 32` with copies of the last point (as
/// [`gather`] repeats it), so that any block of points loads with one vector load.
pub(crate) struct Columns<T> {
    data: Vec<T>,
    stride: usize,
}

/// [`Columns`] of a row-major `n × d` input matrix.
pub(crate) fn columns_padded<T: Copy>(x: &[T], d: usize, n: usize) -> Columns<T> {
    let stride = n + 32;
    let mut data = Vec::with_capacity(d * stride);
    for k in 0..d {
        data.extend((0..stride).map(|p| x[p.min(n - 1) * d + k]));
    }
    Columns { data, stride }
}

/// The hidden width if [`values_fixed`] serves this forward pass: the value jet of a network
/// [`forward_values_blocks`] serves, with few inputs and outputs.
pub(crate) fn fixed_values_width(spec: &MlpSpec, jet: &JetSpec) -> Option<usize> {
    (jet.n_comp() == 1 && spec.n_in() <= MAX_FIXED_IO && spec.n_out() <= MAX_FIXED_IO)
        .then(|| fixed_hidden_width(spec))
        .flatten()
}

/// [`jets_item`] for [`fixed_values_width`]: two blocks of points at a time on AVX-512 (one at
/// the end), inputs by column, no scratch to allocate, no weight packing, the same bits.
#[inline(always)]
fn values_fixed<V: Lane, const H: usize>(
    spec: &MlpSpec,
    genome: &[V::T],
    xt: &Columns<V::T>,
    lo: usize,
    hi: usize,
    out: &mut [V::T],
) {
    let layers = layers(spec, genome);
    let mut sc2 = FixedScratch::<V, H, 2>::new();
    let mut sc1 = FixedScratch::<V, H, 1>::new();
    // Pairs of blocks (twenty accumulators) only on the 32-register AVX-512 file: with the
    // sixteen AVX2 registers they spill, and single blocks are faster there (Burgers forward,
    // P = 100: 95.8 → 99.3 GFLOP/s with tanh, 175.9 → 187.3 with identity activations).
    let pairs = V::W >= 16;
    let mut p0 = lo;
    while p0 < hi {
        if pairs && hi - p0 > V::W {
            values_fixed_step::<V, H, 2>(spec, &layers, xt, lo, hi, p0, out, &mut sc2);
            p0 += 2 * V::W;
        } else {
            values_fixed_step::<V, H, 1>(spec, &layers, xt, lo, hi, p0, out, &mut sc1);
            p0 += V::W;
        }
    }
}

/// `NB` blocks of [`values_fixed`] from point `p0` on; the outputs of the points below `hi`
/// are stored.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn values_fixed_step<V: Lane, const H: usize, const NB: usize>(
    spec: &MlpSpec,
    layers: &[Layer<'_, V::T>],
    xt: &Columns<V::T>,
    lo: usize,
    hi: usize,
    p0: usize,
    out: &mut [V::T],
    sc: &mut FixedScratch<V, H, NB>,
) {
    let (d, n_out) = (spec.n_in(), spec.n_out());
    let mut xv = [[V::zero(); NB]; MAX_FIXED_IO];
    let mut y = [[V::zero(); NB]; MAX_FIXED_IO];
    for (k, xk) in xv.iter_mut().enumerate().take(d) {
        let col = &xt.data[k * xt.stride..(k + 1) * xt.stride];
        for (b, v) in xk.iter_mut().enumerate() {
            *v = V::load(&col[p0 + b * V::W..]);
        }
    }
    forward_values_blocks::<V, H, NB>(spec, layers, &xv[..d], &mut y[..n_out], sc);
    let mut buf = [V::T::ZERO; 16];
    for b in 0..NB {
        let start = p0 + b * V::W;
        let valid = hi.saturating_sub(start).min(V::W);
        if n_out == 1 && valid == V::W {
            y[0][b].store(&mut out[start - lo..]);
            continue;
        }
        for (q, yq) in y.iter().enumerate().take(n_out) {
            yq[b].store(&mut buf);
            for (j, &v) in buf.iter().enumerate().take(valid) {
                out[(start - lo + j) * n_out + q] = v;
            }
        }
    }
}

/// The network outputs of points `lo..hi` (`(hi − lo) × n_out`, values) by the fixed-width
/// kernel of hidden width `h` ([`values_fixed`]).
#[inline(always)]
pub(super) fn outputs_fixed<V: Lane>(
    spec: &MlpSpec,
    genome: &[V::T],
    h: usize,
    x: &[V::T],
    lo: usize,
    hi: usize,
) -> Vec<V::T> {
    let d = spec.n_in();
    // The work item's own points: chunk edges are multiples of every block width, so only the
    // last block of the whole set has padding lanes, and there both repeat the last point.
    let xt = columns_padded(&x[lo * d..hi * d], d, hi - lo);
    let mut out = vec![V::T::ZERO; (hi - lo) * spec.n_out()];
    match h {
        10 => values_fixed::<V, 10>(spec, genome, &xt, 0, hi - lo, &mut out),
        20 => values_fixed::<V, 20>(spec, genome, &xt, 0, hi - lo, &mut out),
        _ => values_fixed::<V, 50>(spec, genome, &xt, 0, hi - lo, &mut out),
    }
    out
}

/// The loss of every block of `V::W` points of `lo..hi` (unweighted, one register per block,
/// in block order) for a value-only loss on a network [`fixed_values_width`] serves, or `None`
/// where it does not serve (`grad`, more than the value, other shapes). The outputs come from
/// the fixed-width forward ([`outputs_fixed`]), whose bits are those of `forward_block`, and
/// padding lanes repeat the last point as [`gather`] does, so every loss has the bits of the
/// general path; the callers weight and sum them in the same order.
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
    gacc.clear();
    gacc.resize(if grad { spec.n_params() } else { 0 }, V::zero());
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
