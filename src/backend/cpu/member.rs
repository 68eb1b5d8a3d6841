//! Per-member networks: every member of a population evaluates *its own* MLP at *its own*
//! single input point, with value and vector–Jacobian products w.r.t. the input and the genome.
//!
//! This is the right-hand side of a hybrid neural ODE solved for a whole population at once
//! (`ode::hybrid`): row `i` of the solver's state is member `i`'s input, row `i` of its
//! parameter buffer holds member `i`'s genome. The population kernels of [`super::Cpu`]
//! (one genome × many points) do not fit that shape; here the vector lanes run across
//! *members*: 4 `f64` / 8 `f32` members per register (16 / 8 on AVX-512). Every weight of the
//! network must be one contiguous vector load across a lane block's members. Genomes in rows
//! ([`RowLayout`], [`forward`](MemberMlp::forward)) are therefore copied into an interleaved
//! scratch (`[n_params][W]`, a per-block transposed copy that stays in L1). Genomes already
//! held in tiles of 16 members ([`forward_tiled`](MemberMlp::forward_tiled), the layout an
//! ODE solver keeps for the whole solve) are read in place, which saves that transpose on
//! every right-hand-side call (it cost as much as the network's own arithmetic).
//!
//! **Bits.** The kernel body is written once over [`Lane`] and instantiated with the AVX2/FMA
//! registers and with the scalar twin [`Emu`](super::lanes::Emu), which issues `mul_add`
//! exactly where the vector path fuses; `tanh`/`sin` are the [`crate::math`] functions whose
//! vector forms match the scalar ones bit for bit. A short last block is padded with copies of
//! its last member (results discarded). Lanes never mix, so a member's results do not depend
//! on the ISA, the thread count, the block it lands in or the other members: SIMD == scalar
//! and 1 == N threads, bitwise.
//!
//! **Order of operations** (the contract a scalar re-implementation must follow): a unit's
//! pre-activation is `b_o`, then `fma(W_ok, h_k, acc)` for `k` ascending; in reverse,
//! `δ_o = ḡ_o · σ'(z_o)` (`σ' = 1 − σ²` for tanh), `∂b_o = δ_o`, `∂W_ok = δ_o · h_k`, and the
//! input adjoint `ḡ_k = fma(W_ok, δ_o, ḡ_k)` from zero for `o` ascending.
//!
//! Non-finite inputs or weights are not checked (that would cost a pass per right-hand side
//! call): they propagate to that member's outputs only.
//!
//! ```
//! use pareto_sciml::backend::cpu::member::{MemberMlp, RowLayout};
//! use pareto_sciml::nn::{Activation, MlpSpec};
//! let spec = MlpSpec::uniform(2, &[8], 2, Activation::Tanh).unwrap();
//! let net = MemberMlp::new(spec.clone());
//! // Three members, each with its own genome (all zeros but the output biases) and input.
//! let np = spec.n_params();
//! let mut g = vec![0.0f64; 3 * np];
//! for m in 0..3 {
//!     g[m * np + np - 2] = m as f64; // b3[0] of member m
//! }
//! let x = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
//! let mut out = vec![0.0; 6];
//! net.forward(&x, &g, RowLayout::packed(np), &mut out).unwrap();
//! assert_eq!(out, vec![0.0, 0.0, 1.0, 0.0, 2.0, 0.0]);
//! ```

use super::lanes::{Lane, Real};
use super::{avx2_available, Cpu, Element, Isa, Path};
use crate::nn::{activation, MlpSpec};
use crate::{Error, Result};

/// Members per tile of the tiled genome layout ([`MemberMlp::forward_tiled`]) for element
/// type `T`: one 64-byte cache line (16 `f32`, 8 `f64`), the widest register and a multiple
/// of every lane width. A lane block then streams whole lines, one per parameter.
pub const fn tile_len<T>() -> usize {
    64 / std::mem::size_of::<T>()
}

/// Position of parameter `j` of member `i` in the tiled genome layout of
/// [`MemberMlp::forward_tiled`] (`n_params` parameters per member, elements of type `T`).
#[inline(always)]
pub const fn tiled_index<T>(i: usize, j: usize, n_params: usize) -> usize {
    let t = tile_len::<T>();
    (i / t * n_params + j) * t + i % t
}

/// Members per work item when the evaluator runs on several threads (a multiple of every
/// lane width, so the lane blocks are the same whatever the thread count).
pub const MEMBER_CHUNK: usize = 64;

/// Where each member's genome lies in a row-major buffer: member `i`'s genome is
/// `buf[i * stride + offset ..][.. n_params]` (e.g. physics parameters first, then the genome,
/// in an ODE solver's parameter rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowLayout {
    /// Elements from one member's row to the next.
    pub stride: usize,
    /// Position of the genome inside a row.
    pub offset: usize,
}

