//! A whole NSGA-II run on the device: [`DeviceNsga2`] keeps population, objectives, front
//! ranks and crowding distances in device memory and runs every operator of a generation as
//! a kernel: binary tournaments on (violation, rank, crowding) (`permutations_u32`,
//! `tournament_pairs_u32`), SBX and polynomial mutation, DTLZ/ZDT evaluation, parents ∪
//! offspring (`gather_rows_f64`), non-dominated ranks (`dominance_matrix_f64`,
//! `dominance_peel_u32`), the fronts that get crowding distances (`nsga2_split_u32`), crowding
//! per front (`crowding_segments_order_f64`, `crowding_segments_accumulate_f64`), the
//! truncation of the overflowing front (`nsga2_select_u32`) and the commit.
//!
//! The only transfer of a generation is the number of listed positions (8 bytes), which
//! sizes the crowding launches. The twin is [`crate::moo::Nsga2`] with the same problem,
//! population size and seed (default operators): every kernel is bit-identical to its part of
//! the CPU survival, so the populations, ranks and crowding distances agree bit for bit.
//! Device problems are unconstrained and finite, so every row is feasible.

use super::kernels::KernelId;
use super::problems::DeviceProblem;
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::error::{check_len, Error, Result};
use crate::moo::operators::{random_population, Variation};
use crate::moo::problem::Problem;

/// NSGA-II state in device memory (see the module docs).
#[derive(Debug)]
pub struct DeviceNsga2<'d> {
    dev: &'d CudaDevice,
    problem: DeviceProblem,
    variation: Variation,
    seed: u64,
    pop_size: usize,
    generation: u64,
    rows: usize,
    x: DeviceBuffer<f64>,
    f: DeviceBuffer<f64>,
    rank: DeviceBuffer<u32>,
    crowd: DeviceBuffer<f64>,
    lower: DeviceBuffer<f64>,
    upper: DeviceBuffer<f64>,
    zeros_f64: DeviceBuffer<f64>,
    iota: DeviceBuffer<u32>,
}

impl<'d> DeviceNsga2<'d> {
    /// NSGA-II on `dev` for `problem` (its device twin `device_problem`: same sizes) with
    /// `pop_size` individuals: evaluates the initial population and selects from it
    /// (generation 1), as the first `ask`/`tell` of [`crate::moo::Nsga2`].
    pub fn new<P: Problem + ?Sized>(
        dev: &'d CudaDevice,
        problem: &P,
        device_problem: DeviceProblem,
        pop_size: usize,
        seed: u64,
    ) -> Result<Self> {
        const OP: &str = "DeviceNsga2::new";
        let (m, nv) = (problem.n_obj(), problem.n_var());
        check_len(OP, "device problem n_var", nv, device_problem.n_var())?;
        check_len(OP, "device problem n_obj", m, device_problem.n_obj())?;
        if problem.n_constr() != 0 {
            return Err(Error::config(
                "problem",
                "device problems are unconstrained (n_constr must be 0)",
            ));
        }
        if pop_size < 2 {
            return Err(Error::config("pop_size", format!("{pop_size} < 2")));
        }
        let (lo, hi) = (problem.bounds().lower(), problem.bounds().upper());
        let max_rows = 2 * pop_size;
        let iota: Vec<u32> = (0..to_u32(OP, "rows", max_rows)?).collect();
        let mut s = DeviceNsga2 {
            dev,
            problem: device_problem,
            variation: Variation::default(),
            seed,
            pop_size,
            generation: 0,
            rows: 0,
            x: dev.zeros(1)?,
            f: dev.zeros(1)?,
            rank: dev.zeros(pop_size)?,
            crowd: dev.zeros(pop_size)?,
            lower: dev.htod(lo)?,
            upper: dev.htod(hi)?,
            zeros_f64: dev.zeros(max_rows)?,
            iota: dev.htod(&iota)?,
        };
        let kids_x = dev.htod(&random_population(pop_size, lo, hi, seed))?;
        let kids_f = dev.evaluate_rows(device_problem, &kids_x, pop_size)?;
        s.survive(kids_f, pop_size, kids_x)?;
        Ok(s)
    }

    /// Completed generations (the initial population is generation 1).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Individuals in the current population.
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

    /// Front rank and crowding distance of each member, copied to the host.
    pub fn rank_and_crowding(&self) -> Result<(Vec<usize>, Vec<f64>)> {
        let mut r = self.dev.dtoh(&self.rank)?;
        let mut c = self.dev.dtoh(&self.crowd)?;
        r.truncate(self.rows);
        c.truncate(self.rows);
        Ok((r.into_iter().map(|v| v as usize).collect(), c))
    }

