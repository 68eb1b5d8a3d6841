//! Host code of the `math_eval` kernels: our elementary functions ([`crate::math`]) evaluated
//! element-wise on the device, bit-identical to the CPU.
//!
//! The device functions live in `kernels/common/math.cuh`, a transcription of `src/math`
//! operation by operation (correctly rounded intrinsics, `cvt.rni`, bit steps, selects), and
//! every other kernel that needs exp, ln, pow, sin, cos or tanh (SBX, polynomial mutation,
//! the test problems) includes that header. These entry points exist so that a GPU run can
//! compare the header with `src/math` directly; `tests/cuda_emulation_math.rs` does the same
//! without a GPU by compiling the header for the CPU.

use super::kernels::KernelId;
use super::{to_u32, CudaDevice, DeviceBuffer, DeviceScalar, KernelArg, LaunchDims};
use crate::error::{check_len, Error, Result};

/// An elementary function of [`crate::math`] with a device twin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MathFn {
    /// [`crate::math::exp_f64`] / [`crate::math::exp_f32`].
    Exp,
    /// [`crate::math::ln_f64`] / [`crate::math::ln_f32`].
    Ln,
    /// [`crate::math::pow_f64`] / [`crate::math::pow_f32`] (the only binary one).
    Pow,
    /// [`crate::math::tanh_f64`] / [`crate::math::tanh_f32`].
    Tanh,
    /// [`crate::math::sin_f64`] / [`crate::math::sin_f32`].
    Sin,
    /// [`crate::math::cos_f64`] / [`crate::math::cos_f32`].
    Cos,
}

impl MathFn {
    /// Every function.
    pub const ALL: [MathFn; 6] = [
        MathFn::Exp,
        MathFn::Ln,
        MathFn::Pow,
        MathFn::Tanh,
        MathFn::Sin,
        MathFn::Cos,
    ];

    /// The kernel evaluating the function in double (`wide`) or single precision.
    pub const fn kernel(self, wide: bool) -> KernelId {
        match (self, wide) {
            (MathFn::Exp, true) => KernelId::MathExpF64,
            (MathFn::Ln, true) => KernelId::MathLnF64,
            (MathFn::Pow, true) => KernelId::MathPowF64,
            (MathFn::Tanh, true) => KernelId::MathTanhF64,
            (MathFn::Sin, true) => KernelId::MathSinF64,
            (MathFn::Cos, true) => KernelId::MathCosF64,
            (MathFn::Exp, false) => KernelId::MathExpF32,
            (MathFn::Ln, false) => KernelId::MathLnF32,
            (MathFn::Pow, false) => KernelId::MathPowF32,
            (MathFn::Tanh, false) => KernelId::MathTanhF32,
            (MathFn::Sin, false) => KernelId::MathSinF32,
            (MathFn::Cos, false) => KernelId::MathCosF32,
        }
    }
}

impl CudaDevice {
    fn math_eval<T: DeviceScalar>(&self, func: MathFn, x: &[T], y: Option<&[T]>) -> Result<Vec<T>> {
        const OP: &str = "CudaDevice::math_eval";
        match (func, y) {
            (MathFn::Pow, Some(y)) => check_len(OP, "y.len()", x.len(), y.len())?,
            (MathFn::Pow, None) => return Err(Error::config("y", "pow needs a second argument")),
            (_, Some(_)) => return Err(Error::config("y", "only pow takes a second argument")),
            (_, None) => {}
        }
        if x.is_empty() {
            return Ok(Vec::new());
        }
        let n = to_u32(OP, "x.len()", x.len())?;
        let wide = std::mem::size_of::<T>() == 8;
        let xd = self.htod(x)?;
        let out: DeviceBuffer<T> = self.zeros(x.len())?;
        let dims = LaunchDims::linear(OP, x.len())?;
        let id = func.kernel(wide);
        match y {
            Some(y) => {
                let yd = self.htod(y)?;
                // SAFETY: (x, y, out, n) is the binary kernels' parameter list; all hold n values.
                unsafe {
                    self.launch(
                        id,
                        dims,
                        &[xd.arg(), yd.arg(), out.arg(), KernelArg::U32(n)],
                    )?
                }
                self.dtoh(&out)
            }
            None => {
                // SAFETY: (x, out, n) is the unary kernels' parameter list; both hold n values.
                unsafe { self.launch(id, dims, &[xd.arg(), out.arg(), KernelArg::U32(n)])? }
                self.dtoh(&out)
            }
        }
    }

    /// `func` of every element of `x` (pow: of `x[i]`, `y[i]`) in double precision,
    /// bit-identical to the [`crate::math`] function. `y` is `Some` exactly for
    /// [`MathFn::Pow`], with `x`'s length.
    pub fn math_eval_f64(&self, func: MathFn, x: &[f64], y: Option<&[f64]>) -> Result<Vec<f64>> {
        self.math_eval(func, x, y)
    }

    /// The single-precision counterpart of [`math_eval_f64`](Self::math_eval_f64).
    pub fn math_eval_f32(&self, func: MathFn, x: &[f32], y: Option<&[f32]>) -> Result<Vec<f32>> {
        self.math_eval(func, x, y)
    }
}
