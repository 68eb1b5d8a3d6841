//! A whole RVEA run on the device: [`DeviceRvea`] keeps population, objectives, reference
//! vectors, γ, ideal and nadir in device memory and runs every operator of a generation as a
//! kernel: random mating (`permutations_u32`), SBX and polynomial mutation, DTLZ/ZDT
//! evaluation, parents ∪ offspring (`gather_rows_f64`), the ideal point (`rvea_ideal_f64`),
//! association and APD (`rvea_seed_u32`, the rows bucketed by seed tile, `rvea_nearest_f64`'s
//! exact tiled search, then `rvea_apd_f64`),
//! the survivor per niche (rows bucketed by niche: `rvea_niche_count_u32`, the prefix-sum
//! kernels, `rvea_niche_scatter_u32`; then `rvea_select_f64`), the survivor list
//! (`compact_u32`, one block), the commit (`gather_rows_f64`), the nadir
//! (`column_max_f64`) and, every `⌈fr · max_gen⌉` generations, the vector adaptation
//! (`rvea_adapt_f64`, the tile bounds `vector_tile_bounds_f64`, `rvea_gamma_f64`).
//!
//! The only transfer per generation is the survivor count (4 bytes), which sizes the next
//! generation's launches. The twin is [`crate::moo::Rvea`] with the same problem, vectors,
//! seed and `max_gen` (α = 2, fr = 0.1, default operators): the same streams and the same
//! operations, so the populations agree bit for bit (γ and the APD included: both sides
//! take the angle from the same fdlibm arccosine, [`crate::math::inverse_trig::acos_f64`]).
//! Device problems are unconstrained and their objectives finite, so every row is feasible.

use super::kernels::KernelId;
use super::problems::DeviceProblem;
use super::rvea::Association;
use super::vector_tiles::{vector_tiles, DeviceTiles};
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::error::{check_len, Error, Result};
use crate::moo::nsga3::check_refs;
use crate::moo::operators::{random_population, Variation};
use crate::moo::problem::Problem;
use crate::moo::rvea::unit_rows;

/// Threads of the single-block reductions (ideal point, nadir): the most a block may have.
const REDUCE_THREADS: u32 = 1024;
/// Threads of the single-block survivor compaction (`compact_u32`, at most 1024).
const COMPACT_THREADS: u32 = 256;

/// RVEA state in device memory (see the module docs).
#[derive(Debug)]
pub struct DeviceRvea<'d> {
    dev: &'d CudaDevice,
    problem: DeviceProblem,
    variation: Variation,
    seed: u64,
    max_gen: u64,
    alpha: f64,
    period: u64,
    n_vec: usize,
    generation: u64,
    rows: usize,
    x: DeviceBuffer<f64>,
    f: DeviceBuffer<f64>,
    lower: DeviceBuffer<f64>,
    upper: DeviceBuffer<f64>,
    v0: DeviceBuffer<f64>,
    v: DeviceBuffer<f64>,
    gamma: DeviceBuffer<f64>,
    ideal: DeviceBuffer<f64>,
    nadir: DeviceBuffer<f64>,
    cv: DeviceBuffer<f64>,
    iota: DeviceBuffer<u32>,
    tiles: DeviceTiles,
}

