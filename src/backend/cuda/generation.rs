//! The device half of an EMO generation: offspring by SBX and polynomial mutation, then their
//! objectives, with no round trip to the host between the operators.
//!
//! [`CudaDevice::offspring_device`] is the device twin of what `ask` does in every algorithm
//! of [`crate::moo`] (`Core::make_pending`: SBX of the mating pairs on streams named by
//! generation g + 1, truncation to the population size, polynomial mutation with first index
//! 0) followed by the problem's evaluation: the same bits as the CPU. Mating and survival
//! stay with the caller here; [`super::DeviceRvea`] and [`super::DeviceNsga3`] chain the
//! device mating (`random_mating_device`, `binary_tournament_device`), these operators and
//! the device survival into whole generations without a host round trip per operator.
//! (NSGA-II's rank-and-crowding survival has its kernels, ranks and crowding distance, but no
//! device-resident loop yet.)

use super::problems::DeviceProblem;
use super::{to_u32, CudaDevice, DeviceBuffer};
use crate::error::{check_len, Error, Result};
use crate::moo::operators::Variation;

/// Offspring of one generation, on the device.
#[derive(Debug)]
pub struct DeviceOffspring {
    /// Decision vectors, row-major; the first `rows` rows are the offspring.
    pub x: DeviceBuffer<f64>,
    /// Objectives, `rows × n_obj` row-major (the buffer holds at least one value).
    pub f: DeviceBuffer<f64>,
    /// Number of offspring.
    pub rows: usize,
}

impl CudaDevice {
    /// Offspring of `pairs` of rows of the device population `parents` for generation
    /// `generation` (the streams the CPU algorithms use for it: SBX on `(seed, "sbx",
    /// generation, k)`, mutation on `(seed, "mutation", generation, i)`), truncated to
    /// `pop_size` rows, mutated and evaluated by `problem`: bit-identical to the CPU's
    /// `sbx` → truncate → `polynomial_mutation(first_index 0)` → `Problem::evaluate`.
    ///
    /// `lower`/`upper` are device copies of the problem's bounds; the pairs index rows of
    /// `parents` (checked here).
    #[allow(clippy::too_many_arguments)]
    pub fn offspring_device(
        &self,
        problem: DeviceProblem,
        parents: &DeviceBuffer<f64>,
        pairs: &[(usize, usize)],
        pop_size: usize,
        lower: &DeviceBuffer<f64>,
        upper: &DeviceBuffer<f64>,
        v: &Variation,
        seed: u64,
        generation: u64,
    ) -> Result<DeviceOffspring> {
        const OP: &str = "CudaDevice::offspring_device";
        v.validate()?;
        let nv = problem.n_var();
        check_len(OP, "lower.len()", nv, lower.len())?;
        check_len(OP, "upper.len()", nv, upper.len())?;
        let n = parents.len() / nv;
        if parents.len() % nv != 0 || n == 0 {
            return Err(Error::Shape {
                op: OP,
                what: format!("parents (a non-empty multiple of n_var = {nv})"),
                expected: n.max(1) * nv,
                got: parents.len(),
            });
        }
        if let Some(&(a, b)) = pairs.iter().find(|&&(a, b)| a >= n || b >= n) {
            return Err(Error::Shape {
                op: OP,
                what: "parent index (must be < population size)".into(),
                expected: n,
                got: a.max(b),
            });
        }
        to_u32(OP, "population rows", n)?;
        let a: Vec<u32> = pairs.iter().map(|p| p.0 as u32).collect();
        let b: Vec<u32> = pairs.iter().map(|p| p.1 as u32).collect();
        let rows = pop_size.min(2 * pairs.len());
        if rows == 0 {
            return Ok(DeviceOffspring {
                x: self.zeros(1)?,
                f: self.zeros(1)?,
                rows: 0,
            });
        }
        let (da, db) = (self.htod(&a)?, self.htod(&b)?);
        let mut x = self.sbx_device(
            parents,
            &da,
            &db,
            pairs.len(),
            lower,
            upper,
            v,
            seed,
            generation,
        )?;
        self.mutate_rows(&mut x, rows, lower, upper, v, seed, generation, 0)?;
        let f = self.evaluate_rows(problem, &x, rows)?;
        Ok(DeviceOffspring { x, f, rows })
    }
}
