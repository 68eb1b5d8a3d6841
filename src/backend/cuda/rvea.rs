//! Host code of the `rvea` kernels: RVEA's association of each individual with its nearest
//! reference vector and its angle-penalised distance (APD), the per-individual part of
//! [`crate::moo::rvea::Rvea`]'s survival step.
//!
//! Niche and APD are bit-identical to the CPU: the same distances in the same order, ties to
//! the smaller index as in the CPU's kd-tree, and the angle from the device arccosine, the
//! twin of [`crate::math::inverse_trig::acos_f64`] that the CPU's RVEA uses (fdlibm's
//! algorithm with correctly rounded steps; never the platform libm, which no device can
//! reproduce). [`CudaDevice::rvea_select`] then picks each niche's survivor exactly as the
//! CPU does from the same niches, APDs and violations.

use super::kernels::KernelId;
use super::scan::ScanKernels;
use super::vector_tiles::{vector_tiles, DeviceTiles};
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::error::{check_finite, check_len, Error, Result};

/// Largest difference in ULP between the device arccosine (`acos_eval_f64`, bit-identical to
/// [`crate::math::inverse_trig::acos_f64`]) and `f64::acos` on glibc, measured on 10⁶
/// arguments of [−1, 1] and the special values: an accuracy figure, not a twin bound.
pub const ACOS_MAX_ULP: u64 = 1;

