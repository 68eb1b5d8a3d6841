//! Reverse sweep through the jet recursion of [`super::forward`].
//!
//! Given the adjoint of every output jet component (∂L/∂u, ∂L/∂u_i, ∂L/∂u_ij per output, as a
//! pointwise loss returns them), this propagates adjoints back through each activation's jet
//! map and each dense layer, accumulating `∂L/∂W` and `∂L/∂b` into per-lane accumulators laid
//! out like the genome. For `y = σ(z)`, `y_i = σ' z_i`, `y_ij = σ'' z_i z_j + σ' z_ij`:
//! `z̄_ij = σ' ȳ_ij`, `z̄_i = σ' ȳ_i + Σ_j σ'' z_j ȳ_ij` (both slots of a pair),
//! `z̄ = σ' ȳ + σ'' Σ_i z_i ȳ_i + Σ_ij (σ''' z_i z_j + σ'' z_ij) ȳ_ij`.

use super::forward::{tile_width, tiles_iter, Scratch, MAX_COMP};
use super::{Activation, JetSpec, MlpSpec};
use crate::backend::cpu::lanes::Lane;

/// Maps output adjoints `g` (units × c) of an activation to adjoints of its input, in place.
///
/// Called from `with_comp!` with its matched `c`, which the compiler then knows, so that the
/// per-unit copy of the adjoints is a few register moves rather than a `memcpy` call.
#[inline(always)]
fn act_bwd<V: Lane, const C: usize>(
    act: Activation,
    jet: &JetSpec,
    c: usize,
    n: usize,
    z: &[V],
    s: &[V],
    g: &mut [V],
) {
    if act == Activation::Identity {
        return;
    }
    let (z, s, g) = (&z[..n * c], &s[..n * 3], &mut g[..n * c]);
    if jet.is_uxx() {
        return act_bwd_uxx(z, s, g);
    }
    let d = if jet.has_first() { jet.dim() } else { 0 };
    let pb = jet.pair_base();
    for o in 0..n {
        let zo = &z[o * c..o * c + c];
        let (s1, s2, s3) = (s[o * 3], s[o * 3 + 1], s[o * 3 + 2]);
        let mut yb = [V::zero(); C];
        yb[..c].copy_from_slice(&g[o * c..o * c + c]);
        let go = &mut g[o * c..o * c + c];
        let mut g0 = s1.mul(yb[0]);
        for k in 0..d {
            g0 = s2.mul(yb[1 + k]).fma(zo[1 + k], g0);
            go[1 + k] = s1.mul(yb[1 + k]);
        }
        for (p, &(i, j)) in jet.pairs().iter().enumerate() {
            let dz = s3.mul(zo[1 + i]).fma(zo[1 + j], s2.mul(zo[pb + p]));
            g0 = yb[pb + p].fma(dz, g0);
            let u = s2.mul(yb[pb + p]);
            go[1 + i] = u.fma(zo[1 + j], go[1 + i]);
            go[1 + j] = u.fma(zo[1 + i], go[1 + j]);
            go[pb + p] = s1.mul(yb[pb + p]);
        }
        go[0] = g0;
    }
}

/// [`act_bwd`] for the jet of [`JetSpec::is_uxx`]: the loop above with `d = 2` and the one pair
/// `(0, 0)` written out (the same operations in the same order), so every component stays in
/// a register: the general loop's run-time bounds and indices cost four times its arithmetic.
#[inline(always)]
fn act_bwd_uxx<V: Lane>(z: &[V], s: &[V], g: &mut [V]) {
    for ((zo, so), go) in z
        .chunks_exact(4)
        .zip(s.chunks_exact(3))
        .zip(g.chunks_exact_mut(4))
    {
        let (s1, s2, s3) = (so[0], so[1], so[2]);
        let yb = [go[0], go[1], go[2], go[3]];
        let zo = [zo[0], zo[1], zo[2], zo[3]];
        let mut g0 = s1.mul(yb[0]);
        g0 = s2.mul(yb[1]).fma(zo[1], g0);
        let mut g1 = s1.mul(yb[1]);
        g0 = s2.mul(yb[2]).fma(zo[2], g0);
        let g2 = s1.mul(yb[2]);
        let dz = s3.mul(zo[1]).fma(zo[1], s2.mul(zo[3]));
        g0 = yb[3].fma(dz, g0);
        let u = s2.mul(yb[3]);
        g1 = u.fma(zo[1], g1);
        g1 = u.fma(zo[1], g1);
        go[0] = g0;
        go[1] = g1;
        go[2] = g2;
        go[3] = s1.mul(yb[3]);
    }
}

