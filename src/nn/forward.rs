//! Forward pass of one block of points (one lane register per quantity) through the network,
//! carrying the jet components of [`JetSpec`].
//!
//! A dense layer applies `z = W a + b` to every component (the bias only to the value); an
//! activation maps the jet of `z` to the jet of `y = σ(z)` by the chain rule:
//! `y = σ(z)`, `y_i = σ' z_i`, `y_ij = σ'' z_i z_j + σ' z_ij`. Every sum runs in input order
//! with one fused multiply-add per term, in every instantiation (SIMD or scalar twin), which is
//! what makes them agree to the bit.

use super::{activation, Activation, JetSpec, MlpSpec};
use crate::backend::cpu::lanes::{Lane, Real};
use crate::backend::cpu::reuse::{zeroed, Footprint};

/// Largest number of jet components (d = 4 with all ten pairs).
pub(crate) const MAX_COMP: usize = 1 + 4 + 10;

/// Per-block working memory, allocated once per work item and reused for every block.
pub(crate) struct Scratch<V: Lane> {
    pub(crate) c: usize,
    /// `acts[l]`: input jets of layer `l` (`widths[l] × c`); `acts[L]` is the network output.
    pub(crate) acts: Vec<Vec<V>>,
    /// `zs[l]`: pre-activation jets of layer `l` (`widths[l+1] × c`).
    pub(crate) zs: Vec<Vec<V>>,
    /// `ss[l]`: `(σ', σ'', σ''')` of layer `l` per unit (`widths[l+1] × 3`).
    pub(crate) ss: Vec<Vec<V>>,
    /// Two adjoint buffers of `max_width × c` for the backward sweep.
    pub(crate) g: [Vec<V>; 2],
    /// Each layer's weights in tile order ([`pack_layer_into`]).
    pub(crate) packed: Vec<Vec<V::T>>,
}

impl<V: Lane> Default for Scratch<V> {
    /// Empty working memory, to be [`reset`](Scratch::reset) before use.
    fn default() -> Self {
        Self {
            c: 0,
            acts: Vec::new(),
            zs: Vec::new(),
            ss: Vec::new(),
            g: [Vec::new(), Vec::new()],
            packed: Vec::new(),
        }
    }
}

impl<V: Lane> Scratch<V> {
    /// Working memory for `genome` (its weights are packed once here). The kernels reuse
    /// theirs per thread instead ([`reset`](Scratch::reset)).
    #[cfg(test)]
    pub(crate) fn new(spec: &MlpSpec, jet: &JetSpec, genome: &[V::T]) -> Self {
        let mut sc = Self::default();
        sc.reset(spec, jet, genome);
        sc
    }

    /// Fresh working memory for `genome` (zeroed buffers, its weights packed), reusing the
    /// allocations.
    pub(crate) fn reset(&mut self, spec: &MlpSpec, jet: &JetSpec, genome: &[V::T]) {
        let c = jet.n_comp();
        let w = spec.widths();
        let z = V::zero();
        self.c = c;
        zeroed_each(&mut self.acts, w.iter().map(|&n| n * c), z);
        zeroed_each(&mut self.zs, w[1..].iter().map(|&n| n * c), z);
        zeroed_each(&mut self.ss, w[1..].iter().map(|&n| n * 3), z);
        for g in &mut self.g {
            zeroed(g, spec.max_width() * c, z);
        }
        self.packed.resize_with(spec.n_layers(), Vec::new);
        for (l, pk) in self.packed.iter_mut().enumerate() {
            let (n_in, n_out) = spec.layer_shape(l);
            pack_layer_into(pk, spec.layer(genome, l).0, n_in, n_out, c, V::W);
        }
    }
}

impl<V: Lane> Footprint for Scratch<V> {
    fn bytes(&self) -> usize {
        let nested = |v: &Vec<Vec<V>>| v.iter().map(|b| b.bytes()).sum::<usize>();
        nested(&self.acts)
            + nested(&self.zs)
            + nested(&self.ss)
            + self.g.iter().map(|b| b.bytes()).sum::<usize>()
            + self.packed.iter().map(|b| b.bytes()).sum::<usize>()
    }
}

/// `bufs` resized to one zeroed buffer per length of `lens`, keeping their allocations.
fn zeroed_each<V: Copy>(bufs: &mut Vec<Vec<V>>, lens: impl ExactSizeIterator<Item = usize>, z: V) {
    bufs.resize_with(lens.len(), Vec::new);
    for (b, n) in bufs.iter_mut().zip(lens) {
        zeroed(b, n, z);
    }
}

/// Output-tile width used for `c` components and `n_out` units on `lanes`-wide registers:
/// eight to ten accumulator chains in flight (ten when that tiles the layer exactly, as for
/// 20-unit layers, so no narrow tile is left that would wait on the FMA latency), sixteen for
/// four components on the 32-register AVX-512 file.
pub(super) fn tile_width(c: usize, n_out: usize, lanes: usize) -> usize {
    match c {
        1 if n_out % 10 == 0 => 10,
        1 => 8,
        4 if lanes >= 16 => 4,
        3 | 4 | 6 => 2,
        _ => 1,
    }
}

