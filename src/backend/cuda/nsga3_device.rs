//! A whole NSGA-III run on the device: [`DeviceNsga3`] keeps population, objectives and the
//! normalisation state (ideal, worst, extreme points) in device memory and runs every operator
//! of a generation as a kernel: binary tournaments on violation then chance
//! (`permutations_u32`, `tournament_pairs_u32`), SBX and polynomial mutation, DTLZ/ZDT
//! evaluation, parents ∪ offspring (`gather_rows_f64`), non-dominated ranks
//! (`dominance_matrix_f64`, `dominance_peel_u32`), the fronts that fit and the overflowing
//! one (`nsga3_split_u32`), normalisation (`nsga3_normalise_f64`), association
//! (`nsga3_associate_f64`), niche counts (`nsga3_count_u32`), niching (`nsga3_niching_u32`)
//! and the commit (`gather_rows_f64`).
//!
//! The only transfer of a generation is the two front sizes (8 bytes), which size the
//! niching launch. The twin is [`crate::moo::Nsga3`] with the same problem, directions,
//! population size and seed (default operators): every step is bit-identical (see the
//! kernels' tests), so the populations agree bit for bit (up to the sign of a zero in the
//! ideal or worst point, which Rust's `f64::min`/`max` leave open). Device problems are
//! unconstrained and finite, so every row is feasible.

use super::kernels::KernelId;
use super::problems::DeviceProblem;
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::error::{check_len, Error, Result};
use crate::moo::nsga3::check_refs;
use crate::moo::operators::{random_population, Variation};
use crate::moo::problem::Problem;
use crate::rng::purpose_hash;

/// Threads of the normalisation block.
const NORMALISE_THREADS: u32 = 256;

/// NSGA-III state in device memory (see the module docs).
#[derive(Debug)]
pub struct DeviceNsga3<'d> {
    dev: &'d CudaDevice,
    problem: DeviceProblem,
    variation: Variation,
    seed: u64,
    pop_size: usize,
    n_ref: usize,
    generation: u64,
    rows: usize,
    have_extremes: bool,
    x: DeviceBuffer<f64>,
    f: DeviceBuffer<f64>,
    lower: DeviceBuffer<f64>,
    upper: DeviceBuffer<f64>,
    units: DeviceBuffer<f64>,
    ideal: DeviceBuffer<f64>,
    worst: DeviceBuffer<f64>,
    extremes: DeviceBuffer<f64>,
    nadir: DeviceBuffer<f64>,
    zeros_f64: DeviceBuffer<f64>,
    zeros_u32: DeviceBuffer<u32>,
    iota: DeviceBuffer<u32>,
    scratch: DeviceBuffer<f64>,
    keys: DeviceBuffer<u64>,
    nfeas: DeviceBuffer<u32>,
}

