//! Variation and mating operators on row-major population matrices.
//!
//! Every operator draws from named streams, one per offspring pair or individual:
//! `rng::stream(seed, purpose, generation, index)` with purposes `"sbx"`, `"mutation"`,
//! `"tournament"` and `"mating"`. Each operator consumes a *fixed* number of draws per
//! variable, so a GPU twin can index the stream directly. Powers use
//! [`crate::math::pow_f64`] (never `f64::powf`) so offspring are reproducible bit for bit on
//! every backend. The powers of SBX and polynomial mutation are batched: the variables that
//! need one are packed (per chunk of a pair in SBX, across rows in polynomial mutation, which
//! changes about one variable per row) and raised on the math lanes (each lane bit-identical
//! to `pow_f64`), while draws and all other arithmetic keep the per-variable operations. On
//! AVX-512 CPUs the whole of SBX and the scan of polynomial mutation run eight variables at a
//! time (`variation_avx512.rs`) with the same operations per variable. So offspring do not
//! depend on the CPU, the lane width or the thread count.
//!
//! SBX and polynomial mutation follow Deb & Agrawal (1995) and Deb & Goyal (1996) in the
//! bounds-aware form of pymoo 0.6 (`cross_sbx`, `mut_pm`).
//!
//! ```
//! use pareto_sciml::moo::operators::{polynomial_mutation, sbx, Variation};
//! let (lo, hi) = (vec![0.0; 3], vec![1.0; 3]);
//! let parents = vec![0.1, 0.5, 0.9, 0.8, 0.2, 0.4];
//! let v = Variation::default();
//! let mut kids = sbx(&parents, &[(0, 1)], &lo, &hi, &v, 42, 1).unwrap();
//! polynomial_mutation(&mut kids, &lo, &hi, &v, 42, 1, 0).unwrap();
//! assert!(kids.iter().all(|x| (0.0..=1.0).contains(x)));
//! ```

use crate::error::{check_finite, check_len, Error, Result};
use crate::rng::{stream, WordDraws};

/// SBX / polynomial-mutation parameters (DESIGN §5 defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variation {
    /// SBX distribution index η_c (default 20).
    pub eta_c: f64,
    /// Probability that a pair is crossed at all (default 1).
    pub p_c: f64,
    /// Per-variable crossover probability within a crossed pair (default 0.5).
    pub p_var: f64,
    /// Probability of exchanging the two children's values of a variable (default 0.5).
    pub p_swap: f64,
    /// Polynomial-mutation distribution index η_m (default 20).
    pub eta_m: f64,
    /// Per-variable mutation probability; `None` means 1 / n_var (default).
    pub p_m: Option<f64>,
}

impl Default for Variation {
    fn default() -> Self {
        Variation {
            eta_c: 20.0,
            p_c: 1.0,
            p_var: 0.5,
            p_swap: 0.5,
            eta_m: 20.0,
            p_m: None,
        }
    }
}

impl Variation {
    /// Checks that indices are positive and finite and probabilities lie in [0, 1].
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [("eta_c", self.eta_c), ("eta_m", self.eta_m)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::config(
                    name,
                    format!("{v} is not a finite value >= 0"),
                ));
            }
        }
        let probs = [
            ("p_c", Some(self.p_c)),
            ("p_var", Some(self.p_var)),
            ("p_swap", Some(self.p_swap)),
            ("p_m", self.p_m),
        ];
        for (name, p) in probs {
            if let Some(p) = p {
                if !(0.0..=1.0).contains(&p) {
                    return Err(Error::config(name, format!("{p} is not a probability")));
                }
            }
        }
        Ok(())
    }
}

/// Rows of a population `x` with `n_var = lower.len()` columns; the shape checks every
/// operator (and its GPU twin) applies to its input.
pub(crate) fn check_shape(
    op: &'static str,
    x: &[f64],
    lower: &[f64],
    upper: &[f64],
) -> Result<usize> {
    let n_var = lower.len();
    if n_var == 0 {
        return Err(Error::Empty {
            op,
            what: "decision variables",
        });
    }
    check_len(op, "upper.len()", n_var, upper.len())?;
    if x.len() % n_var != 0 {
        return Err(Error::Shape {
            op,
            what: format!("population length (a multiple of n_var = {n_var})"),
            expected: x.len() / n_var * n_var,
            got: x.len(),
        });
    }
    Ok(x.len() / n_var)
}

