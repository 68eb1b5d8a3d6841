//! Weight gradients of the reverse sweep ([`super::backward_block`]) on wide (AVX-512)
//! registers holding two consecutive 8/4-lane blocks.
//!
//! The activation and input-adjoint sweeps run on the wide registers as they are. The weight
//! gradients sum over points, and their bits are fixed by the 8/4-lane order of the AVX2 and
//! scalar paths: accumulator lane `j` of weight `(o, i)` takes, block after block, the low
//! half's term and then the high half's, component by component. A wide register therefore carries
//! the accumulators of *two units*: `[acc(2q, i) | acc(2q + 1, i)]`, fed with
//! `[half h of z̄_2q | half h of z̄_2q+1]` times `[half h of a_i | half h of a_i]` (the latter
//! one broadcast load from the block's input jets where they lie, [`Wide::dup_half`]: a
//! shuffle and a store per input and half cost the mean-squared term's gradient 5 %). Every lane
//! sees the same operands in the same order as with [`super::GenomeGrads`], so the bits are
//! those of two narrow blocks run one after the other, with half the FMAs and half the
//! accumulator loads and stores of splitting each register into its halves.

use super::{dense_gw, GwInputs, LayerGrads, MAX_COMP};
use crate::backend::cpu::lanes::{Lane, Wide};
use crate::backend::cpu::reuse::{zeroed, Footprint};
use crate::nn::MlpSpec;

/// Weight and bias gradients of a network in unit pairs, plus the per-block buffers of the
/// paired output adjoints.
///
/// Layer `l`'s accumulators start at `off[l]`: `pairs × n_in` weight registers (pair `q`,
/// input `i` at `q·n_in + i`), then `pairs` bias registers; `pairs = ⌈n_out / 2⌉` (an odd
/// last unit shares its register with a zero adjoint, whose lanes are never read).
pub(crate) struct PairedGrad<W: Wide> {
    acc: Vec<W>,
    off: Vec<usize>,
    /// `z[h]`: the output adjoints of the unit pairs, `[half h of z̄_2q | half h of z̄_2q+1]`
    /// (`pairs × c`).
    z: [Vec<W>; 2],
}

impl<W: Wide> Default for PairedGrad<W> {
    /// Empty, to be [`reset`](PairedGrad::reset) before use.
    fn default() -> Self {
        Self {
            acc: Vec::new(),
            off: Vec::new(),
            z: [Vec::new(), Vec::new()],
        }
    }
}

impl<W: Wide> Footprint for PairedGrad<W> {
    fn bytes(&self) -> usize {
        self.acc.bytes() + self.off.bytes() + self.z.iter().map(|z| z.bytes()).sum::<usize>()
    }
}

impl<W: Wide> PairedGrad<W> {
    /// Zero gradients for `spec` with `c` jet components, reusing the allocations.
    pub(crate) fn reset(&mut self, spec: &MlpSpec, c: usize) {
        self.off.clear();
        let mut len = 0;
        for l in 0..spec.n_layers() {
            let (n_in, n_out) = spec.layer_shape(l);
            self.off.push(len);
            len += n_out.div_ceil(2) * (n_in + 1);
        }
        zeroed(&mut self.acc, len, W::zero());
        for z in &mut self.z {
            zeroed(z, spec.max_width() * c, W::zero());
        }
    }

    /// The accumulators in the genome's order as 8/4-lane registers (the layout of the
    /// narrow path's accumulators, [`super::GenomeGrads`]), into `g` (its allocation reused).
    ///
    /// Inlined into the kernels, with plain loops and no closure: a closure or an outlined
    /// copy is compiled without the kernel's target features, and every register split in it
    /// would become a call.
    #[inline(always)]
    pub(crate) fn to_genome(&self, spec: &MlpSpec, g: &mut Vec<W::Half>) {
        zeroed(g, spec.n_params(), <W::Half as Lane>::zero());
        for l in 0..spec.n_layers() {
            let (n_in, n_out) = spec.layer_shape(l);
            let (src, dst) = (self.off[l], spec.layer_offset(l));
            let pairs = n_out.div_ceil(2);
            for o in 0..n_out {
                for i in 0..n_in {
                    let (lo, hi) = self.acc[src + (o / 2) * n_in + i].halves();
                    g[dst + o * n_in + i] = if o % 2 == 0 { lo } else { hi };
                }
                let (lo, hi) = self.acc[src + pairs * n_in + o / 2].halves();
                g[dst + n_in * n_out + o] = if o % 2 == 0 { lo } else { hi };
            }
        }
    }
}

/// [`PairedGrad`] for one wide block whose first `nb` halves are real blocks (the high half
/// only exists where the 8/4-lane kernel would run a block there).
pub(crate) struct PairedBlock<'a, W: Wide> {
    pub(crate) grad: &'a mut PairedGrad<W>,
    pub(crate) nb: usize,
}

impl<W: Wide> LayerGrads<W> for PairedBlock<'_, W> {
    #[inline(always)]
    fn add_layer_sized(
        &mut self,
        _spec: &MlpSpec,
        l: usize,
        c: usize,
        n_in: usize,
        n_out: usize,
        a: &[W],
        zb: &[W],
    ) {
        let (a, zb) = (&a[..n_in * c], &zb[..n_out * c]);
        let g = &mut *self.grad;
        let pairs = n_out.div_ceil(2);
        for h in 0..self.nb {
            for q in 0..pairs {
                for k in 0..c {
                    let z0 = zb[2 * q * c + k];
                    let z1 = if 2 * q + 1 < n_out {
                        zb[(2 * q + 1) * c + k]
                    } else {
                        W::zero()
                    };
                    g.z[h][q * c + k] = W::pair_halves(z0, z1, h);
                }
            }
        }
        // The narrow kernel, with unit pairs as its units and the halves as its blocks.
        let (gw, gb) = g.acc[g.off[l]..g.off[l] + pairs * (n_in + 1)].split_at_mut(pairs * n_in);
        let z = [&g.z[0][..pairs * c], &g.z[1][..pairs * c]];
        with_comp!(c, C, {
            dense_gw::<W, _, C>(c, n_in, self.nb, &DupHalves(a), &z, gw, gb);
        });
    }
}

/// The layer inputs of one wide block as [`dense_gw`] reads them for half `h`: `[half h of
/// a_i | half h of a_i]`, each a broadcast load from the block's own registers in memory.
struct DupHalves<'a, W>(&'a [W]);

impl<W: Wide> GwInputs<W> for DupHalves<'_, W> {
    #[inline(always)]
    fn get(&self, h: usize, idx: usize) -> W {
        W::dup_half(&self.0[idx], h)
    }
}
