//! Host code of the `mlp_population` kernels: outputs and input jets of `P` networks at `N`
//! points ([`CudaDevice::mlp_jets`]), and the mean pointwise loss with its genome gradients
//! ([`CudaDevice::mlp_loss_grad`]), bit-identical to [`Cpu::jets`](crate::backend::cpu::Cpu::jets)
//! and [`Cpu::loss_grad`](crate::backend::cpu::Cpu::loss_grad) in f32 and f64.
//!
//! The forward kernel runs one thread per (member, point); no sum crosses points, so any
//! thread layout gives the CPU's bits. Value-only requests for networks of one hidden width
//! in [`super::VALUES_WIDTHS`] take the register-resident kernels of [`super::mlp_values`]. The gradient kernel reproduces the CPU's reduction
//! tree: one thread per (member, chunk of [`CHUNK`] points, lane of `W` = 8 (f32) or 4 (f64)),
//! each accumulating the same points with the same weights as the CPU lane it stands for,
//! then a fold kernel adds the lanes pairwise and the chunks in order. There are only
//! `P · ⌈N/1024⌉ · W` lanes (8 000 for the Burgers benchmark's P = 100, N = 10⁴ in f32), so a
//! block of [`LOSS_BLOCK`] threads runs each lane, sharing every point's sums, activations
//! and accumulators (each accumulator on one thread, in the lane's point order); the lane's
//! state (jets of every layer and a genome-shaped accumulator) is a contiguous stretch of
//! global memory. [`LossKernel::Points`] selects the other cut of the same work
//! (`mlp_loss_points_*`: one thread per point of the lane, the accumulators added in point
//! order through shared memory after each layer). The networks of the reproductions (hidden
//! layers of 20 tanh units, a 4-component PDE jet in two inputs, f32) take the fused kernel of
//! `mlp_fused.rs` by default ([`LossKernel::Fused`]: a block runs a whole (member, chunk) with
//! each point's jets in registers; 4.9× faster than the block kernel on an H100). Members are
//! processed in batches whose working memory stays below [`WORK_LIMIT_BYTES`]; batches do not
//! change the bits, since members never share a sum.

use super::kernels::KernelId;
use super::mlp_fused::{
    fused_grid, fused_scratch_slots, fused_shared_bytes, fused_width, FUSED_BLOCK,
};
use super::mlp_plan::{DeviceLoss, MlpPlan};
use super::{to_u32, CudaDevice, DeviceBuffer, DeviceScalar, KernelArg, LaunchDims};
use crate::backend::cpu::lanes::{Lane, Real};
use crate::backend::cpu::{Element, LossGrad, CHUNK};
use crate::error::check_len;
use crate::nn::{JetSpec, MlpSpec};
use crate::{Error, Result};

/// Most bytes of per-thread working memory one gradient launch may use; larger populations
/// run in member batches.
pub const WORK_LIMIT_BYTES: usize = 1 << 30;

/// Threads per lane of the gradient kernel (one block per CPU lane; the bits do not depend on
/// it). 128: one round covers a Burgers layer's 80 (unit, component) sums, and the 420
/// weight accumulators take four; the lane's slots in shared memory (about 19 KiB in f32)
/// and 64 registers a thread allow eight such blocks, 32 warps, per multiprocessor.
/// (Measured: 64 threads, working slots in global memory, 50 ms for the P = 100 Burgers
/// benchmark on an H200; one thread per lane, 326 ms on an H100.)
pub const LOSS_BLOCK: usize = 128;

/// Most dynamic shared memory a block may take without opting in (48 KiB on every CUDA GPU).
const SHARED_LIMIT_BYTES: usize = 48 * 1024;

/// Dynamic shared memory of one gradient block and where the kernel keeps a lane's slots
/// (`shared_work`): all of them ([`MlpPlan::loss_slots`], mode 2) when they fit in 48 KiB
/// (the default limit of dynamic shared memory), else the working slots
/// ([`MlpPlan::working_slots`], mode 1), else none (mode 0, everything in global memory).
/// The bits are the same in every mode.
pub fn lane_shared_bytes<T: DeviceFloat>(plan: &MlpPlan) -> (usize, u32) {
    let size = std::mem::size_of::<T>();
    if plan.loss_slots() * size <= SHARED_LIMIT_BYTES {
        (plan.loss_slots() * size, 2)
    } else if plan.working_slots() * size <= SHARED_LIMIT_BYTES {
        (plan.working_slots() * size, 1)
    } else {
        (0, 0)
    }
}

