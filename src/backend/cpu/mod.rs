//! CPU population kernels: `P` genomes × `N` points, on threads, with an AVX2/FMA path and a
//! scalar twin that agree to the bit.
//!
//! Work is cut into items `(member, chunk)` with a fixed chunk of [`CHUNK`] points, whatever
//! the thread count or ISA. Inside an item, points go through the network one lane block at a
//! time (8 `f32` / 4 `f64` points; a short last block is padded by repeating the last point
//! with weight zero, so the tail runs the same lane arithmetic). Gradients accumulate per lane
//! in genome order, are folded across lanes in a fixed pairwise order at the end of the item,
//! and the items of a member are summed in chunk order. Hence 1 thread == N threads and
//! SIMD == scalar, bitwise.

mod forward_items;
mod kernels;
pub mod lanes;
pub mod member;
pub(crate) mod reuse;
mod sweeps;

pub use kernels::CHUNK;
use lanes::{Emu, Lane, Real};
use sweeps::GenomeSweeps;
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
use sweeps::PairedSweeps;

use crate::nn::{JetSpec, MlpSpec, PointLoss};
use crate::{Error, Result};

/// Element types the population kernels run in, with their lane types.
///
/// The lane types also carry the crate's precompiled sweeps (a crate-private trait: the
/// kernels are only reached through [`Cpu`]), hence `private_bounds`.
#[allow(private_bounds)]
pub trait Element: Real {
    /// Portable scalar twin of the AVX2 register.
    type Emu: Lane<T = Self> + GenomeSweeps;
    /// The AVX2 register type.
    #[cfg(target_arch = "x86_64")]
    type Avx: Lane<T = Self> + GenomeSweeps;
    /// The AVX-512 register type (twice the lanes of [`Element::Avx`], which are its halves).
    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    type Avx512: lanes::Wide<T = Self, Half = Self::Avx> + PairedSweeps;
    /// `n` zeros. A literal `0.0` lets the allocator hand out pages that are zero already;
    /// `vec![Self::ZERO; n]` in generic code writes every element first (for the 4 MB output
    /// of a population forward pass that `memset` took 15 % of a shallow network's pass).
    fn zeros(n: usize) -> Vec<Self>;
}
impl Element for f32 {
    fn zeros(n: usize) -> Vec<Self> {
        vec![0.0; n]
    }
    type Emu = Emu<f32, 8>;
    #[cfg(target_arch = "x86_64")]
    type Avx = lanes::F32x8;
    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    type Avx512 = lanes::F32x16;
}
impl Element for f64 {
    fn zeros(n: usize) -> Vec<Self> {
        vec![0.0; n]
    }
    type Emu = Emu<f64, 4>;
    #[cfg(target_arch = "x86_64")]
    type Avx = lanes::F64x4;
    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    type Avx512 = lanes::F64x8;
}

/// Which instruction set the kernels use. Results do not depend on it.
///
/// On AVX-512 the kernels run sixteen `f32` / eight `f64` points per register, each point
/// with the arithmetic of the 8/4-lane paths. Sums over points ([`Cpu::loss_grad`]'s losses
/// and gradients) keep the fixed 8/4-lane order shared with the scalar twin and the CUDA twin:
/// a wide register's two halves are added as two consecutive 8/4-lane blocks. So every path
/// gives the same bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Isa {
    /// The widest path this build and CPU support: AVX-512 (with the cargo feature `avx512`),
    /// else AVX2/FMA, else the scalar twin.
    #[default]
    Auto,
    /// The portable scalar twin.
    Scalar,
    /// AVX2/FMA (an error where the CPU lacks it).
    Avx2,
    /// AVX-512F (an error where the CPU lacks it or the crate was built without the cargo
    /// feature `avx512`).
    Avx512,
}

/// The kernel instantiation a call runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Path {
    Scalar,
    Avx2,
    /// AVX-512F (the AVX2/FMA features come with every AVX-512 CPU and are checked too).
    Avx512,
}

/// Whether this build and CPU support the AVX-512 path (cargo feature `avx512`, AVX-512F,
/// AVX-512VL, AVX2 and FMA).
pub fn avx512_available() -> bool {
    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    {
        avx2_available()
            && is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512vl")
    }
    #[cfg(not(all(target_arch = "x86_64", feature = "avx512")))]
    {
        false
    }
}

