//! Host code of the `rvea_adapt` kernels: RVEA's reference-vector adaptation (the initial
//! vectors re-scaled by the survivors' objective range, then normalised) and the angle γ from
//! each vector to its nearest neighbour, with their CPU twins ([`rvea_adapt_cpu`] is the body
//! of `Rvea::adapt`, [`rvea_gammas_cpu`] the function it calls).
//!
//! Adapted vectors and γ are bit-identical (γ's angle comes from the device twin of
//! [`crate::math::inverse_trig::acos_f64`], the arccosine the CPU's RVEA uses).
//!
//! ```
//! use pareto_sciml::backend::cuda::{rvea_adapt_cpu, rvea_gammas_cpu};
//! let v0 = [1.0, 0.0, 0.0, 1.0, 0.6, 0.8];
//! let v = rvea_adapt_cpu(&v0, 2, &[0.0, 0.0], &[2.0, 1.0]).unwrap().unwrap();
//! assert!((v[4] - 1.2 / (1.2f64 * 1.2 + 0.8 * 0.8).sqrt()).abs() < 1e-15);
//! assert_eq!(rvea_gammas_cpu(&v, 2).unwrap().len(), 3);
//! ```

use super::kernels::KernelId;
use super::vector_tiles::{vector_tiles, DeviceTiles};
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::error::{check_finite, check_len, Error, Result};
use crate::moo::kdtree::KdTree;
use crate::moo::nondominated_sort::check_matrix;
use crate::moo::rvea::{gammas, unit_rows};

fn check_adapt(
    op: &'static str,
    v0: &[f64],
    n_obj: usize,
    ideal: &[f64],
    nadir: &[f64],
) -> Result<usize> {
    let n = check_matrix(op, v0, n_obj)?;
    check_len(op, "ideal.len()", n_obj, ideal.len())?;
    check_len(op, "nadir.len()", n_obj, nadir.len())?;
    if n == 0 {
        return Err(Error::Empty {
            op,
            what: "reference vectors",
        });
    }
    Ok(n)
}

/// The adapted unit vectors `(v0 ∘ (nadir − ideal)) / ‖·‖` of `v0` (`n_vec × n_obj`, finite),
/// or `None` when some range is not finite and positive (then RVEA keeps its vectors).
pub fn rvea_adapt_cpu(
    v0: &[f64],
    n_obj: usize,
    ideal: &[f64],
    nadir: &[f64],
) -> Result<Option<Vec<f64>>> {
    check_adapt("rvea_adapt_cpu", v0, n_obj, ideal, nadir)?;
    // `Rvea::adapt`, step for step.
    let range: Vec<f64> = (0..n_obj).map(|j| nadir[j] - ideal[j]).collect();
    if range.iter().any(|r| !(r.is_finite() && *r > 0.0)) {
        return Ok(None);
    }
    let scaled: Vec<f64> = v0
        .chunks_exact(n_obj)
        .flat_map(|w| w.iter().zip(&range).map(|(a, b)| a * b))
        .collect();
    Ok(Some(unit_rows(&scaled, n_obj)))
}

/// γ of every vector of `v` (`n_vec × n_obj` unit rows): the angle to its nearest other
/// vector, floored at 1e-64; π for a lone vector.
pub fn rvea_gammas_cpu(v: &[f64], n_obj: usize) -> Result<Vec<f64>> {
    check_matrix("rvea_gammas_cpu", v, n_obj)?;
    Ok(gammas(v, n_obj, &KdTree::new(v, n_obj)))
}

impl CudaDevice {
    /// [`rvea_adapt_cpu`] on the device (`rvea_adapt_f64`, one thread per vector).
    pub fn rvea_adapt(
        &self,
        v0: &[f64],
        n_obj: usize,
        ideal: &[f64],
        nadir: &[f64],
    ) -> Result<Option<Vec<f64>>> {
        const OP: &str = "CudaDevice::rvea_adapt";
        let n = check_adapt(OP, v0, n_obj, ideal, nadir)?;
        let valid = (0..n_obj).all(|j| {
            let r = nadir[j] - ideal[j];
            r.is_finite() && r > 0.0
        });
        check_finite(OP, "ideal", ideal)?;
        let (vd, zd, nd) = (self.htod(v0)?, self.htod(ideal)?, self.htod(nadir)?);
        let out = self.htod(v0)?;
        let args = [
            vd.arg(),
            KernelArg::U32(to_u32(OP, "vectors", n)?),
            KernelArg::U32(to_u32(OP, "n_obj", n_obj)?),
            zd.arg(),
            nd.arg(),
            out.arg(),
        ];
        // SAFETY: rvea_adapt_f64's parameter list; v0 and out n·m, ideal and nadir m.
        unsafe { self.launch(KernelId::RveaAdaptF64, LaunchDims::linear(OP, n)?, &args)? };
        let v = self.dtoh(&out)?;
        Ok(valid.then_some(v))
    }

    /// [`rvea_gammas_cpu`] on the device (`rvea_gamma_f64`, one thread per vector, by the
    /// exact tiled search of [`super::vector_tiles()`]).
    pub fn rvea_gammas(&self, v: &[f64], n_obj: usize) -> Result<Vec<f64>> {
        const OP: &str = "CudaDevice::rvea_gammas";
        let n = check_matrix(OP, v, n_obj)?;
        if n == 0 {
            return Ok(Vec::new());
        }
        let vd = self.htod(v)?;
        let tiles = DeviceTiles::upload(self, &vector_tiles(v, n_obj)?, n_obj)?;
        tiles.update_bounds(self, KernelId::AdaptTileBoundsF64, &vd)?;
        let gamma = self.zeros::<f64>(n)?;
        self.rvea_gammas_device(&vd, n, n_obj, &tiles, &gamma)?;
        self.dtoh(&gamma)
    }

    /// γ of the `n` device vectors `v` into `gamma`, with `tiles` bounding the current `v`.
    pub(super) fn rvea_gammas_device(
        &self,
        v: &DeviceBuffer<f64>,
        n: usize,
        n_obj: usize,
        tiles: &DeviceTiles,
        gamma: &DeviceBuffer<f64>,
    ) -> Result<()> {
        const OP: &str = "CudaDevice::rvea_gammas";
        let mut args = vec![
            v.arg(),
            KernelArg::U32(to_u32(OP, "vectors", n)?),
            KernelArg::U32(to_u32(OP, "n_obj", n_obj)?),
            tiles.order().arg(),
        ];
        args.extend(tiles.args());
        args.push(gamma.arg());
        // SAFETY: rvea_gamma_f64's parameter list; v n·m, the tiling of these n vectors, gamma n.
        unsafe { self.launch(KernelId::RveaGammaF64, LaunchDims::linear(OP, n)?, &args) }
    }
}