/// Which kernel computes the lanes' gradient accumulators in
/// [`CudaDevice::mlp_loss_grad_with`]; both give the CPU's bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LossKernel {
    /// `mlp_loss_partial_*`: a block of [`LOSS_BLOCK`] threads shares each point's sums,
    /// activations and accumulators, one point after another (a barrier between steps).
    Block,
    /// `mlp_loss_points_*`: a block runs [`points_block`] of the lane's points at once, one
    /// thread per point (forward jets, loss, reverse sweep without barriers), and adds them to
    /// the accumulators in point order after each layer's reverse step through shared memory.
    Points,
    /// `mlp_loss_fused_w20_f32` (the default): a block takes a whole (member, chunk), one
    /// thread per point with the point's jets and adjoints in registers, and adds each
    /// round's points to the lanes' accumulators through shared memory. For f32 networks that
    /// [`fused_width`] accepts (the PINNs of the reproductions); any other request runs
    /// [`LossKernel::Block`].
    #[default]
    Fused,
}

/// Threads (= points per round) of a `mlp_loss_points_*` block for `plan`: the largest power
/// of two up to 128 whose staging (`2 · max_width · n_comp + 3` values per point) fits the
/// 48 KiB of dynamic shared memory every GPU allows, or `None` when not even one point fits.
pub fn points_block<T: DeviceFloat>(plan: &MlpPlan) -> Option<usize> {
    let per_point = plan.points_staging() * std::mem::size_of::<T>();
    (0..=7)
        .rev()
        .map(|e| 1usize << e)
        .find(|b| b * per_point <= SHARED_LIMIT_BYTES)
}

/// Most threads of one forward launch (each with `2 · max_width · n_comp` slots of scratch);
/// the kernel strides over the remaining (member, point) items.
pub const JET_THREADS: usize = 1 << 20;

/// Threads of a forward launch over `items` (member, point) pairs: at most [`JET_THREADS`],
/// and few enough that their scratch stays below [`WORK_LIMIT_BYTES`]. The results do not
/// depend on it (no sum crosses points).
pub fn jet_threads<T: DeviceFloat>(items: usize, plan: &MlpPlan) -> usize {
    let per_thread = plan.jet_slots() * std::mem::size_of::<T>();
    items
        .min(JET_THREADS)
        .min((WORK_LIMIT_BYTES / per_thread).max(1))
}

/// The element types of the population NN kernels (`f32`, `f64`).
pub trait DeviceFloat: Element + DeviceScalar {
    /// Whether this is `f64` (selects the `_f64` kernels).
    const WIDE: bool;
    /// The value as a kernel argument.
    fn arg(self) -> KernelArg<'static>;
    /// Lanes of the CPU twin's register (8 for f32, 4 for f64): the gradient reduction's
    /// innermost width.
    fn lanes() -> usize {
        <Self as Element>::Emu::W
    }
}

impl DeviceFloat for f32 {
    const WIDE: bool = false;
    fn arg(self) -> KernelArg<'static> {
        KernelArg::F32(self)
    }
}

impl DeviceFloat for f64 {
    const WIDE: bool = true;
    fn arg(self) -> KernelArg<'static> {
        KernelArg::F64(self)
    }
}

fn check_finite_t<T: Real>(op: &'static str, what: &'static str, v: &[T]) -> Result<()> {
    match v.iter().position(|a| !a.is_finite()) {
        None => Ok(()),
        Some(index) => Err(Error::NonFinite { op, what, index }),
    }
}