/// Whether this CPU supports the AVX2/FMA path.
pub fn avx2_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The CPU backend: a thread count (0 = all cores) and an ISA choice.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cpu {
    /// Worker threads (0 = all cores). Results do not depend on it.
    pub threads: usize,
    /// Instruction set. Results do not depend on it.
    pub isa: Isa,
}

/// Loss and gradients of a population, from [`Cpu::loss_grad`].
#[derive(Clone, Debug, PartialEq)]
pub struct LossGrad<T> {
    /// Loss per member (`P`).
    pub loss: Vec<T>,
    /// Genome gradient per member, row-major `P × n_params`.
    pub grad: Vec<T>,
    /// Gradient w.r.t. the extra scalars, row-major `P × n_extra`.
    pub grad_extra: Vec<T>,
}

impl Cpu {
    /// A backend on `threads` threads (0 = all cores) with [`Isa::Auto`].
    pub fn new(threads: usize) -> Self {
        Self {
            threads,
            isa: Isa::Auto,
        }
    }

    /// The same backend with another ISA.
    pub fn with_isa(self, isa: Isa) -> Self {
        Self { isa, ..self }
    }

    pub(crate) fn path(&self) -> Result<Path> {
        match self.isa {
            Isa::Scalar => Ok(Path::Scalar),
            // The process-wide switch (crate::math::set_vector_lanes) acts on Auto only: an
            // explicit request is the caller's.
            Isa::Auto if crate::math::vector_lanes() && avx512_available() => Ok(Path::Avx512),
            Isa::Auto if crate::math::vector_lanes() && avx2_available() => Ok(Path::Avx2),
            Isa::Auto => Ok(Path::Scalar),
            Isa::Avx2 if avx2_available() => Ok(Path::Avx2),
            Isa::Avx2 => Err(Error::config(
                "isa",
                "AVX2/FMA is not available on this CPU",
            )),
            Isa::Avx512 if avx512_available() => Ok(Path::Avx512),
            Isa::Avx512 => Err(Error::config(
                "isa",
                "AVX-512 needs the cargo feature `avx512` and a CPU with AVX-512F/VL",
            )),
        }
    }

    /// Outputs and input jets of `P` networks at `N` points.
    ///
    /// `genomes`: row-major `P × n_params`; `x`: row-major `N × n_in`. Returns
    /// `P × N × n_out × jet.n_comp()` (member, point, output, component).
    ///
    /// Errors: genome or input lengths that do not fit ([`Error::Shape`]), no member or no
    /// point ([`Error::Empty`]), non-finite inputs ([`Error::NonFinite`]), a jet whose
    /// dimension differs from the network's input dimension.
    ///
    /// ```
    /// use pareto_sciml::backend::cpu::Cpu;
    /// use pareto_sciml::nn::{init_population, Activation, Init, JetSpec, MlpSpec};
    /// let spec = MlpSpec::uniform(2, &[8, 8], 1, Activation::Tanh).unwrap();
    /// let genomes = init_population(&spec, Init::TorchDefault, 1, 3);
    /// let x = [0.1, 0.2, -0.3, 0.4, 0.5, 0.9];
    /// let jet = JetSpec::full(2).unwrap();
    /// let out = Cpu::new(2).jets(&spec, &genomes, &x, &jet).unwrap();
    /// assert_eq!(out.len(), 3 * 3 * 1 * jet.n_comp());
    /// ```
    pub fn jets<T: Element>(
        &self,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
        jet: &JetSpec,
    ) -> Result<Vec<T>> {
        let (p, n) = check_inputs("Cpu::jets", spec, genomes, x, jet)?;
        let path = self.path()?;
        let mut out = T::zeros(p * n * spec.n_out() * jet.n_comp());
        self.jets_checked(path, spec, genomes, x, jet, n, &mut out);
        Ok(out)
    }

