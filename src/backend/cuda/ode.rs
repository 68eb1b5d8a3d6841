//! Host code of the `rk_step` kernel: batched adaptive Runge–Kutta solves on the device, one
//! thread per member, bit-identical to [`crate::ode::solve`] (solution, statuses and step
//! statistics) for the built-in systems of [`crate::ode::system`] in f64.
//!
//! Supported: Dormand–Prince 5(4) and Tsitouras 5(4) ([`Method::Dopri5`], [`Method::Tsit5`])
//! with adaptive steps (integral or PI controller, Hairer's initial step or a given `h0`),
//! forward or backward in time, dense output at the shared `t_eval`; the physics alone or one
//! of the three hybrid forms of [`crate::ode::hybrid::MlpCorrection`] ([`DeviceHybrid`]: each
//! member evaluates its own network, genome after the physics parameters in its row, in
//! thread-local memory, layers up to [`HYBRID_MAX_WIDTH`] units). Not on the device yet: fixed
//! steps, BS3/RK4, user systems, and gradients through the solve.

use super::kernels::KernelId;
use super::mlp_plan::{DeviceLoss, MlpPlan};
use super::{to_u32, CudaDevice, DeviceBuffer, LaunchDims};
use crate::error::check_len;
use crate::nn::{JetSpec, MlpSpec};
use crate::ode::hybrid::{HybridForm, NnInput};
use crate::ode::{ControllerKind, MemberStats, Method, Solution, SolveOptions, Status, StepMode};
use crate::{Error, Result};

/// A system of [`crate::ode::system`] with a device right-hand side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceSystem {
    /// [`crate::ode::system::Decay`] (dim 1, 1 parameter).
    Decay,
    /// [`crate::ode::system::Oscillator`] (dim 2, 2 parameters).
    Oscillator,
    /// [`crate::ode::system::VanDerPol`] (dim 2, 1 parameter).
    VanDerPol,
    /// [`crate::ode::system::LotkaVolterra`] (dim 2, 4 parameters).
    LotkaVolterra,
    /// [`crate::ode::system::Quadratic`] (dim 1, 1 parameter; blows up in finite time).
    Quadratic,
    /// [`crate::ode::system::LotkaVolterraNoInteraction`] (dim 2, 2 parameters: the known
    /// physics of the NSGA-NODE example).
    LotkaVolterraNoInteraction,
}

impl DeviceSystem {
    /// State dimension.
    pub fn dim(self) -> usize {
        match self {
            DeviceSystem::Decay | DeviceSystem::Quadratic => 1,
            _ => 2,
        }
    }
    /// Parameters per member.
    pub fn n_params(self) -> usize {
        match self {
            DeviceSystem::Oscillator | DeviceSystem::LotkaVolterraNoInteraction => 2,
            DeviceSystem::LotkaVolterra => 4,
            _ => 1,
        }
    }
    fn code(self) -> u32 {
        self as u32
    }

    /// The device twin of the physics `P`, if it is one of the built-in systems (matched by
    /// type, so a user system is `None`).
    ///
    /// ```
    /// use pareto_sciml::backend::cuda::DeviceSystem;
    /// use pareto_sciml::ode::system::{LotkaVolterra, LotkaVolterraNoInteraction};
    /// assert_eq!(DeviceSystem::of(&LotkaVolterra), Some(DeviceSystem::LotkaVolterra));
    /// assert_eq!(
    ///     DeviceSystem::of(&LotkaVolterraNoInteraction),
    ///     Some(DeviceSystem::LotkaVolterraNoInteraction)
    /// );
    /// assert_eq!(DeviceSystem::of(&3.0_f64), None);
    /// ```
    pub fn of<P: 'static>(_physics: &P) -> Option<Self> {
        use crate::ode::system::{
            Decay, LotkaVolterra, LotkaVolterraNoInteraction, Oscillator, Quadratic, VanDerPol,
        };
        use std::any::TypeId;
        let id = TypeId::of::<P>();
        [
            (TypeId::of::<Decay>(), DeviceSystem::Decay),
            (TypeId::of::<Oscillator>(), DeviceSystem::Oscillator),
            (TypeId::of::<VanDerPol>(), DeviceSystem::VanDerPol),
            (TypeId::of::<LotkaVolterra>(), DeviceSystem::LotkaVolterra),
            (TypeId::of::<Quadratic>(), DeviceSystem::Quadratic),
            (
                TypeId::of::<LotkaVolterraNoInteraction>(),
                DeviceSystem::LotkaVolterraNoInteraction,
            ),
        ]
        .into_iter()
        .find(|(t, _)| *t == id)
        .map(|(_, s)| s)
    }
}

