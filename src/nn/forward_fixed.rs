//! The value-only forward pass for networks whose hidden layers all have one width `H` known at
//! compile time (10, 20 or 50: the shapes of the reproductions) and one activation.
//!
//! [`forward_block`](super::forward::forward_block) serves any shape and any jet, with run-time
//! widths: its tiles go through a match, their accumulators through the stack, and its
//! weights are first copied into tile order. With `H` a constant, a hidden layer is `H / 10`
//! tiles of ten units that read the genome's rows where they lie, two blocks of points share
//! each weight broadcast, and each tile's activations are computed inside the next tile's
//! loop ([`tile`]). Each unit's arithmetic is unchanged (bias, then one fused multiply-add per
//! input in input order, then `σ`), so the bits equal those of `forward_block` (`tests` below
//! and `tests/nn_simd.rs`). `paper/tables/bench_nn.md`, session U, has the measurements.

// Index loops over the constant-length register arrays: iterator adaptors are compiled
// without the caller's target features, so their vector operations would become calls.
#![allow(clippy::needless_range_loop)]

use super::{activation, Activation, MlpSpec};
use crate::backend::cpu::lanes::Lane;

/// Units per tile: ten accumulator chains hide the FMA latency on both ports.
const TILE: usize = 10;

/// Most inputs and outputs the callers hold in fixed arrays (PINNs and neural ODEs have a
/// handful).
pub(crate) const MAX_FIXED_IO: usize = 8;

/// The hidden width if this kernel serves `spec`: at least one hidden layer, every hidden
/// layer of the same width and activation, and that width one of those instantiated.
pub(crate) fn fixed_hidden_width(spec: &MlpSpec) -> Option<usize> {
    let w = spec.widths();
    if w.len() < 3 {
        return None;
    }
    let h = w[1];
    let acts = spec.activations();
    let uniform = w[1..w.len() - 1].iter().all(|&x| x == h)
        && acts[..acts.len() - 1].iter().all(|&a| a == acts[0]);
    (uniform && matches!(h, 10 | 20 | 50)).then_some(h)
}

/// An activation as a type, so that a layer's loops are compiled once per activation with no
/// branch inside.
trait Act {
    fn apply<V: Lane>(z: V) -> V;
}
struct TanhAct;
struct SinAct;
struct IdentityAct;
impl Act for TanhAct {
    #[inline(always)]
    fn apply<V: Lane>(z: V) -> V {
        z.tanh()
    }
}
impl Act for SinAct {
    #[inline(always)]
    fn apply<V: Lane>(z: V) -> V {
        z.sin()
    }
}
impl Act for IdentityAct {
    #[inline(always)]
    fn apply<V: Lane>(z: V) -> V {
        z
    }
}

/// `NB` blocks of points side by side: one register per block.
type Blocks<V, const NB: usize> = [V; NB];

/// A tile's accumulators, each starting at its unit's bias (`b[o + t]`).
#[inline(always)]
fn bias_tile<V: Lane, const NB: usize>(b: &[V::T], o: usize) -> [Blocks<V, NB>; TILE] {
    let mut acc = [[V::zero(); NB]; TILE];
    for t in 0..TILE {
        for k in 0..NB {
            acc[t][k] = V::splat(b[o + t]);
        }
    }
    acc
}

/// Adds input `i`'s terms to a tile, `acc[t] += W[t][i]·a_i` on every block, one fused
/// multiply-add each (`rows`: the tile's `TILE` weight rows of length `n_in`, row-major).
#[inline(always)]
fn add_input<V: Lane, const NB: usize>(
    acc: &mut [Blocks<V, NB>; TILE],
    rows: &[V::T],
    n_in: usize,
    i: usize,
    ai: &Blocks<V, NB>,
) {
    assert!(i < n_in && rows.len() == TILE * n_in);
    for t in 0..TILE {
        // SAFETY: `t·n_in + i < TILE·n_in = rows.len()` (asserted above).
        let wti = V::splat(unsafe { *rows.get_unchecked(t * n_in + i) });
        for k in 0..NB {
            acc[t][k] = wti.fma(ai[k], acc[t][k]);
        }
    }
}

