//! Host code of the `variation` kernels: SBX and polynomial mutation on the device,
//! bit-identical to [`crate::moo::operators::sbx`] and
//! [`crate::moo::operators::polynomial_mutation`].
//!
//! Each pair (SBX) or row (mutation) draws from its own named stream exactly what the CPU
//! operator draws. Every variable takes a fixed number of draws, so a thread handles
//! [`VAR_CHUNK`] variables of one pair or row and seeks its stream to their draws: long rows
//! spread over many threads. The arithmetic is the CPU's, step for step, with powers from
//! `kernels/common/math.cuh` (the device twin of [`crate::math::pow_f64`]). The `_device`
//! functions work on device buffers, so a generation can vary its population without a round
//! trip; the host functions take and return host slices and validate exactly as the CPU
//! operators do (same errors for the same bad input).

use super::kernels::KernelId;
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::error::{check_len, Error, Result};
use crate::moo::operators::{check_pop, Variation};
use crate::rng::purpose_hash;

/// Variables per thread of `sbx_f64` and `polynomial_mutation_f64` (`VAR_CHUNK` in
/// `kernels/variation.cu`, which must agree): a launch has `⌈n_var / VAR_CHUNK⌉` threads per
/// pair or row.
const VAR_CHUNK: usize = 8;

/// Threads of a variation launch over `rows` pairs or rows of `n_var` variables.
fn variation_threads(op: &'static str, rows: usize, n_var: usize) -> Result<usize> {
    rows.checked_mul(n_var.div_ceil(VAR_CHUNK))
        .ok_or_else(|| Error::Cuda {
            op,
            message: format!("{rows} rows of {n_var} variables exceed the grid limit"),
        })
}

impl CudaDevice {
    /// SBX offspring of `pairs` of rows of the device population `parents` (`n × n_var`,
    /// `n_var = lower.len()`) into a new device buffer of `2·n_pairs × n_var` (pair k's
    /// children are rows 2k and 2k + 1), drawing from streams `(seed, "sbx", generation, k)`.
    ///
    /// `pair_a[k]`, `pair_b[k]` are parent rows (`< n`: the caller has checked); `lower`,
    /// `upper` are device copies of the bounds; `v` must be valid ([`Variation::validate`]).
    #[allow(clippy::too_many_arguments)]
    pub fn sbx_device(
        &self,
        parents: &DeviceBuffer<f64>,
        pair_a: &DeviceBuffer<u32>,
        pair_b: &DeviceBuffer<u32>,
        n_pairs: usize,
        lower: &DeviceBuffer<f64>,
        upper: &DeviceBuffer<f64>,
        v: &Variation,
        seed: u64,
        generation: u64,
    ) -> Result<DeviceBuffer<f64>> {
        const OP: &str = "CudaDevice::sbx";
        let n_var = lower.len();
        check_len(OP, "upper.len()", n_var, upper.len())?;
        check_len(OP, "pair_b.len()", pair_a.len(), pair_b.len())?;
        if n_pairs > pair_a.len() {
            return Err(Error::Shape {
                op: OP,
                what: "pair buffers (at least n_pairs)".into(),
                expected: n_pairs,
                got: pair_a.len(),
            });
        }
        let cells = n_pairs
            .checked_mul(2 * n_var)
            .ok_or_else(|| Error::config("n_pairs", "2·n_pairs·n_var overflows"))?;
        let out = self.zeros::<f64>(cells.max(1))?;
        if cells == 0 {
            return Ok(out);
        }
        let args = [
            parents.arg(),
            pair_a.arg(),
            pair_b.arg(),
            KernelArg::U32(to_u32(OP, "n_pairs", n_pairs)?),
            KernelArg::U32(to_u32(OP, "n_var", n_var)?),
            lower.arg(),
            upper.arg(),
            KernelArg::F64(v.eta_c),
            KernelArg::F64(v.p_c),
            KernelArg::F64(v.p_var),
            KernelArg::F64(v.p_swap),
            KernelArg::U64(seed),
            KernelArg::U64(purpose_hash("sbx")),
            KernelArg::U64(generation),
            out.arg(),
        ];
        // SAFETY: the argument list is sbx_f64's; out holds 2·n_pairs·n_var values, the pair
        // buffers n_pairs indices (each < rows of parents, by the caller), the bounds n_var.
        let dims = LaunchDims::linear(OP, variation_threads(OP, n_pairs, n_var)?)?;
        unsafe { self.launch(KernelId::SbxF64, dims, &args)? };
        Ok(out)
    }