/// Widest network layer of a device hybrid right-hand side (`MLP_LOCAL_WIDTH` in
/// `kernels/mlp_common.cuh`).
pub const HYBRID_MAX_WIDTH: usize = 64;

/// A hybrid right-hand side on the device: the twin of
/// [`MlpCorrection::with_form`](crate::ode::hybrid::MlpCorrection::with_form)`(physics, spec,
/// lambda, input, form)`; each member's parameter row is `[physics parameters, genome]`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceHybrid {
    /// The correction network.
    pub spec: MlpSpec,
    /// Its weight λ (±0: the physics alone, bit for bit).
    pub lambda: f64,
    /// What the network sees.
    pub input: NnInput,
    /// Where its output enters.
    pub form: HybridForm,
}

/// The launch settings of `rk_solve_f64`: integer settings, real settings and the tableau
/// (layouts in `kernels/rk_step.cu`). Public so that the emulation tests hand the kernel
/// source what [`CudaDevice::ode_solve`] hands the device.
#[derive(Clone, Debug, PartialEq)]
pub struct OdeLaunch {
    /// `RI_*` words.
    pub ints: Vec<u32>,
    /// `RF_*` values.
    pub reals: Vec<f64>,
    /// `[a (ns × ns, zero padded), b, e, c]`.
    pub tableau: Vec<f64>,
    /// The hybrid network's plan (one zero word without a network).
    pub plan: Vec<u32>,
}

/// Checks a hybrid against its physics as `MlpCorrection::with_form` does; returns the
/// network plan and the parameters per member.
fn hybrid_plan(sys: DeviceSystem, hy: &DeviceHybrid) -> Result<(Vec<u32>, usize)> {
    const OP: &str = "MlpCorrection::new";
    let (dim, npp) = (sys.dim(), sys.n_params());
    let n_out = match hy.form {
        HybridForm::Additive => dim,
        HybridForm::Parametric => npp,
        HybridForm::Both => dim + npp,
    };
    check_len(
        OP,
        "spec output width (for the hybrid form)",
        n_out,
        hy.spec.n_out(),
    )?;
    let n_in = dim + usize::from(hy.input == NnInput::StateTime);
    check_len(OP, "spec input width", n_in, hy.spec.n_in())?;
    if !hy.lambda.is_finite() {
        return Err(Error::NonFinite {
            op: OP,
            what: "lambda",
            index: 0,
        });
    }
    if hy.spec.max_width() > HYBRID_MAX_WIDTH {
        return Err(Error::config(
            "spec",
            format!("layers wider than {HYBRID_MAX_WIDTH} units have no device kernel"),
        ));
    }
    let plan = MlpPlan::new(&hy.spec, &JetSpec::value(n_in), DeviceLoss::None)?;
    Ok((plan.words().to_vec(), npp + hy.spec.n_params()))
}

fn positive(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::config(
            name,
            format!("must be finite and > 0, got {v}"),
        ))
    }
}

