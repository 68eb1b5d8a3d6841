//! Work items of the forward passes: output jets of a block of points at a time, and the
//! fixed-width value pass of uniform-width networks (two blocks per pass on AVX-512), which
//! the value-only losses also read.

use super::kernels::gather;
use super::lanes::{Lane, Real};
use super::reuse;
use crate::nn::forward::{forward_block, Scratch};
use crate::nn::forward_fixed::{
    fixed_hidden_width, forward_values_blocks, layers, FixedScratch, Layer, MAX_FIXED_IO,
};
use crate::nn::{JetSpec, MlpSpec};

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