impl<'d> DeviceRvea<'d> {
    /// RVEA on `dev` for `problem` (its device twin `device_problem`: same sizes), reference
    /// vectors `refs` (row-major, e.g. [`crate::moo::das_dennis`]), `max_gen` generations,
    /// α = 2, fr = 0.1: evaluates the initial population and selects from it (generation 1),
    /// as the first `ask`/`tell` of [`crate::moo::Rvea`].
    pub fn new<P: Problem + ?Sized>(
        dev: &'d CudaDevice,
        problem: &P,
        device_problem: DeviceProblem,
        refs: Vec<f64>,
        max_gen: u64,
        seed: u64,
    ) -> Result<Self> {
        const OP: &str = "DeviceRvea::new";
        let m = problem.n_obj();
        let nv = problem.n_var();
        check_len(OP, "device problem n_var", nv, device_problem.n_var())?;
        check_len(OP, "device problem n_obj", m, device_problem.n_obj())?;
        if problem.n_constr() != 0 {
            return Err(Error::config(
                "problem",
                "device problems are unconstrained (n_constr must be 0)",
            ));
        }
        check_refs(OP, &refs, m)?;
        if max_gen == 0 {
            return Err(Error::config("max_gen", "must be at least 1"));
        }
        let n_vec = refs.len() / m;
        if n_vec < 2 {
            return Err(Error::config(
                "refs",
                "RVEA needs at least 2 reference vectors",
            ));
        }
        let variation = Variation::default();
        let (lo, hi) = (problem.bounds().lower(), problem.bounds().upper());
        let v0 = unit_rows(&refs, m);
        let gamma = super::rvea_gammas_cpu(&v0, m)?;
        let tiles = DeviceTiles::upload(dev, &vector_tiles(&v0, m)?, m)?;
        let iota: Vec<u32> = (0..to_u32(OP, "rows", 2 * n_vec)?).collect();
        let x0 = random_population(n_vec, lo, hi, seed);
        let mut s = DeviceRvea {
            dev,
            problem: device_problem,
            variation,
            seed,
            max_gen,
            alpha: 2.0,
            period: ((0.1 * max_gen as f64).ceil() as u64).max(1),
            n_vec,
            generation: 0,
            rows: 0,
            x: dev.zeros(1)?,
            f: dev.zeros(1)?,
            lower: dev.htod(lo)?,
            upper: dev.htod(hi)?,
            v0: dev.htod(&v0)?,
            v: dev.htod(&v0)?,
            gamma: dev.htod(&gamma)?,
            ideal: dev.htod(&vec![f64::INFINITY; m])?,
            nadir: dev.zeros(m)?,
            cv: dev.zeros(2 * n_vec)?,
            iota: dev.htod(&iota)?,
            tiles,
        };
        s.tiles.update_bounds(dev, KernelId::TileBoundsF64, &s.v)?;
        let kids_x = dev.htod(&x0)?;
        let kids_f = dev.evaluate_rows(device_problem, &kids_x, n_vec)?;
        s.survive(kids_f, n_vec, kids_x)?;
        Ok(s)
    }

    /// Completed generations (the initial population is generation 1, as in
    /// [`crate::moo::algorithm`]).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Individuals in the current population (at most the number of vectors).
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when the population is empty (never after [`new`](Self::new)).
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The current population and its objectives, copied to the host.
    pub fn population(&self) -> Result<(Vec<f64>, Vec<f64>)> {
        let (nv, m) = (self.problem.n_var(), self.problem.n_obj());
        let mut x = self.dev.dtoh(&self.x)?;
        let mut f = self.dev.dtoh(&self.f)?;
        x.truncate(self.rows * nv);
        f.truncate(self.rows * m);
        Ok((x, f))
    }

    /// The current unit reference vectors and their γ, copied to the host.
    pub fn vectors(&self) -> Result<(Vec<f64>, Vec<f64>)> {
        Ok((self.dev.dtoh(&self.v)?, self.dev.dtoh(&self.gamma)?))
    }

    /// One generation: `ask` (mating, SBX, mutation, evaluation) and `tell` (survival and,
    /// when due, adaptation), all on the device.
    pub fn step(&mut self) -> Result<()> {
        const OP: &str = "DeviceRvea::step";
        let m = self.problem.n_obj();
        let g = self.generation + 1;
        let n_pairs = self.n_vec.div_ceil(2);
        let (a, b) = self
            .dev
            .random_mating_device(self.rows, n_pairs, self.seed, g)?;
        let v = self.variation;
        let mut kids_x = self.dev.sbx_device(
            &self.x,
            &a,
            &b,
            n_pairs,
            &self.lower,
            &self.upper,
            &v,
            self.seed,
            g,
        )?;
        let kids = self.n_vec.min(2 * n_pairs);
        self.dev.mutate_rows(
            &mut kids_x,
            kids,
            &self.lower,
            &self.upper,
            &v,
            self.seed,
            g,
            0,
        )?;
        let kids_f = self.dev.evaluate_rows(self.problem, &kids_x, kids)?;
        let merged = self.rows + kids;
        to_u32(OP, "rows", merged)?;
        let merged_f = self
            .dev
            .gather_rows_device(&self.f, self.rows, &kids_f, m, &self.iota, merged)?;
        self.survive(merged_f, merged, kids_x)
    }