impl RowLayout {
    /// Genomes stored back to back (`stride = n_params`, `offset = 0`).
    pub fn packed(n_params: usize) -> Self {
        Self {
            stride: n_params,
            offset: 0,
        }
    }
}

/// A per-member MLP evaluator: one network description, one genome and one input point per
/// member, vectorised across members (module docs).
#[derive(Clone, Debug)]
pub struct MemberMlp {
    spec: MlpSpec,
    cpu: Cpu,
    /// Offsets of each layer's activations in the interleaved activation scratch (in units of
    /// `W` lanes); the last entry is the total.
    act_off: Vec<usize>,
}

impl MemberMlp {
    /// An evaluator for networks of shape `spec`, single-threaded, ISA [`Isa::Auto`].
    pub fn new(spec: MlpSpec) -> Self {
        let mut act_off = vec![0];
        for &w in spec.widths() {
            act_off.push(act_off.last().expect("non-empty") + w);
        }
        Self {
            spec,
            cpu: Cpu {
                threads: 1,
                isa: Isa::Auto,
            },
            act_off,
        }
    }

    /// Uses another backend configuration (threads, ISA); results are the same bits. Inside an
    /// ODE right-hand side keep one thread: the solver already runs blocks on threads.
    pub fn with_cpu(self, cpu: Cpu) -> Self {
        Self { cpu, ..self }
    }

    /// The network description.
    pub fn spec(&self) -> &MlpSpec {
        &self.spec
    }

    /// `out[i] = NN(x[i]; θ_i)` for every member `i`: `x` is `members × n_in`, `out` is
    /// `members × n_out` (its length sets the member count), θ_i is read from `genomes` at
    /// `layout`.
    ///
    /// Errors: [`Error::Empty`] for zero members, [`Error::Shape`] for mismatched lengths,
    /// [`Error::InvalidConfig`] for a layout whose genome does not fit in a row or
    /// [`Isa::Avx2`] on a CPU without it.
    pub fn forward<T: Element>(
        &self,
        x: &[T],
        genomes: &[T],
        layout: RowLayout,
        out: &mut [T],
    ) -> Result<()> {
        let rows = self.check("MemberMlp::forward", x, genomes, layout, out.len(), None)?;
        let path = self.use_avx()?;
        let n_out = self.spec.n_out();
        let job = Job {
            x,
            genomes: Genomes::Rows(genomes, layout),
            v: &[],
        };
        self.split(rows, n_out, out, |r0, o| {
            self.dispatch(path, &job, r0, o, &mut []);
        });
        Ok(())
    }

    /// Like [`forward`](Self::forward) with the genomes in tiles of [`tile_len`] members (one
    /// cache line): parameter `j` of member `i` is `genomes[tiled_index::<T>(i, j, n_params)]`,
    /// i.e. each tile holds its members' parameters one after the other, one line each. A
    /// register of members is then one contiguous load, and a lane block streams one
    /// contiguous stretch of memory (a plain column-major layout, tried first, spread a lane
    /// block's weights over hundreds of pages and was 1.6× slower). Align `genomes` to 64
    /// bytes for whole-line loads (correct either way). This is the layout an ODE solver keeps for a whole solve, so no
    /// per-call transpose is needed. Lanes past the last member may hold anything (finished
    /// members of a solve, zeros): they are computed and discarded. Same bits as
    /// [`forward`](Self::forward) on the same genomes.
    ///
    /// ```
    /// use pareto_sciml::backend::cpu::member::{tile_len, tiled_index, MemberMlp, RowLayout};
    /// use pareto_sciml::nn::{Activation, MlpSpec};
    /// let spec = MlpSpec::uniform(1, &[3], 1, Activation::Tanh).unwrap();
    /// let np = spec.n_params(); // 10
    /// let net = MemberMlp::new(spec);
    /// let rows: Vec<f64> = (0..2 * np).map(|i| 0.1 * i as f64).collect();
    /// let mut tiles = vec![0.0; tile_len::<f64>() * np]; // one tile: room for 8 members
    /// for m in 0..2 {
    ///     for j in 0..np {
    ///         tiles[tiled_index::<f64>(m, j, np)] = rows[m * np + j];
    ///     }
    /// }
    /// let (mut a, mut b) = (vec![0.0; 2], vec![0.0; 2]);
    /// net.forward(&[0.5, -0.5], &rows, RowLayout::packed(np), &mut a).unwrap();
    /// net.forward_tiled(&[0.5, -0.5], &tiles, &mut b).unwrap();
    /// assert_eq!(a, b);
    /// ```
    ///
    /// Errors as [`forward`](Self::forward); [`Error::Shape`] if `genomes` is shorter than
    /// the tiles of all members (`⌈members / t⌉ · t · n_params`, `t =` [`tile_len`]).
    pub fn forward_tiled<T: Element>(&self, x: &[T], genomes: &[T], out: &mut [T]) -> Result<()> {
        const OP: &str = "MemberMlp::forward_tiled";
        let (n_out, np) = (self.spec.n_out(), self.spec.n_params());
        let rows = self.check_members(OP, x, out.len())?;
        let tile = tile_len::<T>();
        let need = rows.div_ceil(tile) * tile * np;
        if genomes.len() < need {
            return Err(Error::Shape {
                op: OP,
                what: format!("genomes.len() (tiles of {tile} members × {np} parameters)"),
                expected: need,
                got: genomes.len(),
            });
        }
        let path = self.use_avx()?;
        let job = Job {
            x,
            genomes: Genomes::Tiled(genomes),
            v: &[],
        };
        self.split(rows, n_out, out, |r0, o| {
            self.dispatch(path, &job, r0, o, &mut []);
        });
        Ok(())
    }

