//! The CUDA backend's API in a build without the `cuda` feature: the same types and
//! functions as the real one, each entry point returning
//! `Error::Cuda { message: "built without the `cuda` feature", .. }` (so no value of
//! [`CudaDevice`] can exist, and the methods past `new` are never reached).

use std::marker::PhantomData;

use super::kernels::KernelId;
use super::{DeviceScalar, KernelArg, LaunchDims, NOT_BUILT};
use crate::error::{Error, Result};

fn not_built(op: &'static str) -> Error {
    Error::Cuda {
        op,
        message: NOT_BUILT.to_string(),
    }
}

/// One GPU (unavailable: built without the `cuda` feature).
#[derive(Debug)]
pub struct CudaDevice {
    _private: (),
}

impl CudaDevice {
    /// Always `Err(Error::Cuda)`: built without the `cuda` feature.
    pub fn device_count() -> Result<usize> {
        Err(not_built("CudaDevice::device_count"))
    }

    /// Always `Err(Error::Cuda)`: built without the `cuda` feature.
    pub fn new(_ordinal: usize) -> Result<Self> {
        Err(not_built("CudaDevice::new"))
    }

    /// The device's ordinal.
    pub fn ordinal(&self) -> usize {
        0
    }

    /// The device's name.
    pub fn name(&self) -> &str {
        NOT_BUILT
    }

    /// Compute capability `(major, minor)`.
    pub fn compute_capability(&self) -> (i32, i32) {
        (0, 0)
    }

    /// Always `Err(Error::Cuda)`.
    pub fn preload(&self) -> Result<()> {
        Err(not_built("CudaDevice::preload"))
    }

    /// Always `Err(Error::Cuda)`.
    pub fn htod<T: DeviceScalar>(&self, _host: &[T]) -> Result<DeviceBuffer<T>> {
        Err(not_built("CudaDevice::htod"))
    }

    /// Always `Err(Error::Cuda)`.
    pub fn zeros<T: DeviceScalar>(&self, _len: usize) -> Result<DeviceBuffer<T>> {
        Err(not_built("CudaDevice::zeros"))
    }

    /// Always `Err(Error::Cuda)`.
    pub fn dtoh<T: DeviceScalar>(&self, _buffer: &DeviceBuffer<T>) -> Result<Vec<T>> {
        Err(not_built("CudaDevice::dtoh"))
    }

    /// Always `Err(Error::Cuda)`.
    pub fn synchronize(&self) -> Result<()> {
        Err(not_built("CudaDevice::synchronize"))
    }

    /// Always `Err(Error::Cuda)`.
    ///
    /// # Safety
    /// As in the `cuda` build: `args` must match the kernel's parameter list.
    pub unsafe fn launch(
        &self,
        _id: KernelId,
        _dims: LaunchDims,
        _args: &[KernelArg<'_>],
    ) -> Result<()> {
        Err(not_built("CudaDevice::launch"))
    }
}

/// A buffer in device memory (unavailable: built without the `cuda` feature).
#[derive(Debug)]
pub struct DeviceBuffer<T: DeviceScalar> {
    _marker: PhantomData<T>,
}

impl<T: DeviceScalar> DeviceBuffer<T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        0
    }

    /// True when the buffer holds no element.
    pub fn is_empty(&self) -> bool {
        true
    }

    /// The buffer as a kernel argument.
    pub fn arg(&self) -> KernelArg<'_> {
        KernelArg::Ptr(0, PhantomData)
    }
}