/// Checks a device solve as [`crate::ode::solve`] checks its input (same errors), plus the
/// device's limits, and returns the launch settings.
pub fn ode_launch(
    sys: DeviceSystem,
    hybrid: Option<&DeviceHybrid>,
    y0: &[f64],
    params: &[f64],
    t0: f64,
    t_eval: &[f64],
    opts: &SolveOptions,
) -> Result<OdeLaunch> {
    const OP: &str = "ode::solve";
    let dim = sys.dim();
    let (plan, np) = match hybrid {
        Some(hy) => hybrid_plan(sys, hy)?,
        None => (vec![0], sys.n_params()),
    };
    if y0.is_empty() {
        return Err(Error::Empty {
            op: OP,
            what: "members (y0)",
        });
    }
    if t_eval.is_empty() {
        return Err(Error::Empty {
            op: OP,
            what: "t_eval",
        });
    }
    if y0.len() % dim != 0 {
        return Err(Error::Shape {
            op: OP,
            what: format!("y0.len() (a multiple of dim = {dim})"),
            expected: y0.len().div_ceil(dim) * dim,
            got: y0.len(),
        });
    }
    let members = y0.len() / dim;
    check_len(OP, "params.len()", members * np, params.len())?;
    if !t0.is_finite() {
        return Err(Error::NonFinite {
            op: OP,
            what: "t0",
            index: 0,
        });
    }
    if let Some(i) = t_eval.iter().position(|t| !t.is_finite()) {
        return Err(Error::NonFinite {
            op: OP,
            what: "t_eval",
            index: i,
        });
    }
    let t_end = t_eval[t_eval.len() - 1];
    if t_end.to_bits() == t0.to_bits() || (t_end - t0).to_bits() == 0 {
        return Err(Error::config("t_eval", "the time span from t0 is empty"));
    }
    let dir = if t_end > t0 { 1.0 } else { -1.0 };
    if dir * (t_eval[0] - t0) < 0.0 {
        return Err(Error::config("t_eval", "t_eval[0] lies before t0"));
    }
    if let Some(i) = t_eval.windows(2).position(|w| dir * (w[1] - w[0]) <= 0.0) {
        return Err(Error::config(
            "t_eval",
            format!("not strictly monotone at index {}", i + 1),
        ));
    }
    positive("rtol", opts.rtol)?;
    positive("atol", opts.atol)?;
    if let Some(h) = opts.h0 {
        positive("h0", h)?;
    }
    if opts.max_steps == 0 {
        return Err(Error::config("max_steps", "must be at least 1"));
    }
    let cc = match opts.steps {
        StepMode::Adaptive(c) => c,
        StepMode::Fixed(_) => {
            return Err(Error::config("steps", "the device solver is adaptive only"))
        }
    };
    let method = match opts.method {
        Method::Dopri5 => 0,
        Method::Tsit5 => 1,
        m => {
            return Err(Error::config(
                "method",
                format!("{m:?} has no device kernel: use Dopri5 or Tsit5"),
            ))
        }
    };
    positive("safety", cc.safety)?;
    positive("factor_min", cc.factor_min)?;
    if !(cc.factor_max.is_finite() && cc.factor_max >= cc.factor_min) {
        return Err(Error::config(
            "factor_max",
            "must be finite and ≥ factor_min",
        ));
    }
    let (pi, pcoeff, icoeff) = match cc.kind {
        ControllerKind::Integral => (0, 0.0, 0.0),
        ControllerKind::Pi { pcoeff, icoeff } => {
            if !(pcoeff.is_finite() && icoeff.is_finite()) {
                return Err(Error::config("pi coefficients", "must be finite"));
            }
            (1, pcoeff, icoeff)
        }
    };
    let tab = opts.method.tableau();
    let ns = tab.stages;
    let mut tableau = vec![0.0; ns * ns + 3 * ns];
    for (s, row) in tab.a.iter().enumerate() {
        tableau[s * ns..s * ns + row.len()].copy_from_slice(row);
    }
    tableau[ns * ns..ns * ns + ns].copy_from_slice(tab.b);
    tableau[ns * ns + ns..ns * ns + 2 * ns].copy_from_slice(tab.e.expect("adaptive pair"));
    tableau[ns * ns + 2 * ns..].copy_from_slice(tab.c);
    let ints = vec![
        sys.code(),
        dim as u32,
        to_u32(OP, "n_params", np)?,
        to_u32(OP, "t_eval.len()", t_eval.len())?,
        ns as u32,
        u32::from(tab.fsal),
        tab.order,
        tab.embedded_order,
        method,
        opts.max_steps,
        u32::from(opts.h0.is_some()),
        pi,
        to_u32(OP, "members", members)?,
        match hybrid.map(|h| h.form) {
            None => 0,
            Some(HybridForm::Additive) => 1,
            Some(HybridForm::Parametric) => 2,
            Some(HybridForm::Both) => 3,
        },
        u32::from(hybrid.is_some_and(|h| h.input == NnInput::StateTime)),
        sys.n_params() as u32,
    ];
    let reals = vec![
        t0,
        opts.rtol,
        opts.atol,
        opts.h0.unwrap_or(0.0),
        cc.safety,
        cc.factor_min,
        cc.factor_max,
        pcoeff,
        icoeff,
        hybrid.map_or(0.0, |h| h.lambda),
    ];
    Ok(OdeLaunch {
        ints,
        reals,
        tableau,
        plan,
    })
}

/// The [`Status`] of a kernel status code.
pub fn status_of(code: u32) -> Status {
    match code {
        0 => Status::Success,
        1 => Status::MaxSteps,
        2 => Status::StepTooSmall,
        _ => Status::NonFinite,
    }
}