/// Most blocks whose weight gradients one pass accumulates: the two halves of a wide
/// (AVX-512) register, each an 8/4-lane block of its own (`wide.rs`).
pub(crate) const BLOCKS: usize = 2;

/// Where [`dense_gw`] reads the layer inputs `a_{b}`: `get(b, i·c + k)` is component `k` of
/// input `i` for block `b`.
pub(crate) trait GwInputs<V> {
    /// Component `idx % c` of input `idx / c`, block `b`.
    fn get(&self, b: usize, idx: usize) -> V;
}

impl<V: Lane> GwInputs<V> for [&[V]; BLOCKS] {
    #[inline(always)]
    fn get(&self, b: usize, idx: usize) -> V {
        self[b][idx]
    }
}

/// `∂L/∂W += Σ_b Σ_c z̄_{b,c} a_{b,c}ᵀ` and `∂L/∂b += Σ_b z̄_{b,0}` over the first `nb` blocks
/// (`a[b]`: the layer's input jets, `zb[b]`: its output adjoints), each accumulator in block
/// order, then component order: the order of running the blocks one after another, so the bits
/// do not depend on how many blocks share a pass.
///
/// Two units at a time, so each load of `a_{b,i}` serves both.
#[inline(always)]
pub(super) fn dense_gw<V: Lane, A: GwInputs<V>, const C: usize>(
    c: usize,
    n_in: usize,
    nb: usize,
    a: &A,
    zb: &[&[V]; BLOCKS],
    gw: &mut [V],
    gb: &mut [V],
) {
    let n_out = gb.len();
    let mut o = 0;
    while o < n_out {
        if o + 2 <= n_out {
            gw_tile::<V, A, C, 2>(c, o, n_in, nb, a, zb, gw, gb);
            o += 2;
        } else {
            gw_tile::<V, A, C, 1>(c, o, n_in, nb, a, zb, gw, gb);
            o += 1;
        }
    }
}

/// `∂L/∂W` and `∂L/∂b` of units `o..o+T`: `gw[t][i] += Σ_b Σ_k z̄_b[t][k] a_b[i][k]`, `b` then
/// `k` ascending.
///
/// Each accumulator is one serial chain of FMAs (the fixed order), so the inputs go four at a
/// time: `4·T` independent chains hide the FMA latency.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn gw_tile<V: Lane, A: GwInputs<V>, const C: usize, const T: usize>(
    c: usize,
    o: usize,
    n_in: usize,
    nb: usize,
    a: &A,
    zb: &[&[V]; BLOCKS],
    gw: &mut [V],
    gb: &mut [V],
) {
    let mut zo = [[[V::zero(); C]; T]; BLOCKS];
    for b in 0..nb {
        for t in 0..T {
            zo[b][t][..c].copy_from_slice(&zb[b][(o + t) * c..(o + t) * c + c]);
            gb[o + t] = gb[o + t].add(zo[b][t][0]);
        }
    }
    let gwr = &mut gw[o * n_in..(o + T) * n_in];
    let mut i = 0;
    while i < n_in {
        let r = n_in - i;
        if r >= 4 {
            gw_inputs::<V, A, C, T, 4>(c, i, n_in, nb, a, &zo, gwr);
            i += 4;
        } else if r >= 2 {
            gw_inputs::<V, A, C, T, 2>(c, i, n_in, nb, a, &zo, gwr);
            i += 2;
        } else {
            gw_inputs::<V, A, C, T, 1>(c, i, n_in, nb, a, &zo, gwr);
            i += 1;
        }
    }
}

