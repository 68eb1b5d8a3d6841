//! Host side of `kernels/common/scan.cuh`: exclusive prefix sums of a device `u32` array in
//! three launches without a block barrier (range sums, the ranges' offsets on one thread,
//! every offset). The modules that bucket rows by key ([`super::rvea`]'s survivor selection,
//! [`super::survival`]'s Fisher–Yates chains) each carry these entry points; `kernels` names
//! which module's copy to launch.

use super::kernels::KernelId;
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::error::Result;

/// The three prefix-sum kernels of one module.
#[derive(Clone, Copy, Debug)]
pub(super) struct ScanKernels {
    pub range_sums: KernelId,
    pub range_offsets: KernelId,
    pub prefix_offsets: KernelId,
}

impl CudaDevice {
    /// `offsets[k] = counts[0] + … + counts[k − 1]` for the `len ≥ 1` counts, in a new buffer.
    pub(super) fn exclusive_prefix_sums(
        &self,
        op: &'static str,
        kernels: ScanKernels,
        counts: &DeviceBuffer<u32>,
        len: usize,
    ) -> Result<DeviceBuffer<u32>> {
        // Contiguous ranges of about 64 counts (at most 1024: the one-thread middle pass).
        let ranges = len.div_ceil(64).clamp(1, 1024);
        let (len32, r32) = (
            KernelArg::U32(to_u32(op, "counts", len)?),
            KernelArg::U32(ranges as u32),
        );
        let sums = self.zeros::<u32>(ranges)?;
        let offsets = self.zeros::<u32>(len.max(1))?;
        let range_dims = LaunchDims::linear(op, ranges)?;
        // SAFETY (every launch): the argument lists are the kernels' own; counts and offsets
        // hold len values, sums `ranges`.
        unsafe {
            self.launch(
                kernels.range_sums,
                range_dims,
                &[counts.arg(), len32, r32, sums.arg()],
            )?;
            self.launch(
                kernels.range_offsets,
                LaunchDims::single_block(1),
                &[sums.arg(), r32],
            )?;
            self.launch(
                kernels.prefix_offsets,
                range_dims,
                &[counts.arg(), len32, r32, sums.arg(), offsets.arg()],
            )?;
        }
        Ok(offsets)
    }
}