/// [`check_shape`] and every value finite: the checks every operator (and its GPU twin)
/// applies to its input.
pub(crate) fn check_pop(
    op: &'static str,
    x: &[f64],
    lower: &[f64],
    upper: &[f64],
) -> Result<usize> {
    let n = check_shape(op, x, lower, upper)?;
    check_finite(op, "population", x)?;
    Ok(n)
}

/// Variables handled per batch of [`sbx_pair_in_place`]: its packed buffers live on the
/// stack, and 64 variables give the lanes enough work per call.
pub(super) const SBX_CHUNK: usize = 64;

/// Crosses one pair in place (`a`, `b` are the two children, initialised to the parents).
/// Draws: one uniform for the pair, then three per variable (cross?, spread, swap?): the
/// first [`sbx_words`] words of the pair's stream.
///
/// The four powers of a crossed variable (the bound ratios β₁, β₂ raised to −(η+1), then the
/// two spread bases to 1/(η+1)) are batched: the crossed variables of a chunk are packed,
/// each power runs over the packed slice on the math lanes, and the rest of every variable's
/// arithmetic runs in scalar in the original order. Every value is therefore the same as
/// computing variable by variable (`betaq` of Deb & Agrawal in pymoo's bounds-aware form:
/// `α = 2 − β^−(η+1)`, `β_q = (uα)^(1/(η+1))` if `u ≤ 1/α`, else `(1/(2 − uα))^(1/(η+1))`).
#[inline]
pub(super) fn sbx_pair_in_place(
    a: &mut [f64],
    b: &mut [f64],
    lo: &[f64],
    hi: &[f64],
    v: &Variation,
    s: &mut WordDraws,
) {
    let pair_crosses = s.uniform_f64() < v.p_c;
    let (neg_exp, inv_exp) = (-(v.eta_c + 1.0), 1.0 / (v.eta_c + 1.0));
    let mut idx = [0usize; SBX_CHUNK];
    let mut u_spread = [0.0; SBX_CHUNK];
    let mut swap = [false; SBX_CHUNK];
    let mut p1 = [0.0; SBX_CHUNK];
    let mut p2 = [0.0; SBX_CHUNK];
    for start in (0..a.len()).step_by(SBX_CHUNK) {
        let end = (start + SBX_CHUNK).min(a.len());
        // The chunk's draws in stream order: (cross?, spread, swap?) per variable.
        let mut draws = [0.0; 3 * SBX_CHUNK];
        s.fill_uniform_f64(&mut draws[..3 * (end - start)]);
        let mut n = 0;
        for j in start..end {
            let d = &draws[3 * (j - start)..3 * (j - start) + 3];
            let (u_cross, u_s, u_swap) = (d[0], d[1], d[2]);
            let (x1, x2) = (a[j], b[j]);
            // Identical parents or a fixed variable: SBX has no spread to sample (pymoo's eps).
            if !pair_crosses || u_cross >= v.p_var || (x1 - x2).abs() <= 1e-14 || lo[j] >= hi[j] {
                continue;
            }
            let (y1, y2) = if x1 < x2 { (x1, x2) } else { (x2, x1) };
            let delta = y2 - y1;
            idx[n] = j;
            u_spread[n] = u_s;
            swap[n] = u_swap < v.p_swap;
            p1[n] = 1.0 + 2.0 * (y1 - lo[j]) / delta;
            p2[n] = 1.0 + 2.0 * (hi[j] - y2) / delta;
            n += 1;
        }
        if n == 0 {
            continue;
        }
        crate::moo::lanes::pow_in_place(&mut p1[..n], neg_exp);
        crate::moo::lanes::pow_in_place(&mut p2[..n], neg_exp);
        for k in 0..n {
            let u = u_spread[k];
            for p in [&mut p1[k], &mut p2[k]] {
                let alpha = 2.0 - *p;
                *p = if u <= 1.0 / alpha {
                    u * alpha
                } else {
                    1.0 / (2.0 - u * alpha)
                };
            }
        }
        crate::moo::lanes::pow_in_place(&mut p1[..n], inv_exp);
        crate::moo::lanes::pow_in_place(&mut p2[..n], inv_exp);
        for k in 0..n {
            let j = idx[k];
            let (x1, x2) = (a[j], b[j]);
            let (y1, y2) = if x1 < x2 { (x1, x2) } else { (x2, x1) };
            let delta = y2 - y1;
            let mut c1 = 0.5 * ((y1 + y2) - p1[k] * delta);
            let mut c2 = 0.5 * ((y1 + y2) + p2[k] * delta);
            if swap[k] {
                std::mem::swap(&mut c1, &mut c2);
            }
            a[j] = c1.clamp(lo[j], hi[j]);
            b[j] = c2.clamp(lo[j], hi[j]);
        }
    }
}

