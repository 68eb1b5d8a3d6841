//! The CUDA context wrapper (feature `cuda`): device selection, module cache, buffers and
//! launches, on cudarc's driver API with dynamic loading.
//!
//! All work of one [`CudaDevice`] goes to its one stream, in order, so buffers need no
//! cross-stream events (cudarc's event tracking is switched off) and a kernel always sees the
//! writes of the copies and kernels queued before it. Copies back to the host synchronise.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use cudarc::driver::{
    CudaContext, CudaFunction, CudaModule, CudaSlice, CudaStream, DevicePtr, DriverError,
    LaunchConfig, PushKernelArg,
};
use cudarc::nvrtc::Ptx;

use super::kernels::{KernelFamily, KernelId};
use super::{DeviceScalar, KernelArg, LaunchDims};
use crate::error::{Error, Result};

fn driver(op: &'static str) -> impl Fn(DriverError) -> Error {
    move |e| Error::Cuda {
        op,
        message: e.to_string(),
    }
}

/// One GPU: a CUDA context, its stream, and the kernels loaded so far.
///
/// Create it with [`CudaDevice::new`]; the family methods (`uniform_f64`,
/// `nondominated_sort`, `crowding_distance`, ...) load their PTX module on first use.
pub struct CudaDevice {
    ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    name: String,
    compute_capability: (i32, i32),
    modules: Mutex<[Option<Arc<CudaModule>>; KernelFamily::ALL.len()]>,
    functions: Mutex<[Option<CudaFunction>; KernelId::ALL.len()]>,
}

impl std::fmt::Debug for CudaDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CudaDevice")
            .field("ordinal", &self.ordinal())
            .field("name", &self.name)
            .field("compute_capability", &self.compute_capability)
            .finish()
    }
}

/// `Err(Error::Cuda)` unless the driver library can be opened: cudarc panics on its first
/// call otherwise.
fn require_driver(op: &'static str) -> Result<()> {
    // SAFETY: only tries to open the shared library; no driver function is called.
    if unsafe { cudarc::driver::sys::is_culib_present() } {
        Ok(())
    } else {
        Err(Error::Cuda {
            op,
            message: "the CUDA driver library (libcuda) was not found".into(),
        })
    }
}

/// Runs a cudarc call that may panic (a driver too old for a symbol cudarc loads) and turns
/// the panic into `Error::Cuda`.
fn guarded<T>(op: &'static str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "the CUDA driver library panicked".into());
        Err(Error::Cuda { op, message })
    })
}

impl CudaDevice {
    /// Number of CUDA devices; `Err(Error::Cuda)` when the driver library is missing or fails
    /// to initialise.
    pub fn device_count() -> Result<usize> {
        const OP: &str = "CudaDevice::device_count";
        require_driver(OP)?;
        guarded(OP, || {
            cudarc::driver::result::init().map_err(driver(OP))?;
            let n = CudaContext::device_count().map_err(driver(OP))?;
            Ok(n.max(0) as usize)
        })
    }

    /// Opens device `ordinal` (0 = the first GPU). `Err(Error::Cuda)` when the driver library
    /// is missing, no such device exists, or the driver refuses the context; never panics.
    pub fn new(ordinal: usize) -> Result<Self> {
        const OP: &str = "CudaDevice::new";
        let count = Self::device_count()?;
        if ordinal >= count {
            return Err(Error::Cuda {
                op: OP,
                message: format!("no CUDA device {ordinal} ({count} present)"),
            });
        }
        guarded(OP, || {
            let ctx = CudaContext::new(ordinal).map_err(driver(OP))?;
            // SAFETY: every buffer of this device is used on its one stream only.
            unsafe { ctx.disable_event_tracking() };
            let stream = ctx.default_stream();
            let name = ctx.name().map_err(driver(OP))?;
            let compute_capability = ctx.compute_capability().map_err(driver(OP))?;
            Ok(CudaDevice {
                ctx,
                stream,
                name,
                compute_capability,
                modules: Mutex::new(std::array::from_fn(|_| None)),
                // `Default` stops at 32-element arrays; the registry is longer.
                functions: Mutex::new(std::array::from_fn(|_| None)),
            })
        })
    }

    /// The device's ordinal.
    pub fn ordinal(&self) -> usize {
        self.ctx.ordinal()
    }

    /// The device's name, e.g. `"NVIDIA H100 80GB HBM3"`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Compute capability `(major, minor)`; Hopper is `(9, 0)`.
    pub fn compute_capability(&self) -> (i32, i32) {
        self.compute_capability
    }

    /// Loads every PTX module and looks up every [`KernelId`] (normally done lazily): a
    /// check that the driver accepts all our PTX.
    pub fn preload(&self) -> Result<()> {
        KernelId::ALL
            .iter()
            .try_for_each(|&id| self.function(id).map(|_| ()))
    }

