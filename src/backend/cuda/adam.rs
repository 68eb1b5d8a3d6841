//! Host code of the `adam` kernels: one Adam (or AdamW) step for every parameter of every
//! population member at once, bit-identical to [`Adam::step`] applied member by member.
//!
//! The per-step scalars (`lr / (1 − β1^t)`, `sqrt(1 − β2^t)`) depend on each member's own step
//! count; they are computed here on the host exactly as [`Adam::step`] computes them and
//! passed per member, so members that joined the population at different generations (fresh
//! offspring with a fresh state) step correctly in the same launch.

use super::kernels::KernelId;
use super::mlp::DeviceFloat;
use super::{to_u32, CudaDevice, KernelArg, LaunchDims};
use crate::error::check_len;
use crate::nn::{Adam, AdamState};
use crate::{Error, Result};

impl CudaDevice {
    /// One step of `adam` on `P` members: `params` and `grad` are row-major `P × n`, `states`
    /// holds each member's moments and step count (advanced by one here). Equal, bit for bit,
    /// to `adam.step(&mut params[k·n..(k+1)·n], &grad[k·n..(k+1)·n], &mut states[k])` for
    /// every `k`.
    ///
    /// Errors: invalid hyper-parameters (as [`Adam::validate`]), no member ([`Error::Empty`]),
    /// lengths that do not fit ([`Error::Shape`]).
    pub fn adam_step<T: DeviceFloat>(
        &self,
        adam: &Adam,
        params: &mut [T],
        grad: &[T],
        states: &mut [AdamState<T>],
    ) -> Result<()> {
        const OP: &str = "CudaDevice::adam_step";
        adam.validate()?;
        if states.is_empty() {
            return Err(Error::Empty {
                op: OP,
                what: "states",
            });
        }
        let p = states.len();
        let n = params.len() / p;
        check_len(OP, "params.len() (P × n)", p * n, params.len())?;
        check_len(OP, "grad.len()", params.len(), grad.len())?;
        for s in states.iter() {
            check_len(OP, "state.m.len()", n, s.m.len())?;
            check_len(OP, "state.v.len()", n, s.v.len())?;
        }
        if params.is_empty() {
            for s in states.iter_mut() {
                s.t += 1;
            }
            return Ok(());
        }
        // Adam::step's scalars, per member (its own t); the state advances only once the step
        // has succeeded (below).
        let steps: Vec<u64> = states.iter().map(|s| s.t + 1).collect();
        let AdamScalars {
            step,
            bc2s,
            scalars,
            mode,
        } = AdamScalars::<T>::new(adam, &steps);
        let m: Vec<T> = states.iter().flat_map(|s| s.m.iter().copied()).collect();
        let v: Vec<T> = states.iter().flat_map(|s| s.v.iter().copied()).collect();
        let pd = self.htod(params)?;
        let gd = self.htod(grad)?;
        let md = self.htod(&m)?;
        let vd = self.htod(&v)?;
        let sd = self.htod(&step)?;
        let bd = self.htod(&bc2s)?;
        let mut args = vec![
            pd.arg(),
            gd.arg(),
            md.arg(),
            vd.arg(),
            sd.arg(),
            bd.arg(),
            KernelArg::U32(to_u32(OP, "n", n)?),
            KernelArg::U32(to_u32(OP, "P", p)?),
        ];
        args.extend(scalars.iter().map(|s| s.arg()));
        args.push(KernelArg::U32(mode));
        let id = if T::WIDE {
            KernelId::AdamStepF64
        } else {
            KernelId::AdamStepF32
        };
        // SAFETY: adam_step_*'s parameter list; params, grad, m, v hold P·n values, step and
        // bc2s P.
        unsafe { self.launch(id, LaunchDims::linear(OP, params.len())?, &args)? };
        params.copy_from_slice(&self.dtoh(&pd)?);
        let (m, v) = (self.dtoh(&md)?, self.dtoh(&vd)?);
        for (k, s) in states.iter_mut().enumerate() {
            s.t += 1;
            s.m.copy_from_slice(&m[k * n..(k + 1) * n]);
            s.v.copy_from_slice(&v[k * n..(k + 1) * n]);
        }
        Ok(())
    }
}

/// The launch scalars of `adam_step_*`, computed as [`Adam::step`] computes them: per member
/// `step = lr / (1 − β1^t)` and `bc2s = sqrt(1 − β2^t)` (in f64, rounded to `T`), and the
/// shared `[β1, β2, 1 − β1, 1 − β2, ε, λ, 1 − lr·λ]` (the differences taken in `T`) with the
/// decay mode (0: none, 1: L2, 2: decoupled). Public so that the emulation tests hand the
/// kernel source exactly what [`CudaDevice::adam_step`] hands the device.
#[derive(Clone, Debug, PartialEq)]
pub struct AdamScalars<T> {
    /// `lr / (1 − β1^t)` per member.
    pub step: Vec<T>,
    /// `sqrt(1 − β2^t)` per member.
    pub bc2s: Vec<T>,
    /// `[β1, β2, 1 − β1, 1 − β2, ε, λ, 1 − lr·λ]`.
    pub scalars: [T; 7],
    /// 0: no weight decay, 1: L2 (Adam), 2: decoupled (AdamW).
    pub mode: u32,
}

impl<T: DeviceFloat> AdamScalars<T> {
    /// The scalars of a step that brings members to the step counts `t` (each ≥ 1).
    pub fn new(adam: &Adam, t: &[u64]) -> Self {
        let mut step = Vec::with_capacity(t.len());
        let mut bc2s = Vec::with_capacity(t.len());
        for &tk in t {
            let ti = tk as i32;
            let bc1 = 1.0 - adam.beta1.powi(ti);
            step.push(T::from_f64(adam.lr / bc1));
            bc2s.push(T::from_f64((1.0 - adam.beta2.powi(ti)).sqrt()));
        }
        let (b1, b2) = (T::from_f64(adam.beta1), T::from_f64(adam.beta2));
        let mode = match (adam.weight_decay > 0.0, adam.decoupled) {
            (false, _) => 0,
            (true, false) => 1,
            (true, true) => 2,
        };
        Self {
            step,
            bc2s,
            scalars: [
                b1,
                b2,
                T::ONE - b1,
                T::ONE - b2,
                T::from_f64(adam.eps),
                T::from_f64(adam.weight_decay),
                T::from_f64(1.0 - adam.lr * adam.weight_decay),
            ],
            mode,
        }
    }
}