    /// Reverse mode for every member `i`: `gx[i] = v[i]ᵀ ∂NN/∂x (x[i]; θ_i)` (overwritten,
    /// `members × n_in`) and `v[i]ᵀ ∂NN/∂θ` written into the genome slots of `gg`, which has the
    /// same `layout` as `genomes` (entries outside the genome slots are left as they are).
    ///
    /// Errors as [`forward`](Self::forward); the member count is `v.len() / n_out`.
    pub fn vjp<T: Element>(
        &self,
        x: &[T],
        genomes: &[T],
        layout: RowLayout,
        v: &[T],
        gx: &mut [T],
        gg: &mut [T],
    ) -> Result<()> {
        let op = "MemberMlp::vjp";
        let n_out = self.spec.n_out();
        if v.len() % n_out != 0 {
            return Err(Error::Shape {
                op,
                what: format!("v.len() (a multiple of n_out = {n_out})"),
                expected: v.len().div_ceil(n_out) * n_out,
                got: v.len(),
            });
        }
        let rows = self.check(op, x, genomes, layout, v.len(), Some(gg.len()))?;
        crate::error::check_len(op, "gx.len()", x.len(), gx.len())?;
        let path = self.use_avx()?;
        let job = Job {
            x,
            genomes: Genomes::Rows(genomes, layout),
            v,
        };
        let np = self.spec.n_params();
        let n_in = self.spec.n_in();
        // Per item: the input adjoints, then the genome adjoints packed.
        let item = n_in + np;
        let mut packed = vec![T::ZERO; rows * item];
        self.split(rows, item, &mut packed, |r0, buf| {
            let n = buf.len() / item;
            let (gxi, ggi) = buf.split_at_mut(n * n_in);
            self.dispatch(path, &job, r0, gxi, ggi);
        });
        // Unpack in member order (the same on any thread count).
        let mut at = 0;
        for r0 in (0..rows).step_by(self.chunk(rows)) {
            let n = (rows - r0).min(self.chunk(rows));
            let (gxi, ggi) = packed[at..at + n * item].split_at(n * n_in);
            gx[r0 * n_in..(r0 + n) * n_in].copy_from_slice(gxi);
            for i in 0..n {
                let o = (r0 + i) * layout.stride + layout.offset;
                gg[o..o + np].copy_from_slice(&ggi[i * np..(i + 1) * np]);
            }
            at += n * item;
        }
        Ok(())
    }

    /// The member count from an output (or output-adjoint) length of `out_len`, checked
    /// against the inputs `x`.
    fn check_members<T>(&self, op: &'static str, x: &[T], out_len: usize) -> Result<usize> {
        let (n_in, n_out) = (self.spec.n_in(), self.spec.n_out());
        if out_len == 0 {
            return Err(Error::Empty {
                op,
                what: "members",
            });
        }
        if out_len % n_out != 0 {
            return Err(Error::Shape {
                op,
                what: format!("out.len() (a multiple of n_out = {n_out})"),
                expected: out_len.div_ceil(n_out) * n_out,
                got: out_len,
            });
        }
        let rows = out_len / n_out;
        crate::error::check_len(op, "x.len()", rows * n_in, x.len())?;
        Ok(rows)
    }