/// Words SBX draws from each pair's stream: one uniform (two words) for the pair, three per
/// variable.
fn sbx_words(n_var: usize) -> usize {
    2 + 6 * n_var
}

/// Words polynomial mutation draws from each row's stream: two uniforms per variable.
fn mutation_words(n_var: usize) -> usize {
    4 * n_var
}

/// Calls `f(i, words)` for `i in 0..rows` with the first `words_per_row` words of the stream
/// `(seed, purpose, generation, first + i)`. The words of a group of rows are computed
/// together ([`crate::rng::stream_prefixes`]: only the blocks they need, in full batches);
/// the groups hold about 8192 words, and the words do not depend on the grouping.
fn for_each_row_words(
    seed: u64,
    purpose: &str,
    generation: u64,
    first: u64,
    rows: usize,
    words_per_row: usize,
    mut f: impl FnMut(usize, &[u32]),
) {
    const GROUP_WORDS: usize = 8192;
    const MAX_GROUP: usize = 64;
    let group = (GROUP_WORDS / words_per_row.max(1)).clamp(1, MAX_GROUP);
    let mut buf = vec![0u32; group.min(rows) * words_per_row];
    let mut keys = [[0u32; 8]; MAX_GROUP];
    for g0 in (0..rows).step_by(group) {
        let m = group.min(rows - g0);
        for (i, k) in keys[..m].iter_mut().enumerate() {
            *k = crate::rng::stream_key_words(seed, purpose, generation, first + (g0 + i) as u64);
        }
        let words = &mut buf[..m * words_per_row];
        crate::rng::stream_prefixes(&keys[..m], words_per_row, words);
        for (i, w) in words.chunks_exact(words_per_row).enumerate() {
            f(g0 + i, w);
        }
    }
}

/// Simulated binary crossover of the parent pairs `pairs` (row indices into `parents`),
/// giving `2 · pairs.len()` children (pair `k` gives rows `2k`, `2k+1`), drawn from the stream
/// `("sbx", generation, k)`. Children are clamped into `[lower, upper]`.
pub fn sbx(
    parents: &[f64],
    pairs: &[(usize, usize)],
    lower: &[f64],
    upper: &[f64],
    v: &Variation,
    seed: u64,
    generation: u64,
) -> Result<Vec<f64>> {
    sbx_threaded(parents, pairs, lower, upper, v, seed, generation, 1)
}

/// [`sbx`] on up to `threads` threads (0 = all cores); bit-identical for any thread count
/// because pair `k` only ever reads its own stream.
#[allow(clippy::too_many_arguments)]
pub fn sbx_threaded(
    parents: &[f64],
    pairs: &[(usize, usize)],
    lower: &[f64],
    upper: &[f64],
    v: &Variation,
    seed: u64,
    generation: u64,
    threads: usize,
) -> Result<Vec<f64>> {
    let mut out = Vec::new();
    sbx_into(
        &mut out, parents, pairs, lower, upper, v, seed, generation, threads,
    )?;
    Ok(out)
}