/// Assembles a [`Solution`] from the kernel's outputs (`counts`: accepted, rejected, RHS
/// evaluations per member; `fstats`: t, h, error ratio per member).
pub fn solution_of(y: Vec<f64>, status: &[u32], counts: &[u32], fstats: &[f64]) -> Solution<f64> {
    Solution {
        y,
        status: status.iter().map(|&s| status_of(s)).collect(),
        stats: (0..status.len())
            .map(|m| MemberStats {
                accepted: counts[3 * m],
                rejected: counts[3 * m + 1],
                rhs_evals: counts[3 * m + 2],
                t: fstats[3 * m],
                h: fstats[3 * m + 1],
                error_ratio: fstats[3 * m + 2],
            })
            .collect(),
    }
}

/// A batched solve whose results are still in device memory
/// ([`CudaDevice::ode_solve_resident`]; [`CudaDevice::ode_download`] copies them back).
pub struct DeviceSolution {
    /// `members × t_eval.len() × dim`, row-major, as [`Solution::y`].
    pub y: DeviceBuffer<f64>,
    status: DeviceBuffer<u32>,
    counts: DeviceBuffer<u32>,
    fstats: DeviceBuffer<f64>,
}

impl CudaDevice {
    /// Solves `members` initial-value problems of `sys` (with `hybrid`'s network, if given)
    /// on the device: the twin of [`crate::ode::solve`]`(&sys, y0, params, t0, t_eval, opts)`
    /// (with `sys` wrapped in the matching `MlpCorrection`) with the same arguments, errors and
    /// bits (solution, statuses, statistics), for the supported methods and step modes
    /// (module docs; others are an [`Error::InvalidConfig`]). `opts.threads` and `opts.simd`
    /// are ignored.
    #[allow(clippy::too_many_arguments)]
    pub fn ode_solve(
        &self,
        sys: DeviceSystem,
        hybrid: Option<&DeviceHybrid>,
        y0: &[f64],
        params: &[f64],
        t0: f64,
        t_eval: &[f64],
        opts: &SolveOptions,
    ) -> Result<Solution<f64>> {
        let sol = self.ode_solve_resident(sys, hybrid, y0, params, t0, t_eval, opts)?;
        self.ode_download(&sol)
    }

    /// [`CudaDevice::ode_solve`] with the results left in device memory (for a caller that
    /// works on them there, and for timing the solve without the download of the dense
    /// output, as a peer whose tensors live on the device is timed); same checks and errors.
    /// [`CudaDevice::ode_download`] turns it into the host [`Solution`].
    #[allow(clippy::too_many_arguments)]
    pub fn ode_solve_resident(
        &self,
        sys: DeviceSystem,
        hybrid: Option<&DeviceHybrid>,
        y0: &[f64],
        params: &[f64],
        t0: f64,
        t_eval: &[f64],
        opts: &SolveOptions,
    ) -> Result<DeviceSolution> {
        const OP: &str = "CudaDevice::ode_solve";
        let l = ode_launch(sys, hybrid, y0, params, t0, t_eval, opts)?;
        let members = y0.len() / sys.dim();
        let ic = self.htod(&l.ints)?;
        let fc = self.htod(&l.reals)?;
        let tab = self.htod(&l.tableau)?;
        let plan = self.htod(&l.plan)?;
        let yd = self.htod(y0)?;
        let pd = self.htod(params)?;
        let td = self.htod(t_eval)?;
        let sol = DeviceSolution {
            y: self.zeros::<f64>(members * t_eval.len() * sys.dim())?,
            status: self.zeros::<u32>(members)?,
            counts: self.zeros::<u32>(3 * members)?,
            fstats: self.zeros::<f64>(3 * members)?,
        };
        let args = [
            ic.arg(),
            fc.arg(),
            tab.arg(),
            plan.arg(),
            yd.arg(),
            pd.arg(),
            td.arg(),
            sol.y.arg(),
            sol.status.arg(),
            sol.counts.arg(),
            sol.fstats.arg(),
        ];
        // SAFETY: rk_solve_f64's parameter list; every buffer holds what `ode_launch`'s
        // settings (members, dim, n_params, n_out, stages) make the kernel index.
        unsafe {
            self.launch(
                KernelId::RkSolveF64,
                LaunchDims::linear(OP, members)?,
                &args,
            )?
        };
        Ok(sol)
    }

    /// The host [`Solution`] of a device solve (waits for it).
    pub fn ode_download(&self, sol: &DeviceSolution) -> Result<Solution<f64>> {
        Ok(solution_of(
            self.dtoh(&sol.y)?,
            &self.dtoh(&sol.status)?,
            &self.dtoh(&sol.counts)?,
            &self.dtoh(&sol.fstats)?,
        ))
    }
}