    fn check<T>(
        &self,
        op: &'static str,
        x: &[T],
        genomes: &[T],
        layout: RowLayout,
        out_len: usize,
        grad_len: Option<usize>,
    ) -> Result<usize> {
        let np = self.spec.n_params();
        let rows = self.check_members(op, x, out_len)?;
        if layout.offset + np > layout.stride {
            return Err(Error::config(
                "layout",
                format!(
                    "genome of {np} at offset {} does not fit in a row of stride {}",
                    layout.offset, layout.stride
                ),
            ));
        }
        let need = (rows - 1) * layout.stride + layout.offset + np;
        if genomes.len() < need || genomes.len() > rows * layout.stride {
            return Err(Error::Shape {
                op,
                what: format!("genomes.len() ({rows} rows of stride {})", layout.stride),
                expected: rows * layout.stride,
                got: genomes.len(),
            });
        }
        if let Some(g) = grad_len {
            crate::error::check_len(op, "gg.len()", genomes.len(), g)?;
        }
        Ok(rows)
    }

    fn use_avx(&self) -> Result<Path> {
        self.cpu.path()
    }

    fn chunk(&self, rows: usize) -> usize {
        if crate::parallel::resolve_threads(self.cpu.threads) > 1 {
            MEMBER_CHUNK
        } else {
            rows
        }
    }

    /// Runs `f(first_member, item_out)` over member chunks of [`MEMBER_CHUNK`] on threads
    /// (each chunk into its own buffer, copied back in member order), or over all members at
    /// once on one thread; `out` holds `width` values per member.
    fn split<T: Element>(
        &self,
        rows: usize,
        width: usize,
        out: &mut [T],
        f: impl Fn(usize, &mut [T]) + Sync,
    ) {
        let chunk = self.chunk(rows);
        if chunk >= rows {
            f(0, out);
            return;
        }
        let parts = crate::parallel::map_indexed(rows.div_ceil(chunk), self.cpu.threads, |c| {
            let r0 = c * chunk;
            let mut buf = vec![T::ZERO; (rows - r0).min(chunk) * width];
            f(r0, &mut buf);
            buf
        });
        for (c, part) in parts.iter().enumerate() {
            out[c * chunk * width..][..part.len()].copy_from_slice(part);
        }
    }