/// The pre-activations `W a + b` of the `TILE` units `o..o+TILE` of a layer with `N_IN` inputs
/// (`w`: its row-major weights, `a`: its inputs), for `NB` blocks of points, into `out`.
///
/// Each weight is broadcast once for the `NB` blocks. Beside the multiply-adds, the loop's
/// loop applies `σ` (`A`) to `pending`, the pre-activations of the tile computed before this
/// one: when `INTO_INPUT` (`pending` is the previous layer's last tile, whose values this
/// loop reads from iteration `N_IN − TILE` on) one unit of every block per iteration in the
/// first `TILE` iterations, into `a[N_IN − TILE..]`; otherwise spread evenly over the loop,
/// into `next[slot..slot + TILE]` (the next layer's inputs). So the activation's dependent
/// operations (a division among them) reach the core interleaved with independent
/// multiply-adds, well before their results are read, rather than as one long run that
/// fills the scheduler while the next tile waits.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn tile<V: Lane, const N_IN: usize, const NB: usize, A: Act, const INTO_INPUT: bool>(
    w: &[V::T],
    b: &[V::T],
    o: usize,
    a: &mut [Blocks<V, NB>; N_IN],
    pending: &[Blocks<V, NB>; TILE],
    next: &mut [Blocks<V, NB>; N_IN],
    slot: usize,
    out: &mut [Blocks<V, NB>; TILE],
) {
    let w = &w[o * N_IN..(o + TILE) * N_IN];
    let mut acc = bias_tile::<V, NB>(b, o);
    // Outside the first tile, the `TILE·NB` activations are spread evenly over the loop
    // (such tiles exist only for `N_IN ≥ 2·TILE ≥ TILE·NB`, so every one is reached).
    debug_assert!(INTO_INPUT || N_IN >= TILE * NB);
    let stride = (N_IN / (TILE * NB)).max(1);
    for i in 0..N_IN {
        if INTO_INPUT {
            if i < TILE {
                for k in 0..NB {
                    a[N_IN - TILE + i][k] = A::apply(pending[i][k]);
                }
            }
        } else if i % stride == 0 && i / stride < TILE * NB {
            let e = i / stride;
            next[slot + e / NB][e % NB] = A::apply(pending[e / NB][e % NB]);
        }
        add_input(&mut acc, w, N_IN, i, &a[i]);
    }
    // Stores from registers, one per unit: returning or assigning the array would copy it
    // through memory with a `memcpy` call.
    for t in 0..TILE {
        for k in 0..NB {
            out[t][k] = acc[t][k];
        }
    }
}

/// Two tiles' pre-activations used in turn as [`tile`]'s `pending` and `out`.
type Pending<V, const NB: usize> = [[Blocks<V, NB>; TILE]; 2];

/// `(pending, out)` of [`tile`]: `pend[p]` and the other one.
#[inline(always)]
#[allow(clippy::type_complexity)]
fn pick<V, const NB: usize>(
    pend: &mut Pending<V, NB>,
    p: usize,
) -> (&[Blocks<V, NB>; TILE], &mut [Blocks<V, NB>; TILE]) {
    let [b0, b1] = pend;
    if p == 0 {
        (b0, b1)
    } else {
        (b1, b0)
    }
}

