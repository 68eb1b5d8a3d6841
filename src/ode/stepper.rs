//! The stepping loop of one block of members: stages, error control, dense output, statuses,
//! and active-set compaction.
//!
//! Buffers are indexed by *slot*; slots `0..n` are the active members. When a member finishes
//! or fails it is swapped with the last active slot and `n` shrinks, so later right-hand-side
//! calls and kernels only touch running members. A member's arithmetic never reads another
//! slot, so compaction (and the block it runs in) cannot change its bits.

// Index loops walk several parallel flat buffers at once; iterators would obscure that.
#![allow(clippy::needless_range_loop)]

use std::ops::Range;

use super::controller::ControllerState;
use super::controller::{decide_with_powers, exponents, floor_ratio};
use super::controller::{initial_step_finish, initial_step_start};
use super::kernels::{combine, rms, scale_error};
use super::real::Real;
use super::solve::{BlockIn, BlockOut, Setup};
use super::system::{BatchSystem, ParamTiles};
use super::ControllerKind;
use super::{Status, StepMode};
use crate::backend::cpu::member::{tile_len, tiled_index};

/// Observer of accepted steps (the gradient tape); `()` records nothing.
pub(crate) trait Recorder<T> {
    /// Member `member` (block-local) accepted a step from `t` of size `h` starting at state `y0`
    /// (the exact time reached is `t_new`), writing outputs `outs`.
    /// `k` holds the step's stage derivatives; this member's are at flat indices `row`.
    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        member: usize,
        t: T,
        h: T,
        t_new: T,
        y0: &[T],
        outs: Range<usize>,
        k: &[Vec<T>],
        row: Range<usize>,
    );
}

impl<T> Recorder<T> for () {
    #[inline(always)]
    fn step(
        &mut self,
        _: usize,
        _: T,
        _: T,
        _: T,
        _: &[T],
        _: Range<usize>,
        _: &[Vec<T>],
        _: Range<usize>,
    ) {
    }
}

/// Per-slot state of the active members.
struct Slots<T> {
    id: Vec<usize>,
    t: Vec<T>,
    h: Vec<T>,
    last: Vec<bool>,
    next_out: Vec<usize>,
    ctrl: Vec<ControllerState<T>>,
    y: Vec<T>,
    p: Vec<T>,
    k: Vec<Vec<T>>,
    tiles: TileCopy<T>,
}

impl<T: Real> Slots<T> {
    /// Moves slot `b` into slot `a` (the member in `a` has finished).
    fn move_slot(&mut self, a: usize, b: usize, dim: usize, np: usize) {
        self.id[a] = self.id[b];
        self.t[a] = self.t[b];
        self.h[a] = self.h[b];
        self.last[a] = self.last[b];
        self.next_out[a] = self.next_out[b];
        self.ctrl[a] = self.ctrl[b];
        self.y.copy_within(b * dim..(b + 1) * dim, a * dim);
        self.p.copy_within(b * np..(b + 1) * np, a * np);
        for k in self.k.iter_mut() {
            k.copy_within(b * dim..(b + 1) * dim, a * dim);
        }
        self.tiles.move_row(a, b);
    }
}

/// The tiled copy ([`ParamTiles`]) of the parameter columns the system asked for
/// ([`BatchSystem::param_columns`]), starting at `buf[at]`, the first 64-byte boundary, so
/// every tile row is whole cache lines. No columns (`ncols = 0`) when it asked for none.
struct TileCopy<T> {
    buf: Vec<T>,
    at: usize,
    ncols: usize,
}

impl<T: Real> TileCopy<T> {
    /// Columns `range` of the `n` rows of `p` (`np` per row), or nothing.
    fn new(p: &[T], n: usize, np: usize, range: Option<Range<usize>>) -> Self {
        let Some(range) = range.filter(|r| r.start < r.end && r.end <= np) else {
            return Self {
                buf: Vec::new(),
                at: 0,
                ncols: 0,
            };
        };
        let (nc, tile) = (range.len(), tile_len::<T>());
        let mut buf = vec![T::ZERO; n.div_ceil(tile) * tile * nc + tile];
        let misalign = buf.as_ptr() as usize % 64 / std::mem::size_of::<T>();
        let at = (tile - misalign) % tile;
        for i in 0..n {
            for (c, j) in range.clone().enumerate() {
                buf[at + tiled_index::<T>(i, c, nc)] = p[i * np + j];
            }
        }
        Self { buf, at, ncols: nc }
    }

