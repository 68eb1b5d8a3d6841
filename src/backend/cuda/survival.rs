//! Host code of the `survival` kernels: mating on the device (random mating as RVEA draws it,
//! binary tournaments as NSGA-II/III draw them) and the row gather that builds parents ∪
//! offspring and commits the survivors, all bit-identical to their CPU twins
//! ([`crate::moo::operators::random_mating`], [`crate::moo::operators::binary_tournament`],
//! `Core::merge`/`Core::commit`).
//!
//! The candidates are whole random permutations of the population (stream
//! `(purpose, generation, p)` for permutation `p`), one device thread per permutation: the
//! Fisher–Yates shuffle is sequential, so for one population-sized permutation this is a
//! single thread's O(n) work, the CPU's own cost.

use super::kernels::KernelId;
use super::scan::ScanKernels;
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::error::{check_len, Error, Result};
use crate::rng::purpose_hash;

/// Threads per block of `permutations_u32` (one block per permutation).
const PERM_THREADS: u32 = 32;
/// Permutation length from which the swaps are replaced by the parallel chain kernels
/// (`PERM_CHAIN_MIN` in `kernels/survival.cu`, which must agree).
const PERM_CHAIN_MIN: usize = 2048;

impl CudaDevice {
    /// `count` draws as consecutive permutations of `0..n` (the CPU's `permutation_draws`),
    /// in a device buffer of `⌈count / n⌉ · n ≥ count` entries.
    fn permutation_draws(
        &self,
        op: &'static str,
        n: usize,
        count: usize,
        seed: u64,
        purpose: &str,
        generation: u64,
    ) -> Result<DeviceBuffer<u32>> {
        let n_perm = count.div_ceil(n).max(1);
        let out = self.zeros::<u32>(n_perm * n)?;
        let targets = self.zeros::<u32>(n_perm * n)?;
        let rejected = self.zeros::<u32>(n_perm)?;
        let (n32, n_perm32) = (
            to_u32(op, "population", n)?,
            to_u32(op, "permutations", n_perm)?,
        );
        let head = [
            KernelArg::U64(seed),
            KernelArg::U64(purpose_hash(purpose)),
            KernelArg::U64(generation),
            KernelArg::U32(n32),
            KernelArg::U32(n_perm32),
        ];
        // One thread per cipher block (eight Fisher–Yates steps) of each permutation.
        let target_threads = n_perm * (n.saturating_sub(1)).div_ceil(8);
        if target_threads > 0 {
            let args: Vec<KernelArg<'_>> = head
                .iter()
                .copied()
                .chain([targets.arg(), rejected.arg()])
                .collect();
            // SAFETY: shuffle_targets_u32's parameter list; targets holds n_perm · n entries,
            // rejected n_perm.
            unsafe {
                self.launch(
                    KernelId::ShuffleTargetsU32,
                    LaunchDims::linear(op, target_threads)?,
                    &args,
                )?
            };
        }
        if n >= PERM_CHAIN_MIN {
            self.follow_swap_chains(op, n, n_perm, &targets, &rejected, &out)?;
        }
        let args: Vec<KernelArg<'_>> = head
            .iter()
            .copied()
            .chain([targets.arg(), rejected.arg(), out.arg()])
            .collect();
        // One block per permutation, for the short ones (a serial chain of swaps on one
        // thread in the block's shared memory; the block fills and copies it) and for any
        // with a rejected draw (redrawn from its stream); the others return at once.
        let dims = LaunchDims {
            grid: (n_perm32, 1, 1),
            block: (PERM_THREADS, 1, 1),
            shared_bytes: 0,
        };
        // SAFETY: permutations_u32's parameter list; out and targets hold n_perm · n entries
        // (targets written above for n ≥ 2), rejected n_perm.
        unsafe { self.launch(KernelId::PermutationsU32, dims, &args)? };
        Ok(out)
    }