/// A hidden-to-hidden layer (`H → H`). On entry `a` holds the layer's inputs except the last
/// tile's, which `pend[*p]` holds as pre-activations; on return `next` holds the next layer's
/// inputs except its last tile's, which `pend[*p]` then holds.
#[inline(always)]
fn hidden_layer<V: Lane, const H: usize, const NB: usize, A: Act>(
    w: &[V::T],
    b: &[V::T],
    a: &mut [Blocks<V, NB>; H],
    next: &mut [Blocks<V, NB>; H],
    pend: &mut Pending<V, NB>,
    p: &mut usize,
) {
    let w = &w[..H * H];
    let b = &b[..H];
    let (src, dst) = pick(pend, *p);
    tile::<V, H, NB, A, true>(w, b, 0, a, src, next, 0, dst);
    *p ^= 1;
    for o in (TILE..H).step_by(TILE) {
        let (src, dst) = pick(pend, *p);
        tile::<V, H, NB, A, false>(w, b, o, a, src, next, o - TILE, dst);
        *p ^= 1;
    }
}

/// The first layer (`d → H`, `d = x.len()` known at run time): `σ` of all but the last tile
/// into `a`, the last tile's pre-activations into `pending`.
#[inline(always)]
fn input_layer<V: Lane, const H: usize, const NB: usize, A: Act>(
    w: &[V::T],
    b: &[V::T],
    x: &[Blocks<V, NB>],
    a: &mut [Blocks<V, NB>; H],
    pending: &mut [Blocks<V, NB>; TILE],
) {
    let d = x.len();
    let w = &w[..H * d];
    for o in (0..H).step_by(TILE) {
        let rows = &w[o * d..(o + TILE) * d];
        let mut acc = bias_tile::<V, NB>(b, o);
        for (i, xi) in x.iter().enumerate() {
            add_input(&mut acc, rows, d, i, xi);
        }
        for t in 0..TILE {
            for k in 0..NB {
                if o + TILE == H {
                    pending[t][k] = acc[t][k];
                } else {
                    a[o + t][k] = A::apply(acc[t][k]);
                }
            }
        }
    }
}

/// The last layer (`H → n_out`, activation `act`), its inputs as [`hidden_layer`] leaves them
/// (`σ` of `pending` is applied inside the first output's loop, as in [`tile`]): one chain
/// per output unit and block.
#[inline(always)]
fn output_layer<V: Lane, const H: usize, const NB: usize, A: Act>(
    act: Activation,
    w: &[V::T],
    b: &[V::T],
    a: &mut [Blocks<V, NB>; H],
    pending: &[Blocks<V, NB>; TILE],
    y: &mut [Blocks<V, NB>],
) {
    for (o, yo) in y.iter_mut().enumerate() {
        let row = &w[o * H..(o + 1) * H];
        let mut acc = [V::splat(b[o]); NB];
        for i in 0..H {
            if o == 0 && i < TILE {
                for k in 0..NB {
                    a[H - TILE + i][k] = A::apply(pending[i][k]);
                }
            }
            let wi = V::splat(row[i]);
            for k in 0..NB {
                acc[k] = wi.fma(a[i][k], acc[k]);
            }
        }
        for k in 0..NB {
            yo[k] = activation::value(act, acc[k]);
        }
    }
}

/// Working registers of [`forward_values_blocks`] spilled to memory: each layer's inputs in
/// two buffers used in turn (a `swap` of the arrays would copy them) and the two pending
/// tiles. Made once per work item: zeroing them per block cost a `memset` of 7.5 KB per pair
/// of blocks (15 % of a two-layer network's pass).
pub(crate) struct FixedScratch<V, const H: usize, const NB: usize> {
    a: [[Blocks<V, NB>; H]; 2],
    pend: Pending<V, NB>,
}

impl<V: Lane, const H: usize, const NB: usize> FixedScratch<V, H, NB> {
    /// Zeroed buffers (every entry is written before it is read).
    pub(crate) fn new() -> Self {
        Self {
            a: [[[V::zero(); NB]; H]; 2],
            pend: [[[V::zero(); NB]; TILE]; 2],
        }
    }
}