/// The CPU twin's input checks (`backend::cpu::check_inputs`): returns `(P, N)`.
pub(super) fn check_inputs<T: Real>(
    op: &'static str,
    spec: &MlpSpec,
    genomes: &[T],
    x: &[T],
) -> Result<(usize, usize)> {
    let np = spec.n_params();
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

/// The scalar arguments `[inv_n, nu]` of `mlp_loss_partial_*` for `n` points, as the CPU twin
/// computes them (`1 / n` and the fixed viscosity, in `T`; `nu` is 0 when unused). Public so
/// that the emulation tests hand the kernel source what [`CudaDevice::mlp_loss_grad`] hands
/// the device.
pub fn loss_scalars<T: DeviceFloat>(loss: DeviceLoss, n: usize) -> [T; 2] {
    let nu = match loss {
        DeviceLoss::Burgers { nu: Some(v) } => T::from_f64(v),
        _ => T::ZERO,
    };
    [T::ONE / T::from_f64(n as f64), nu]
}

/// A host slice on the device, with one zero in place of an empty slice (a zero-length
/// allocation is not portable across drivers; the kernels never read it).
fn upload<T: DeviceScalar>(dev: &CudaDevice, v: &[T]) -> Result<DeviceBuffer<T>> {
    if v.is_empty() {
        dev.zeros(1)
    } else {
        dev.htod(v)
    }
}

impl CudaDevice {
    /// Outputs and input jets of `P` networks at `N` points: the device twin of
    /// [`Cpu::jets`](crate::backend::cpu::Cpu::jets), with the same arguments, layout
    /// (`P × N × n_out × jet.n_comp()`), errors and bits.
    pub fn mlp_jets<T: DeviceFloat>(
        &self,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
        jet: &JetSpec,
    ) -> Result<Vec<T>> {
        const OP: &str = "CudaDevice::mlp_jets";
        let values_only = jet.n_comp() == 1 && jet.dim() == spec.n_in();
        if values_only && super::mlp_values::values_width(spec).is_some() {
            // A hidden width with a register-resident kernel: the same bits (and checks).
            return self.mlp_values_resident(spec, genomes, x)?.outputs(self);
        }
        let plan = MlpPlan::new(spec, jet, DeviceLoss::None)?;
        let (p, n) = check_inputs(OP, spec, genomes, x)?;
        let items = p
            .checked_mul(n)
            .ok_or_else(|| Error::config("P × N", "overflows"))?;
        let threads = jet_threads::<T>(items, &plan);
        let plan_d = self.htod(plan.words())?;
        let g = self.htod(genomes)?;
        let xd = self.htod(x)?;
        let out: DeviceBuffer<T> = self.zeros(items * spec.n_out() * jet.n_comp())?;
        let scratch: DeviceBuffer<T> = self.zeros(threads * plan.jet_slots())?;
        let id = if T::WIDE {
            KernelId::MlpJetsF64
        } else {
            KernelId::MlpJetsF32
        };
        let args = [
            plan_d.arg(),
            g.arg(),
            xd.arg(),
            KernelArg::U32(to_u32(OP, "N", n)?),
            KernelArg::U32(to_u32(OP, "P", p)?),
            out.arg(),
            scratch.arg(),
            KernelArg::U32(to_u32(OP, "threads", threads)?),
        ];
        // SAFETY: the argument list is mlp_jets_*'s; genomes hold P·n_params values, x N·n_in,
        // out P·N·n_out·c, scratch threads·jet_slots, as the plan describes.
        unsafe { self.launch(id, LaunchDims::linear(OP, threads)?, &args)? };
        self.dtoh(&out)
    }

    /// Mean pointwise loss and its gradients for `P` networks at `N` points: the device twin
    /// of [`Cpu::loss_grad`](crate::backend::cpu::Cpu::loss_grad) with the loss given as a
    /// [`DeviceLoss`] (`Mse` ≙ [`crate::nn::MseLoss`], `Burgers { nu }` ≙
    /// `ResidualLoss(Burgers { nu })`, `Adjoints` ≙ [`crate::pinn::problem::GivenAdjoints`]
    /// with `aux` per member, `P × N × components`); same arguments, errors and bits.
    #[allow(clippy::too_many_arguments)]
    pub fn mlp_loss_grad<T: DeviceFloat>(
        &self,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
        aux: &[T],
        extra: &[T],
        jet: &JetSpec,
        loss: DeviceLoss,
    ) -> Result<LossGrad<T>> {
        self.mlp_loss_grad_with(
            spec,
            genomes,
            x,
            aux,
            extra,
            jet,
            loss,
            LossKernel::default(),
        )
    }

    /// [`mlp_loss_grad`](Self::mlp_loss_grad) with the accumulator kernel chosen: the same
    /// arguments, errors and bits with either [`LossKernel`] (for timing them against each
    /// other). [`LossKernel::Points`] falls back to [`LossKernel::Block`] when a point's
    /// staging does not fit in shared memory ([`points_block`]).
    #[allow(clippy::too_many_arguments)]
    pub fn mlp_loss_grad_with<T: DeviceFloat>(
        &self,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
        aux: &[T],
        extra: &[T],
        jet: &JetSpec,
        loss: DeviceLoss,
        kernel: LossKernel,
    ) -> Result<LossGrad<T>> {
        const OP: &str = "CudaDevice::mlp_loss_grad";
        if loss == DeviceLoss::None {
            return Err(Error::config("loss", "a gradient needs a loss"));
        }
        let plan = MlpPlan::new(spec, jet, loss)?;
        let (p, n) = check_inputs(OP, spec, genomes, x)?;
        let (np, ne) = (plan.n_params(), plan.n_extra());
        // Rows of aux per member (0: one block shared by every member).
        let aux_member = if loss.per_member_aux() {
            n * plan.aux_width()
        } else {
            0
        };
        let aux_rows = if loss.per_member_aux() { p * n } else { n };
        check_len(OP, "aux.len()", aux_rows * plan.aux_width(), aux.len())?;
        check_len(OP, "extra.len()", p * ne, extra.len())?;
        check_finite_t(OP, "aux", aux)?;
        let lanes = T::lanes();
        let nchunks = n.div_ceil(CHUNK);
        let points = match kernel {
            LossKernel::Points => points_block::<T>(&plan),
            LossKernel::Block | LossKernel::Fused => None,
        };
        let fused = kernel == LossKernel::Fused && !T::WIDE && fused_width(spec, jet).is_some();
        // Per lane: the accumulator layout the fold reads, and the points kernel's per-thread
        // working slots.
        let lane_slots = plan.loss_slots() + points.map_or(0, |b| b * plan.working_slots());
        let per_member = lane_slots * nchunks * lanes * std::mem::size_of::<T>();
        let batch = (WORK_LIMIT_BYTES / per_member).max(1).min(p);
        let [inv_n, nu] = loss_scalars::<T>(loss, n);
        let (shared_bytes, shared_mode) = lane_shared_bytes::<T>(&plan);
        let plan_d = self.htod(plan.words())?;
        let xd = self.htod(x)?;
        let shared_aux = if aux_member == 0 {
            Some(upload(self, aux)?)
        } else {
            None
        };
        let mut out = LossGrad {
            loss: Vec::with_capacity(p),
            grad: Vec::with_capacity(p * np),
            grad_extra: Vec::with_capacity(p * ne),
        };
        let (partial, fold) = match (T::WIDE, points.is_some()) {
            _ if fused => (KernelId::MlpLossFusedW20F32, KernelId::MlpLossFoldF32),
            (true, false) => (KernelId::MlpLossPartialF64, KernelId::MlpLossFoldF64),
            (false, false) => (KernelId::MlpLossPartialF32, KernelId::MlpLossFoldF32),
            (true, true) => (KernelId::MlpLossPointsF64, KernelId::MlpLossFoldF64),
            (false, true) => (KernelId::MlpLossPointsF32, KernelId::MlpLossFoldF32),
        };
        let mut m0 = 0;
        while m0 < p {
            let m1 = (m0 + batch).min(p);
            let members = m1 - m0;
            let threads = members * nchunks * lanes;
            let g = self.htod(&genomes[m0 * np..m1 * np])?;
            let e = upload(self, &extra[m0 * ne..m1 * ne])?;
            let batch_aux = match &shared_aux {
                Some(_) => None,
                None => Some(upload(self, &aux[m0 * aux_member..m1 * aux_member])?),
            };
            let auxd = shared_aux
                .as_ref()
                .or(batch_aux.as_ref())
                .expect("one of the two is set");
            let work: DeviceBuffer<T> = self.zeros(threads * plan.loss_slots())?;
            let l: DeviceBuffer<T> = self.zeros(members)?;
            let gr: DeviceBuffer<T> = self.zeros(members * np)?;
            let ge: DeviceBuffer<T> = self.zeros((members * ne).max(1))?;
            let sizes = [
                KernelArg::U32(to_u32(OP, "N", n)?),
                KernelArg::U32(to_u32(OP, "members", members)?),
                KernelArg::U32(CHUNK as u32),
                KernelArg::U32(lanes as u32),
            ];
            if fused {
                let grid = fused_grid(spec, members * nchunks);
                let keep: DeviceBuffer<T> = self.zeros(4 * fused_scratch_slots(spec, grid))?;
                let args = [
                    plan_d.arg(),
                    g.arg(),
                    xd.arg(),
                    auxd.arg(),
                    e.arg(),
                    sizes[0],
                    sizes[1],
                    sizes[2],
                    inv_n.arg(),
                    nu.arg(),
                    work.arg(),
                    keep.arg(),
                ];
                let dims = LaunchDims {
                    grid: (grid as u32, 1, 1),
                    block: (FUSED_BLOCK as u32, 1, 1),
                    shared_bytes: fused_shared_bytes(spec) as u32,
                };
                // SAFETY: mlp_loss_fused_w20_f32's parameter list; `keep` holds
                // grid · (L − 1) · 20 · FUSED_BLOCK four-float slots, work lanes · loss_slots
                // values, the other buffers the sizes the plan and (N, members) imply.
                unsafe { self.launch(partial, dims, &args)? };
            } else {
                // The points kernel's per-thread working slots (one zero where it is not used).
                let scratch: DeviceBuffer<T> =
                    self.zeros((threads * points.unwrap_or(0) * plan.working_slots()).max(1))?;
                let mut args = vec![plan_d.arg(), g.arg(), xd.arg(), auxd.arg(), e.arg()];
                args.extend_from_slice(&sizes);
                args.extend([inv_n.arg(), nu.arg(), work.arg()]);
                args.push(match points {
                    Some(_) => scratch.arg(),
                    None => KernelArg::U32(shared_mode),
                });
                let blocks = u32::try_from(threads)
                    .ok()
                    .filter(|&b| b <= i32::MAX as u32)
                    .ok_or_else(|| Error::Cuda {
                        op: OP,
                        message: format!("{threads} lanes exceed the grid limit"),
                    })?;
                let dims = match points {
                    None => LaunchDims {
                        grid: (blocks, 1, 1),
                        block: (LOSS_BLOCK as u32, 1, 1),
                        shared_bytes: shared_bytes as u32,
                    },
                    Some(b) => LaunchDims {
                        grid: (blocks, 1, 1),
                        block: (b as u32, 1, 1),
                        shared_bytes: (b * plan.points_staging() * std::mem::size_of::<T>()) as u32,
                    },
                };
                // SAFETY: mlp_loss_partial_*'s or mlp_loss_points_*'s parameter list (one
                // block per lane; the last argument the shared-memory mode or the scratch of
                // lanes·block·working_slots values); work holds lanes·loss_slots values, the
                // other buffers the sizes the plan and (N, members) imply.
                unsafe { self.launch(partial, dims, &args)? };
            }
            let mut args = vec![plan_d.arg()];
            args.extend_from_slice(&[sizes[0], sizes[1], sizes[2], sizes[3]]);
            args.extend([work.arg(), l.arg(), gr.arg(), ge.arg()]);
            let items = members * (np + ne + 1);
            // SAFETY: mlp_loss_fold_*'s parameter list; outputs hold members, members·np and
            // members·ne values.
            unsafe { self.launch(fold, LaunchDims::linear(OP, items)?, &args)? };
            out.loss.extend(self.dtoh(&l)?);
            out.grad.extend(self.dtoh(&gr)?);
            out.grad_extra
                .extend(self.dtoh(&ge)?.into_iter().take(members * ne));
            m0 = m1;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Activation, Burgers};

    #[test]
    fn point_blocks_are_the_largest_power_of_two_that_fits() {
        let plan = |hidden: usize, jet: &JetSpec| {
            let spec = MlpSpec::uniform(2, &[hidden; 3], 1, Activation::Tanh).unwrap();
            MlpPlan::new(&spec, jet, DeviceLoss::Burgers { nu: None }).unwrap()
        };
        // (2·20·4 + 3) values per point: 652 B in f32 (64 points in 48 KiB), 1304 B in f64.
        let burgers = plan(20, &Burgers::jet());
        assert_eq!(points_block::<f32>(&burgers), Some(64));
        assert_eq!(points_block::<f64>(&burgers), Some(32));
        let small = plan(4, &Burgers::jet());
        assert_eq!(points_block::<f32>(&small), Some(128));
        let wide = plan(112, &JetSpec::full(2).unwrap());
        assert_eq!(points_block::<f64>(&wide), Some(4));
        let huge = plan(2000, &JetSpec::full(2).unwrap());
        assert_eq!(points_block::<f64>(&huge), None);
    }

    #[test]
    fn lane_slots_go_to_shared_memory_as_far_as_they_fit() {
        let plan = |hidden: usize, jet: &JetSpec| {
            let spec = MlpSpec::uniform(2, &[hidden; 3], 1, Activation::Tanh).unwrap();
            MlpPlan::new(&spec, jet, DeviceLoss::Burgers { nu: None }).unwrap()
        };
        let burgers = Burgers::jet();
        let small = plan(20, &burgers);
        assert_eq!(
            lane_shared_bytes::<f32>(&small),
            (small.loss_slots() * 4, 2)
        );
        let wide = plan(112, &burgers);
        assert_eq!(
            lane_shared_bytes::<f64>(&wide),
            (wide.working_slots() * 8, 1)
        );
        let full = plan(112, &JetSpec::full(2).unwrap());
        assert_eq!(lane_shared_bytes::<f64>(&full), (0, 0));
    }
}
