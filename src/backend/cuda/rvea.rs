//! Host code of the `rvea` kernels: RVEA's association of each individual with its nearest
//! reference vector and its angle-penalised distance (APD), the per-individual part of
//! [`crate::moo::rvea::Rvea`]'s survival step.
//!
//! The niche index is bit-identical to the CPU (same distances, same order, ties to the
//! smaller index, as the CPU's kd-tree). The APD is not: the CPU takes the angle from
//! `f64::acos` (the platform libm, which no device can reproduce), the device from its own
//! arccosine (fdlibm's algorithm, correctly rounded steps only), so the APD agrees within
//! [`RVEA_APD_MAX_ULP`] (measured by `tests/cuda_emulation_evo.rs`, on the device kernel's own
//! source, against this machine's libm). Survivor selection per niche compares APDs, so a
//! tie closer than that bound may pick another survivor than the CPU.
//! [`CudaDevice::rvea_select`] then picks each niche's survivor exactly as the CPU does
//! from the same niches, APDs and violations.

use super::kernels::KernelId;
use super::{to_u32, CudaDevice, KernelArg, LaunchDims};
use crate::error::{check_finite, check_len, Error, Result};

/// Largest difference in ULP between the device arccosine (`acos_eval_f64`) and `f64::acos`
/// on glibc, measured on 10⁶ arguments of [−1, 1] and the special values.
pub const ACOS_MAX_ULP: u64 = 1;
/// Largest difference in ULP between the device APD and the CPU's (through the angle only).
pub const RVEA_APD_MAX_ULP: u64 = 2;

/// Niche (nearest reference vector) and APD of each individual.
#[derive(Debug, Clone, PartialEq)]
pub struct ApdAssociation {
    /// Index of the nearest reference vector, per individual.
    pub niche: Vec<usize>,
    /// `dist · (1 + penalty · θ / γ_niche)`, per individual.
    pub apd: Vec<f64>,
}

impl CudaDevice {
    /// The survivor of each niche `0..n_vec`: the row with the smallest
    /// `(cv > 0, cv, apd, row)` among those associated with it (`None` for an empty niche),
    /// as `Rvea::survive` folds it. `niche[i] < n_vec`; `apd`, `cv` have `niche`'s length.
    pub fn rvea_select(
        &self,
        niche: &[usize],
        apd: &[f64],
        cv: &[f64],
        n_vec: usize,
    ) -> Result<Vec<Option<usize>>> {
        const OP: &str = "CudaDevice::rvea_select";
        let n = niche.len();
        check_len(OP, "apd.len()", n, apd.len())?;
        check_len(OP, "cv.len()", n, cv.len())?;
        if let Some(&k) = niche.iter().find(|&&k| k >= n_vec) {
            return Err(Error::Shape {
                op: OP,
                what: "niche index (must be < n_vec)".into(),
                expected: n_vec,
                got: k,
            });
        }
        if n == 0 || n_vec == 0 {
            return Ok(vec![None; n_vec]);
        }
        let ids: Vec<u32> = niche.iter().map(|&k| k as u32).collect();
        let (nd, ad, cd) = (self.htod(&ids)?, self.htod(apd)?, self.htod(cv)?);
        let best = self.zeros::<u32>(n_vec)?;
        let args = [
            nd.arg(),
            ad.arg(),
            cd.arg(),
            KernelArg::U32(to_u32(OP, "rows", n)?),
            KernelArg::U32(to_u32(OP, "n_vec", n_vec)?),
            best.arg(),
        ];
        // SAFETY: the argument list is rvea_select_f64's; niche, apd, cv hold n values (n may
        // be 0: the kernel reads none), best n_vec.
        if n > 0 {
            unsafe {
                self.launch(
                    KernelId::RveaSelectF64,
                    LaunchDims::linear(OP, n_vec)?,
                    &args,
                )?
            };
            let best = self.dtoh(&best)?;
            return Ok(best
                .into_iter()
                .map(|b| (b != u32::MAX).then_some(b as usize))
                .collect());
        }
        Ok(vec![None; n_vec])
    }