/// The whole network for one activation type `A` of the hidden layers, `NB` blocks.
#[inline(always)]
fn forward_with<V: Lane, const H: usize, const NB: usize, A: Act>(
    out_act: Activation,
    layers: &[Layer<'_, V::T>],
    x: &[Blocks<V, NB>],
    y: &mut [Blocks<V, NB>],
    sc: &mut FixedScratch<V, H, NB>,
) {
    let last = layers.len() - 1;
    let [a0, a1] = &mut sc.a;
    let pend = &mut sc.pend;
    let mut p = 0;
    input_layer::<V, H, NB, A>(layers[0].0, layers[0].1, x, a0, &mut pend[0]);
    for (l, &(w, b)) in layers.iter().enumerate().take(last).skip(1) {
        if l % 2 == 1 {
            hidden_layer::<V, H, NB, A>(w, b, a0, a1, pend, &mut p);
        } else {
            hidden_layer::<V, H, NB, A>(w, b, a1, a0, pend, &mut p);
        }
    }
    let (w, b) = layers[last];
    let a = if last % 2 == 1 { a0 } else { a1 };
    output_layer::<V, H, NB, A>(out_act, w, b, a, &pend[p], y);
}

/// A dense layer's row-major weights `W` and bias `b`, borrowed from a genome.
pub(crate) type Layer<'g, T> = (&'g [T], &'g [T]);

/// The `(W, b)` of every layer of `genome`, borrowed once per work item rather than per block.
pub(crate) fn layers<'g, T>(spec: &MlpSpec, genome: &'g [T]) -> Vec<Layer<'g, T>> {
    (0..spec.n_layers())
        .map(|l| spec.layer(genome, l))
        .collect()
}

