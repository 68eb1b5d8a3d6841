//! Host code of the `nsga3` kernels: NSGA-III's normalisation (ideal point, extreme points by
//! ASF, hyperplane intercepts with the nadir fallbacks), association by perpendicular
//! distance and niche-preserving selection, with their CPU twins: the very functions
//! [`crate::moo::nsga3::Nsga3`] runs in its survival step, exposed here so tests and benches
//! can compare the two.
//!
//! All three are bit-identical to the CPU (association and niching exactly; normalisation
//! folds minima and maxima per thread and may differ only in the sign of a zero extreme,
//! which Rust's `f64::min`/`max` leave unspecified). Niching draws from the stream
//! `(seed, "niching", generation, 0)` in the CPU's order.
//!
//! ```
//! use pareto_sciml::backend::cuda::{nsga3_associate_cpu, Nsga3Normalisation};
//! let sel = [1.0, 0.0, 0.0, 1.0, 0.5, 0.5];
//! let mut norm = Nsga3Normalisation::new(2);
//! let nadir = norm.update_cpu(&sel, &[0.0; 3], &[0; 3]).unwrap().unwrap();
//! let (niche, _) =
//!     nsga3_associate_cpu(&sel, 2, &[1.0, 0.0, 0.0, 1.0], &norm.ideal, &nadir).unwrap();
//! assert_eq!(niche, [0, 1, 0]);
//! ```

use super::kernels::KernelId;
use super::{to_u32, CudaDevice, KernelArg, LaunchDims};
use crate::error::{check_finite, check_len, Error, Result};
use crate::moo::nondominated_sort::check_matrix;
use crate::moo::nsga3::{associate, check_refs, niching, normalise};
use crate::rng::purpose_hash;

/// Threads of the normalisation block on the device.
const NORMALISE_THREADS: u32 = 256;

/// NSGA-III's normalisation state, kept over all generations: ideal point, worst point and
/// extreme points (`n_obj × n_obj`, empty before the first update).
#[derive(Debug, Clone, PartialEq)]
pub struct Nsga3Normalisation {
    /// Smallest objective values of the feasible rows seen so far.
    pub ideal: Vec<f64>,
    /// Largest objective values of the feasible rows seen so far.
    pub worst: Vec<f64>,
    /// Extreme point of each axis, row-major (`n_obj × n_obj`), or empty.
    pub extremes: Vec<f64>,
}

impl Nsga3Normalisation {
    /// The state before any generation (ideal +inf, worst −inf, no extremes).
    pub fn new(n_obj: usize) -> Self {
        Nsga3Normalisation {
            ideal: vec![f64::INFINITY; n_obj],
            worst: vec![f64::NEG_INFINITY; n_obj],
            extremes: Vec::new(),
        }
    }

    fn n_obj(&self) -> usize {
        self.ideal.len()
    }

    fn check(&self, op: &'static str, sel: &[f64], cv: &[f64], rank: &[usize]) -> Result<usize> {
        let no = self.n_obj();
        if no == 0 {
            return Err(Error::config("n_obj", "must be at least 1"));
        }
        check_len(op, "worst.len()", no, self.worst.len())?;
        if !(self.extremes.is_empty() || self.extremes.len() == no * no) {
            return Err(Error::Shape {
                op,
                what: "extremes.len() (0 or n_obj²)".into(),
                expected: no * no,
                got: self.extremes.len(),
            });
        }
        let n = check_matrix(op, sel, no)?;
        check_len(op, "cv.len()", n, cv.len())?;
        check_len(op, "rank.len()", n, rank.len())?;
        check_finite(op, "sel", sel)?;
        if let Some(index) = cv.iter().position(|v| v.is_nan()) {
            return Err(Error::NonFinite {
                op,
                what: "cv",
                index,
            });
        }
        Ok(n)
    }

    /// The CPU update from a population's selection objectives `sel` (`n × n_obj`, finite),
    /// violations `cv` and constrained front ranks `rank`: `None` (state unchanged) when no
    /// row is feasible, else the nadir estimate.
    pub fn update_cpu(
        &mut self,
        sel: &[f64],
        cv: &[f64],
        rank: &[usize],
    ) -> Result<Option<Vec<f64>>> {
        self.check("Nsga3Normalisation::update_cpu", sel, cv, rank)?;
        let feas: Vec<usize> = (0..cv.len()).filter(|&i| cv[i] <= 0.0).collect();
        if feas.is_empty() {
            return Ok(None);
        }
        let first: Vec<usize> = feas.iter().copied().filter(|&i| rank[i] == 0).collect();
        let no = self.n_obj();
        Ok(Some(normalise(
            &mut self.ideal,
            &mut self.worst,
            &mut self.extremes,
            sel,
            no,
            &feas,
            &first,
        )))
    }
}