    fn view(&self) -> ParamTiles<'_, T> {
        ParamTiles {
            data: &self.buf[self.at..],
            columns: self.ncols,
        }
    }

    /// Row `b`'s columns into row `a`.
    fn move_row(&mut self, a: usize, b: usize) {
        let (at, nc) = (self.at, self.ncols);
        for c in 0..nc {
            self.buf[at + tiled_index::<T>(a, c, nc)] = self.buf[at + tiled_index::<T>(b, c, nc)];
        }
    }
}

/// One right-hand-side call on the active rows, with the parameter columns when the system
/// asked for them.
#[inline(always)]
fn call_rhs<T: Real, S: BatchSystem<T>>(
    sys: &S,
    tiles: &TileCopy<T>,
    (t, y, p): (&[T], &[T], &[T]),
    dy: &mut [T],
) {
    if tiles.ncols > 0 {
        sys.rhs_columns(t, y, p, tiles.view(), dy);
    } else {
        sys.rhs(t, y, p, dy);
    }
}

/// Clamps a proposed step so it does not pass `t_end`; returns the step and whether it lands
/// on `t_end`.
#[inline(always)]
fn clamp_to_end<T: Real>(t: T, h: T, t_end: T, dir: T) -> (T, bool) {
    if dir * (t + h - t_end) >= T::ZERO {
        (t_end - t, true)
    } else {
        (h, false)
    }
}

