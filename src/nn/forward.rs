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

/// Largest number of jet components (d = 4 with all ten pairs).
pub(crate) const MAX_COMP: usize = 1 + 4 + 10;

/// Per-block working memory, allocated once per work item and reused for every block.
pub(crate) struct Scratch<V> {
    pub(crate) c: usize,
    /// `acts[l]`: input jets of layer `l` (`widths[l] × c`); `acts[L]` is the network output.
    pub(crate) acts: Vec<Vec<V>>,
    /// `zs[l]`: pre-activation jets of layer `l` (`widths[l+1] × c`).
    pub(crate) zs: Vec<Vec<V>>,
    /// `ss[l]`: `(σ', σ'', σ''')` of layer `l` per unit (`widths[l+1] × 3`).
    pub(crate) ss: Vec<Vec<V>>,
    /// Two adjoint buffers of `max_width × c` for the backward sweep.
    pub(crate) g: [Vec<V>; 2],
}

impl<V: Lane> Scratch<V> {
    pub(crate) fn new(spec: &MlpSpec, jet: &JetSpec) -> Self {
        let c = jet.n_comp();
        let w = spec.widths();
        let z = V::zero();
        Self {
            c,
            acts: w.iter().map(|&n| vec![z; n * c]).collect(),
            zs: w[1..].iter().map(|&n| vec![z; n * c]).collect(),
            ss: w[1..].iter().map(|&n| vec![z; n * 3]).collect(),
            g: [
                vec![z; spec.max_width() * c],
                vec![z; spec.max_width() * c],
            ],
        }
    }
}

/// `z = W a + b` on `C` components, two output units at a time so each loaded input is used
/// twice; the per-unit operation order is the plain loop over inputs either way.
#[inline(always)]
fn dense_fwd_c<V: Lane, const C: usize>(
    c: usize,
    w: &[V::T],
    b: &[V::T],
    a: &[V],
    z: &mut [V],
) {
    let n_out = b.len();
    let n_in = w.len() / n_out;
    let a = &a[..n_in * c];
    let mut o = 0;
    while o < n_out {
        let two = o + 1 < n_out;
        let o1 = if two { o + 1 } else { o };
        let mut acc0 = [V::zero(); C];
        let mut acc1 = [V::zero(); C];
        acc0[0] = V::splat(b[o]);
        acc1[0] = V::splat(b[o1]);
        let w0 = &w[o * n_in..(o + 1) * n_in];
        let w1 = &w[o1 * n_in..(o1 + 1) * n_in];
        for i in 0..n_in {
            let ai = &a[i * c..i * c + c];
            let wa = V::splat(w0[i]);
            let wb = V::splat(w1[i]);
            for k in 0..c {
                acc0[k] = wa.fma(ai[k], acc0[k]);
                acc1[k] = wb.fma(ai[k], acc1[k]);
            }
        }
        z[o * c..o * c + c].copy_from_slice(&acc0[..c]);
        if two {
            z[o1 * c..o1 * c + c].copy_from_slice(&acc1[..c]);
        }
        o += 2;
    }
}

/// Dispatches on the component count so the common counts get register accumulators.
#[inline(always)]
pub(crate) fn dense_fwd<V: Lane>(c: usize, w: &[V::T], b: &[V::T], a: &[V], z: &mut [V]) {
    match c {
        1 => dense_fwd_c::<V, 1>(1, w, b, a, z),
        3 => dense_fwd_c::<V, 3>(3, w, b, a, z),
        4 => dense_fwd_c::<V, 4>(4, w, b, a, z),
        6 => dense_fwd_c::<V, 6>(6, w, b, a, z),
        _ => dense_fwd_c::<V, MAX_COMP>(c, w, b, a, z),
    }
}

/// Maps the jets `z` of one layer to `y = σ(z)`, storing `(σ', σ'', σ''')` in `s` when
/// `keep` (the backward sweep needs them).
#[inline(always)]
fn act_fwd<V: Lane>(
    act: Activation,
    jet: &JetSpec,
    z: &[V],
    y: &mut [V],
    s: &mut [V],
    keep: bool,
) {
    let c = jet.n_comp();
    let n = s.len() / 3;
    if act == Activation::Identity {
        y[..n * c].copy_from_slice(&z[..n * c]);
        return;
    }
    let d = if jet.has_first() { jet.dim() } else { 0 };
    let pb = jet.pair_base();
    for o in 0..n {
        let zo = &z[o * c..o * c + c];
        let yo = &mut y[o * c..o * c + c];
        if c == 1 && !keep {
            yo[0] = activation::value(act, zo[0]);
            continue;
        }
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
        let (w, b) = spec.layer(genome, l);
        let (lo, hi) = sc.acts.split_at_mut(l + 1);
        dense_fwd(c, w, b, &lo[l], &mut sc.zs[l]);
        act_fwd(
            spec.activations()[l],
            jet,
            &sc.zs[l],
            &mut hi[0],
            &mut sc.ss[l],
            keep,
        );
    }
}