    /// RVEA's survival from the `n` merged rows `f` (current population first, then the
    /// offspring `kids_x`), then the commit and, when due, the adaptation.
    fn survive(&mut self, f: DeviceBuffer<f64>, n: usize, kids_x: DeviceBuffer<f64>) -> Result<()> {
        const OP: &str = "DeviceRvea::survive";
        let dev = self.dev;
        let (nv, m) = (self.problem.n_var(), self.problem.n_obj());
        let (n32, m32) = (to_u32(OP, "rows", n)?, to_u32(OP, "n_obj", m)?);
        let nvec32 = to_u32(OP, "vectors", self.n_vec)?;
        let block = LaunchDims::single_block(REDUCE_THREADS);
        // SAFETY (every launch below): each argument list is the kernel's own; f holds n·m
        // values, cv ≥ n zeros, ideal and nadir m, v and v0 n_vec·m, gamma n_vec, niche and
        // apd n, best and surv n_vec.
        unsafe {
            dev.launch(
                KernelId::RveaIdealF64,
                block,
                &[
                    f.arg(),
                    self.cv.arg(),
                    KernelArg::U32(n32),
                    KernelArg::U32(m32),
                    self.ideal.arg(),
                ],
            )?
        };
        let t = self.generation as f64;
        let penalty = m as f64 * crate::math::pow_f64(t / self.max_gen as f64, self.alpha);
        let assoc = Association {
            f: &f,
            ideal: &self.ideal,
            v: &self.v,
            tiles: &self.tiles,
            n,
            n_obj: m,
        };
        let (niche, apd) = dev.rvea_associate(&assoc, &self.gamma, penalty)?;
        let best = dev.rvea_select_device(&niche, &apd, &self.cv, n, self.n_vec)?;
        let surv = dev.zeros::<u32>(self.n_vec)?;
        let count = dev.zeros::<u32>(1)?;
        unsafe {
            dev.launch(
                KernelId::CompactU32,
                LaunchDims::single_block(COMPACT_THREADS),
                &[best.arg(), KernelArg::U32(nvec32), surv.arg(), count.arg()],
            )?
        };
        // The one transfer of a generation: how many survived sizes what follows.
        let rows = dev.dtoh(&count)?[0] as usize;
        let x = dev.gather_rows_device(&self.x, self.rows, &kids_x, nv, &surv, rows)?;
        let f_new = dev.gather_rows_device(&f, n, &f, m, &surv, rows)?;
        unsafe {
            dev.launch(
                KernelId::ColumnMaxF64,
                block,
                &[
                    f_new.arg(),
                    KernelArg::U32(to_u32(OP, "rows", rows)?),
                    KernelArg::U32(m32),
                    self.nadir.arg(),
                ],
            )?
        };
        self.x = x;
        self.f = f_new;
        self.rows = rows;
        self.generation += 1;
        if self.generation % self.period == 0 {
            let vd = LaunchDims::linear(OP, self.n_vec)?;
            unsafe {
                dev.launch(
                    KernelId::RveaAdaptF64,
                    vd,
                    &[
                        self.v0.arg(),
                        KernelArg::U32(nvec32),
                        KernelArg::U32(m32),
                        self.ideal.arg(),
                        self.nadir.arg(),
                        self.v.arg(),
                    ],
                )?;
            }
            // The adapted vectors keep the tiling; their bounds change (both modules' copies
            // of the bounds are of the same kernel, so one update serves γ and the
            // association).
            self.tiles
                .update_bounds(dev, KernelId::TileBoundsF64, &self.v)?;
            dev.rvea_gammas_device(&self.v, self.n_vec, m, &self.tiles, &self.gamma)?;
        }
        Ok(())
    }
}