/// Copies a layer's weights into tile-interleaved order (`[tile][input][unit in tile]`) in
/// `pk` (cleared first, its allocation reused), so the forward loop walks one pointer. Only the
/// memory layout changes, not the arithmetic.
pub(crate) fn pack_layer_into<T: Copy>(
    pk: &mut Vec<T>,
    w: &[T],
    n_in: usize,
    n_out: usize,
    c: usize,
    lanes: usize,
) {
    pk.clear();
    pk.reserve(w.len());
    for (o, tw) in tiles_iter(n_out, tile_width(c, n_out, lanes)) {
        for i in 0..n_in {
            for t in 0..tw {
                pk.push(w[(o + t) * n_in + i]);
            }
        }
    }
}

/// `z = W a + b` for the `T` output units `o..o+T` on `C` components (`pk`: the tile's packed
/// weights, `n_in × T`). The `T·C` accumulators are independent dependency chains, which
/// keeps both FMA ports busy despite the FMA latency; each unit's own operation order is the
/// plain loop over inputs.
#[inline(always)]
fn dense_tile<V: Lane, const C: usize, const T: usize>(
    act: Option<Activation>,
    c: usize,
    o: usize,
    pk: &[V::T],
    b: &[V::T],
    a: &[V],
    z: &mut [V],
) {
    let n_in = a.len() / c;
    let pk = &pk[..n_in * T];
    let mut acc = [[V::zero(); C]; T];
    for t in 0..T {
        acc[t][0] = V::splat(b[o + t]);
    }
    for (ai, wi) in a.chunks_exact(c).zip(pk.chunks_exact(T)) {
        for t in 0..T {
            let wv = V::splat(wi[t]);
            for k in 0..c {
                acc[t][k] = wv.fma(ai[k], acc[t][k]);
            }
        }
    }
    match act {
        // Value-only pass: the activation is applied in registers and only `σ(z)` is stored.
        Some(act) => {
            for (t, at) in acc.iter().enumerate() {
                z[o + t] = activation::value(act, at[0]);
            }
        }
        None => {
            for (t, at) in acc.iter().enumerate() {
                z[(o + t) * c..(o + t) * c + c].copy_from_slice(&at[..c]);
            }
        }
    }
}

#[inline(always)]
fn dense_fwd_c<V: Lane, const C: usize, const T: usize>(
    act: Option<Activation>,
    c: usize,
    pk: &[V::T],
    b: &[V::T],
    a: &[V],
    z: &mut [V],
) {
    let n_out = b.len();
    let n_in = pk.len() / n_out;
    let a = &a[..n_in * c];
    let mut off = 0;
    for (o, tw) in tiles_iter(n_out, T) {
        let p = &pk[off..];
        match tw {
            w if w == T => dense_tile::<V, C, T>(act, c, o, p, b, a, z),
            4 => dense_tile::<V, C, 4>(act, c, o, p, b, a, z),
            2 => dense_tile::<V, C, 2>(act, c, o, p, b, a, z),
            _ => dense_tile::<V, C, 1>(act, c, o, p, b, a, z),
        }
        off += n_in * tw;
    }
}

/// The output tiles `(first unit, width)` of a layer with `n_out` units: tiles of `t`, then
/// 4, 2 and 1 for the rest.
#[inline(always)]
pub(super) fn tiles_iter(n_out: usize, t: usize) -> impl Iterator<Item = (usize, usize)> {
    let mut o = 0;
    std::iter::from_fn(move || {
        let w = [t, 4, 2, 1]
            .into_iter()
            .find(|&w| w <= t && o + w <= n_out)?;
        o += w;
        Some((o - w, w))
    })
}

/// `z = W a + b` on every component (bias on the value only), from packed weights
/// ([`pack_layer_into`] with the same `c`). Dispatches on the component count so the common
/// counts get register accumulators.
///
/// With `act` (only for `c == 1`), stores `σ(z)` instead of `z`: the value-only forward pass
/// fused with its activation.
#[inline(always)]
pub(crate) fn dense_fwd<V: Lane>(
    act: Option<Activation>,
    c: usize,
    pk: &[V::T],
    b: &[V::T],
    a: &[V],
    z: &mut [V],
) {
    debug_assert!(act.is_none() || c == 1);
    match c {
        1 if tile_width(1, b.len(), V::W) == 10 => dense_fwd_c::<V, 1, 10>(act, 1, pk, b, a, z),
        1 => dense_fwd_c::<V, 1, 8>(act, 1, pk, b, a, z),
        3 => dense_fwd_c::<V, 3, 2>(None, 3, pk, b, a, z),
        4 if tile_width(4, b.len(), V::W) == 4 => dense_fwd_c::<V, 4, 4>(None, 4, pk, b, a, z),
        4 => dense_fwd_c::<V, 4, 2>(None, 4, pk, b, a, z),
        6 => dense_fwd_c::<V, 6, 2>(None, 6, pk, b, a, z),
        _ => dense_fwd_c::<V, MAX_COMP, 1>(None, c, pk, b, a, z),
    }
}

