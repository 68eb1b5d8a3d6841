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
//! **Bits.** The kernel body (`kernel.rs`) is written once over [`Lane`](super::lanes::Lane)
//! and instantiated with the AVX2/FMA registers and with the scalar twin
//! [`Emu`](super::lanes::Emu), which issues `mul_add` exactly where the vector path fuses; `tanh`/`sin` are the [`crate::math`] functions whose
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

mod interleave;
mod kernel;

use self::kernel::run;
#[cfg(target_arch = "x86_64")]
use self::kernel::run_avx;
#[cfg(all(target_arch = "x86_64", feature = "avx512"))]
use self::kernel::run_avx512;
use super::{Cpu, Element, Isa, Path};
use crate::nn::MlpSpec;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::Activation;

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