    /// The Fisher–Yates permutations of length `n ≥ PERM_CHAIN_MIN` from their swap targets
    /// without the serial chain (`kernels/survival.cu`, `perm_*_u32`): the steps bucketed by
    /// target, each bucket sorted, then one thread per entry following its chain. Writes
    /// `out`, except permutations with a rejected draw.
    fn follow_swap_chains(
        &self,
        op: &'static str,
        n: usize,
        n_perm: usize,
        targets: &DeviceBuffer<u32>,
        rejected: &DeviceBuffer<u32>,
        out: &DeviceBuffer<u32>,
    ) -> Result<()> {
        let len = n_perm * n;
        let (n_a, p_a) = (
            KernelArg::U32(to_u32(op, "population", n)?),
            KernelArg::U32(n_perm as u32),
        );
        let counts = self.zeros::<u32>(len)?;
        let fill = self.zeros::<u32>(len)?;
        let bucket = self.zeros::<u32>(len)?;
        let steps = LaunchDims::linear(op, n_perm * (n - 1))?;
        let entries = LaunchDims::linear(op, len)?;
        // SAFETY: perm_count_u32's argument list; targets and counts hold n_perm · n entries,
        // rejected n_perm.
        unsafe {
            self.launch(
                KernelId::PermCountU32,
                steps,
                &[targets.arg(), rejected.arg(), n_a, p_a, counts.arg()],
            )?
        };
        let scan = ScanKernels {
            range_sums: KernelId::PermRangeSumsU32,
            range_offsets: KernelId::PermRangeOffsetsU32,
            prefix_offsets: KernelId::PermPrefixOffsetsU32,
        };
        let offsets = self.exclusive_prefix_sums(op, scan, &counts, len)?;
        // SAFETY (every launch): the argument lists are the kernels' own; targets, counts,
        // offsets, fill, bucket and out hold n_perm · n entries (bucket receives the
        // n_perm · (n − 1) steps), rejected n_perm.
        unsafe {
            self.launch(
                KernelId::PermScatterU32,
                steps,
                &[
                    targets.arg(),
                    rejected.arg(),
                    n_a,
                    p_a,
                    offsets.arg(),
                    fill.arg(),
                    bucket.arg(),
                ],
            )?;
            self.launch(
                KernelId::PermSortBucketsU32,
                entries,
                &[
                    counts.arg(),
                    offsets.arg(),
                    KernelArg::U64(len as u64),
                    bucket.arg(),
                ],
            )?;
            self.launch(
                KernelId::PermFollowU32,
                entries,
                &[
                    targets.arg(),
                    rejected.arg(),
                    counts.arg(),
                    offsets.arg(),
                    bucket.arg(),
                    n_a,
                    p_a,
                    out.arg(),
                ],
            )?;
        }
        Ok(())
    }

    /// [`crate::moo::operators::random_mating`] on the device: the pair columns `(a, b)` as
    /// device buffers of `n_pairs` rows each (at least one entry).
    pub fn random_mating_device(
        &self,
        n: usize,
        n_pairs: usize,
        seed: u64,
        generation: u64,
    ) -> Result<(DeviceBuffer<u32>, DeviceBuffer<u32>)> {
        const OP: &str = "CudaDevice::random_mating";
        if n == 0 {
            return Err(Error::Empty {
                op: OP,
                what: "population",
            });
        }
        let draws = self.permutation_draws(OP, n, 2 * n_pairs, seed, "mating", generation)?;
        let (a, b) = (
            self.zeros::<u32>(n_pairs.max(1))?,
            self.zeros::<u32>(n_pairs.max(1))?,
        );
        if n_pairs > 0 {
            let args = [
                draws.arg(),
                KernelArg::U32(to_u32(OP, "pairs", n_pairs)?),
                a.arg(),
                b.arg(),
            ];
            // SAFETY: pairs_split_u32's parameter list; draws ≥ 2·n_pairs, a and b n_pairs.
            unsafe {
                self.launch(
                    KernelId::PairsSplitU32,
                    LaunchDims::linear(OP, n_pairs)?,
                    &args,
                )?
            };
        }
        Ok((a, b))
    }

