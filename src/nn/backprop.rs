//! Reverse sweep through the jet recursion of [`super::forward`].
//!
//! Given the adjoint of every output jet component (∂L/∂u, ∂L/∂u_i, ∂L/∂u_ij per output, as a
//! pointwise loss returns them), this propagates adjoints back through each activation's jet
//! map and each dense layer, accumulating `∂L/∂W` and `∂L/∂b` into per-lane accumulators laid
//! out like the genome. For `y = σ(z)`, `y_i = σ' z_i`, `y_ij = σ'' z_i z_j + σ' z_ij`:
//! `z̄_ij = σ' ȳ_ij`, `z̄_i = σ' ȳ_i + Σ_j σ'' z_j ȳ_ij` (both slots of a pair),
//! `z̄ = σ' ȳ + σ'' Σ_i z_i ȳ_i + Σ_ij (σ''' z_i z_j + σ'' z_ij) ȳ_ij`.

use super::forward::{Scratch, MAX_COMP};
use super::{Activation, JetSpec, MlpSpec};
use crate::backend::cpu::lanes::Lane;

/// Maps output adjoints `g` (units × c) of an activation to adjoints of its input, in place.
#[inline(always)]
fn act_bwd<V: Lane>(act: Activation, jet: &JetSpec, z: &[V], s: &[V], g: &mut [V]) {
    if act == Activation::Identity {
        return;
    }
    let c = jet.n_comp();
    let n = s.len() / 3;
    let d = if jet.has_first() { jet.dim() } else { 0 };
    let pb = jet.pair_base();
    for o in 0..n {
        let zo = &z[o * c..o * c + c];
        let (s1, s2, s3) = (s[o * 3], s[o * 3 + 1], s[o * 3 + 2]);
        let mut yb = [V::zero(); MAX_COMP];
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

/// Accumulates `∂L/∂W += Σ_c z̄_c a_cᵀ`, `∂L/∂b += z̄_0`, and (when `ab` is given) sets
/// `ā_c = Wᵀ z̄_c`, each sum over its terms in index order.
///
/// The two products run as separate passes, each with its accumulators in registers: the
/// weight gradient two units at a time (each `a_i` load serves both), the input adjoint two
/// inputs at a time summing over the units (so `ā` is stored once per block instead of being
/// reloaded and stored for every unit). The per-accumulator order of operations is that of
/// the plain one-unit loop, so the scalar twin and any tiling give the same bits.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn dense_bwd_c<V: Lane, const C: usize>(
    c: usize,
    w: &[V::T],
    n_in: usize,
    a: &[V],
    zb: &[V],
    gw: &mut [V],
    gb: &mut [V],
    ab: Option<&mut [V]>,
) {
    let n_out = gb.len();
    let mut o = 0;
    while o < n_out {
        if o + 2 <= n_out {
            gw_tile::<V, C, 2>(c, o, n_in, a, zb, gw, gb);
            o += 2;
        } else {
            gw_tile::<V, C, 1>(c, o, n_in, a, zb, gw, gb);
            o += 1;
        }
    }
    if let Some(ab) = ab {
        let mut i = 0;
        while i < n_in {
            if i + 2 <= n_in {
                ab_tile::<V, C, 2>(c, i, w, n_in, n_out, zb, ab);
                i += 2;
            } else {
                ab_tile::<V, C, 1>(c, i, w, n_in, n_out, zb, ab);
                i += 1;
            }
        }
    }
}

/// `∂L/∂W` and `∂L/∂b` of units `o..o+T`: `gw[t][i] += Σ_k z̄[t][k] a[i][k]`, `k` ascending.
#[inline(always)]
fn gw_tile<V: Lane, const C: usize, const T: usize>(
    c: usize,
    o: usize,
    n_in: usize,
    a: &[V],
    zb: &[V],
    gw: &mut [V],
    gb: &mut [V],
) {
    let mut zo = [[V::zero(); C]; T];
    for t in 0..T {
        zo[t][..c].copy_from_slice(&zb[(o + t) * c..(o + t) * c + c]);
        gb[o + t] = gb[o + t].add(zo[t][0]);
    }
    let gwr = &mut gw[o * n_in..(o + T) * n_in];
    for (i, ai) in a[..n_in * c].chunks_exact(c).enumerate() {
        for t in 0..T {
            let mut acc = gwr[t * n_in + i];
            for k in 0..c {
                acc = zo[t][k].fma(ai[k], acc);
            }
            gwr[t * n_in + i] = acc;
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

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn dense_bwd<V: Lane>(
    c: usize,
    w: &[V::T],
    n_in: usize,
    a: &[V],
    zb: &[V],
    gw: &mut [V],
    gb: &mut [V],
    ab: Option<&mut [V]>,
) {
    match c {
        1 => dense_bwd_c::<V, 1>(1, w, n_in, a, zb, gw, gb, ab),
        3 => dense_bwd_c::<V, 3>(3, w, n_in, a, zb, gw, gb, ab),
        4 => dense_bwd_c::<V, 4>(4, w, n_in, a, zb, gw, gb, ab),
        6 => dense_bwd_c::<V, 6>(6, w, n_in, a, zb, gw, gb, ab),
        _ => dense_bwd_c::<V, MAX_COMP>(c, w, n_in, a, zb, gw, gb, ab),
    }
}

/// Back-propagates the output adjoints `adj` (`n_out × c`) of the block last run through
/// [`super::forward::forward_block`] (with `keep = true`) into the genome-shaped lane
/// accumulators `gacc`.
#[inline(always)]
pub(crate) fn backward_block<V: Lane>(
    spec: &MlpSpec,
    genome: &[V::T],
    jet: &JetSpec,
    adj: &[V],
    sc: &mut Scratch<V>,
    gacc: &mut [V],
) {
    let c = sc.c;
    let [g_a, g_b] = &mut sc.g;
    let (mut cur, mut next) = (g_a, g_b);
    cur[..adj.len()].copy_from_slice(adj);
    for l in (0..spec.n_layers()).rev() {
        let (n_in, n_out) = spec.layer_shape(l);
        act_bwd(
            spec.activations()[l],
            jet,
            &sc.zs[l],
            &sc.ss[l],
            &mut cur[..],
        );
        let (w, _) = spec.layer(genome, l);
        let off = spec.layer_offset(l);
        let (gw, rest) = gacc[off..].split_at_mut(n_in * n_out);
        let gb = &mut rest[..n_out];
        let ab = if l > 0 { Some(&mut next[..]) } else { None };
        dense_bwd(c, w, n_in, &sc.acts[l], &cur[..n_out * c], gw, gb, ab);
        std::mem::swap(&mut cur, &mut next);
    }
}