#[inline(always)]
pub(crate) fn run_block<T: Real, S: BatchSystem<T>, R: Recorder<T>>(
    sys: &S,
    cfg: &Setup<'_, T>,
    inp: &BlockIn<'_, T>,
    out: &mut BlockOut<T>,
    rec: &mut R,
) {
    let (tab, opts, t_eval) = (cfg.tab, cfg.opts, cfg.t_eval);
    let (dim, np, n_out, ns) = (sys.dim(), sys.n_params(), t_eval.len(), tab.stages);
    let mut n = out.status.len();
    let t_end = t_eval[n_out - 1];
    let dir = if t_end > cfg.t0 { T::ONE } else { -T::ONE };
    let (rtol, atol) = (T::from_f64(opts.rtol), T::from_f64(opts.atol));
    let a: Vec<Vec<T>> = tab
        .a
        .iter()
        .map(|r| r.iter().map(|&x| T::from_f64(x)).collect())
        .collect();
    let b: Vec<T> = tab.b.iter().map(|&x| T::from_f64(x)).collect();
    let e: Vec<T> = tab
        .e
        .map(|e| e.iter().map(|&x| T::from_f64(x)).collect())
        .unwrap_or_default();
    let c: Vec<T> = tab.c.iter().map(|&x| T::from_f64(x)).collect();
    let (adaptive, fixed_h) = match opts.steps {
        StepMode::Adaptive(cc) => (Some(cc), T::ZERO),
        StepMode::Fixed(h) => (None, dir * T::from_f64(h)),
    };

    let mut s = Slots {
        id: (0..n).collect(),
        t: vec![cfg.t0; n],
        h: vec![T::ZERO; n],
        last: vec![false; n],
        next_out: vec![0; n],
        ctrl: vec![ControllerState::default(); n],
        y: inp.y0.to_vec(),
        p: inp.p.to_vec(),
        k: vec![vec![T::ZERO; n * dim]; ns],
        tiles: TileCopy::new(inp.p, n, np, sys.param_columns()),
    };
    let mut tt = vec![cfg.t0; n];
    let mut hh = vec![T::ZERO; n * dim];
    let mut ytmp = vec![T::ZERO; n * dim];
    let mut y1 = vec![T::ZERO; n * dim];
    let mut w = vec![T::ZERO; n * dim];
    let zeros = vec![T::ZERO; n * dim];
    let mut bw = vec![0.0f64; ns];
    let mut bwt = vec![T::ZERO; ns];
    let mut done = vec![false; n];
    // Per-slot error ratios and their controller powers, computed for all slots at once.
    let (mut ratios, mut ratio_pow) = (vec![T::ZERO; n], vec![T::ZERO; n]);
    let (mut prevs, mut prev_pow) = (vec![T::ZERO; n], vec![T::ONE; n]);
    let (e_ratio, e_prev) = match adaptive {
        Some(cc) => exponents::<T>(&cc, tab.embedded_order),
        None => (T::ZERO, T::ZERO),
    };

    // Outputs at t0 itself receive y0.
    if t_eval[0].bits() == cfg.t0.bits() {
        for m in 0..n {
            out.y[m * n_out * dim..m * n_out * dim + dim]
                .copy_from_slice(&s.y[m * dim..(m + 1) * dim]);
            s.next_out[m] = 1;
        }
    }
    // First step and, for FSAL methods, the first stage.
    let span = (t_end - cfg.t0).abs();
    if ns > 0 && (tab.fsal || (adaptive.is_some() && opts.h0.is_none())) {
        call_rhs(sys, &s.tiles, (&tt, &s.y, &s.p), &mut s.k[0]);
        out.stats.iter_mut().for_each(|st| st.rhs_evals += 1);
    }
    match (opts.steps, opts.h0) {
        (StepMode::Fixed(h), _) => s.h.iter_mut().for_each(|x| *x = dir * T::from_f64(h)),
        (StepMode::Adaptive(_), Some(h)) => s.h.iter_mut().for_each(|x| *x = dir * T::from_f64(h)),
        (StepMode::Adaptive(_), None) => {
            // Hairer's two-stage selection, batched: one extra RHS call per member.
            let mut d = vec![(T::ZERO, T::ZERO); n];
            for m in 0..n {
                let r = m * dim..(m + 1) * dim;
                let mut d0 = T::ZERO;
                let mut d1 = T::ZERO;
                for i in r.clone() {
                    let sc = rtol.mul_add(s.y[i].abs(), atol);
                    let (u, v) = (s.y[i] / sc, s.k[0][i] / sc);
                    d0 = u.mul_add(u, d0);
                    d1 = v.mul_add(v, d1);
                }
                let len = T::from_f64(dim as f64);
                let (d0, d1) = ((d0 / len).sqrt(), (d1 / len).sqrt());
                let h0 = initial_step_start(d0, d1, span);
                d[m] = (h0, d1);
                tt[m] = cfg.t0 + dir * h0;
                for i in r {
                    hh[i] = dir * h0;
                }
            }
            combine(&mut ytmp, &s.y, &hh, &s.k[..1], &[T::ONE]);
            let (k0, rest) = s.k.split_at_mut(1);
            call_rhs(sys, &s.tiles, (&tt, &ytmp, &s.p), &mut rest[0]);
            for m in 0..n {
                out.stats[m].rhs_evals += 1;
                let mut d2 = T::ZERO;
                for i in m * dim..(m + 1) * dim {
                    let sc = rtol.mul_add(s.y[i].abs(), atol);
                    let v = (rest[0][i] - k0[0][i]) / sc;
                    d2 = v.mul_add(v, d2);
                }
                let (h0, d1) = d[m];
                let d2 = (d2 / T::from_f64(dim as f64)).sqrt() / h0;
                s.h[m] = dir * initial_step_finish(h0, d1, d2, tab.order);
            }
        }
    }
    for m in 0..n {
        let (h, last) = clamp_to_end(cfg.t0, s.h[m], t_end, dir);
        s.h[m] = h;
        s.last[m] = last;
    }

    while n > 0 {
        let nd = n * dim;
        for (row, &h) in hh[..nd].chunks_exact_mut(dim).zip(&s.h[..n]) {
            row.fill(h);
        }
        if !tab.fsal {
            let args = (&s.t[..n], &s.y[..nd], &s.p[..n * np]);
            call_rhs(sys, &s.tiles, args, &mut s.k[0][..nd]);
        }
        for st in 1..ns {
            combine(&mut ytmp[..nd], &s.y, &hh, &s.k[..st], &a[st]);
            let cs = c[st];
            for ((tm, &h), &t) in tt[..n].iter_mut().zip(&s.h[..n]).zip(&s.t[..n]) {
                *tm = cs.mul_add(h, t);
            }
            let args = (&tt[..n], &ytmp[..nd], &s.p[..n * np]);
            call_rhs(sys, &s.tiles, args, &mut s.k[st][..nd]);
            if tab.fsal && st == ns - 1 {
                std::mem::swap(&mut ytmp, &mut y1);
            }
        }
        if !tab.fsal {
            combine(&mut y1[..nd], &s.y, &hh, &s.k, &b);
        }
        if adaptive.is_some() {
            combine(&mut w[..nd], &zeros, &hh, &s.k, &e);
            scale_error(&mut w[..nd], &s.y, &y1, atol, rtol);
        }
        if let Some(cc) = adaptive {
            // One vectorised pass of the step-size law's powers (same bits as one call per
            // member; it was the largest cost of a cheap right-hand side).
            for m in 0..n {
                ratios[m] = floor_ratio(rms(&w[m * dim..(m + 1) * dim]));
            }
            T::powf_each(&ratios[..n], e_ratio, &mut ratio_pow[..n]);
            if matches!(cc.kind, ControllerKind::Pi { .. }) {
                for m in 0..n {
                    prevs[m] = s.ctrl[m].prev_ratio;
                }
                T::powf_each(&prevs[..n], e_prev, &mut prev_pow[..n]);
            }
        }
        // Per-member decisions.
        for m in 0..n {
            let id = s.id[m];
            let st = &mut out.stats[id];
            st.rhs_evals += (ns - usize::from(tab.fsal)) as u32;
            let row = m * dim..(m + 1) * dim;
            let finite = y1[row.clone()].iter().all(|x| x.is_finite());
            let (accept, h_next) = match adaptive {
                Some(cc) => {
                    let ratio = ratios[m];
                    st.error_ratio = ratio.to_f64();
                    if !ratio.is_finite() {
                        (false, T::NAN)
                    } else {
                        let (rp, pp) = (ratio_pow[m], prev_pow[m]);
                        let (dcs, ns_) = decide_with_powers(&cc, s.ctrl[m], s.h[m], ratio, rp, pp);
                        s.ctrl[m] = ns_;
                        (dcs.accept, dcs.h_next)
                    }
                }
                None => (true, fixed_h),
            };
            if !h_next.is_finite() || (accept && !finite) {
                out.status[id] = Status::NonFinite;
                done[m] = true;
                st.accepted += u32::from(accept);
                st.rejected += u32::from(!accept);
                st.t = s.t[m].to_f64();
                st.h = h_next.to_f64();
                continue;
            }
            if accept {
                st.accepted += 1;
                let (t, h) = (s.t[m], s.h[m]);
                let t_new = if s.last[m] { t_end } else { t + h };
                let first_out = s.next_out[m];
                while s.next_out[m] < n_out && dir * (t_eval[s.next_out[m]] - t_new) <= T::ZERO {
                    let j = s.next_out[m];
                    let o = &mut out.y[(id * n_out + j) * dim..(id * n_out + j + 1) * dim];
                    if t_eval[j].bits() == t_new.bits() {
                        o.copy_from_slice(&y1[row.clone()]);
                    } else {
                        let theta = (t_eval[j] - t) / h;
                        cfg.opts.method.dense_weights(theta.to_f64(), &mut bw);
                        for (x, &v) in bwt.iter_mut().zip(&bw) {
                            *x = T::from_f64(v);
                        }
                        dense_row(o, &s.y[row.clone()], h, &s.k, &bwt, row.start);
                    }
                    s.next_out[m] += 1;
                }
                rec.step(
                    id,
                    t,
                    h,
                    t_new,
                    &s.y[row.clone()],
                    first_out..s.next_out[m],
                    &s.k,
                    row.clone(),
                );
                s.y[row.clone()].copy_from_slice(&y1[row.clone()]);
                if tab.fsal {
                    let (k0, kl) = s.k.split_at_mut(ns - 1);
                    k0[0][row.clone()].copy_from_slice(&kl[0][row.clone()]);
                }
                s.t[m] = t_new;
                if s.last[m] {
                    out.status[id] = Status::Success;
                    done[m] = true;
                    st.t = t_new.to_f64();
                    st.h = h_next.to_f64();
                    continue;
                }
            } else {
                st.rejected += 1;
            }
            st.t = s.t[m].to_f64();
            st.h = h_next.to_f64();
            let tiny = T::from_f64(4.0) * T::EPSILON * crate::ode::real::max(s.t[m].abs(), T::ONE);
            if st.accepted + st.rejected >= opts.max_steps {
                out.status[id] = Status::MaxSteps;
                done[m] = true;
            } else if h_next.abs() <= tiny {
                out.status[id] = Status::StepTooSmall;
                done[m] = true;
            } else {
                let (h, last) = clamp_to_end(s.t[m], h_next, t_end, dir);
                s.h[m] = h;
                s.last[m] = last;
            }
        }
        // Compact: finished slots take the last running member.
        let mut m = 0;
        while m < n {
            if done[m] {
                n -= 1;
                if m != n {
                    s.move_slot(m, n, dim, np);
                    done[m] = done[n];
                }
                done[n] = false;
            } else {
                m += 1;
            }
        }
    }
}

/// `o = y0 + h Σ_s B_s k_s` for one member row starting at flat index `at`.
#[inline(always)]
fn dense_row<T: Real>(o: &mut [T], y0: &[T], h: T, k: &[Vec<T>], bw: &[T], at: usize) {
    for (d, od) in o.iter_mut().enumerate() {
        let mut acc = bw[0] * k[0][at + d];
        for s in 1..k.len() {
            acc = bw[s].mul_add(k[s][at + d], acc);
        }
        *od = h.mul_add(acc, y0[d]);
    }
}