impl<'d> DeviceNsga3<'d> {
    /// NSGA-III on `dev` for `problem` (its device twin `device_problem`: same sizes) with
    /// reference directions `refs` (row-major) and `pop_size` individuals: evaluates the
    /// initial population and selects from it (generation 1), as the first `ask`/`tell` of
    /// [`crate::moo::Nsga3`].
    pub fn new<P: Problem + ?Sized>(
        dev: &'d CudaDevice,
        problem: &P,
        device_problem: DeviceProblem,
        refs: Vec<f64>,
        pop_size: usize,
        seed: u64,
    ) -> Result<Self> {
        const OP: &str = "DeviceNsga3::new";
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
        check_refs(OP, &refs, m)?;
        let n_ref = refs.len() / m;
        // The unit directions exactly as `moo::nsga3::associate` computes them.
        let units: Vec<f64> = refs
            .chunks_exact(m)
            .flat_map(|w| {
                let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
                w.iter().map(move |v| v / norm)
            })
            .collect();
        let (lo, hi) = (problem.bounds().lower(), problem.bounds().upper());
        let max_rows = 2 * pop_size;
        let iota: Vec<u32> = (0..to_u32(OP, "rows", max_rows)?).collect();
        let t = NORMALISE_THREADS as usize;
        let mut s = DeviceNsga3 {
            dev,
            problem: device_problem,
            variation: Variation::default(),
            seed,
            pop_size,
            n_ref,
            generation: 0,
            rows: 0,
            have_extremes: false,
            x: dev.zeros(1)?,
            f: dev.zeros(1)?,
            lower: dev.htod(lo)?,
            upper: dev.htod(hi)?,
            units: dev.htod(&units)?,
            ideal: dev.htod(&vec![f64::INFINITY; m])?,
            worst: dev.htod(&vec![f64::NEG_INFINITY; m])?,
            extremes: dev.zeros(m * m)?,
            nadir: dev.zeros(m)?,
            zeros_f64: dev.zeros(max_rows)?,
            zeros_u32: dev.zeros(max_rows)?,
            iota: dev.htod(&iota)?,
            scratch: dev.zeros(4 * t * m + 2 * m * (m + 1) + m * m)?,
            keys: dev.zeros(t * m)?,
            nfeas: dev.zeros(t + 1)?,
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

    /// One generation (`ask` and `tell`), all on the device.
    pub fn step(&mut self) -> Result<()> {
        let m = self.problem.n_obj();
        let g = self.generation + 1;
        let n_pairs = self.pop_size.div_ceil(2);
        // NSGA-III's mating: a tournament on violation (all zero here), ties at random.
        let (a, b) = self.dev.binary_tournament_device(
            &self.zeros_f64,
            &self.zeros_u32,
            &self.zeros_f64,
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

    /// NSGA-III's survival of `pop_size` rows from the `n` merged rows `f` (current
    /// population first, then the offspring `kids_x`), and the commit.
    fn survive(&mut self, f: DeviceBuffer<f64>, n: usize, kids_x: DeviceBuffer<f64>) -> Result<()> {
        const OP: &str = "DeviceNsga3::survive";
        let dev = self.dev;
        let (nv, m) = (self.problem.n_var(), self.problem.n_obj());
        let (n32, m32) = (to_u32(OP, "rows", n)?, to_u32(OP, "n_obj", m)?);
        let keep = self.pop_size.min(n);
        let keep32 = to_u32(OP, "pop_size", keep)?;
        let nref32 = to_u32(OP, "directions", self.n_ref)?;
        let rank = dev.nondominated_sort_device(&f, m)?;
        let chosen = dev.zeros::<u32>(keep)?;
        let last = dev.zeros::<u32>(n)?;
        let counts = dev.zeros::<u32>(2)?;
        let hist = dev.zeros::<u32>(n + 1)?;
        // SAFETY (every launch below): each argument list is the kernel's own; f holds n·m
        // values, rank, last, niche and dist n, chosen `keep`, hist n + 1, the zero buffers
        // 2·pop_size ≥ n, ideal/worst/nadir m, extremes m², units n_ref·m, count n_ref, the
        // normalisation scratch sized for NORMALISE_THREADS, the niching scratch
        // 3·n_ref + 1 + n; every index a kernel reads was written by the kernel before it.
        unsafe {
            dev.launch(
                KernelId::Nsga3SplitU32,
                LaunchDims::single_block(1),
                &[
                    rank.arg(),
                    KernelArg::U32(n32),
                    KernelArg::U32(keep32),
                    chosen.arg(),
                    last.arg(),
                    counts.arg(),
                    hist.arg(),
                ],
            )?;
            dev.launch(
                KernelId::Nsga3NormaliseF64,
                LaunchDims::single_block(NORMALISE_THREADS),
                &[
                    f.arg(),
                    self.zeros_f64.arg(),
                    rank.arg(),
                    KernelArg::U32(n32),
                    KernelArg::U32(m32),
                    self.ideal.arg(),
                    self.worst.arg(),
                    self.extremes.arg(),
                    KernelArg::U32(if self.have_extremes { m32 } else { 0 }),
                    self.nadir.arg(),
                    self.scratch.arg(),
                    self.keys.arg(),
                    self.nfeas.arg(),
                ],
            )?;
        }
        self.have_extremes = true;
        // The one transfer of a generation: the sizes of the kept fronts and the last one.
        let sizes = dev.dtoh(&counts)?;
        let (n_chosen, n_last) = (sizes[0] as usize, sizes[1] as usize);
        if n_chosen < keep && n_last > 0 {
            let niche = dev.zeros::<u32>(n)?;
            let dist = dev.zeros::<f64>(n)?;
            let count = dev.zeros::<u32>(self.n_ref)?;
            let scratch = dev.zeros::<u32>(3 * self.n_ref + 1 + n)?;
            unsafe {
                dev.launch(
                    KernelId::Nsga3AssociateF64,
                    LaunchDims::linear(OP, n)?,
                    &[
                        f.arg(),
                        KernelArg::U32(n32),
                        KernelArg::U32(m32),
                        self.units.arg(),
                        KernelArg::U32(nref32),
                        self.ideal.arg(),
                        self.nadir.arg(),
                        niche.arg(),
                        dist.arg(),
                    ],
                )?;
                dev.launch(
                    KernelId::Nsga3CountU32,
                    LaunchDims::single_block(1),
                    &[
                        chosen.arg(),
                        KernelArg::U32(n_chosen as u32),
                        niche.arg(),
                        KernelArg::U32(nref32),
                        count.arg(),
                    ],
                )?;
                dev.launch(
                    KernelId::Nsga3NichingU32,
                    LaunchDims::single_block(1),
                    &[
                        last.arg(),
                        KernelArg::U32(n_last as u32),
                        niche.arg(),
                        dist.arg(),
                        count.arg(),
                        KernelArg::U32(nref32),
                        KernelArg::U32((keep - n_chosen) as u32),
                        KernelArg::U64(self.seed),
                        KernelArg::U64(purpose_hash("niching")),
                        KernelArg::U64(self.generation + 1),
                        chosen.arg(),
                        KernelArg::U32(n_chosen as u32),
                        scratch.arg(),
                    ],
                )?;
            }
        }
        self.x = dev.gather_rows_device(&self.x, self.rows, &kids_x, nv, &chosen, keep)?;
        self.f = dev.gather_rows_device(&f, n, &f, m, &chosen, keep)?;
        self.rows = keep;
        self.generation += 1;
        Ok(())
    }
}