    /// SBX on the device, bit-identical to [`crate::moo::operators::sbx`] (same arguments,
    /// same errors, same offspring).
    #[allow(clippy::too_many_arguments)]
    pub fn sbx(
        &self,
        parents: &[f64],
        pairs: &[(usize, usize)],
        lower: &[f64],
        upper: &[f64],
        v: &Variation,
        seed: u64,
        generation: u64,
    ) -> Result<Vec<f64>> {
        v.validate()?;
        let n = check_pop("sbx", parents, lower, upper)?;
        if let Some(&(a, b)) = pairs.iter().find(|&&(a, b)| a >= n || b >= n) {
            return Err(Error::Shape {
                op: "sbx",
                what: "parent index (must be < population size)".into(),
                expected: n,
                got: a.max(b),
            });
        }
        if pairs.is_empty() || parents.is_empty() {
            return Ok(Vec::new());
        }
        // Parent rows travel as u32 indices.
        to_u32("sbx", "population rows", n)?;
        let a: Vec<u32> = pairs.iter().map(|p| p.0 as u32).collect();
        let b: Vec<u32> = pairs.iter().map(|p| p.1 as u32).collect();
        let out = self.sbx_device(
            &self.htod(parents)?,
            &self.htod(&a)?,
            &self.htod(&b)?,
            pairs.len(),
            &self.htod(lower)?,
            &self.htod(upper)?,
            v,
            seed,
            generation,
        )?;
        self.dtoh(&out)
    }

    /// Polynomial mutation of the device population `x` (`n × n_var`, `n_var = lower.len()`)
    /// in place, row i drawing from `(seed, "mutation", generation, first_index + i)`;
    /// `v` must be valid.
    #[allow(clippy::too_many_arguments)]
    pub fn polynomial_mutation_device(
        &self,
        x: &mut DeviceBuffer<f64>,
        lower: &DeviceBuffer<f64>,
        upper: &DeviceBuffer<f64>,
        v: &Variation,
        seed: u64,
        generation: u64,
        first_index: u64,
    ) -> Result<()> {
        const OP: &str = "CudaDevice::polynomial_mutation";
        let n_var = lower.len();
        check_len(OP, "upper.len()", n_var, upper.len())?;
        if n_var == 0 {
            return Err(Error::Empty {
                op: OP,
                what: "decision variables",
            });
        }
        self.mutate_rows(
            x,
            x.len() / n_var,
            lower,
            upper,
            v,
            seed,
            generation,
            first_index,
        )
    }

    /// Mutates the first `rows` rows of `x` (the caller has checked `rows·n_var ≤ x.len()`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn mutate_rows(
        &self,
        x: &mut DeviceBuffer<f64>,
        rows: usize,
        lower: &DeviceBuffer<f64>,
        upper: &DeviceBuffer<f64>,
        v: &Variation,
        seed: u64,
        generation: u64,
        first_index: u64,
    ) -> Result<()> {
        const OP: &str = "CudaDevice::polynomial_mutation";
        let n_var = lower.len();
        if rows == 0 {
            return Ok(());
        }
        let p_m = v.p_m.unwrap_or(1.0 / n_var as f64);
        let args = [
            x.arg(),
            KernelArg::U32(to_u32(OP, "rows", rows)?),
            KernelArg::U32(to_u32(OP, "n_var", n_var)?),
            lower.arg(),
            upper.arg(),
            KernelArg::F64(v.eta_m),
            KernelArg::F64(p_m),
            KernelArg::U64(seed),
            KernelArg::U64(purpose_hash("mutation")),
            KernelArg::U64(generation),
            KernelArg::U64(first_index),
        ];
        // SAFETY: the argument list is polynomial_mutation_f64's; x holds at least
        // rows·n_var values (caller), the bounds n_var.
        unsafe {
            self.launch(
                KernelId::PolynomialMutationF64,
                LaunchDims::linear(OP, variation_threads(OP, rows, n_var)?)?,
                &args,
            )
        }
    }

    /// Polynomial mutation on the device, bit-identical to
    /// [`crate::moo::operators::polynomial_mutation`] (same arguments, errors and results).
    #[allow(clippy::too_many_arguments)]
    pub fn polynomial_mutation(
        &self,
        x: &mut [f64],
        lower: &[f64],
        upper: &[f64],
        v: &Variation,
        seed: u64,
        generation: u64,
        first_index: u64,
    ) -> Result<()> {
        v.validate()?;
        check_pop("polynomial_mutation", x, lower, upper)?;
        if x.is_empty() {
            return Ok(());
        }
        let mut dx = self.htod(x)?;
        self.polynomial_mutation_device(
            &mut dx,
            &self.htod(lower)?,
            &self.htod(upper)?,
            v,
            seed,
            generation,
            first_index,
        )?;
        x.copy_from_slice(&self.dtoh(&dx)?);
        Ok(())
    }
}
