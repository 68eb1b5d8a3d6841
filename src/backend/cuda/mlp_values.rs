//! Host code of the `mlp_values` kernels: population MLP outputs with register-resident
//! activations, the value-only fast path of [`CudaDevice::mlp_jets`] for networks whose hidden
//! layers all have one of the widths [`VALUES_WIDTHS`] (other networks take the general jet
//! kernel). Bit-identical to [`Cpu::jets`](crate::backend::cpu::Cpu::jets) with
//! [`JetSpec::value`](crate::nn::JetSpec::value): each unit's sum runs from the bias over the
//! inputs in index order with one fused multiply-add each, as on the CPU.
//!
//! The kernels read the genomes from a padded copy ([`padded_genomes`]): each layer (weights
//! out × in row-major, then the biases) padded to a multiple of four elements, each member to a
//! multiple of four, so that a hidden layer's rows load as 16-byte vectors.
//!
//! [`CudaDevice::mlp_values_resident`] keeps genomes, points and outputs in device memory
//! for repeated evaluation (an EMO loop that re-evaluates the same points, or a benchmark of the
//! kernel alone).
//!
//! ```
//! use pareto_sciml::backend::cuda::{padded_genomes, values_width};
//! use pareto_sciml::nn::{Activation, MlpSpec};
//! let spec = MlpSpec::uniform(2, &[20; 3], 1, Activation::Tanh).unwrap();
//! assert_eq!(values_width(&spec), Some(20));
//! let g = vec![1.0f32; 2 * spec.n_params()];
//! let (padded, stride) = padded_genomes(&spec, &g);
//! // layers of 60, 420, 420, 21 values, each padded to a multiple of four
//! assert_eq!(stride, 60 + 420 + 420 + 24);
//! assert_eq!(padded.len(), 2 * stride);
//! ```

use super::kernels::KernelId;
use super::mlp::DeviceFloat;
use super::mlp_plan::{DeviceLoss, MlpPlan};
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::nn::{JetSpec, MlpSpec};
use crate::Result;

/// Hidden widths with a register-resident kernel.
pub const VALUES_WIDTHS: [usize; 4] = [8, 16, 20, 32];

/// Threads per block of the `mlp_values` kernels (`VALUES_BLOCK` in the source).
const VALUES_BLOCK: usize = 128;

/// The hidden width `W` when `spec` has the shape the `mlp_values` kernels take
/// (`n_in → W → … → W → n_out` with at least one hidden layer and `W` in
/// [`VALUES_WIDTHS`]), else `None`.
pub fn values_width(spec: &MlpSpec) -> Option<usize> {
    let w = spec.widths();
    if w.len() < 3 {
        return None;
    }
    let hidden = &w[1..w.len() - 1];
    let width = hidden[0];
    (hidden.iter().all(|&h| h == width) && VALUES_WIDTHS.contains(&width)).then_some(width)
}

fn pad4(k: usize) -> usize {
    k.div_ceil(4) * 4
}

/// The genomes (`P × n_params`) in the kernels' padded layout, and the padded member stride.
pub fn padded_genomes<T: Copy + Default>(spec: &MlpSpec, genomes: &[T]) -> (Vec<T>, usize) {
    let np = spec.n_params();
    let sizes: Vec<usize> = (0..spec.n_layers())
        .map(|l| {
            let (i, o) = spec.layer_shape(l);
            i * o + o
        })
        .collect();
    let stride = pad4(sizes.iter().map(|&s| pad4(s)).sum());
    let p = genomes.len() / np;
    let mut out = vec![T::default(); p * stride];
    for (g, dst) in genomes.chunks_exact(np).zip(out.chunks_exact_mut(stride)) {
        let (mut src, mut at) = (0, 0);
        for &s in &sizes {
            dst[at..at + s].copy_from_slice(&g[src..src + s]);
            src += s;
            at += pad4(s);
        }
    }
    (out, stride)
}

fn kernel<T: DeviceFloat>(width: usize) -> KernelId {
    match (T::WIDE, width) {
        (false, 8) => KernelId::MlpValuesW8F32,
        (false, 16) => KernelId::MlpValuesW16F32,
        (false, 20) => KernelId::MlpValuesW20F32,
        (false, 32) => KernelId::MlpValuesW32F32,
        (true, 8) => KernelId::MlpValuesW8F64,
        (true, 16) => KernelId::MlpValuesW16F64,
        (true, 20) => KernelId::MlpValuesW20F64,
        (true, 32) => KernelId::MlpValuesW32F64,
        _ => unreachable!("values_width admits only VALUES_WIDTHS"),
    }
}