/// Runs `NB` blocks of `V::W` points (`x[k][b]`: input `k` of block `b`) through a network
/// whose hidden layers all have width `H` and one activation ([`fixed_hidden_width`];
/// `layers`: from [`layers`]); the output values land in `y` (`y[q][b]`: output `q` of block
/// `b`). Same bits, per block, as `forward_block` with the value jet.
#[inline(always)]
pub(crate) fn forward_values_blocks<V: Lane, const H: usize, const NB: usize>(
    spec: &MlpSpec,
    layers: &[Layer<'_, V::T>],
    x: &[[V; NB]],
    y: &mut [[V; NB]],
    sc: &mut FixedScratch<V, H, NB>,
) {
    debug_assert_eq!(fixed_hidden_width(spec), Some(H));
    let acts = spec.activations();
    let out_act = acts[acts.len() - 1];
    match acts[0] {
        Activation::Tanh => forward_with::<V, H, NB, TanhAct>(out_act, layers, x, y, sc),
        Activation::Sin => forward_with::<V, H, NB, SinAct>(out_act, layers, x, y, sc),
        Activation::Identity => forward_with::<V, H, NB, IdentityAct>(out_act, layers, x, y, sc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::cpu::lanes::{Emu, Real};
    use crate::nn::forward::{forward_block, Scratch};
    use crate::nn::{init_genome, Init, JetSpec};

    /// Lane bit patterns, for exact comparisons.
    fn bits<V: Lane>(v: V) -> Vec<u64> {
        let mut b = [V::T::ZERO; 16];
        v.store(&mut b);
        b[..V::W].iter().map(|e| e.to_f64().to_bits()).collect()
    }

    /// `forward_block`'s value outputs for the inputs `x` (one register per input).
    fn general<V: Lane>(spec: &MlpSpec, g: &[V::T], x: &[V]) -> Vec<V> {
        let jet = JetSpec::value(spec.n_in());
        let mut sc = Scratch::<V>::new(spec, &jet, g);
        forward_block(spec, g, &jet, x, &mut sc, false);
        sc.acts[spec.n_layers()].clone()
    }

    /// [`forward_values_blocks`] on one block (`x0`) and on a pair (`x0`, `x1`).
    #[allow(clippy::type_complexity)]
    fn fixed<V: Lane, const H: usize>(
        spec: &MlpSpec,
        g: &[V::T],
        x0: &[V],
        x1: &[V],
    ) -> (Vec<[V; 1]>, Vec<[V; 2]>) {
        let ls = layers(spec, g);
        let n_out = spec.n_out();
        let one: Vec<[V; 1]> = x0.iter().map(|&v| [v]).collect();
        let pair: Vec<[V; 2]> = x0.iter().zip(x1).map(|(&a, &b)| [a, b]).collect();
        let (mut y1, mut y2) = (vec![[V::zero(); 1]; n_out], vec![[V::zero(); 2]; n_out]);
        forward_values_blocks::<V, H, 1>(spec, &ls, &one, &mut y1, &mut FixedScratch::new());
        forward_values_blocks::<V, H, 2>(spec, &ls, &pair, &mut y2, &mut FixedScratch::new());
        (y1, y2)
    }

    /// [`forward_values_blocks`] against `forward_block` on `V`, bit for bit, for every width
    /// the kernel serves, every activation, one to three inputs and outputs, one block and a
    /// pair of blocks.
    fn agrees_with_forward_block<V: Lane>() {
        let cases: &[(usize, &[usize], usize)] = &[
            (2, &[20; 8], 1),
            (1, &[10, 10], 3),
            (3, &[50, 50], 2),
            (2, &[20], 1),
        ];
        let mut s = crate::rng::stream(3, "forward-fixed-test", 0, 0);
        let mut block = |d: usize| -> Vec<V> {
            (0..d)
                .map(|_| {
                    let v: Vec<V::T> = (0..V::W)
                        .map(|_| V::T::from_f64(s.uniform_range(-2.0, 2.0)))
                        .collect();
                    V::load(&v)
                })
                .collect()
        };
        for &(d, hidden, n_out) in cases {
            for act in [Activation::Tanh, Activation::Sin, Activation::Identity] {
                let spec = MlpSpec::uniform(d, hidden, n_out, act).unwrap();
                let g64 = init_genome(&spec, Init::XavierUniform, 7, 0);
                let g: Vec<V::T> = g64.iter().map(|&v| V::T::from_f64(v * 3.0)).collect();
                let (x0, x1) = (block(d), block(d));
                let (y1, y2) = match fixed_hidden_width(&spec).unwrap() {
                    10 => fixed::<V, 10>(&spec, &g, &x0, &x1),
                    20 => fixed::<V, 20>(&spec, &g, &x0, &x1),
                    _ => fixed::<V, 50>(&spec, &g, &x0, &x1),
                };
                let (want0, want1) = (general(&spec, &g, &x0), general(&spec, &g, &x1));
                for q in 0..n_out {
                    let at = format!("{hidden:?} {act:?} output {q}");
                    assert_eq!(bits(y1[q][0]), bits(want0[q]), "{at}, one block");
                    assert_eq!(bits(y2[q][0]), bits(want0[q]), "{at}, pair, first");
                    assert_eq!(bits(y2[q][1]), bits(want1[q]), "{at}, pair, second");
                }
            }
        }
    }

    #[test]
    fn fixed_width_forward_equals_the_general_one_scalar() {
        agrees_with_forward_block::<Emu<f32, 8>>();
        agrees_with_forward_block::<Emu<f64, 4>>();
    }

    #[test]
    fn widths_outside_the_instantiated_set_take_the_general_path() {
        let sp = |h: &[usize]| MlpSpec::uniform(2, h, 1, Activation::Tanh).unwrap();
        assert_eq!(fixed_hidden_width(&sp(&[20; 8])), Some(20));
        assert_eq!(fixed_hidden_width(&sp(&[50, 50])), Some(50));
        assert_eq!(fixed_hidden_width(&sp(&[20, 10])), None);
        assert_eq!(fixed_hidden_width(&sp(&[16, 16])), None);
        assert_eq!(
            fixed_hidden_width(&MlpSpec::new(&[2, 1], &[Activation::Identity]).unwrap()),
            None
        );
    }
}
