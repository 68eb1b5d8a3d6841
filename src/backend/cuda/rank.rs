//! Host code of the `dominance_rank` kernels: non-dominated front ranks on the device, equal
//! to [`crate::moo::nondominated_sort()`] (ranks are integers: equal, not close).
//!
//! Two launches: `dominance_matrix_*` builds the N × ⌈N/32⌉ bit matrix "row i dominates row j"
//! and every row's dominator count (O(N² M), one thread per 32-row word), then
//! `dominance_peel_u32` peels all fronts in one single-block launch (O(fronts · N²/32) word
//! operations, no host round trip between fronts). Memory: N²/8 bytes for the matrix, 32 MiB
//! at N = 16 384.

use super::kernels::KernelId;
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::error::{Error, Result};
use crate::moo::nondominated_sort::check_matrix;

/// Threads of the peeling block: the most a block may have, since it alone walks all rows.
const PEEL_THREADS: u32 = 1024;
const UNRANKED: u32 = u32::MAX;

impl CudaDevice {
    /// Front ranks (0-based) of the `n` rows of the device matrix `f` (`n × n_obj`,
    /// row-major, finite: the caller has checked), written to a new device buffer of
    /// `max(n, 1)` values (`u32::MAX` marks the unused one when `n == 0`).
    pub fn nondominated_sort_device(
        &self,
        f: &DeviceBuffer<f64>,
        n_obj: usize,
    ) -> Result<DeviceBuffer<u32>> {
        self.ranks(KernelId::DominanceMatrixF64, f.arg(), f.len(), n_obj)
    }

    /// As [`nondominated_sort_device`](Self::nondominated_sort_device) for single-precision
    /// objectives.
    pub fn nondominated_sort_device_f32(
        &self,
        f: &DeviceBuffer<f32>,
        n_obj: usize,
    ) -> Result<DeviceBuffer<u32>> {
        self.ranks(KernelId::DominanceMatrixF32, f.arg(), f.len(), n_obj)
    }

    fn ranks(
        &self,
        matrix: KernelId,
        f: KernelArg<'_>,
        len: usize,
        n_obj: usize,
    ) -> Result<DeviceBuffer<u32>> {
        const OP: &str = "CudaDevice::nondominated_sort";
        if n_obj == 0 {
            return Err(Error::config("n_obj", "must be at least 1"));
        }
        if len % n_obj != 0 {
            return Err(Error::Shape {
                op: OP,
                what: format!("f.len() (a multiple of n_obj = {n_obj})"),
                expected: len / n_obj * n_obj,
                got: len,
            });
        }
        let n = len / n_obj;
        let n32 = to_u32(OP, "rows", n)?;
        let m32 = to_u32(OP, "n_obj", n_obj)?;
        let words = n.div_ceil(32);
        let cells = n.checked_mul(words).ok_or_else(|| Error::Cuda {
            op: OP,
            message: format!("a dominance matrix of {n} rows does not fit in memory"),
        })?;
        let dom_by = self.zeros::<u32>(cells.max(1))?;
        let dom_count = self.zeros::<u32>(n.max(1))?;
        let front = self.zeros::<u32>(words.max(1))?;
        let rank = self.htod(&vec![UNRANKED; n.max(1)])?;
        if n == 0 {
            return Ok(rank);
        }
        // SAFETY: (f, n, m, dom_by, dom_count) with f of n × m values, dom_by of n × words and
        // dom_count of n; (dom_by, dom_count, n, front_mask, rank) with front of `words` and
        // rank of n.
        unsafe {
            self.launch(
                matrix,
                LaunchDims::linear(OP, cells)?,
                &[
                    f,
                    KernelArg::U32(n32),
                    KernelArg::U32(m32),
                    dom_by.arg(),
                    dom_count.arg(),
                ],
            )?;
            self.launch(
                KernelId::DominancePeelU32,
                LaunchDims::single_block(PEEL_THREADS),
                &[
                    dom_by.arg(),
                    dom_count.arg(),
                    KernelArg::U32(n32),
                    front.arg(),
                    rank.arg(),
                ],
            )?;
        }
        Ok(rank)
    }

    /// 0-based front rank of every row of the row-major `n × n_obj` matrix `f`, computed on
    /// the device; equal to [`crate::moo::nondominated_sort()`] on every input, with the same
    /// errors for bad input (zero objectives, ragged length, NaN or infinity).
    pub fn nondominated_sort(&self, f: &[f64], n_obj: usize) -> Result<Vec<usize>> {
        let n = check_matrix("CudaDevice::nondominated_sort", f, n_obj)?;
        if n == 0 {
            return Ok(Vec::new());
        }
        let rank = self.nondominated_sort_device(&self.htod(f)?, n_obj)?;
        self.collect_ranks(&rank, n)
    }

    /// [`nondominated_sort`](Self::nondominated_sort) of single-precision objectives (the
    /// ranks of the same values widened to f64, since widening keeps every comparison).
    pub fn nondominated_sort_f32(&self, f: &[f32], n_obj: usize) -> Result<Vec<usize>> {
        const OP: &str = "CudaDevice::nondominated_sort_f32";
        if n_obj == 0 {
            return Err(Error::config("n_obj", "must be at least 1"));
        }
        if let Some(index) = f.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                op: OP,
                what: "objectives",
                index,
            });
        }
        if f.is_empty() {
            return Ok(Vec::new());
        }
        let rank = self.nondominated_sort_device_f32(&self.htod(f)?, n_obj)?;
        self.collect_ranks(&rank, f.len() / n_obj)
    }

    fn collect_ranks(&self, rank: &DeviceBuffer<u32>, n: usize) -> Result<Vec<usize>> {
        let host = self.dtoh(rank)?;
        host[..n]
            .iter()
            .map(|&r| {
                if r == UNRANKED {
                    Err(Error::Cuda {
                        op: "CudaDevice::nondominated_sort",
                        message: "a row was left unranked by the device".into(),
                    })
                } else {
                    Ok(r as usize)
                }
            })
            .collect()
    }
}