/// The `T × I` accumulators of units `0..T` (rows of `gwr`) and inputs `i..i+I`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
// Index loops: `zo` is read by block, component and unit in the one order the bits need.
#[allow(clippy::needless_range_loop)]
fn gw_inputs<V: Lane, A: GwInputs<V>, const C: usize, const T: usize, const I: usize>(
    c: usize,
    i: usize,
    n_in: usize,
    nb: usize,
    a: &A,
    zo: &[[[V; C]; T]; BLOCKS],
    gwr: &mut [V],
) {
    let mut acc = [[V::zero(); I]; T];
    for t in 0..T {
        for q in 0..I {
            acc[t][q] = gwr[t * n_in + i + q];
        }
    }
    for b in 0..nb {
        for k in 0..c {
            for q in 0..I {
                let aq = a.get(b, (i + q) * c + k);
                for t in 0..T {
                    acc[t][q] = zo[b][t][k].fma(aq, acc[t][q]);
                }
            }
        }
    }
    for t in 0..T {
        for q in 0..I {
            gwr[t * n_in + i + q] = acc[t][q];
        }
    }
}

/// `ā_c = Wᵀ z̄_c` of one block, several inputs at a time summing over the units (so `ā` is
/// stored once per block instead of being reloaded and stored for every unit).
///
/// Each accumulator is one serial chain over the units, so a tile holds eight to ten chains:
/// for the value alone the forward's tile width ([`tile_width`]: ten or eight inputs), four
/// inputs for two components, two for more. With
/// only two value-only chains the FMA latency, not the ports, would set the pace.
#[inline(always)]
fn dense_ab<V: Lane, const C: usize>(
    c: usize,
    w: &[V::T],
    n_in: usize,
    n_out: usize,
    zb: &[V],
    ab: &mut [V],
) {
    let (w, zb, ab) = (&w[..n_in * n_out], &zb[..n_out * c], &mut ab[..n_in * c]);
    let widest = match c {
        1 => tile_width(1, n_in, V::W),
        2 => 4,
        _ => 2,
    };
    for (i, q) in tiles_iter(n_in, widest) {
        match q {
            10 => ab_tile::<V, C, 10>(c, i, w, n_in, n_out, zb, ab),
            8 => ab_tile::<V, C, 8>(c, i, w, n_in, n_out, zb, ab),
            4 => ab_tile::<V, C, 4>(c, i, w, n_in, n_out, zb, ab),
            2 => ab_tile::<V, C, 2>(c, i, w, n_in, n_out, zb, ab),
            _ => ab_tile::<V, C, 1>(c, i, w, n_in, n_out, zb, ab),
        }
    }
}

/// `ā[i][k] = Σ_t w[t][i] z̄[t][k]` for inputs `i..i+Q`, `t` ascending from zero.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn ab_tile<V: Lane, const C: usize, const Q: usize>(
    c: usize,
    i: usize,
    w: &[V::T],
    n_in: usize,
    n_out: usize,
    zb: &[V],
    ab: &mut [V],
) {
    let mut acc = [[V::zero(); C]; Q];
    for (t, zt) in zb[..n_out * c].chunks_exact(c).enumerate() {
        for q in 0..Q {
            let wv = V::splat(w[t * n_in + i + q]);
            for k in 0..c {
                acc[q][k] = wv.fma(zt[k], acc[q][k]);
            }
        }
    }
    for (q, aq) in acc.iter().enumerate() {
        ab[(i + q) * c..(i + q) * c + c].copy_from_slice(&aq[..c]);
    }
}

/// Runs `$body` with the const `$C` bound to the component count `c` for the common counts
/// (register accumulators), `MAX_COMP` otherwise.
macro_rules! with_comp {
    ($c:expr, $C:ident, $body:block) => {
        match $c {
            1 => {
                const $C: usize = 1;
                $body
            }
            3 => {
                const $C: usize = 3;
                $body
            }
            4 => {
                const $C: usize = 4;
                $body
            }
            6 => {
                const $C: usize = 6;
                $body
            }
            _ => {
                const $C: usize = MAX_COMP;
                $body
            }
        }
    };
}