/// Maps the jets `z` of one layer to `y = σ(z)`, storing `(σ', σ'', σ''')` in `s` when
/// `keep` (the backward sweep needs them).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn act_fwd<V: Lane>(
    act: Activation,
    jet: &JetSpec,
    c: usize,
    n: usize,
    z: &[V],
    y: &mut [V],
    s: &mut [V],
    keep: bool,
) {
    let (z, y, s) = (&z[..n * c], &mut y[..n * c], &mut s[..n * 3]);
    if act == Activation::Identity {
        y[..n * c].copy_from_slice(&z[..n * c]);
        return;
    }
    if jet.is_uxx() {
        return act_fwd_uxx(act, z, y, s, keep);
    }
    let d = if jet.has_first() { jet.dim() } else { 0 };
    let pb = jet.pair_base();
    if c == 1 {
        // The value alone: the backward sweep reads only σ' (see `act_bwd`), so the higher
        // derivatives are neither computed nor stored.
        for o in 0..n {
            let v = activation::value(act, z[o]);
            y[o] = v;
            if keep {
                s[o * 3] = activation::slope_from_value(act, z[o], v);
            }
        }
        return;
    }
    for o in 0..n {
        let zo = &z[o * c..o * c + c];
        let yo = &mut y[o * c..o * c + c];
        let [s0, s1, s2, s3] = activation::eval(act, zo[0]);
        yo[0] = s0;
        for k in 0..d {
            yo[1 + k] = s1.mul(zo[1 + k]);
        }
        for (p, &(i, j)) in jet.pairs().iter().enumerate() {
            yo[pb + p] = s2.mul(zo[1 + i]).fma(zo[1 + j], s1.mul(zo[pb + p]));
        }
        if keep {
            s[o * 3] = s1;
            s[o * 3 + 1] = s2;
            s[o * 3 + 2] = s3;
        }
    }
}

/// [`act_fwd`] for the jet `[u, u_x, u_t, u_xx]` ([`JetSpec::is_uxx`]): its loop with
/// `d = 2` and the one pair `(0, 0)` written out, the same operations in the same order.
#[inline(always)]
fn act_fwd_uxx<V: Lane>(act: Activation, z: &[V], y: &mut [V], s: &mut [V], keep: bool) {
    for (o, (zo, yo)) in z.chunks_exact(4).zip(y.chunks_exact_mut(4)).enumerate() {
        let [s0, s1, s2, s3] = activation::eval(act, zo[0]);
        let (z1, z2, z3) = (zo[1], zo[2], zo[3]);
        yo[0] = s0;
        yo[1] = s1.mul(z1);
        yo[2] = s1.mul(z2);
        yo[3] = s2.mul(z1).fma(z1, s1.mul(z3));
        if keep {
            s[o * 3] = s1;
            s[o * 3 + 1] = s2;
            s[o * 3 + 2] = s3;
        }
    }
}

/// Runs one block of `V::W` points through the network. `x` holds one register per input
/// dimension. The output jets land in `sc.acts[L]` (`n_out × c`, unit-major).
#[inline(always)]
pub(crate) fn forward_block<V: Lane>(
    spec: &MlpSpec,
    genome: &[V::T],
    jet: &JetSpec,
    x: &[V],
    sc: &mut Scratch<V>,
    keep: bool,
) {
    let c = sc.c;
    let one = V::splat(V::T::ONE);
    let inp = &mut sc.acts[0];
    for (k, &xk) in x.iter().enumerate().take(spec.n_in()) {
        let ak = &mut inp[k * c..k * c + c];
        ak.fill(V::zero());
        ak[0] = xk;
        if jet.has_first() {
            ak[1 + k] = one;
        }
    }
    for l in 0..spec.n_layers() {
        let (_, b) = spec.layer(genome, l);
        let (lo, hi) = sc.acts.split_at_mut(l + 1);
        let act = spec.activations()[l];
        if c == 1 && !keep {
            dense_fwd(Some(act), 1, &sc.packed[l], b, &lo[l], &mut hi[0]);
            continue;
        }
        let (n_in, n_out) = spec.layer_shape(l);
        // Square 20-wide hidden layers with four components (a PDE residual's jets, the
        // Burgers networks): the same calls with literal sizes, so the inlined loops run on
        // constants. Same operations, same order, same bits. Only this width: every arm is
        // inlined into every loss kernel, and each one costs compile time.
        macro_rules! layer {
            ($c:expr, $n_in:expr, $n_out:expr) => {{
                let (c, n_in, n_out) = ($c, $n_in, $n_out);
                dense_fwd(
                    None,
                    c,
                    &sc.packed[l][..n_in * n_out],
                    &b[..n_out],
                    &lo[l][..n_in * c],
                    &mut sc.zs[l][..n_out * c],
                );
                act_fwd(
                    act,
                    jet,
                    c,
                    n_out,
                    &sc.zs[l],
                    &mut hi[0],
                    &mut sc.ss[l],
                    keep,
                );
            }};
        }
        match (c, n_in == n_out, n_in) {
            (4, true, 20) => layer!(4, 20, 20),
            _ => layer!(c, n_in, n_out),
        }
    }
}
