//! Host code of the `crowding_distance` kernels: crowding distance on the device,
//! bit-identical to [`crate::moo::crowding_distance`].
//!
//! `crowding_order_f64` sorts the members per objective by counting (each of the M·K threads
//! counts the members that sort before its own: O(M K²) work, no device sort, fine for the
//! populations of a few thousand that EMO selection sees), then `crowding_accumulate_f64`
//! folds the objectives in order with the CPU's exact operations (IEEE subtraction and
//! division, no fused multiply-add). Scratch: two M × K index arrays.

use super::kernels::KernelId;
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::error::{Error, Result};
use crate::moo::nondominated_sort::check_matrix;

impl CudaDevice {
    /// Crowding distances of the rows `members` of the device matrix `f` (`n × n_obj`,
    /// finite; `members` < n: the caller has checked), in the order of `members`, into a new
    /// device buffer whose first `members.len()` values are the distances (it holds one
    /// unused value when `members` is empty: the driver allocates no empty buffers).
    pub fn crowding_distance_device(
        &self,
        f: &DeviceBuffer<f64>,
        n_obj: usize,
        members: &DeviceBuffer<u32>,
    ) -> Result<DeviceBuffer<f64>> {
        const OP: &str = "CudaDevice::crowding_distance";
        if n_obj == 0 {
            return Err(Error::config("n_obj", "must be at least 1"));
        }
        let k = members.len();
        let k32 = to_u32(OP, "members", k)?;
        let m32 = to_u32(OP, "n_obj", n_obj)?;
        let cells = k.checked_mul(n_obj).ok_or_else(|| Error::Cuda {
            op: OP,
            message: "members × n_obj overflows".into(),
        })?;
        let d = self.zeros::<f64>(k.max(1))?;
        if k == 0 {
            return Ok(d);
        }
        let order = self.zeros::<u32>(cells)?;
        let place = self.zeros::<u32>(cells)?;
        // SAFETY: (f, m, members, k, order, place) and (f, m, members, k, order, place, d) are
        // the two kernels' parameter lists; order and place hold m × k, d holds k values, and
        // every member indexes a row of f.
        unsafe {
            if k > 2 {
                self.launch(
                    KernelId::CrowdingOrderF64,
                    LaunchDims::linear(OP, cells)?,
                    &[
                        f.arg(),
                        KernelArg::U32(m32),
                        members.arg(),
                        KernelArg::U32(k32),
                        order.arg(),
                        place.arg(),
                    ],
                )?;
            }
            self.launch(
                KernelId::CrowdingAccumulateF64,
                LaunchDims::linear(OP, k)?,
                &[
                    f.arg(),
                    KernelArg::U32(m32),
                    members.arg(),
                    KernelArg::U32(k32),
                    order.arg(),
                    place.arg(),
                    d.arg(),
                ],
            )?;
        }
        Ok(d)
    }

    /// Crowding distance of the rows `members` of `f` among themselves, in the order of
    /// `members`, computed on the device; bit-identical to [`crate::moo::crowding_distance`],
    /// with the same errors for bad input.
    pub fn crowding_distance(
        &self,
        f: &[f64],
        n_obj: usize,
        members: &[usize],
    ) -> Result<Vec<f64>> {
        const OP: &str = "CudaDevice::crowding_distance";
        let n = check_matrix(OP, f, n_obj)?;
        if let Some(&bad) = members.iter().find(|&&i| i >= n) {
            return Err(Error::Shape {
                op: OP,
                what: "member index (must be < number of rows)".into(),
                expected: n,
                got: bad,
            });
        }
        if members.is_empty() {
            return Ok(Vec::new());
        }
        let idx: Vec<u32> = members
            .iter()
            .map(|&i| to_u32(OP, "member index", i))
            .collect::<Result<_>>()?;
        let d = self.crowding_distance_device(&self.htod(f)?, n_obj, &self.htod(&idx)?)?;
        let mut host = self.dtoh(&d)?;
        host.truncate(members.len());
        Ok(host)
    }
}