    /// One generation (`ask` and `tell`), all on the device.
    pub fn step(&mut self) -> Result<()> {
        let m = self.problem.n_obj();
        let g = self.generation + 1;
        let n_pairs = self.pop_size.div_ceil(2);
        let (a, b) = self.dev.binary_tournament_device(
            &self.zeros_f64,
            &self.rank,
            &self.crowd,
            self.rows,
            n_pairs,
            self.seed,
            g,
        )?;
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
        let kids = self.pop_size.min(2 * n_pairs);
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
        let merged_f = self
            .dev
            .gather_rows_device(&self.f, self.rows, &kids_f, m, &self.iota, merged)?;
        self.survive(merged_f, merged, kids_x)
    }

    /// Rank-and-crowding survival of `pop_size` rows from the `n` merged rows `f` (current
    /// population first, then the offspring `kids_x`), and the commit.
    fn survive(&mut self, f: DeviceBuffer<f64>, n: usize, kids_x: DeviceBuffer<f64>) -> Result<()> {
        const OP: &str = "DeviceNsga2::survive";
        let dev = self.dev;
        let (nv, m) = (self.problem.n_var(), self.problem.n_obj());
        let (n32, m32) = (to_u32(OP, "rows", n)?, to_u32(OP, "n_obj", m)?);
        let keep = self.pop_size.min(n);
        let keep32 = to_u32(OP, "pop_size", keep)?;
        let rank = dev.nondominated_sort_device(&f, m)?;
        let rows = dev.zeros::<u32>(n)?;
        let seg = dev.zeros::<u32>(n)?;
        let counts = dev.zeros::<u32>(2)?;
        let hist = dev.zeros::<u32>(n + 1)?;
        // SAFETY (every launch below): each argument list is the kernel's own; f holds n·m
        // values, rank, rows, seg n, hist n + 1, order and place m·total, d total ≤ n, the
        // outputs `keep`; every index a kernel reads was written by the kernel before it.
        unsafe {
            dev.launch(
                KernelId::Nsga2SplitU32,
                LaunchDims::single_block(1),
                &[
                    rank.arg(),
                    KernelArg::U32(n32),
                    KernelArg::U32(keep32),
                    rows.arg(),
                    seg.arg(),
                    counts.arg(),
                    hist.arg(),
                ],
            )?;
        }
        // The one transfer of a generation: how many positions get crowding distances.
        let sizes = dev.dtoh(&counts)?;
        let (total, whole) = (sizes[0] as usize, sizes[1]);
        let order = dev.zeros::<u32>(m * total)?;
        let place = dev.zeros::<u32>(m * total)?;
        let d = dev.zeros::<f64>(total)?;
        let kept = dev.zeros::<u32>(keep)?;
        let rank_out = dev.zeros::<u32>(keep)?;
        let crowd_out = dev.zeros::<f64>(keep)?;
        let total32 = total as u32;
        unsafe {
            dev.launch(
                KernelId::CrowdingSegmentsOrderF64,
                LaunchDims::linear(OP, m * total)?,
                &[
                    f.arg(),
                    KernelArg::U32(m32),
                    rows.arg(),
                    seg.arg(),
                    KernelArg::U32(total32),
                    order.arg(),
                    place.arg(),
                ],
            )?;
            dev.launch(
                KernelId::CrowdingSegmentsAccumulateF64,
                LaunchDims::linear(OP, total)?,
                &[
                    f.arg(),
                    KernelArg::U32(m32),
                    rows.arg(),
                    seg.arg(),
                    KernelArg::U32(total32),
                    order.arg(),
                    place.arg(),
                    d.arg(),
                ],
            )?;
            dev.launch(
                KernelId::Nsga2SelectU32,
                LaunchDims::linear(OP, total)?,
                &[
                    rows.arg(),
                    d.arg(),
                    rank.arg(),
                    KernelArg::U32(total32),
                    KernelArg::U32(whole),
                    KernelArg::U32(keep32),
                    kept.arg(),
                    rank_out.arg(),
                    crowd_out.arg(),
                ],
            )?;
        }
        self.x = dev.gather_rows_device(&self.x, self.rows, &kids_x, nv, &kept, keep)?;
        self.f = dev.gather_rows_device(&f, n, &f, m, &kept, keep)?;
        self.rank = rank_out;
        self.crowd = crowd_out;
        self.rows = keep;
        self.generation += 1;
        Ok(())
    }
}