    /// [`jets`](Self::jets) into a caller's buffer of `P × N × n_out × jet.n_comp()` elements,
    /// every one of which is overwritten (its previous contents do not matter), with the same
    /// bits.
    ///
    /// For loops that evaluate populations again and again: a fresh output of a large
    /// population costs page faults and the kernel's zeroing of every page (P = 1000
    /// networks at 10⁴ points: 40 MB, about 5 % of the forward pass on two cores).
    ///
    /// Errors as for [`jets`](Self::jets), and [`Error::Shape`] for an `out` of another length.
    ///
    /// ```
    /// use pareto_sciml::backend::cpu::Cpu;
    /// use pareto_sciml::nn::{init_population, Activation, Init, JetSpec, MlpSpec};
    /// let spec = MlpSpec::uniform(2, &[8, 8], 1, Activation::Tanh).unwrap();
    /// let genomes = init_population(&spec, Init::TorchDefault, 1, 3);
    /// let x = [0.1, 0.2, -0.3, 0.4, 0.5, 0.9];
    /// let jet = JetSpec::value(2);
    /// let cpu = Cpu::new(2);
    /// let mut out = vec![0.0; 3 * 3];
    /// cpu.jets_into(&spec, &genomes, &x, &jet, &mut out).unwrap();
    /// assert_eq!(out, cpu.jets(&spec, &genomes, &x, &jet).unwrap());
    /// assert!(cpu.jets_into(&spec, &genomes, &x, &jet, &mut out[1..]).is_err());
    /// ```
    pub fn jets_into<T: Element>(
        &self,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
        jet: &JetSpec,
        out: &mut [T],
    ) -> Result<()> {
        let op = "Cpu::jets_into";
        let (p, n) = check_inputs(op, spec, genomes, x, jet)?;
        let len = p * n * spec.n_out() * jet.n_comp();
        crate::error::check_len(op, "out.len() (P·N·n_out·n_comp)", len, out.len())?;
        let path = self.path()?;
        self.jets_checked(path, spec, genomes, x, jet, n, out);
        Ok(())
    }

    /// The work of [`jets`](Self::jets) on checked inputs and an output of the right length.
    #[allow(clippy::too_many_arguments)]
    fn jets_checked<T: Element>(
        &self,
        path: Path,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
        jet: &JetSpec,
        n: usize,
        out: &mut [T],
    ) {
        let nchunks = n.div_ceil(CHUNK);
        let width = spec.n_out() * jet.n_comp();
        // The kernel for uniform hidden widths loads its inputs by column; every member
        // shares them, so they are transposed once here.
        let fixed = forward_items::fixed_values_width(spec, jet)
            .map(|h| (forward_items::columns_padded(x, spec.n_in(), n), h));
        let inputs = forward_items::Inputs {
            rows: x,
            fixed: fixed.as_ref().map(|(columns, h)| (columns, *h)),
        };
        // Item `m · nchunks + ch` writes points `ch·CHUNK..` of member `m`, in place.
        let parts: Vec<&mut [T]> = out
            .chunks_mut((n * width).max(1))
            .flat_map(|member| member.chunks_mut(CHUNK * width))
            .collect();
        crate::parallel::for_each_part(parts, self.threads, |item, part| {
            let (m, ch) = (item / nchunks, item % nchunks);
            let g = &genomes[m * spec.n_params()..(m + 1) * spec.n_params()];
            let (lo, hi) = (ch * CHUNK, ((ch + 1) * CHUNK).min(n));
            kernels::run_jets::<T>(path, spec, g, jet, &inputs, n, lo, hi, part)
        });
    }

    /// Mean pointwise loss and its gradients for `P` networks at `N` points.
    ///
    /// `aux`: row-major `N × loss.aux_width()` per-point data; `extra`: row-major
    /// `P × loss.n_extra()` extra trainable scalars; `jet`: the components the loss reads.
    /// Errors as for [`jets`](Self::jets), for `aux`/`extra` of the wrong length, and whatever
    /// [`PointLoss::validate`] rejects (e.g. a loss reading outputs or jet components the
    /// network or `jet` does not provide).
    #[allow(clippy::too_many_arguments)]
    pub fn loss_grad<T: Element, L: PointLoss>(
        &self,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
        aux: &[T],
        extra: &[T],
        jet: &JetSpec,
        loss: &L,
    ) -> Result<LossGrad<T>> {
        self.loss_impl(
            "Cpu::loss_grad",
            true,
            spec,
            genomes,
            x,
            aux,
            extra,
            jet,
            loss,
        )
    }

