//! The parts of the population kernels that do not depend on the point loss (a block's
//! forward sweep, its reverse sweep, a jets pass, the fixed-width value pass), compiled once
//! per lane type, in this crate.
//!
//! Why a trait of concrete implementations: the loss kernels are generic over the loss
//! (`L: PointLoss`), so Rust instantiates them in every crate that names a loss: each test,
//! bench and example crate, with optimisation on. With the sweeps inlined into them, every
//! such instantiation carried 170–650 KB of machine code per ISA, and one bench crate took
//! 100 s to build. Each method here is a non-generic function of a concrete lane type whose
//! body runs inside a `#[target_feature]` function of that ISA, so a downstream crate links
//! to it instead of compiling it again, and the sweep keeps its instruction set (an inlined
//! generic helper would lose it). A call per block of 8–16 points costs nothing next to the
//! block's thousands of FMAs, and the arithmetic is the same, so are the bits.

use super::forward_items::{jets_item, outputs_fixed, Inputs};
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
use super::kernels::PairedBlock;
use super::lanes::{Emu, Lane};
use crate::nn::backprop::{backward_block, GenomeGrads};
use crate::nn::forward::{forward_block, Scratch};
use crate::nn::{JetSpec, MlpSpec};

/// Loss-independent sweeps of one lane type (see the module docs).
pub(crate) trait Sweeps: Lane {
    /// [`forward_block`]: one block of points through the network, outputs in
    /// `sc.acts[n_layers]` (kept for a reverse sweep when `keep`).
    fn forward(
        spec: &MlpSpec,
        genome: &[Self::T],
        jet: &JetSpec,
        x: &[Self],
        sc: &mut Scratch<Self>,
        keep: bool,
    );

    /// [`jets_item`]: the output jets of points `lo..hi` into `out`.
    #[allow(clippy::too_many_arguments)]
    fn jets(
        spec: &MlpSpec,
        genome: &[Self::T],
        jet: &JetSpec,
        x: &Inputs<Self::T>,
        n: usize,
        lo: usize,
        hi: usize,
        out: &mut [Self::T],
    );

    /// [`outputs_fixed`]: the outputs of points `lo..hi` by the fixed-width kernel of hidden
    /// width `h`.
    fn outputs_fixed(
        spec: &MlpSpec,
        genome: &[Self::T],
        h: usize,
        x: &[Self::T],
        lo: usize,
        hi: usize,
    ) -> Vec<Self::T>;
}

/// The reverse sweep into lane accumulators laid out like the genome (8/4-lane and scalar
/// paths).
pub(crate) trait GenomeSweeps: Sweeps {
    /// [`backward_block`] into [`GenomeGrads`]`(grads)`.
    fn backward(
        spec: &MlpSpec,
        genome: &[Self::T],
        jet: &JetSpec,
        adj: &[Self],
        sc: &mut Scratch<Self>,
        grads: &mut [Self],
    );
}

/// The reverse sweep into the paired accumulators of a wide register (AVX-512 path).
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
pub(crate) trait PairedSweeps: Sweeps + super::lanes::Wide {
    /// [`backward_block`] into a [`PairedBlock`].
    fn backward(
        spec: &MlpSpec,
        genome: &[Self::T],
        jet: &JetSpec,
        adj: &[Self],
        sc: &mut Scratch<Self>,
        grads: &mut PairedBlock<'_, Self>,
    );
}

/// A trait method whose body runs in a function with the given target features (none for the
/// scalar twin): `method!([features] name(arg: Type, ...) -> Ret => body)`.
macro_rules! method {
    (
        [$($features:literal)?]
        $name:ident($($arg:ident: $t:ty),* $(,)?) $(-> $ret:ty)? => $body:expr
    ) => {
        #[allow(clippy::too_many_arguments)]
        fn $name($($arg: $t),*) $(-> $ret)? {
            $(#[target_feature(enable = $features)])?
            #[allow(clippy::too_many_arguments)]
            unsafe fn run($($arg: $t),*) $(-> $ret)? {
                $body
            }
            // SAFETY: values of a vector lane type exist only on paths chosen after their
            // features were detected (`Cpu::path`); the scalar twin needs none.
            unsafe { run($($arg),*) }
        }
    };
}

/// [`Sweeps`] for a lane type, every method inside the given target features (none for the
/// scalar twin).
macro_rules! sweeps {
    ($ty:ty $(, $features:literal)?) => {
        impl Sweeps for $ty {
            method!([$($features)?] forward(
                spec: &MlpSpec,
                genome: &[<$ty as Lane>::T],
                jet: &JetSpec,
                x: &[$ty],
                sc: &mut Scratch<$ty>,
                keep: bool,
            ) => forward_block::<$ty>(spec, genome, jet, x, sc, keep));

            method!([$($features)?] jets(
                spec: &MlpSpec,
                genome: &[<$ty as Lane>::T],
                jet: &JetSpec,
                x: &Inputs<<$ty as Lane>::T>,
                n: usize,
                lo: usize,
                hi: usize,
                out: &mut [<$ty as Lane>::T],
            ) => jets_item::<$ty>(spec, genome, jet, x, n, lo, hi, out));

            method!([$($features)?] outputs_fixed(
                spec: &MlpSpec,
                genome: &[<$ty as Lane>::T],
                h: usize,
                x: &[<$ty as Lane>::T],
                lo: usize,
                hi: usize,
            ) -> Vec<<$ty as Lane>::T> => outputs_fixed::<$ty>(spec, genome, h, x, lo, hi));
        }
    };
}

/// [`GenomeSweeps`] for a lane type, like [`sweeps!`].
macro_rules! genome_sweeps {
    ($ty:ty $(, $features:literal)?) => {
        impl GenomeSweeps for $ty {
            method!([$($features)?] backward(
                spec: &MlpSpec,
                genome: &[<$ty as Lane>::T],
                jet: &JetSpec,
                adj: &[$ty],
                sc: &mut Scratch<$ty>,
                grads: &mut [$ty],
            ) => backward_block(spec, genome, jet, adj, sc, &mut GenomeGrads(grads)));
        }
    };
}

sweeps!(Emu<f32, 8>);
sweeps!(Emu<f64, 4>);
genome_sweeps!(Emu<f32, 8>);
genome_sweeps!(Emu<f64, 4>);

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::*;
    use crate::backend::cpu::lanes::{F32x8, F64x4};

    sweeps!(F32x8, "avx2,fma");
    sweeps!(F64x4, "avx2,fma");
    genome_sweeps!(F32x8, "avx2,fma");
    genome_sweeps!(F64x4, "avx2,fma");
}

#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
mod avx512 {
    use super::*;
    use crate::backend::cpu::lanes::{F32x16, F64x8};

    /// [`PairedSweeps`] for an AVX-512 register type.
    macro_rules! paired_sweeps {
        ($ty:ty) => {
            impl PairedSweeps for $ty {
                method!(["avx2,fma,avx512f,avx512vl"] backward(
                    spec: &MlpSpec,
                    genome: &[<$ty as Lane>::T],
                    jet: &JetSpec,
                    adj: &[$ty],
                    sc: &mut Scratch<$ty>,
                    grads: &mut PairedBlock<'_, $ty>,
                ) => backward_block(spec, genome, jet, adj, sc, grads));
            }
        };
    }

    sweeps!(F32x16, "avx2,fma,avx512f,avx512vl");
    sweeps!(F64x8, "avx2,fma,avx512f,avx512vl");
    paired_sweeps!(F32x16);
    paired_sweeps!(F64x8);
}