    fn module(&self, family: KernelFamily) -> Result<Arc<CudaModule>> {
        let mut cache = self.modules.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = &cache[family.index()] {
            return Ok(m.clone());
        }
        let module = self
            .ctx
            .load_module(Ptx::from_src(family.ptx()))
            .map_err(|e| Error::Cuda {
                op: "CudaDevice::load_module",
                message: format!("{}.ptx: {e}", family.name()),
            })?;
        cache[family.index()] = Some(module.clone());
        Ok(module)
    }

    fn function(&self, id: KernelId) -> Result<CudaFunction> {
        if let Some(f) = &self.functions.lock().unwrap_or_else(|e| e.into_inner())[id.index()] {
            return Ok(f.clone());
        }
        let module = self.module(id.family())?;
        let f = module.load_function(id.name()).map_err(|e| Error::Cuda {
            op: "CudaDevice::load_function",
            message: format!("{}: {e}", id.name()),
        })?;
        self.functions.lock().unwrap_or_else(|e| e.into_inner())[id.index()] = Some(f.clone());
        Ok(f)
    }

    /// Copies `host` to a new device buffer.
    pub fn htod<T: DeviceScalar>(&self, host: &[T]) -> Result<DeviceBuffer<T>> {
        let slice = self
            .stream
            .clone_htod(host)
            .map_err(driver("CudaDevice::htod"))?;
        Ok(DeviceBuffer { slice })
    }

    /// A new device buffer of `len` zeros.
    pub fn zeros<T: DeviceScalar>(&self, len: usize) -> Result<DeviceBuffer<T>> {
        let slice = self
            .stream
            .alloc_zeros(len)
            .map_err(driver("CudaDevice::zeros"))?;
        Ok(DeviceBuffer { slice })
    }

    /// Copies a device buffer back to the host (waits for the work queued before it).
    pub fn dtoh<T: DeviceScalar>(&self, buffer: &DeviceBuffer<T>) -> Result<Vec<T>> {
        self.stream
            .clone_dtoh(&buffer.slice)
            .map_err(driver("CudaDevice::dtoh"))
    }

    /// Waits until all queued work has finished; reports a failed kernel.
    pub fn synchronize(&self) -> Result<()> {
        self.stream
            .synchronize()
            .map_err(driver("CudaDevice::synchronize"))
    }

    /// Queues kernel `id` with `args` (in the kernel's parameter order).
    ///
    /// # Safety
    /// `args` must match the kernel's parameter list in number and type, and every buffer
    /// must be large enough for the indices the kernel computes from the other arguments and
    /// `dims`. The buffers' borrows end before the kernel runs; they stay valid because a
    /// buffer's memory is freed on this same stream, after the kernel.
    pub unsafe fn launch(
        &self,
        id: KernelId,
        dims: LaunchDims,
        args: &[KernelArg<'_>],
    ) -> Result<()> {
        let f = self.function(id)?;
        if dims.shared_bytes > 48 * 1024 {
            // Above 48 KiB a kernel's dynamic shared memory needs the function's opt-in.
            f.set_attribute(
                cudarc::driver::sys::CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                dims.shared_bytes as i32,
            )
            .map_err(|e| Error::Cuda {
                op: "CudaDevice::launch",
                message: format!("{}: {} bytes of shared memory: {e}", id.name(), dims.shared_bytes),
            })?;
        }
        let mut builder = self.stream.launch_builder(&f);
        for arg in args {
            match arg {
                KernelArg::Ptr(p, _) => builder.arg(p),
                KernelArg::U32(v) => builder.arg(v),
                KernelArg::U64(v) => builder.arg(v),
                KernelArg::F32(v) => builder.arg(v),
                KernelArg::F64(v) => builder.arg(v),
            };
        }
        let cfg = LaunchConfig {
            grid_dim: dims.grid,
            block_dim: dims.block,
            shared_mem_bytes: dims.shared_bytes,
        };
        // SAFETY: the caller guarantees the arguments match the kernel.
        unsafe { builder.launch(cfg) }.map_err(|e| Error::Cuda {
            op: "CudaDevice::launch",
            message: format!("{}: {e}", id.name()),
        })?;
        Ok(())
    }
}

/// A buffer in device memory, owned by the [`CudaDevice`] that made it.
pub struct DeviceBuffer<T: DeviceScalar> {
    slice: CudaSlice<T>,
}

impl<T: DeviceScalar> std::fmt::Debug for DeviceBuffer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DeviceBuffer<{}>[{}]",
            std::any::type_name::<T>(),
            self.len()
        )
    }
}

impl<T: DeviceScalar> DeviceBuffer<T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.slice.len()
    }

    /// True when the buffer holds no element.
    pub fn is_empty(&self) -> bool {
        self.slice.len() == 0
    }

    /// The buffer as a kernel argument (its device pointer).
    pub fn arg(&self) -> KernelArg<'_> {
        let (ptr, _sync) = self.slice.device_ptr(self.slice.stream());
        KernelArg::Ptr(ptr, PhantomData)
    }
}