/// The AVX-512 SBX of `variation_avx512` where this build and CPU have it, with its scratch
/// buffers (one per thread block).
struct SbxLanes {
    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
    scratch: Option<super::variation_avx512::SbxScratch>,
}

impl SbxLanes {
    fn new() -> Self {
        SbxLanes {
            #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
            scratch: super::variation_avx512::available()
                .then(super::variation_avx512::SbxScratch::new),
        }
    }

    /// Crosses the pair on the lanes into `a`, `b`; false (nothing written) without them.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn cross(
        &mut self,
        pa: &[f64],
        pb: &[f64],
        a: &mut [f64],
        b: &mut [f64],
        lower: &[f64],
        upper: &[f64],
        v: &Variation,
        words: &[u32],
    ) -> bool {
        #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
        if let Some(scratch) = &mut self.scratch {
            // SAFETY: the scratch exists only where `available` found AVX-512F.
            unsafe {
                super::variation_avx512::sbx_pair(pa, pb, a, b, lower, upper, v, words, scratch)
            };
            return true;
        }
        let _ = (pa, pb, a, b, lower, upper, v, words);
        false
    }
}

/// [`sbx_threaded`] into `out` (resized to the children's length), so that a generation can
/// reuse the previous one's allocation.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sbx_into(
    out: &mut Vec<f64>,
    parents: &[f64],
    pairs: &[(usize, usize)],
    lower: &[f64],
    upper: &[f64],
    v: &Variation,
    seed: u64,
    generation: u64,
    threads: usize,
) -> Result<()> {
    v.validate()?;
    let n = check_pop("sbx", parents, lower, upper)?;
    let n_var = lower.len();
    if let Some(&(a, b)) = pairs.iter().find(|&&(a, b)| a >= n || b >= n) {
        return Err(Error::Shape {
            op: "sbx",
            what: "parent index (must be < population size)".into(),
            expected: n,
            got: a.max(b),
        });
    }
    // Every element is overwritten below; on a reused allocation this writes nothing.
    out.resize(2 * pairs.len() * n_var, 0.0);
    if out.is_empty() {
        return Ok(());
    }
    let row = 2 * n_var;
    crate::parallel::fill_row_blocks(out, row, threads, |first, kids| {
        let rows = kids.len() / row;
        let mut lanes = SbxLanes::new();
        for_each_row_words(
            seed,
            "sbx",
            generation,
            first as u64,
            rows,
            sbx_words(n_var),
            |i, w| {
                let (pa, pb) = pairs[first + i];
                let (a, b) = kids[i * row..(i + 1) * row].split_at_mut(n_var);
                let pa = &parents[pa * n_var..(pa + 1) * n_var];
                let pb = &parents[pb * n_var..(pb + 1) * n_var];
                if !lanes.cross(pa, pb, a, b, lower, upper, v, w) {
                    a.copy_from_slice(pa);
                    b.copy_from_slice(pb);
                    sbx_pair_in_place(a, b, lower, upper, v, &mut WordDraws::new(w));
                }
            },
        );
    });
    Ok(())
}

/// Polynomial mutation in place of every row of `x`; row `i` draws from the stream
/// `("mutation", generation, first_index + i)`, two uniforms per variable.
pub fn polynomial_mutation(
    x: &mut [f64],
    lower: &[f64],
    upper: &[f64],
    v: &Variation,
    seed: u64,
    generation: u64,
    first_index: u64,
) -> Result<()> {
    polynomial_mutation_threaded(x, lower, upper, v, seed, generation, first_index, 1)
}

/// [`polynomial_mutation`] on up to `threads` threads (0 = all cores); bit-identical for any
/// thread count because row `i` only ever reads its own stream.
#[allow(clippy::too_many_arguments)]
pub fn polynomial_mutation_threaded(
    x: &mut [f64],
    lower: &[f64],
    upper: &[f64],
    v: &Variation,
    seed: u64,
    generation: u64,
    first_index: u64,
    threads: usize,
) -> Result<()> {
    v.validate()?;
    check_pop("polynomial_mutation", x, lower, upper)?;
    mutate_rows(x, lower, upper, v, seed, generation, first_index, threads);
    Ok(())
}