/// Points per thread of the kernel for `width` (`R` in the source).
fn points_per_thread<T: DeviceFloat>(width: usize) -> usize {
    match (T::WIDE, width) {
        (false, 8) => 4,
        (false, 20) => 1,
        (false, _) => 2,
        (true, 8) => 2,
        (true, _) => 1,
    }
}

/// Blocks of the launch: one member per block, `VALUES_BLOCK · R` points each.
pub fn values_blocks<T: DeviceFloat>(width: usize, n: usize, members: usize) -> usize {
    members * n.div_ceil(VALUES_BLOCK * points_per_thread::<T>(width))
}

/// Outputs of a population kept in device memory (see [`CudaDevice::mlp_values_resident`]).
#[derive(Debug)]
pub struct DeviceValues<T: DeviceFloat> {
    plan: DeviceBuffer<u32>,
    genomes: DeviceBuffer<T>,
    stride: u32,
    x: DeviceBuffer<T>,
    out: DeviceBuffer<T>,
    n: u32,
    members: u32,
    kernel: KernelId,
    blocks: usize,
}

impl CudaDevice {
    /// Uploads `genomes` (padded) and the points `x` of a network that
    /// [`values_width`] accepts, and evaluates once; [`DeviceValues::evaluate`] runs again,
    /// [`DeviceValues::outputs`] downloads (`P × N × n_out`, the layout and bits of
    /// [`CudaDevice::mlp_jets`] with [`JetSpec::value`]). `Err(InvalidConfig)` for another
    /// network shape; input errors as `mlp_jets`.
    pub fn mlp_values_resident<T: DeviceFloat>(
        &self,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
    ) -> Result<DeviceValues<T>> {
        const OP: &str = "CudaDevice::mlp_values_resident";
        let width = values_width(spec).ok_or_else(|| {
            crate::Error::config(
                "spec",
                format!("the value kernels need hidden layers of one width in {VALUES_WIDTHS:?}"),
            )
        })?;
        let (p, n) = super::mlp::check_inputs(OP, spec, genomes, x)?;
        let plan = MlpPlan::new(spec, &JetSpec::value(spec.n_in()), DeviceLoss::None)?;
        let (padded, stride) = padded_genomes(spec, genomes);
        let items = p
            .checked_mul(n)
            .and_then(|i| i.checked_mul(spec.n_out()))
            .ok_or_else(|| crate::Error::config("P × N", "overflows"))?;
        let v = DeviceValues {
            plan: self.htod(plan.words())?,
            genomes: self.htod(&padded)?,
            stride: to_u32(OP, "padded genome", stride)?,
            x: self.htod(x)?,
            out: self.zeros(items)?,
            n: to_u32(OP, "N", n)?,
            members: to_u32(OP, "P", p)?,
            kernel: kernel::<T>(width),
            blocks: values_blocks::<T>(width, n, p),
        };
        v.evaluate(self)?;
        Ok(v)
    }
}

impl<T: DeviceFloat> DeviceValues<T> {
    /// Evaluates every member at every point again (results stay on the device).
    pub fn evaluate(&self, dev: &CudaDevice) -> Result<()> {
        const OP: &str = "DeviceValues::evaluate";
        let blocks = u32::try_from(self.blocks)
            .ok()
            .filter(|&b| b <= i32::MAX as u32)
            .ok_or_else(|| crate::Error::Cuda {
                op: OP,
                message: format!("{} blocks exceed the grid limit", self.blocks),
            })?;
        let dims = LaunchDims {
            grid: (blocks, 1, 1),
            block: (VALUES_BLOCK as u32, 1, 1),
            shared_bytes: 0,
        };
        let args = [
            self.plan.arg(),
            self.genomes.arg(),
            KernelArg::U32(self.stride),
            self.x.arg(),
            KernelArg::U32(self.n),
            KernelArg::U32(self.members),
            self.out.arg(),
        ];
        // SAFETY: mlp_values_*'s parameter list; the padded genomes hold members·stride
        // values, x N·n_in, out members·N·n_out; the plan describes the network the kernel's
        // width was chosen for.
        unsafe { dev.launch(self.kernel, dims, &args) }
    }

    /// The outputs, `P × N × n_out`.
    pub fn outputs(&self, dev: &CudaDevice) -> Result<Vec<T>> {
        dev.dtoh(&self.out)
    }
}
