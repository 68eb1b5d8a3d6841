//! Host code of the `problems` kernels: DTLZ1–7 and ZDT1–4, ZDT6 evaluated on the device,
//! bit-identical to [`crate::moo::problems::Dtlz`] and [`crate::moo::problems::Zdt`].
//!
//! One thread per individual folds its sums in the CPU's order with the CPU's operations and
//! takes sin, cos, exp and pow from `kernels/common/math.cuh` (the device twin of
//! [`crate::math`]), so `f` has the CPU's bits. DTLZ1 and DTLZ3 rows of at least
//! `DTLZ_TERMS_MIN_K` distance variables first compute their Rastrigin terms one thread each,
//! and the row thread only sums them (same order, same bits).
//!
//! ```
//! use pareto_sciml::backend::cuda::{CudaDevice, DeviceProblem};
//! use pareto_sciml::moo::problems::Dtlz;
//! use pareto_sciml::moo::Problem;
//! let p = Dtlz::new(2, 7, 3)?;
//! let x = vec![0.25; 2 * 7];
//! let mut want = vec![0.0; 2 * 3];
//! p.evaluate(&x, &mut want, &mut [])?;
//! if let Ok(gpu) = CudaDevice::new(0) {
//!     let got = gpu.evaluate(DeviceProblem::dtlz(&p), &x)?;
//!     assert!(got.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()));
//! }
//! # Ok::<(), pareto_sciml::Error>(())
//! ```

use super::kernels::KernelId;
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::error::{Error, Result};
use crate::moo::problems::{Dtlz, Zdt};
use crate::moo::Problem;

/// Distance variables from which DTLZ1/DTLZ3 rows take their Rastrigin terms from a launch of
/// their own (`DTLZ_TERMS_MIN_K` in `kernels/problems.cu`, which must agree).
const DTLZ_TERMS_MIN_K: usize = 256;

/// A test problem the device can evaluate: its kernel and shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceProblem {
    /// DTLZ`number` (1–7) with `n_var` variables and `n_obj` objectives.
    Dtlz {
        /// 1 to 7.
        number: u8,
        /// Decision variables (≥ n_obj).
        n_var: usize,
        /// Objectives (≥ 2).
        n_obj: usize,
    },
    /// ZDT`number` (1, 2, 3, 4 or 6) with `n_var` variables and two objectives.
    Zdt {
        /// 1, 2, 3, 4 or 6.
        number: u8,
        /// Decision variables (≥ 2).
        n_var: usize,
    },
}

impl DeviceProblem {
    /// The device twin of a DTLZ problem.
    pub fn dtlz(p: &Dtlz) -> Self {
        DeviceProblem::Dtlz {
            number: p.number(),
            n_var: p.n_var(),
            n_obj: p.n_obj(),
        }
    }

    /// The device twin of a ZDT problem.
    pub fn zdt(p: &Zdt) -> Self {
        use crate::moo::problems::ZdtKind;
        let number = match p.kind() {
            ZdtKind::Zdt1 => 1,
            ZdtKind::Zdt2 => 2,
            ZdtKind::Zdt3 => 3,
            ZdtKind::Zdt4 => 4,
            ZdtKind::Zdt6 => 6,
        };
        DeviceProblem::Zdt {
            number,
            n_var: p.n_var(),
        }
    }

    /// Decision variables per individual.
    pub fn n_var(&self) -> usize {
        match *self {
            DeviceProblem::Dtlz { n_var, .. } | DeviceProblem::Zdt { n_var, .. } => n_var,
        }
    }

    /// Objectives per individual.
    pub fn n_obj(&self) -> usize {
        match *self {
            DeviceProblem::Dtlz { n_obj, .. } => n_obj,
            DeviceProblem::Zdt { .. } => 2,
        }
    }

    /// The same checks as the CPU constructors ([`Dtlz::new`], [`Zdt::new`]).
    fn validate(&self) -> Result<()> {
        match *self {
            DeviceProblem::Dtlz {
                number,
                n_var,
                n_obj,
            } => Dtlz::new(number, n_var, n_obj).map(|_| ()),
            DeviceProblem::Zdt { number, n_var } => {
                if ![1, 2, 3, 4, 6].contains(&number) {
                    return Err(Error::config(
                        "number",
                        format!("ZDT{number} is not implemented"),
                    ));
                }
                Zdt::zdt1(n_var).map(|_| ())
            }
        }
    }
}