/// [`polynomial_mutation_threaded`] without the scan of `x` for non-finite values: for
/// children SBX has just made from checked parents (the scan of 6.5 MB at pop 8192 × 100
/// variables ran on one thread while the other waited). Shapes are still checked.
#[allow(clippy::too_many_arguments)]
pub(crate) fn mutate_offspring(
    x: &mut [f64],
    lower: &[f64],
    upper: &[f64],
    v: &Variation,
    seed: u64,
    generation: u64,
    first_index: u64,
    threads: usize,
) -> Result<()> {
    v.validate()?;
    check_shape("polynomial_mutation", x, lower, upper)?;
    mutate_rows(x, lower, upper, v, seed, generation, first_index, threads);
    Ok(())
}

/// The mutation itself, on checked arguments.
#[allow(clippy::too_many_arguments)]
fn mutate_rows(
    x: &mut [f64],
    lower: &[f64],
    upper: &[f64],
    v: &Variation,
    seed: u64,
    generation: u64,
    first_index: u64,
    threads: usize,
) {
    let n_var = lower.len();
    if x.is_empty() {
        return;
    }
    let p_m = v.p_m.unwrap_or(1.0 / n_var as f64);
    crate::parallel::fill_row_blocks(x, n_var, threads, |first, block| {
        let rows = block.len() / n_var;
        let (first, words) = (first_index + first as u64, mutation_words(n_var));
        let mut batch = MutationBatch::new(lower, upper, v.eta_m);
        #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
        let lanes = super::variation_avx512::available();
        #[cfg(not(all(target_arch = "x86_64", feature = "avx512")))]
        let lanes = false;
        for_each_row_words(seed, "mutation", generation, first, rows, words, |i, w| {
            let mut hit = |j, u| batch.push(block, i * n_var, j, u);
            if lanes {
                #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
                // SAFETY: `available` checked that the CPU has AVX-512F.
                unsafe {
                    super::variation_avx512::mutation_hits(lower, upper, p_m, w, hit)
                };
                return;
            }
            let mut s = WordDraws::new(w);
            for j in 0..n_var {
                let (u_mut, u) = (s.uniform_f64(), s.uniform_f64());
                if !(u_mut >= p_m || lower[j] >= upper[j]) {
                    hit(j, u);
                }
            }
        });
        batch.flush(block);
    });
}

/// Mutated variables waiting for their powers: polynomial mutation changes about one
/// variable per row, so the two powers of each are raised in batches gathered across rows
/// (full vectors on the math lanes rather than one lane per call). Every value is computed
/// with the operations of pymoo's `mut_pm` on that variable alone, so batching changes no bit.
struct MutationBatch<'a> {
    lower: &'a [f64],
    upper: &'a [f64],
    eta_m: f64,
    len: usize,
    /// Position of the variable in the block, its draw and its power base.
    at: [usize; MUTATION_BATCH],
    u: [f64; MUTATION_BATCH],
    p: [f64; MUTATION_BATCH],
}

/// Mutated variables per batch of powers.
const MUTATION_BATCH: usize = 64;

impl<'a> MutationBatch<'a> {
    fn new(lower: &'a [f64], upper: &'a [f64], eta_m: f64) -> Self {
        MutationBatch {
            lower,
            upper,
            eta_m,
            len: 0,
            at: [0; MUTATION_BATCH],
            u: [0.0; MUTATION_BATCH],
            p: [0.0; MUTATION_BATCH],
        }
    }

    /// Queues variable `j` of the row at `block[row..]` (draw `u`), mutating the queued ones
    /// first when the batch is full.
    #[inline]
    fn push(&mut self, block: &mut [f64], row: usize, j: usize, u: f64) {
        if self.len == MUTATION_BATCH {
            self.flush(block);
        }
        let (lo, hi, y) = (self.lower[j], self.upper[j], block[row + j]);
        let range = hi - lo;
        let k = self.len;
        self.at[k] = row + j;
        self.u[k] = u;
        self.p[k] = if u <= 0.5 {
            1.0 - (y - lo) / range
        } else {
            1.0 - (hi - y) / range
        };
        self.len = k + 1;
    }

