//! CUDA backend: our own PTX kernels, loaded at run time through cudarc's dynamic loading.
//!
//! Nothing here needs a CUDA install to build or test. With the `cuda` feature, cudarc opens
//! `libcuda` when a [`CudaDevice`] is created; when the library or a device is missing, that
//! is an [`crate::Error::Cuda`], never a panic. Without the feature the same
//! types and functions exist and every entry point returns
//! `Error::Cuda { message: "built without the `cuda` feature", .. }`, so code that picks a
//! backend at run time compiles either way.
//!
//! The pieces:
//! - [`kernels`]: the registry. [`KernelId`] names every device function
//!   (`<op>_<element type>`), [`KernelFamily`] every PTX module (`kernels/<family>.ptx`,
//!   embedded with `include_str!`; each file's header names its CPU twin).
//! - [`CudaDevice`]: a context on one GPU with its stream, a module cache (each PTX module is
//!   loaded once, on first use) and the buffer and launch helpers the family code builds on
//!   ([`DeviceBuffer`], [`LaunchDims`], [`KernelArg`]).
//! - One file of host code per kernel family, each an `impl CudaDevice` block:
//!   random streams ([`StreamBatch`], `uniform_f64`, `uniform_f32`, `words_u64`: the device
//!   twin of [`crate::rng::Stream`]), non-dominated ranks (`nondominated_sort`, the twin of
//!   [`crate::moo::nondominated_sort()`]), crowding distance (`crowding_distance`, the twin of
//!   [`crate::moo::crowding_distance`]), the elementary functions (`math_eval_f64`,
//!   `math_eval_f32` with [`MathFn`]: twins in [`crate::math`]), SBX and polynomial mutation
//!   (`sbx`, `polynomial_mutation` and their `_device` forms: twins in
//!   [`crate::moo::operators`]), DTLZ/ZDT evaluation (`evaluate`, `evaluate_device` with
//!   [`DeviceProblem`]: twins in [`crate::moo::problems`]), and RVEA's association and
//!   APD (`rvea_apd`, twin of [`crate::moo::Rvea`]'s survival; the nearest vector by an exact
//!   search over the spatial tiles of [`vector_tiles()`]), all bit-identical to their CPU
//!   twins.
//! - The population NN and ODE kernels (issue 10), all bit-identical to their CPU twins:
//!   MLP outputs and input jets (`mlp_jets`, twin [`crate::backend::cpu::Cpu::jets`]; its
//!   value-only path for one hidden width in [`VALUES_WIDTHS`] keeps the activations in
//!   registers, [`CudaDevice::mlp_values_resident`] leaves everything on the device), mean
//!   pointwise losses with genome gradients (`mlp_loss_grad` with [`DeviceLoss`]: MSE data
//!   loss, Burgers residual, and per-member given adjoints for TFMDWE's Caputo pull-back,
//!   twin [`crate::backend::cpu::Cpu::loss_grad`], the CPU's chunk/lane reduction tree
//!   reproduced thread by thread), population Adam (`adam_step`,
//!   twin [`crate::nn::Adam::step`]) and batched adaptive Dopri5/Tsit5 solves with dense
//!   output, statuses and statistics, physics alone or hybrid (`ode_solve` with
//!   [`DeviceSystem`] and [`DeviceHybrid`], twin [`crate::ode::solve`]).
//! - Selection: NSGA-III's normalisation, association and niching (`nsga3_normalise`,
//!   `nsga3_associate`, `nsga3_niching`, twins [`Nsga3Normalisation::update_cpu`],
//!   [`nsga3_associate_cpu`], [`nsga3_niching_cpu`]: the functions `Nsga3` runs), RVEA's
//!   vector adaptation and neighbour angles (`rvea_adapt`, `rvea_gammas`, twins
//!   [`rvea_adapt_cpu`], [`rvea_gammas_cpu`]), and mating and row gathers (`random_mating`,
//!   `binary_tournament`, `gather_rows` and their `_device` forms).
//! - [`DeviceRvea`]: a whole RVEA generation on the device (mating, variation, evaluation,
//!   survival, adaptation), one 4-byte transfer per generation; twin [`crate::moo::Rvea`].
//! - [`DeviceNsga3`]: a whole NSGA-III generation on the device (tournaments, variation,
//!   evaluation, ranks, normalisation, association, niching, commit), one 8-byte transfer
//!   per generation; twin [`crate::moo::Nsga3`].
//! - [`DeviceNsga2`]: a whole NSGA-II generation on the device (tournaments on rank and
//!   crowding, variation, evaluation, ranks, per-front crowding, truncation, commit), one
//!   8-byte transfer per generation; twin [`crate::moo::Nsga2`].
//! - `kernels/common/math.cuh` (the transcription of [`crate::math`]) and
//!   `kernels/common/chacha.cuh` (the named streams) are shared by every kernel that needs them.
//!
//! ```
//! use pareto_sciml::backend::cuda::CudaDevice;
//! use pareto_sciml::moo::nondominated_sort;
//! let f = [1.0, 4.0, 2.0, 2.0, 3.0, 3.0];
//! match CudaDevice::new(0) {
//!     Ok(gpu) => assert_eq!(gpu.nondominated_sort(&f, 2)?, nondominated_sort(&f, 2)?),
//!     // No driver, no device, or built without `cuda`: a clear error, not a panic.
//!     Err(e) => assert!(matches!(e, pareto_sciml::Error::Cuda { .. })),
//! }
//! # Ok::<(), pareto_sciml::Error>(())
//! ```