impl CudaDevice {
    /// Objectives (`n × n_obj`, row-major) of the device population `x` (`n × n_var`) in a
    /// new device buffer. Errors as [`evaluate`](Self::evaluate), except that `x` may be empty
    /// (then the buffer holds one unused value).
    pub fn evaluate_device(
        &self,
        p: DeviceProblem,
        x: &DeviceBuffer<f64>,
    ) -> Result<DeviceBuffer<f64>> {
        const OP: &str = "CudaDevice::evaluate";
        p.validate()?;
        let nv = p.n_var();
        if x.len() % nv != 0 {
            return Err(Error::Shape {
                op: OP,
                what: format!("x.len() (a multiple of n_var = {nv})"),
                expected: x.len() / nv * nv,
                got: x.len(),
            });
        }
        self.evaluate_rows(p, x, x.len() / nv)
    }

    /// Objectives of the first `rows` rows of `x` (the caller has validated `p` and checked
    /// `rows·n_var ≤ x.len()`), in a new buffer of `rows × n_obj` values (at least one).
    pub(crate) fn evaluate_rows(
        &self,
        p: DeviceProblem,
        x: &DeviceBuffer<f64>,
        n: usize,
    ) -> Result<DeviceBuffer<f64>> {
        const OP: &str = "CudaDevice::evaluate";
        let (nv, m) = (p.n_var(), p.n_obj());
        let f = self.zeros::<f64>((n * m).max(1))?;
        if n == 0 {
            return Ok(f);
        }
        let dims = LaunchDims::linear(OP, n)?;
        let (n32, nv32) = (to_u32(OP, "rows", n)?, to_u32(OP, "n_var", nv)?);
        // Long DTLZ1/DTLZ3 rows: the Rastrigin terms one thread each, then the row sums.
        let k = nv + 1 - m;
        let terms = match p {
            DeviceProblem::Dtlz { number: 1 | 3, .. } if k >= DTLZ_TERMS_MIN_K => {
                let cells = n
                    .checked_mul(k)
                    .ok_or_else(|| Error::config("rows", "rows·n_var overflows"))?;
                let terms = self.zeros::<f64>(cells)?;
                // SAFETY: dtlz_rastrigin_terms_f64's argument list; x holds n·n_var values,
                // terms n·k.
                unsafe {
                    self.launch(
                        KernelId::DtlzRastriginTermsF64,
                        LaunchDims::linear(OP, cells)?,
                        &[
                            x.arg(),
                            KernelArg::U32(n32),
                            KernelArg::U32(nv32),
                            KernelArg::U32(m as u32),
                            terms.arg(),
                        ],
                    )?
                };
                Some(terms)
            }
            _ => None,
        };
        let terms_arg = terms.as_ref().map_or(KernelArg::U64(0), |t| t.arg());
        // SAFETY: the argument lists are dtlz_f64's and zdt_f64's; x holds n·n_var values and
        // f n·n_obj, and the shape was validated as the CPU constructors do.
        unsafe {
            match p {
                DeviceProblem::Dtlz { number, .. } => self.launch(
                    KernelId::DtlzF64,
                    dims,
                    &[
                        x.arg(),
                        KernelArg::U32(n32),
                        KernelArg::U32(nv32),
                        KernelArg::U32(m as u32),
                        KernelArg::U32(number as u32),
                        terms_arg,
                        f.arg(),
                    ],
                )?,
                DeviceProblem::Zdt { number, .. } => self.launch(
                    KernelId::ZdtF64,
                    dims,
                    &[
                        x.arg(),
                        KernelArg::U32(n32),
                        KernelArg::U32(nv32),
                        KernelArg::U32(number as u32),
                        f.arg(),
                    ],
                )?,
            }
        }
        Ok(f)
    }

    /// Objectives of the host population `x` (`n × n_var`), bit-identical to the CPU
    /// problem's [`Problem::evaluate`]; an empty or ragged `x` is the same error.
    pub fn evaluate(&self, p: DeviceProblem, x: &[f64]) -> Result<Vec<f64>> {
        let nv = p.n_var();
        crate::moo::problem::check_rows("CudaDevice::evaluate", x, nv)?;
        p.validate()?;
        let f = self.evaluate_device(p, &self.htod(x)?)?;
        self.dtoh(&f)
    }
}