    fn dispatch<T: Element>(
        &self,
        path: Path,
        job: &Job<'_, T>,
        r0: usize,
        a: &mut [T],
        b: &mut [T],
    ) {
        #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
        if path == Path::Avx512 {
            // SAFETY: AVX2, FMA, AVX-512F and AVX-512VL were detected at run time (`use_avx`).
            unsafe { run_avx512::<T>(self, job, r0, a, b) };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if path != Path::Scalar {
            // SAFETY: AVX2 and FMA were detected at run time (`use_avx`).
            unsafe { run_avx::<T>(self, job, r0, a, b) };
            return;
        }
        let _ = path;
        run::<T::Emu>(self, job, r0, a, b);
    }
}

/// Where the genomes of one call lie.
#[derive(Clone, Copy)]
enum Genomes<'a, T> {
    /// One row per member ([`RowLayout`]).
    Rows(&'a [T], RowLayout),
    /// Tiles of [`tile_len`] members ([`tiled_index`]).
    Tiled(&'a [T]),
}

/// Borrowed inputs of one call.
struct Job<'a, T> {
    x: &'a [T],
    genomes: Genomes<'a, T>,
    /// Output adjoints (`members × n_out`); empty for a forward pass.
    v: &'a [T],
}

/// Sixteen `f32` / eight `f64` members per register; lanes never mix, so the bits are those
/// of [`run_avx`].
///
/// # Safety
/// The CPU must support AVX2, FMA, AVX-512F and AVX-512VL.
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
#[target_feature(enable = "avx2,fma,avx512f,avx512vl")]
unsafe fn run_avx512<T: Element>(
    net: &MemberMlp,
    job: &Job<'_, T>,
    r0: usize,
    a: &mut [T],
    b: &mut [T],
) {
    run::<T::Avx512>(net, job, r0, a, b)
}

/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_avx<T: Element>(
    net: &MemberMlp,
    job: &Job<'_, T>,
    r0: usize,
    a: &mut [T],
    b: &mut [T],
) {
    run::<T::Avx>(net, job, r0, a, b)
}

/// Members `r0..` of one work item. Forward (`job.v` empty): `a` receives the outputs
/// (`n × n_out`). Reverse: `a` receives the input adjoints (`n × n_in`), `b` the genome
/// adjoints packed (`n × n_params`).
#[inline(always)]
fn run<V: Lane>(net: &MemberMlp, job: &Job<'_, V::T>, r0: usize, a: &mut [V::T], b: &mut [V::T]) {
    let spec = &net.spec;
    let w = V::W;
    let (n_in, n_out, np) = (spec.n_in(), spec.n_out(), spec.n_params());
    let reverse = !job.v.is_empty();
    let n = if reverse {
        a.len() / n_in
    } else {
        a.len() / n_out
    };
    let zero = V::T::ZERO;
    // The interleaved scratch, sized on first use (tiled genomes are read in place).
    let mut wt = Vec::new();
    let mut h = vec![zero; net.act_off[net.act_off.len() - 1] * w];
    let mut d = if reverse {
        vec![zero; h.len()]
    } else {
        Vec::new()
    };
    let mut gw = if reverse {
        vec![zero; np * w]
    } else {
        Vec::new()
    };
    let mut ga = vec![zero; spec.max_width() * w];
    let mut gb = vec![zero; spec.max_width() * w];
    let avx = avx2_available();
    for blk in (0..n).step_by(w) {
        // Lane l holds member blk + l; a short block repeats its last member.
        let member = |l: usize| r0 + (blk + l).min(n - 1);
        // One row slice per lane (a per-element index let the compiler build the indices in a
        // vector register and extract them one by one, a quarter of a solve's time).
        for l in 0..w {
            let m = member(l);
            let row = &job.x[m * n_in..(m + 1) * n_in];
            for (k, &v) in row.iter().enumerate() {
                h[k * w + l] = v;
            }
        }
        // The weights as registers: `ws` elements from one parameter's lanes to the next.
        let (weights, ws): (&[V::T], usize) = match job.genomes {
            Genomes::Rows(g, layout) => {
                let mut rows: [&[V::T]; 16] = [&[]; 16];
                for (l, row) in rows.iter_mut().enumerate().take(w) {
                    *row = &g[member(l) * layout.stride + layout.offset..][..np];
                }
                wt.resize(np * w, zero);
                interleave::<V>(&rows[..w], &mut wt, avx);
                (&wt, w)
            }
            // In place: every lane width divides the tile and work items start at multiples
            // of `MEMBER_CHUNK`, so a register never straddles two tiles. Lanes past the last
            // member compute on whatever the tile holds there, and are discarded.
            Genomes::Tiled(g) => {
                let tile = tile_len::<V::T>();
                assert!(
                    (r0 + blk) % tile + w <= tile,
                    "lane block straddles two tiles"
                );
                (&g[tiled_index::<V::T>(r0 + blk, 0, np)..], tile)
            }
        };
        forward_block::<V>(net, weights, ws, &mut h, &mut d, reverse);
        let top = net.act_off[spec.n_layers()] * w;
        let live = (n - blk).min(w);
        if !reverse {
            for l in 0..live {
                for o in 0..n_out {
                    a[(blk + l) * n_out + o] = h[top + o * w + l];
                }
            }
            continue;
        }
        for l in 0..w {
            for o in 0..n_out {
                ga[o * w + l] = job.v[member(l) * n_out + o];
            }
        }
        backward_block::<V>(net, weights, ws, &h, &d, &mut ga, &mut gb, &mut gw);
        for l in 0..live {
            for k in 0..n_in {
                a[(blk + l) * n_in + k] = ga[k * w + l];
            }
            let row = &mut b[(blk + l) * np..(blk + l + 1) * np];
            for (j, x) in row.iter_mut().enumerate() {
                *x = gw[j * w + l];
            }
        }
    }
}

/// `wt[j * W + l] = rows[l][j]`: the genomes of one lane block, interleaved. Pure data
/// movement (no arithmetic), so the AVX2 shuffle version cannot change any bits.
#[inline(always)]
fn interleave<V: Lane>(rows: &[&[V::T]], wt: &mut [V::T], avx: bool) {
    let w = rows.len();
    #[cfg(target_arch = "x86_64")]
    if avx && w % 4 == 0 && std::any::TypeId::of::<V::T>() == std::any::TypeId::of::<f64>() {
        let np = rows[0].len();
        assert!(rows.iter().all(|r| r.len() == np) && wt.len() >= w * np);
        for g in 0..w / 4 {
            // SAFETY: `V::T` is `f64` (same TypeId), AVX2/FMA were detected at run time
            // (`avx`), and the lengths were checked just above.
            unsafe {
                let p: [*const f64; 4] = std::array::from_fn(|l| rows[4 * g + l].as_ptr().cast());
                interleave_f64x4(p, np, wt.as_mut_ptr().cast::<f64>().add(4 * g), w);
            }
        }
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if avx && w % 8 == 0 && std::any::TypeId::of::<V::T>() == std::any::TypeId::of::<f32>() {
        let np = rows[0].len();
        assert!(rows.iter().all(|r| r.len() == np) && wt.len() >= w * np);
        for g in 0..w / 8 {
            // SAFETY: `V::T` is `f32` (same TypeId), AVX2/FMA were detected at run time
            // (`avx`), and the lengths were checked just above.
            unsafe {
                let p: [*const f32; 8] = std::array::from_fn(|l| rows[8 * g + l].as_ptr().cast());
                interleave_f32x8(p, np, wt.as_mut_ptr().cast::<f32>().add(8 * g), w);
            }
        }
        return;
    }
    let _ = avx;
    for j in 0..rows[0].len() {
        for (l, r) in rows.iter().enumerate() {
            wt[j * w + l] = r[j];
        }
    }
}

/// 4×4 transposes: four genome rows of `np` values into `out[j * s + l]` (`s ≥ 4`: the lanes
/// of the whole block, of which these rows are four).
///
/// # Safety
/// AVX2 present; `p[l]` valid for `np` reads, `out` for `s * (np - 1) + 4` writes.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn interleave_f64x4(p: [*const f64; 4], np: usize, out: *mut f64, s: usize) {
    use std::arch::x86_64::*;
    let mut j = 0;
    while j + 4 <= np {
        let r0 = _mm256_loadu_pd(p[0].add(j));
        let r1 = _mm256_loadu_pd(p[1].add(j));
        let r2 = _mm256_loadu_pd(p[2].add(j));
        let r3 = _mm256_loadu_pd(p[3].add(j));
        let t0 = _mm256_unpacklo_pd(r0, r1);
        let t1 = _mm256_unpackhi_pd(r0, r1);
        let t2 = _mm256_unpacklo_pd(r2, r3);
        let t3 = _mm256_unpackhi_pd(r2, r3);
        _mm256_storeu_pd(out.add(s * j), _mm256_permute2f128_pd::<0x20>(t0, t2));
        _mm256_storeu_pd(out.add(s * (j + 1)), _mm256_permute2f128_pd::<0x20>(t1, t3));
        _mm256_storeu_pd(out.add(s * (j + 2)), _mm256_permute2f128_pd::<0x31>(t0, t2));
        _mm256_storeu_pd(out.add(s * (j + 3)), _mm256_permute2f128_pd::<0x31>(t1, t3));
        j += 4;
    }
    while j < np {
        for (l, &pl) in p.iter().enumerate() {
            *out.add(s * j + l) = *pl.add(j);
        }
        j += 1;
    }
}

/// 8×8 transposes: eight genome rows of `np` values into `out[j * s + l]` (`s ≥ 8`: the lanes
/// of the whole block, of which these rows are eight).
///
/// # Safety
/// AVX2 present; `p[l]` valid for `np` reads, `out` for `s * (np - 1) + 8` writes.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn interleave_f32x8(p: [*const f32; 8], np: usize, out: *mut f32, s: usize) {
    use std::arch::x86_64::*;
    let mut j = 0;
    while j + 8 <= np {
        let r: [__m256; 8] = std::array::from_fn(|l| _mm256_loadu_ps(p[l].add(j)));
        // Pairs of rows interleaved, then quadruples: `q[c]` holds column c (low half, rows
        // 0-3 / 4-7 in q[c] / q[c + 4]) and column c + 4 (high half).
        let t: [__m256; 8] = [
            _mm256_unpacklo_ps(r[0], r[1]),
            _mm256_unpackhi_ps(r[0], r[1]),
            _mm256_unpacklo_ps(r[2], r[3]),
            _mm256_unpackhi_ps(r[2], r[3]),
            _mm256_unpacklo_ps(r[4], r[5]),
            _mm256_unpackhi_ps(r[4], r[5]),
            _mm256_unpacklo_ps(r[6], r[7]),
            _mm256_unpackhi_ps(r[6], r[7]),
        ];
        let q: [__m256; 8] = [
            _mm256_shuffle_ps::<0x44>(t[0], t[2]),
            _mm256_shuffle_ps::<0xee>(t[0], t[2]),
            _mm256_shuffle_ps::<0x44>(t[1], t[3]),
            _mm256_shuffle_ps::<0xee>(t[1], t[3]),
            _mm256_shuffle_ps::<0x44>(t[4], t[6]),
            _mm256_shuffle_ps::<0xee>(t[4], t[6]),
            _mm256_shuffle_ps::<0x44>(t[5], t[7]),
            _mm256_shuffle_ps::<0xee>(t[5], t[7]),
        ];
        for c in 0..4 {
            let lo = _mm256_permute2f128_ps::<0x20>(q[c], q[c + 4]);
            let hi = _mm256_permute2f128_ps::<0x31>(q[c], q[c + 4]);
            _mm256_storeu_ps(out.add(s * (j + c)), lo);
            _mm256_storeu_ps(out.add(s * (j + c + 4)), hi);
        }
        j += 8;
    }
    while j < np {
        for (l, &pl) in p.iter().enumerate() {
            *out.add(s * j + l) = *pl.add(j);
        }
        j += 1;
    }
}