mod crowding;
#[cfg(feature = "cuda")]
mod device;
#[cfg(not(feature = "cuda"))]
#[path = "stub.rs"]
mod device;
mod generation;
pub mod kernels;
mod math;
mod nsga2_device;
mod nsga3;
mod nsga3_device;
mod problems;
mod rank;
mod rng;
mod rvea;
mod rvea_adapt;
mod rvea_device;
mod scan;
mod survival;
mod variation;
mod vector_tiles;
// Population NN and ODE kernels (issue 10).
mod adam;
mod mlp;
mod mlp_fused;
mod mlp_plan;
mod mlp_values;
mod ode;
pub use adam::AdamScalars;
pub use mlp::{
    jet_threads, lane_shared_bytes, loss_scalars, points_block, DeviceFloat, LossKernel,
    JET_THREADS, LOSS_BLOCK, WORK_LIMIT_BYTES,
};
pub use mlp_fused::{
    fused_grid, fused_scratch_slots, fused_shared_bytes, fused_width, FUSED_BLOCK, FUSED_GRID,
    FUSED_MAX_OUT, FUSED_SHARED_LIMIT_BYTES, FUSED_WIDTH,
};
pub use mlp_plan::{AdjointComponents, DeviceLoss, MlpPlan, MAX_COMP as MLP_MAX_COMP};
pub use mlp_values::{padded_genomes, values_blocks, values_width, DeviceValues, VALUES_WIDTHS};
pub use ode::{
    ode_launch, solution_of, status_of, DeviceHybrid, DeviceSolution, DeviceSystem, OdeLaunch,
    HYBRID_MAX_WIDTH,
};

pub use device::{CudaDevice, DeviceBuffer};
pub use generation::DeviceOffspring;
pub use kernels::{KernelFamily, KernelId};
pub use math::MathFn;
pub use nsga2_device::DeviceNsga2;
pub use nsga3::{nsga3_associate_cpu, nsga3_niching_cpu, Nsga3Normalisation};
pub use nsga3_device::DeviceNsga3;
pub use problems::DeviceProblem;
pub use rng::StreamBatch;
pub use rvea::{ApdAssociation, ACOS_MAX_ULP};
pub use rvea_adapt::{rvea_adapt_cpu, rvea_gammas_cpu};
pub use rvea_device::DeviceRvea;
pub use vector_tiles::{vector_tiles, VectorTiles, GROUP as TILE_GROUP, TILE};

use crate::error::{Error, Result};

/// Message of the [`Error::Cuda`] returned by every entry point of a build without the
/// `cuda` feature.
pub const NOT_BUILT: &str = "built without the `cuda` feature";

/// Element types that can live in a [`DeviceBuffer`]: plain numbers with an all-zero bit
/// pattern meaning zero. Sealed: the kernels are written for exactly these.
pub trait DeviceScalar: Copy + Default + Send + Sync + 'static + sealed::Sealed {}

mod sealed {
    #[cfg(feature = "cuda")]
    pub trait Sealed: cudarc::driver::DeviceRepr + cudarc::driver::ValidAsZeroBits {}
    #[cfg(not(feature = "cuda"))]
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl Sealed for u32 {}
    impl Sealed for u64 {}
    impl Sealed for i32 {}
}