/// The CPU association: nearest direction of `refs` (`n_ref × n_obj`, non-negative, non-zero)
/// by perpendicular distance for each row of `sel`, normalised by `ideal` and `nadir`.
pub fn nsga3_associate_cpu(
    sel: &[f64],
    n_obj: usize,
    refs: &[f64],
    ideal: &[f64],
    nadir: &[f64],
) -> Result<(Vec<usize>, Vec<f64>)> {
    check_associate("nsga3_associate_cpu", sel, n_obj, refs, ideal, nadir)?;
    Ok(associate(sel, n_obj, refs, ideal, nadir))
}

fn check_associate(
    op: &'static str,
    sel: &[f64],
    n_obj: usize,
    refs: &[f64],
    ideal: &[f64],
    nadir: &[f64],
) -> Result<usize> {
    if n_obj == 0 {
        return Err(Error::config("n_obj", "must be at least 1"));
    }
    check_refs(op, refs, n_obj)?;
    check_len(op, "ideal.len()", n_obj, ideal.len())?;
    check_len(op, "nadir.len()", n_obj, nadir.len())?;
    let n = check_matrix(op, sel, n_obj)?;
    check_finite(op, "sel", sel)?;
    check_finite(op, "ideal", ideal)?;
    check_finite(op, "nadir", nadir)?;
    Ok(n)
}

/// The CPU niching: `remaining` rows from the last front `last` given every row's `niche`
/// (`< count.len()`) and distance, and the counts of the rows already chosen (updated).
pub fn nsga3_niching_cpu(
    last: &[usize],
    niche: &[usize],
    dist: &[f64],
    count: &mut [usize],
    remaining: usize,
    seed: u64,
    generation: u64,
) -> Result<Vec<usize>> {
    check_niching(
        "nsga3_niching_cpu",
        last,
        niche,
        dist,
        count.len(),
        remaining,
    )?;
    Ok(niching(
        last, niche, dist, count, remaining, seed, generation,
    ))
}

fn check_niching(
    op: &'static str,
    last: &[usize],
    niche: &[usize],
    dist: &[f64],
    n_ref: usize,
    remaining: usize,
) -> Result<()> {
    check_len(op, "dist.len()", niche.len(), dist.len())?;
    if remaining > last.len() {
        return Err(Error::config(
            "remaining",
            format!(
                "{remaining} exceeds the {} rows of the last front",
                last.len()
            ),
        ));
    }
    if let Some(&i) = last.iter().find(|&&i| i >= niche.len()) {
        return Err(Error::Shape {
            op,
            what: "last-front row (must be < rows)".into(),
            expected: niche.len(),
            got: i,
        });
    }
    if let Some(&k) = last.iter().map(|&i| &niche[i]).find(|&&k| k >= n_ref) {
        return Err(Error::Shape {
            op,
            what: "niche index (must be < count.len())".into(),
            expected: n_ref,
            got: k,
        });
    }
    if let Some(index) = dist.iter().position(|v| v.is_nan()) {
        return Err(Error::NonFinite {
            op,
            what: "dist",
            index,
        });
    }
    Ok(())
}

/// Unit directions as [`crate::moo::nsga3`]'s association computes them.
fn units(refs: &[f64], no: usize) -> Vec<f64> {
    refs.chunks_exact(no)
        .flat_map(|w| {
            let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
            w.iter().map(move |v| v / norm)
        })
        .collect()
}

impl CudaDevice {
    /// [`Nsga3Normalisation::update_cpu`] on the device (`nsga3_normalise_f64`, one block).
    pub fn nsga3_normalise(
        &self,
        state: &mut Nsga3Normalisation,
        sel: &[f64],
        cv: &[f64],
        rank: &[usize],
    ) -> Result<Option<Vec<f64>>> {
        const OP: &str = "CudaDevice::nsga3_normalise";
        let n = state.check(OP, sel, cv, rank)?;
        let m = state.n_obj();
        if n == 0 {
            return Ok(None);
        }
        let t = NORMALISE_THREADS as usize;
        let ranks: Vec<u32> = rank
            .iter()
            .map(|&r| r.min(u32::MAX as usize) as u32)
            .collect();
        let (sd, cd, rd) = (self.htod(sel)?, self.htod(cv)?, self.htod(&ranks)?);
        let (ideal, worst) = (self.htod(&state.ideal)?, self.htod(&state.worst)?);
        let mut ext_host = state.extremes.clone();
        ext_host.resize(m * m, 0.0);
        let ext = self.htod(&ext_host)?;
        let nadir = self.zeros::<f64>(m)?;
        let scratch = self.zeros::<f64>(4 * t * m + 2 * m * (m + 1) + m * m)?;
        let keys = self.zeros::<u64>(t * m)?;
        let nfeas = self.zeros::<u32>(t + 1)?;
        let n_ext = if state.extremes.is_empty() { 0 } else { m };
        let args = [
            sd.arg(),
            cd.arg(),
            rd.arg(),
            KernelArg::U32(to_u32(OP, "rows", n)?),
            KernelArg::U32(to_u32(OP, "n_obj", m)?),
            ideal.arg(),
            worst.arg(),
            ext.arg(),
            KernelArg::U32(n_ext as u32),
            nadir.arg(),
            scratch.arg(),
            keys.arg(),
            nfeas.arg(),
        ];
        // SAFETY: nsga3_normalise_f64's parameter list; sel n·m, cv and rank n, ideal, worst
        // and nadir m, extremes m², scratch, keys and nfeas sized for NORMALISE_THREADS.
        unsafe {
            self.launch(
                KernelId::Nsga3NormaliseF64,
                LaunchDims::single_block(NORMALISE_THREADS),
                &args,
            )?
        };
        if self.dtoh(&nfeas)?[0] == 0 {
            return Ok(None);
        }
        state.ideal = self.dtoh(&ideal)?;
        state.worst = self.dtoh(&worst)?;
        state.extremes = self.dtoh(&ext)?;
        Ok(Some(self.dtoh(&nadir)?))
    }