    /// [`crate::moo::operators::random_mating`] on the device, pairs copied back.
    pub fn random_mating(
        &self,
        n: usize,
        n_pairs: usize,
        seed: u64,
        generation: u64,
    ) -> Result<Vec<(usize, usize)>> {
        let (a, b) = self.random_mating_device(n, n_pairs, seed, generation)?;
        Ok(zip_pairs(&self.dtoh(&a)?, &self.dtoh(&b)?, n_pairs))
    }

    /// [`crate::moo::operators::binary_tournament`] on the device from device copies of the
    /// violations, ranks and crowding of the `n` rows: the pair columns `(a, b)` as device
    /// buffers of `n_pairs` rows each (at least one entry).
    #[allow(clippy::too_many_arguments)]
    pub fn binary_tournament_device(
        &self,
        cv: &DeviceBuffer<f64>,
        rank: &DeviceBuffer<u32>,
        crowd: &DeviceBuffer<f64>,
        n: usize,
        n_pairs: usize,
        seed: u64,
        generation: u64,
    ) -> Result<(DeviceBuffer<u32>, DeviceBuffer<u32>)> {
        const OP: &str = "CudaDevice::binary_tournament";
        if n == 0 {
            return Err(Error::Empty {
                op: OP,
                what: "population",
            });
        }
        for (what, len) in [
            ("cv.len()", cv.len()),
            ("rank.len()", rank.len()),
            ("crowd.len()", crowd.len()),
        ] {
            if len < n {
                return Err(Error::Shape {
                    op: OP,
                    what: format!("{what} (at least the population)"),
                    expected: n,
                    got: len,
                });
            }
        }
        let (a, b) = (
            self.zeros::<u32>(n_pairs.max(1))?,
            self.zeros::<u32>(n_pairs.max(1))?,
        );
        if n_pairs == 0 {
            return Ok((a, b));
        }
        let draws = self.permutation_draws(OP, n, 4 * n_pairs, seed, "tournament", generation)?;
        let args = [
            draws.arg(),
            cv.arg(),
            rank.arg(),
            crowd.arg(),
            KernelArg::U32(to_u32(OP, "pairs", n_pairs)?),
            KernelArg::U64(seed),
            KernelArg::U64(purpose_hash("tournament-tie")),
            KernelArg::U64(generation),
            a.arg(),
            b.arg(),
        ];
        // SAFETY: tournament_pairs_u32's parameter list; draws ≥ 4·n_pairs entries < n, cv,
        // rank, crowd ≥ n values (checked), a and b n_pairs.
        unsafe {
            self.launch(
                KernelId::TournamentPairsU32,
                LaunchDims::linear(OP, n_pairs)?,
                &args,
            )?
        };
        Ok((a, b))
    }

    /// [`crate::moo::operators::binary_tournament`] on the device.
    pub fn binary_tournament(
        &self,
        cv: &[f64],
        rank: &[usize],
        crowd: &[f64],
        n_pairs: usize,
        seed: u64,
        generation: u64,
    ) -> Result<Vec<(usize, usize)>> {
        const OP: &str = "CudaDevice::binary_tournament";
        let n = cv.len();
        if n == 0 {
            return Err(Error::Empty {
                op: OP,
                what: "population",
            });
        }
        check_len(OP, "rank.len()", n, rank.len())?;
        check_len(OP, "crowd.len()", n, crowd.len())?;
        if n_pairs == 0 {
            return Ok(Vec::new());
        }
        // Ranks beyond u32 cannot occur for populations the kernels index with u32.
        let ranks: Vec<u32> = rank
            .iter()
            .map(|&r| r.min(u32::MAX as usize) as u32)
            .collect();
        let (cd, rd, wd) = (self.htod(cv)?, self.htod(&ranks)?, self.htod(crowd)?);
        let (a, b) = self.binary_tournament_device(&cd, &rd, &wd, n, n_pairs, seed, generation)?;
        Ok(zip_pairs(&self.dtoh(&a)?, &self.dtoh(&b)?, n_pairs))
    }