    /// Mutates every queued variable in `block` and empties the batch.
    fn flush(&mut self, block: &mut [f64]) {
        let n = std::mem::take(&mut self.len);
        if n == 0 {
            return;
        }
        let n_var = self.lower.len();
        let p = &mut self.p[..n];
        crate::moo::lanes::pow_in_place(p, self.eta_m + 1.0);
        for (p, &u) in p.iter_mut().zip(&self.u) {
            *p = if u <= 0.5 {
                2.0 * u + (1.0 - 2.0 * u) * *p
            } else {
                2.0 * (1.0 - u) + 2.0 * (u - 0.5) * *p
            };
        }
        crate::moo::lanes::pow_in_place(p, 1.0 / (self.eta_m + 1.0));
        for ((&p, &u), &at) in p.iter().zip(&self.u).zip(&self.at) {
            let j = at % n_var;
            let (lo, hi) = (self.lower[j], self.upper[j]);
            let range = hi - lo;
            let deltaq = if u <= 0.5 { p - 1.0 } else { 1.0 - p };
            block[at] = (block[at] + deltaq * range).clamp(lo, hi);
        }
    }
}

/// Whether candidate `a` beats `b` in a binary tournament: smaller constraint violation
/// first, then lower rank, then larger crowding; `None` on a full tie.
fn tournament_winner(
    a: usize,
    b: usize,
    cv: &[f64],
    rank: &[usize],
    crowd: &[f64],
) -> Option<usize> {
    if cv[a] > 0.0 || cv[b] > 0.0 {
        return match cv[a].total_cmp(&cv[b]) {
            std::cmp::Ordering::Less => Some(a),
            std::cmp::Ordering::Greater => Some(b),
            std::cmp::Ordering::Equal => None,
        };
    }
    match rank[a].cmp(&rank[b]).then(crowd[b].total_cmp(&crowd[a])) {
        std::cmp::Ordering::Less => Some(a),
        std::cmp::Ordering::Greater => Some(b),
        std::cmp::Ordering::Equal => None,
    }
}

/// `count` indices in `0..n` as consecutive random permutations of `0..n`, permutation `p`
/// shuffled by the stream `(purpose, generation, p)` (pymoo's `random_permuations`): every
/// individual takes part about equally often, which slows genetic drift compared with
/// drawing with replacement.
fn permutation_draws(
    n: usize,
    count: usize,
    seed: u64,
    purpose: &str,
    generation: u64,
) -> Vec<usize> {
    let mut out = Vec::with_capacity(count + n);
    let mut p = 0u64;
    while out.len() < count {
        out.extend(stream(seed, purpose, generation, p).permutation(n));
        p += 1;
    }
    out.truncate(count);
    out
}

/// `n_pairs` parent pairs by binary tournament on (constraint violation, rank, crowding).
/// Competitors are consecutive entries of random permutations (stream `"tournament"`, one per
/// permutation), four per pair; pair `k` breaks full ties with the stream
/// `("tournament-tie", generation, k)`. Pass `rank = 0`, `crowd = 0` for every row to get a
/// tournament on constraint violation then random choice (NSGA-III's mating).
pub fn binary_tournament(
    cv: &[f64],
    rank: &[usize],
    crowd: &[f64],
    n_pairs: usize,
    seed: u64,
    generation: u64,
) -> Result<Vec<(usize, usize)>> {
    let n = cv.len();
    if n == 0 {
        return Err(Error::Empty {
            op: "binary_tournament",
            what: "population",
        });
    }
    check_len("binary_tournament", "rank.len()", n, rank.len())?;
    check_len("binary_tournament", "crowd.len()", n, crowd.len())?;
    let c = permutation_draws(n, 4 * n_pairs, seed, "tournament", generation);
    let mut pairs = Vec::with_capacity(n_pairs);
    // Each pair's two tie-break uniforms are the first four words of its stream: computed
    // as one block per stream, not the eight-block refill a `Stream` would make.
    for_each_row_words(seed, "tournament-tie", generation, 0, n_pairs, 4, |k, w| {
        let mut s = WordDraws::new(w);
        let ties = [s.uniform_f64(), s.uniform_f64()];
        let pick = |a: usize, b: usize, u: f64| {
            tournament_winner(a, b, cv, rank, crowd).unwrap_or(if u < 0.5 { a } else { b })
        };
        let c = &c[4 * k..4 * k + 4];
        pairs.push((pick(c[0], c[1], ties[0]), pick(c[2], c[3], ties[1])));
    });
    Ok(pairs)
}