    /// The mean pointwise loss alone (`P` values), without the backward sweep: about a third
    /// of [`loss_grad`](Self::loss_grad)'s work, and the same bits as its `loss`.
    ///
    /// ```
    /// use pareto_sciml::backend::cpu::Cpu;
    /// use pareto_sciml::nn::{init_population, Activation, Init, JetSpec, MlpSpec, MseLoss};
    /// let spec = MlpSpec::uniform(1, &[8], 1, Activation::Tanh).unwrap();
    /// let g = init_population(&spec, Init::TorchDefault, 1, 2);
    /// let (x, y) = ([0.1, 0.5, 0.9], [1.0, 0.0, -1.0]);
    /// let (jet, mse) = (JetSpec::value(1), MseLoss { n_out: 1 });
    /// let cpu = Cpu::new(1);
    /// let values = cpu.loss_values(&spec, &g, &x, &y, &[], &jet, &mse).unwrap();
    /// let full = cpu.loss_grad(&spec, &g, &x, &y, &[], &jet, &mse).unwrap();
    /// assert_eq!(values, full.loss);
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn loss_values<T: Element, L: PointLoss>(
        &self,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
        aux: &[T],
        extra: &[T],
        jet: &JetSpec,
        loss: &L,
    ) -> Result<Vec<T>> {
        let r = self.loss_impl(
            "Cpu::loss_values",
            false,
            spec,
            genomes,
            x,
            aux,
            extra,
            jet,
            loss,
        )?;
        Ok(r.loss)
    }

    #[allow(clippy::too_many_arguments)]
    fn loss_impl<T: Element, L: PointLoss>(
        &self,
        op: &'static str,
        grad: bool,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
        aux: &[T],
        extra: &[T],
        jet: &JetSpec,
        loss: &L,
    ) -> Result<LossGrad<T>> {
        let (p, n) = check_inputs(op, spec, genomes, x, jet)?;
        let ne = loss.n_extra();
        loss.validate(spec.n_out(), jet)?;
        crate::error::check_len(op, "aux.len()", n * loss.aux_width(), aux.len())?;
        crate::error::check_len(op, "extra.len()", p * ne, extra.len())?;
        check_finite_t(op, "aux", aux)?;
        let path = self.path()?;
        let nchunks = n.div_ceil(CHUNK);
        let np = spec.n_params();
        let parts = crate::parallel::map_indexed(p * nchunks, self.threads, |item| {
            let (m, ch) = (item / nchunks, item % nchunks);
            let g = &genomes[m * np..(m + 1) * np];
            let th = &extra[m * ne..(m + 1) * ne];
            let (lo, hi) = (ch * CHUNK, ((ch + 1) * CHUNK).min(n));
            kernels::run_loss::<T, L>(path, grad, spec, g, jet, x, aux, th, loss, n, lo, hi)
        });
        let (ng, nge) = if grad { (np, ne) } else { (0, 0) };
        let mut out = LossGrad {
            loss: vec![T::ZERO; p],
            grad: vec![T::ZERO; p * ng],
            grad_extra: vec![T::ZERO; p * nge],
        };
        // Chunk partials of a member are summed in chunk order: fixed for any thread count.
        for (item, part) in parts.into_iter().enumerate() {
            let m = item / nchunks;
            out.loss[m] = out.loss[m] + part.loss;
            for (a, b) in out.grad[m * ng..(m + 1) * ng].iter_mut().zip(&part.grad) {
                *a = *a + *b;
            }
            for (a, b) in out.grad_extra[m * nge..(m + 1) * nge]
                .iter_mut()
                .zip(&part.grad_extra)
            {
                *a = *a + *b;
            }
        }
        Ok(out)
    }
}

fn check_finite_t<T: Real>(op: &'static str, what: &'static str, v: &[T]) -> Result<()> {
    match v.iter().position(|a| !a.is_finite()) {
        None => Ok(()),
        Some(index) => Err(Error::NonFinite { op, what, index }),
    }
}

fn check_inputs<T: Real>(
    op: &'static str,
    spec: &MlpSpec,
    genomes: &[T],
    x: &[T],
    jet: &JetSpec,
) -> Result<(usize, usize)> {
    let np = spec.n_params();
    crate::error::check_len(op, "jet.dim() (network inputs)", spec.n_in(), jet.dim())?;
    if genomes.is_empty() {
        return Err(Error::Empty {
            op,
            what: "genomes",
        });
    }
    if genomes.len() % np != 0 {
        return Err(Error::Shape {
            op,
            what: "genomes.len() (a multiple of n_params)".into(),
            expected: genomes.len().div_ceil(np) * np,
            got: genomes.len(),
        });
    }
    if x.is_empty() {
        return Err(Error::Empty { op, what: "x" });
    }
    if x.len() % spec.n_in() != 0 {
        return Err(Error::Shape {
            op,
            what: "x.len() (a multiple of n_in)".into(),
            expected: x.len().div_ceil(spec.n_in()) * spec.n_in(),
            got: x.len(),
        });
    }
    check_finite_t(op, "x", x)?;
    Ok((genomes.len() / np, x.len() / spec.n_in()))
}