/// Forward through all layers for one lane block. Weight `j`'s register is `wt[j * ws..]`.
/// `h` holds the input in its first `n_in` registers and receives every layer's output after
/// it; with `keep`, `d` receives `σ'`.
#[inline(always)]
fn forward_block<V: Lane>(
    net: &MemberMlp,
    wt: &[V::T],
    ws: usize,
    h: &mut [V::T],
    d: &mut [V::T],
    keep: bool,
) {
    let spec = &net.spec;
    let w = V::W;
    for l in 0..spec.n_layers() {
        let (ni, no) = spec.layer_shape(l);
        let act = spec.activations()[l];
        let base = spec.layer_offset(l);
        let (lo, hi) = h.split_at_mut(net.act_off[l + 1] * w);
        let hin = &lo[net.act_off[l] * w..];
        let dl = if keep {
            &mut d[net.act_off[l + 1] * w..]
        } else {
            &mut []
        };
        // All pre-activations first, eight units at a time (eight independent FMA chains
        // sharing each input load: two FMA ports times four cycles of latency), then the
        // activations as one loop of independent calls, so their division latencies overlap
        // instead of queueing behind each unit's chain.
        let mut o = 0;
        while o < no {
            let t = match no - o {
                1 => 1,
                2 => 2,
                3 => 3,
                4..=7 => 4,
                _ => 8,
            };
            match t {
                1 => unit_tile::<V, 1>(wt, ws, base, hin, (ni, no), o, hi),
                2 => unit_tile::<V, 2>(wt, ws, base, hin, (ni, no), o, hi),
                3 => unit_tile::<V, 3>(wt, ws, base, hin, (ni, no), o, hi),
                4 => unit_tile::<V, 4>(wt, ws, base, hin, (ni, no), o, hi),
                _ => unit_tile::<V, 8>(wt, ws, base, hin, (ni, no), o, hi),
            }
            o += t;
        }
        for o in 0..no {
            let z = V::load(&hi[o * w..]);
            if keep {
                let e = activation::eval(act, z);
                e[0].store(&mut hi[o * w..]);
                e[1].store(&mut dl[o * w..]);
            } else {
                activation::value(act, z).store(&mut hi[o * w..]);
            }
        }
    }
}