    /// Rows `idx[..n_idx]` of the stacked matrix `[a; b]` (both `cols` wide; `a` holds `n_a`
    /// rows) as a new device buffer of `n_idx × cols` values (at least one). The indices must
    /// address rows of `[a; b]`: they are device data, so this cannot check them.
    pub(crate) fn gather_rows_device(
        &self,
        a: &DeviceBuffer<f64>,
        n_a: usize,
        b: &DeviceBuffer<f64>,
        cols: usize,
        idx: &DeviceBuffer<u32>,
        n_idx: usize,
    ) -> Result<DeviceBuffer<f64>> {
        const OP: &str = "CudaDevice::gather_rows";
        if cols == 0 {
            return Err(Error::config("cols", "must be at least 1"));
        }
        if idx.len() < n_idx {
            return Err(Error::Shape {
                op: OP,
                what: "idx.len()".into(),
                expected: n_idx,
                got: idx.len(),
            });
        }
        if a.len() < n_a * cols {
            return Err(Error::Shape {
                op: OP,
                what: "a.len()".into(),
                expected: n_a * cols,
                got: a.len(),
            });
        }
        let out = self.zeros::<f64>((n_idx * cols).max(1))?;
        if n_idx == 0 {
            return Ok(out);
        }
        let args = [
            a.arg(),
            KernelArg::U32(to_u32(OP, "rows of a", n_a)?),
            b.arg(),
            idx.arg(),
            KernelArg::U32(to_u32(OP, "rows", n_idx)?),
            KernelArg::U32(to_u32(OP, "cols", cols)?),
            out.arg(),
        ];
        // SAFETY: gather_rows_f64's parameter list; the caller's indices address rows of
        // [a; b] (gather_rows checks them on the host).
        unsafe {
            self.launch(
                KernelId::GatherRowsF64,
                LaunchDims::linear(OP, n_idx * cols)?,
                &args,
            )?
        };
        Ok(out)
    }

    /// Rows `idx` of the stacked matrix `[a; b]` (row-major, `cols` wide), on the device.
    pub fn gather_rows(
        &self,
        a: &[f64],
        b: &[f64],
        cols: usize,
        idx: &[usize],
    ) -> Result<Vec<f64>> {
        const OP: &str = "CudaDevice::gather_rows";
        if cols == 0 {
            return Err(Error::config("cols", "must be at least 1"));
        }
        for (what, m) in [("a.len()", a), ("b.len()", b)] {
            if m.len() % cols != 0 {
                return Err(Error::Shape {
                    op: OP,
                    what: format!("{what} (a multiple of cols = {cols})"),
                    expected: m.len() / cols * cols,
                    got: m.len(),
                });
            }
        }
        let rows = (a.len() + b.len()) / cols;
        if let Some(&i) = idx.iter().find(|&&i| i >= rows) {
            return Err(Error::Shape {
                op: OP,
                what: "row index (must be < rows of [a; b])".into(),
                expected: rows,
                got: i,
            });
        }
        if idx.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<u32> = idx.iter().map(|&i| i as u32).collect();
        // Empty halves still need a buffer to point at.
        let pad = |m: &[f64]| if m.is_empty() { vec![0.0] } else { m.to_vec() };
        let (ad, bd, id) = (self.htod(&pad(a))?, self.htod(&pad(b))?, self.htod(&ids)?);
        let n_a = a.len() / cols;
        let out = self.zeros::<f64>(idx.len() * cols)?;
        let args = [
            ad.arg(),
            KernelArg::U32(to_u32(OP, "rows of a", n_a)?),
            bd.arg(),
            id.arg(),
            KernelArg::U32(to_u32(OP, "rows", idx.len())?),
            KernelArg::U32(to_u32(OP, "cols", cols)?),
            out.arg(),
        ];
        // SAFETY: gather_rows_f64's parameter list; every index < rows of [a; b] (checked).
        unsafe {
            self.launch(
                KernelId::GatherRowsF64,
                LaunchDims::linear(OP, idx.len() * cols)?,
                &args,
            )?
        };
        self.dtoh(&out)
    }
}

fn zip_pairs(a: &[u32], b: &[u32], n_pairs: usize) -> Vec<(usize, usize)> {
    a.iter()
        .zip(b)
        .take(n_pairs)
        .map(|(&x, &y)| (x as usize, y as usize))
        .collect()
}