/// `n_pairs` parent pairs drawn at random (RVEA's mating): consecutive entries of random
/// permutations of the population, permutation `p` from the stream `("mating", generation, p)`
/// (as pymoo's `RandomSelection`).
pub fn random_mating(
    n: usize,
    n_pairs: usize,
    seed: u64,
    generation: u64,
) -> Result<Vec<(usize, usize)>> {
    if n == 0 {
        return Err(Error::Empty {
            op: "random_mating",
            what: "population",
        });
    }
    let c = permutation_draws(n, 2 * n_pairs, seed, "mating", generation);
    Ok(c.chunks_exact(2).map(|p| (p[0], p[1])).collect())
}

/// Uniform random initial population in `[lower, upper]`, row `i` from the stream
/// `("init", 0, i)`.
pub fn random_population(n: usize, lower: &[f64], upper: &[f64], seed: u64) -> Vec<f64> {
    let n_var = lower.len();
    let mut x = vec![0.0; n * n_var];
    for (i, row) in x.chunks_exact_mut(n_var.max(1)).enumerate() {
        let mut s = stream(seed, "init", 0, i as u64);
        for j in 0..n_var {
            row[j] = s.uniform_range(lower[j], upper[j]);
        }
    }
    x
}

/// Gaussian perturbation of copied parents, the offspring operator for trained networks:
/// every variable `j` of every row gets `σ ξ` added, or is multiplied by `exp(σ ξ)` where
/// `multiplicative[j]` (positive physical parameters), with ξ standard normal from the stream
/// `(seed, "gaussian-perturbation", generation, row)`. Crossing two independently trained
/// networks weight by weight mixes unrelated hidden units (an MLP is invariant under
/// permuting them), so SBX children restart training; perturbed copies keep their parent's.
/// Pair it with a [`Variation`] of `p_c = 0` and `p_m = Some(0.0)` so the asked rows are the
/// tournament winners themselves. Errors: σ not finite or negative, a mask of the wrong length.
///
/// ```
/// use pareto_sciml::moo::operators::gaussian_perturbation;
/// let mut x = vec![0.5, 2.0, 0.5, 2.0];
/// gaussian_perturbation(&mut x, &[false, true], 0.01, 7, 3).unwrap();
/// assert!((x[0] - 0.5).abs() < 0.1 && x[1] > 0.0 && x[0].to_bits() != x[2].to_bits());
/// ```
pub fn gaussian_perturbation(
    x: &mut [f64],
    multiplicative: &[bool],
    sigma: f64,
    seed: u64,
    generation: u64,
) -> Result<()> {
    if !(sigma.is_finite() && sigma >= 0.0) {
        return Err(Error::config(
            "perturbation",
            format!("σ must be finite and ≥ 0, got {sigma}"),
        ));
    }
    let n_var = multiplicative.len();
    if n_var == 0 || x.len() % n_var != 0 {
        return Err(Error::Shape {
            op: "gaussian_perturbation",
            what: "x.len() (a multiple of the mask length)".into(),
            expected: x.len().div_ceil(n_var.max(1)) * n_var.max(1),
            got: x.len(),
        });
    }
    for (m, row) in x.chunks_exact_mut(n_var).enumerate() {
        let mut s = crate::rng::stream(seed, "gaussian-perturbation", generation, m as u64);
        for (v, &mul) in row.iter_mut().zip(multiplicative) {
            let xi = s.normal_f64();
            if mul {
                *v *= crate::math::exp_f64(sigma * xi);
            } else {
                *v += sigma * xi;
            }
        }
    }
    Ok(())
}