/// Pre-activations of units `o..o+T` into `z`: `b_o`, then `fma(W_ok, h_k, acc)` for `k`
/// ascending, each unit's own chain (the order of the module docs). The layer (`ni` inputs,
/// `no` units) starts at parameter `base`; parameter `j`'s register is `wt[j * ws..]`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn unit_tile<V: Lane, const T: usize>(
    wt: &[V::T],
    ws: usize,
    base: usize,
    hin: &[V::T],
    (ni, no): (usize, usize),
    o: usize,
    z: &mut [V::T],
) {
    let w = V::W;
    // The biases follow the layer's weights, so the last bias is the highest register read;
    // one check here instead of one per load keeps the inner loop to its loads and FMAs.
    let bias0 = base + ni * no + o;
    assert!(o + T <= no && (bias0 + T - 1) * ws + w <= wt.len() && hin.len() >= ni * w);
    let (wp, hp) = (wt.as_ptr(), hin.as_ptr());
    let mut acc = [V::zero(); T];
    for (t, a) in acc.iter_mut().enumerate() {
        // SAFETY: `bias0 + t ≤ bias0 + T − 1`, checked above.
        *a = unsafe { V::load_ptr(wp.add((bias0 + t) * ws)) };
    }
    // One pointer walking input `k` of unit `o`'s row, the other units at fixed distances
    // (loop-invariant offsets: an index recomputed per load was vectorised by the compiler
    // and extracted lane by lane, which cost more than the FMAs).
    let offsets: [usize; T] = std::array::from_fn(|t| t * ni * ws);
    // SAFETY: `base + o·ni ≤ bias0`, inside `wt` (checked above).
    let mut q = unsafe { wp.add((base + o * ni) * ws) };
    for k in 0..ni {
        // SAFETY: `k < ni` and `hin` holds `ni` registers (checked above).
        let hk = unsafe { V::load_ptr(hp.add(k * w)) };
        for (a, &off) in acc.iter_mut().zip(&offsets) {
            // SAFETY: `q + off` is weight (o + t, k): below `bias0` (weights precede biases),
            // so inside `wt`.
            *a = unsafe { V::load_ptr(q.add(off)) }.fma(hk, *a);
        }
        // SAFETY: at most one past input `ni − 1` of unit `o`, still inside `wt`.
        q = unsafe { q.add(ws) };
    }
    for (t, a) in acc.iter().enumerate() {
        a.store(&mut z[(o + t) * w..]);
    }
}