    /// The device arccosine of every element of `x` (within [`ACOS_MAX_ULP`] of `f64::acos`).
    pub fn acos_f64(&self, x: &[f64]) -> Result<Vec<f64>> {
        const OP: &str = "CudaDevice::acos_f64";
        if x.is_empty() {
            return Ok(Vec::new());
        }
        let n = to_u32(OP, "x.len()", x.len())?;
        let xd = self.htod(x)?;
        let out = self.zeros::<f64>(x.len())?;
        // SAFETY: (x, out, n) is acos_eval_f64's parameter list; both hold n values.
        unsafe {
            self.launch(
                KernelId::AcosEvalF64,
                LaunchDims::linear(OP, x.len())?,
                &[xd.arg(), out.arg(), KernelArg::U32(n)],
            )?
        };
        self.dtoh(&out)
    }

    /// RVEA association: for each row of `f` (`n × n_obj`, finite) translated by `ideal`, the
    /// nearest of the unit reference vectors `v` (`n_vec × n_obj`) and its APD with the
    /// vectors' neighbour angles `gamma` (`n_vec`, > 0) and `penalty = M·(t/t_max)^α`.
    pub fn rvea_apd(
        &self,
        f: &[f64],
        n_obj: usize,
        ideal: &[f64],
        v: &[f64],
        gamma: &[f64],
        penalty: f64,
    ) -> Result<ApdAssociation> {
        const OP: &str = "CudaDevice::rvea_apd";
        if n_obj == 0 {
            return Err(Error::config("n_obj", "must be at least 1"));
        }
        check_len(OP, "ideal.len()", n_obj, ideal.len())?;
        for (what, len) in [("f.len()", f.len()), ("v.len()", v.len())] {
            if len % n_obj != 0 {
                return Err(Error::Shape {
                    op: OP,
                    what: format!("{what} (a multiple of n_obj = {n_obj})"),
                    expected: len / n_obj * n_obj,
                    got: len,
                });
            }
        }
        let (n, n_vec) = (f.len() / n_obj, v.len() / n_obj);
        if n_vec == 0 {
            return Err(Error::Empty {
                op: OP,
                what: "reference vectors",
            });
        }
        check_len(OP, "gamma.len()", n_vec, gamma.len())?;
        check_finite(OP, "f", f)?;
        check_finite(OP, "ideal", ideal)?;
        check_finite(OP, "v", v)?;
        if n == 0 {
            return Ok(ApdAssociation {
                niche: Vec::new(),
                apd: Vec::new(),
            });
        }
        let (fd, zd, vd, gd) = (
            self.htod(f)?,
            self.htod(ideal)?,
            self.htod(v)?,
            self.htod(gamma)?,
        );
        let niche = self.zeros::<u32>(n)?;
        let apd = self.zeros::<f64>(n)?;
        let args = [
            fd.arg(),
            zd.arg(),
            vd.arg(),
            gd.arg(),
            KernelArg::F64(penalty),
            KernelArg::U32(to_u32(OP, "rows", n)?),
            KernelArg::U32(to_u32(OP, "n_obj", n_obj)?),
            KernelArg::U32(to_u32(OP, "reference vectors", n_vec)?),
            niche.arg(),
            apd.arg(),
        ];
        // SAFETY: the argument list is rvea_apd_f64's; f holds n·m, ideal m, v n_vec·m,
        // gamma n_vec, niche and apd n values.
        unsafe { self.launch(KernelId::RveaApdF64, LaunchDims::linear(OP, n)?, &args)? };
        Ok(ApdAssociation {
            niche: self.dtoh(&niche)?.into_iter().map(|k| k as usize).collect(),
            apd: self.dtoh(&apd)?,
        })
    }
}