impl DeviceScalar for f32 {}
impl DeviceScalar for f64 {}
impl DeviceScalar for u32 {}
impl DeviceScalar for u64 {}
impl DeviceScalar for i32 {}

/// Grid and block shape of one kernel launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaunchDims {
    /// Blocks in x, y, z.
    pub grid: (u32, u32, u32),
    /// Threads per block in x, y, z.
    pub block: (u32, u32, u32),
    /// Dynamic shared memory per block, in bytes.
    pub shared_bytes: u32,
}

impl LaunchDims {
    /// Threads per block of [`linear`](Self::linear) launches: 256 keeps several blocks per
    /// multiprocessor resident for the register counts of our kernels (≤ 40 per thread).
    pub const BLOCK: u32 = 256;

    /// One thread per work item, `BLOCK` threads per block, enough blocks to cover `items`.
    /// `Err(Error::Cuda)` when the grid would exceed the device's 2³¹ − 1 blocks in x.
    pub fn linear(op: &'static str, items: usize) -> Result<Self> {
        let blocks = items.div_ceil(Self::BLOCK as usize).max(1);
        let blocks = u32::try_from(blocks)
            .ok()
            .filter(|&b| b <= i32::MAX as u32)
            .ok_or_else(|| Error::Cuda {
                op,
                message: format!("{items} work items exceed the grid limit"),
            })?;
        Ok(LaunchDims {
            grid: (blocks, 1, 1),
            block: (Self::BLOCK, 1, 1),
            shared_bytes: 0,
        })
    }

    /// A single block of `threads` threads (for kernels that step in lock-step rounds with
    /// `__syncthreads`).
    pub fn single_block(threads: u32) -> Self {
        LaunchDims {
            grid: (1, 1, 1),
            block: (threads, 1, 1),
            shared_bytes: 0,
        }
    }
}

/// One kernel argument, in the order of the kernel's parameter list. Buffers travel as device
/// pointers borrowed from a [`DeviceBuffer`] (see [`DeviceBuffer::arg`]), which the borrow
/// keeps alive for the call; scalars by value.
#[derive(Debug, Clone, Copy)]
pub enum KernelArg<'a> {
    /// A device pointer and the buffer it borrows from.
    Ptr(u64, std::marker::PhantomData<&'a ()>),
    /// A 32-bit unsigned integer parameter.
    U32(u32),
    /// A 64-bit unsigned integer parameter.
    U64(u64),
    /// A single-precision parameter.
    F32(f32),
    /// A double-precision parameter.
    F64(f64),
}

/// Converts a host size to a kernel's `u32` parameter, or `Error::Cuda` when it is too large.
pub(crate) fn to_u32(op: &'static str, what: &str, value: usize) -> Result<u32> {
    u32::try_from(value).map_err(|_| Error::Cuda {
        op,
        message: format!("{what} = {value} exceeds the kernels' 32-bit index range"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_launches_cover_every_item_with_at_least_one_block() {
        assert_eq!(LaunchDims::linear("t", 0).unwrap().grid, (1, 1, 1));
        assert_eq!(LaunchDims::linear("t", 256).unwrap().grid, (1, 1, 1));
        assert_eq!(LaunchDims::linear("t", 257).unwrap().grid, (2, 1, 1));
        let huge = (i32::MAX as usize + 1) * LaunchDims::BLOCK as usize;
        assert!(matches!(
            LaunchDims::linear("t", huge),
            Err(Error::Cuda { op: "t", .. })
        ));
    }

    #[test]
    fn sizes_beyond_32_bits_are_cuda_errors() {
        assert_eq!(to_u32("t", "n", 7).unwrap(), 7);
        assert!(matches!(to_u32("t", "n", 1 << 32), Err(Error::Cuda { .. })));
    }

    #[test]
    fn stream_batch_sizes() {
        let mut b = StreamBatch {
            seed: 1,
            purpose: "p",
            generation: 0,
            first_index: 0,
            n_streams: 3,
            count: 4,
        };
        assert_eq!(b.len().unwrap(), 12);
        assert!(!b.is_empty());
        assert_eq!(b.cpu(|s| s.next_u32()).len(), 12);
        b.count = usize::MAX;
        assert!(matches!(b.len(), Err(Error::InvalidConfig { .. })));
        b.n_streams = 0;
        assert!(b.is_empty());
    }
}