/// Reverse through all layers for one lane block (weight `j`'s register at `wt[j * ws..]`):
/// `ga` holds the output adjoints on entry and the input adjoints on exit; `gw` receives the
/// genome adjoints (interleaved).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn backward_block<V: Lane>(
    net: &MemberMlp,
    wt: &[V::T],
    ws: usize,
    h: &[V::T],
    d: &[V::T],
    ga: &mut [V::T],
    gb: &mut [V::T],
    gw: &mut [V::T],
) {
    let spec = &net.spec;
    let w = V::W;
    for l in (0..spec.n_layers()).rev() {
        let (ni, no) = spec.layer_shape(l);
        let base = spec.layer_offset(l) * w;
        let hin = &h[net.act_off[l] * w..net.act_off[l + 1] * w];
        let dl = &d[net.act_off[l + 1] * w..];
        for x in gb[..ni * w].iter_mut() {
            *x = V::T::ZERO;
        }
        for o in 0..no {
            let delta = V::load(&ga[o * w..]).mul(V::load(&dl[o * w..]));
            delta.store(&mut gw[base + (ni * no + o) * w..]);
            let row = base + o * ni * w;
            let wrow = spec.layer_offset(l) + o * ni;
            for k in 0..ni {
                let at = row + k * w;
                delta.mul(V::load(&hin[k * w..])).store(&mut gw[at..]);
                V::load(&wt[(wrow + k) * ws..])
                    .fma(delta, V::load(&gb[k * w..]))
                    .store(&mut gb[k * w..]);
            }
        }
        ga[..ni * w].copy_from_slice(&gb[..ni * w]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::Activation;

    /// The AVX2 transposes move every value to the same place as the plain loop, for row
    /// lengths around their block widths.
    #[test]
    fn interleave_transposes_equal_the_plain_loop() {
        fn plain<T: Copy + Default>(rows: &[&[T]]) -> Vec<T> {
            let w = rows.len();
            let mut out = vec![T::default(); w * rows[0].len()];
            for j in 0..rows[0].len() {
                for (l, r) in rows.iter().enumerate() {
                    out[j * w + l] = r[j];
                }
            }
            out
        }
        if !avx2_available() {
            return;
        }
        // Block widths of the AVX2 (8 f32 / 4 f64) and the AVX-512 (16 / 8) kernels.
        for np in [1usize, 3, 4, 5, 7, 8, 9, 15, 16, 17, 354] {
            for w in [8usize, 16] {
                let v32: Vec<Vec<f32>> = (0..w)
                    .map(|l| (0..np).map(|j| (l * 1000 + j) as f32).collect())
                    .collect();
                let r32: Vec<&[f32]> = v32.iter().map(|v| v.as_slice()).collect();
                let mut got = vec![0.0f32; w * np];
                interleave::<super::super::lanes::Emu<f32, 8>>(&r32, &mut got, true);
                assert_eq!(got, plain(&r32), "f32, np = {np}, w = {w}");
            }
            for w in [4usize, 8] {
                let v64: Vec<Vec<f64>> = (0..w)
                    .map(|l| (0..np).map(|j| (l * 1000 + j) as f64).collect())
                    .collect();
                let r64: Vec<&[f64]> = v64.iter().map(|v| v.as_slice()).collect();
                let mut got = vec![0.0f64; w * np];
                interleave::<super::super::lanes::Emu<f64, 4>>(&r64, &mut got, true);
                assert_eq!(got, plain(&r64), "f64, np = {np}, w = {w}");
            }
        }
    }

    #[test]
    fn tails_and_layouts_agree_with_a_member_alone() {
        let spec = MlpSpec::uniform(3, &[5, 4], 2, Activation::Tanh).unwrap();
        let np = spec.n_params();
        let net = MemberMlp::new(spec);
        let layout = RowLayout {
            stride: np + 3,
            offset: 2,
        };
        let rows = 7;
        let g: Vec<f64> = (0..rows * layout.stride)
            .map(|i| (0.37 * i as f64).sin() * 0.5)
            .collect();
        let x: Vec<f64> = (0..rows * 3).map(|i| (0.9 * i as f64).cos()).collect();
        let mut out = vec![0.0; rows * 2];
        net.forward(&x, &g, layout, &mut out).unwrap();
        for r in 0..rows {
            let mut one = [0.0; 2];
            let gr = &g[r * layout.stride..(r + 1) * layout.stride];
            net.forward(&x[3 * r..3 * r + 3], gr, layout, &mut one)
                .unwrap();
            assert_eq!(one[0].to_bits(), out[2 * r].to_bits());
            assert_eq!(one[1].to_bits(), out[2 * r + 1].to_bits());
        }
    }
}