/// The `rvea` module's prefix-sum kernels.
const RVEA_SCAN: ScanKernels = ScanKernels {
    range_sums: KernelId::RangeSumsU32,
    range_offsets: KernelId::RangeOffsetsU32,
    prefix_offsets: KernelId::PrefixOffsetsU32,
};

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
        let best = self.rvea_select_device(&nd, &ad, &cd, n, n_vec)?;
        Ok(self
            .dtoh(&best)?
            .into_iter()
            .map(|b| (b != u32::MAX).then_some(b as usize))
            .collect())
    }

    /// [`CudaDevice::rvea_select`] on device buffers of `n` rows (`n ≥ 1`, `n_vec ≥ 1`;
    /// niche ids `≥ n_vec` are unassociated rows and skipped): the rows are bucketed by
    /// niche, then one thread per niche picks from its bucket. Returns `best` (`u32::MAX`:
    /// empty niche).
    pub(super) fn rvea_select_device(
        &self,
        niche: &DeviceBuffer<u32>,
        apd: &DeviceBuffer<f64>,
        cv: &DeviceBuffer<f64>,
        n: usize,
        n_vec: usize,
    ) -> Result<DeviceBuffer<u32>> {
        const OP: &str = "CudaDevice::rvea_select";
        let nvec32 = to_u32(OP, "n_vec", n_vec)?;
        let best = self.zeros::<u32>(n_vec)?;
        let buckets = self.bucket_rows(OP, niche, n, n_vec)?;
        // SAFETY: rvea_select_f64's argument list; the bucket holds n rows, offsets and counts
        // n_vec, apd and cv n values, best n_vec.
        unsafe {
            self.launch(
                KernelId::RveaSelectF64,
                LaunchDims::linear(OP, n_vec)?,
                &[
                    buckets.rows.arg(),
                    buckets.offsets.arg(),
                    buckets.counts.arg(),
                    apd.arg(),
                    cv.arg(),
                    KernelArg::U32(nvec32),
                    best.arg(),
                ],
            )?;
        }
        Ok(best)
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
        let tiles = DeviceTiles::upload(self, &vector_tiles(v, n_obj)?, n_obj)?;
        tiles.update_bounds(self, KernelId::TileBoundsF64, &vd)?;
        let assoc = Association {
            f: &fd,
            ideal: &zd,
            v: &vd,
            tiles: &tiles,
            n,
            n_obj,
        };
        let (niche, apd) = self.rvea_associate(&assoc, &gd, penalty)?;
        Ok(ApdAssociation {
            niche: self.dtoh(&niche)?.into_iter().map(|k| k as usize).collect(),
            apd: self.dtoh(&apd)?,
        })
    }

    /// Association and APD of `a.n ≥ 1` rows (the caller has checked the shapes; `a.tiles`
    /// bounds the current `a.v`): each row's seed tile (`rvea_seed_u32`), the rows bucketed by
    /// it, the nearest vector (`rvea_nearest_f64`), then `rvea_apd_f64`. Returns the niche
    /// (`u32::MAX`: none) and APD buffers.
    pub(super) fn rvea_associate(
        &self,
        a: &Association<'_>,
        gamma: &DeviceBuffer<f64>,
        penalty: f64,
    ) -> Result<(DeviceBuffer<u32>, DeviceBuffer<f64>)> {
        const OP: &str = "CudaDevice::rvea_apd";
        let n = a.n;
        let (n32, m32) = (to_u32(OP, "rows", n)?, to_u32(OP, "n_obj", a.n_obj)?);
        let n_tiles = a.tiles.n_tiles();
        let key = self.zeros::<u32>(n)?;
        let niche = self.zeros::<u32>(n)?;
        let apd = self.zeros::<f64>(n)?;
        let rows = LaunchDims::linear(OP, n)?;
        let mut seed_args = vec![
            a.f.arg(),
            a.ideal.arg(),
            KernelArg::U32(n32),
            KernelArg::U32(m32),
            a.v.arg(),
            a.tiles.order().arg(),
        ];
        seed_args.extend(a.tiles.args());
        let mut nearest_args = seed_args.clone();
        seed_args.push(key.arg());
        // SAFETY: rvea_seed_u32's argument list; f holds n·m values, ideal m, the tiling
        // bounds v, key n.
        unsafe { self.launch(KernelId::RveaSeedU32, rows, &seed_args)? };
        let buckets = self.bucket_rows(OP, &key, n, n_tiles)?;
        nearest_args.extend([key.arg(), buckets.rows.arg(), niche.arg()]);
        // SAFETY: rvea_nearest_f64's and rvea_apd_f64's argument lists; key, bucket (a
        // permutation of the rows), niche and apd hold n values, gamma one per vector.
        unsafe {
            self.launch(KernelId::RveaNearestF64, rows, &nearest_args)?;
            self.launch(
                KernelId::RveaApdF64,
                rows,
                &[
                    a.f.arg(),
                    a.ideal.arg(),
                    a.v.arg(),
                    gamma.arg(),
                    KernelArg::F64(penalty),
                    KernelArg::U32(n32),
                    KernelArg::U32(m32),
                    niche.arg(),
                    apd.arg(),
                ],
            )?;
        }
        Ok((niche, apd))
    }

    /// The `n ≥ 1` rows bucketed by `key` (keys `≥ n_keys` are left out): the rows with equal
    /// keys together in ascending key order (the order inside a bucket is the atomics'), with
    /// each bucket's size and offset.
    fn bucket_rows(
        &self,
        op: &'static str,
        key: &DeviceBuffer<u32>,
        n: usize,
        n_keys: usize,
    ) -> Result<Buckets> {
        let (n32, k32) = (to_u32(op, "rows", n)?, to_u32(op, "keys", n_keys)?);
        let counts = self.zeros::<u32>(n_keys)?;
        let fill = self.zeros::<u32>(n_keys)?;
        let bucket = self.zeros::<u32>(n)?;
        let rows = LaunchDims::linear(op, n)?;
        // SAFETY: rvea_niche_count_u32's argument list; key holds n values < n_keys, counts
        // n_keys.
        unsafe {
            self.launch(
                KernelId::RveaNicheCountU32,
                rows,
                &[
                    key.arg(),
                    KernelArg::U32(n32),
                    KernelArg::U32(k32),
                    counts.arg(),
                ],
            )?
        };
        let offsets = self.exclusive_prefix_sums(op, RVEA_SCAN, &counts, n_keys)?;
        // SAFETY: rvea_niche_scatter_u32's argument list; key and bucket hold n values,
        // offsets and fill n_keys.
        unsafe {
            self.launch(
                KernelId::RveaNicheScatterU32,
                rows,
                &[
                    key.arg(),
                    KernelArg::U32(n32),
                    KernelArg::U32(k32),
                    offsets.arg(),
                    fill.arg(),
                    bucket.arg(),
                ],
            )?
        };
        Ok(Buckets {
            rows: bucket,
            counts,
            offsets,
        })
    }
}

/// Rows bucketed by a key ([`CudaDevice::bucket_rows`]).
struct Buckets {
    rows: DeviceBuffer<u32>,
    counts: DeviceBuffer<u32>,
    offsets: DeviceBuffer<u32>,
}

/// The rows and vectors of an association in device memory.
#[derive(Debug)]
pub(super) struct Association<'a> {
    /// Objectives, `n × n_obj`.
    pub f: &'a DeviceBuffer<f64>,
    /// The ideal point, `n_obj`.
    pub ideal: &'a DeviceBuffer<f64>,
    /// The unit reference vectors, `n_vec × n_obj`.
    pub v: &'a DeviceBuffer<f64>,
    /// Their tiling, with bounds of the current `v`.
    pub tiles: &'a DeviceTiles,
    /// Rows.
    pub n: usize,
    /// Objectives.
    pub n_obj: usize,
}