/// Where a reverse sweep puts each layer's weight and bias gradients for one block.
pub(crate) trait LayerGrads<V: Lane> {
    /// Adds layer `l`'s gradients: `a` holds its input jets (`n_in × c`), `zb` its output
    /// adjoints (`n_out × c`). The shape is passed in (it is `spec.layer_shape(l)`) so that a
    /// caller that knows it at compile time lets the inlined loops run on constants.
    #[allow(clippy::too_many_arguments)]
    fn add_layer_sized(
        &mut self,
        spec: &MlpSpec,
        l: usize,
        c: usize,
        n_in: usize,
        n_out: usize,
        a: &[V],
        zb: &[V],
    );
}

/// Lane accumulators laid out like the genome (the 8/4-lane and scalar paths).
pub(crate) struct GenomeGrads<'a, V>(pub(crate) &'a mut [V]);

impl<V: Lane> LayerGrads<V> for GenomeGrads<'_, V> {
    #[inline(always)]
    fn add_layer_sized(
        &mut self,
        spec: &MlpSpec,
        l: usize,
        c: usize,
        n_in: usize,
        n_out: usize,
        a: &[V],
        zb: &[V],
    ) {
        let (gw, rest) = self.0[spec.layer_offset(l)..].split_at_mut(n_in * n_out);
        with_comp!(c, C, {
            let a: [&[V]; BLOCKS] = [a, &[]];
            dense_gw::<V, _, C>(c, n_in, 1, &a, &[zb, &[]], gw, &mut rest[..n_out]);
        });
    }
}

/// Back-propagates the output adjoints `adj` (`n_out × c`) of the block last run through
/// [`super::forward::forward_block`] (with `keep = true`) into `grads`.
#[inline(always)]
pub(crate) fn backward_block<V: Lane, G: LayerGrads<V>>(
    spec: &MlpSpec,
    genome: &[V::T],
    jet: &JetSpec,
    adj: &[V],
    sc: &mut Scratch<V>,
    grads: &mut G,
) {
    let c = jet.n_comp();
    sc.g[0][..adj.len()].copy_from_slice(adj);
    let mut cur = 0;
    for l in (0..spec.n_layers()).rev() {
        let (n_in, n_out) = spec.layer_shape(l);
        // Square 20-wide hidden layers (the Burgers networks) with the value alone or four
        // components (data terms, PDE residuals): the same calls with literal sizes, so the
        // inlined loops run on constants (no bounds checks, full unrolling). Same operations,
        // same order, same bits. Only this width: a version with 10 and 50 as well (and two
        // copies of each loss kernel) took the bench crate 3.7 instead of 1.7 minutes to build.
        macro_rules! layer {
            ($c:expr, $n_in:expr, $n_out:expr, $C:ident) => {{
                let (c, n_in, n_out) = ($c, $n_in, $n_out);
                act_bwd::<V, $C>(
                    spec.activations()[l],
                    jet,
                    c,
                    n_out,
                    &sc.zs[l],
                    &sc.ss[l],
                    &mut sc.g[cur][..],
                );
                let (w, _) = spec.layer(genome, l);
                let [g0, g1] = &mut sc.g;
                let (zb, ab) = if cur == 0 { (g0, g1) } else { (g1, g0) };
                grads.add_layer_sized(spec, l, c, n_in, n_out, &sc.acts[l], zb);
                if l > 0 {
                    dense_ab::<V, $C>(c, w, n_in, n_out, zb, ab);
                }
            }};
        }
        match (c, n_in == n_out, n_in) {
            (1, true, 20) => layer!(1, 20, 20, C1),
            (4, true, 20) => layer!(4, 20, 20, C4),
            _ => with_comp!(c, C, { layer!(c, n_in, n_out, C) }),
        }
        cur = 1 - cur;
    }
}

const C1: usize = 1;
const C4: usize = 4;

#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
mod wide;
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
pub(crate) use wide::{PairedBlock, PairedGrad};