    /// [`nsga3_associate_cpu`] on the device (`nsga3_associate_f64`, one thread per row).
    pub fn nsga3_associate(
        &self,
        sel: &[f64],
        n_obj: usize,
        refs: &[f64],
        ideal: &[f64],
        nadir: &[f64],
    ) -> Result<(Vec<usize>, Vec<f64>)> {
        const OP: &str = "CudaDevice::nsga3_associate";
        let n = check_associate(OP, sel, n_obj, refs, ideal, nadir)?;
        if n == 0 {
            return Ok((Vec::new(), Vec::new()));
        }
        let u = units(refs, n_obj);
        let (sd, ud, zd, nd) = (
            self.htod(sel)?,
            self.htod(&u)?,
            self.htod(ideal)?,
            self.htod(nadir)?,
        );
        let niche = self.zeros::<u32>(n)?;
        let dist = self.zeros::<f64>(n)?;
        let args = [
            sd.arg(),
            KernelArg::U32(to_u32(OP, "rows", n)?),
            KernelArg::U32(to_u32(OP, "n_obj", n_obj)?),
            ud.arg(),
            KernelArg::U32(to_u32(OP, "directions", refs.len() / n_obj)?),
            zd.arg(),
            nd.arg(),
            niche.arg(),
            dist.arg(),
        ];
        // SAFETY: nsga3_associate_f64's parameter list; sel n·m, units n_ref·m, ideal and
        // nadir m, niche and dist n.
        unsafe {
            self.launch(
                KernelId::Nsga3AssociateF64,
                LaunchDims::linear(OP, n)?,
                &args,
            )?
        };
        Ok((
            self.dtoh(&niche)?.into_iter().map(|k| k as usize).collect(),
            self.dtoh(&dist)?,
        ))
    }

    /// [`nsga3_niching_cpu`] on the device (`nsga3_niching_u32`, one thread).
    #[allow(clippy::too_many_arguments)]
    pub fn nsga3_niching(
        &self,
        last: &[usize],
        niche: &[usize],
        dist: &[f64],
        count: &mut [usize],
        remaining: usize,
        seed: u64,
        generation: u64,
    ) -> Result<Vec<usize>> {
        const OP: &str = "CudaDevice::nsga3_niching";
        check_niching(OP, last, niche, dist, count.len(), remaining)?;
        if remaining == 0 {
            return Ok(Vec::new());
        }
        let n_ref = count.len();
        let to32 = |v: &[usize], what| -> Result<Vec<u32>> {
            v.iter().map(|&x| to_u32(OP, what, x)).collect()
        };
        let (ld, nd, dd, cd) = (
            self.htod(&to32(last, "row")?)?,
            self.htod(&to32(niche, "niche")?)?,
            self.htod(dist)?,
            self.htod(&to32(count, "count")?)?,
        );
        let chosen = self.zeros::<u32>(remaining)?;
        let scratch = self.zeros::<u32>(3 * n_ref + 1 + last.len())?;
        let args = [
            ld.arg(),
            KernelArg::U32(to_u32(OP, "last-front rows", last.len())?),
            nd.arg(),
            dd.arg(),
            cd.arg(),
            KernelArg::U32(to_u32(OP, "directions", n_ref)?),
            KernelArg::U32(remaining as u32),
            KernelArg::U64(seed),
            KernelArg::U64(purpose_hash("niching")),
            KernelArg::U64(generation),
            chosen.arg(),
            KernelArg::U32(0),
            scratch.arg(),
        ];
        // SAFETY: nsga3_niching_u32's parameter list; last L, niche and dist n (every
        // last[p] < n and niche < n_ref, checked), count n_ref, chosen `remaining` ≤ L,
        // scratch 3·n_ref + 1 + L.
        unsafe {
            self.launch(
                KernelId::Nsga3NichingU32,
                LaunchDims::single_block(1),
                &args,
            )?
        };
        for (c, d) in count.iter_mut().zip(self.dtoh(&cd)?) {
            *c = d as usize;
        }
        Ok(self
            .dtoh(&chosen)?
            .into_iter()
            .map(|i| i as usize)
            .collect())
    }
}
