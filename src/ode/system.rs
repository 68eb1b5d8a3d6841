//! The batched right-hand side interface and the test systems.
//!
//! States are `rows × dim` row-major, parameters `rows × n_params` row-major, one row per
//! member. **Contract:** row `i` of every output depends only on row `i` of the inputs (and
//! `t[i]`), computed by the same operations whatever the other rows are. That makes a member's
//! solution independent of the batch it is solved in (checked bit for bit in the tests).
//!
//! **Performance.** Mark `rhs` `#[inline(always)]`: the solver's block loop is compiled once
//! for AVX2/FMA and once as a scalar twin, and an inlined RHS is compiled into both, so its
//! `mul_add`s become hardware FMAs on the AVX2 path (a non-inlined RHS built without the `fma`
//! target feature calls the libm `fma` routine for every `mul_add`). The bits are the same
//! either way.

use super::real::Real;

/// A batched ODE right-hand side `y' = f(t, y, p)` with its vector–Jacobian products.
pub trait BatchSystem<T: Real>: Sync {
    /// State dimension per member.
    fn dim(&self) -> usize;
    /// Parameter count per member.
    fn n_params(&self) -> usize;
    /// `dy[i] = f(t[i], y[i], p[i])` for every row `i` (`t.len()` rows).
    fn rhs(&self, t: &[T], y: &[T], p: &[T], dy: &mut [T]);
    /// Reverse mode: `gy[i] = v[i]ᵀ ∂f/∂y (t[i], y[i], p[i])` and
    /// `gp[i] = v[i]ᵀ ∂f/∂p (t[i], y[i], p[i])`, both overwritten.
    fn vjp(&self, t: &[T], y: &[T], p: &[T], v: &[T], gy: &mut [T], gp: &mut [T]);

    /// Parameter columns (a range of the parameter row) the system would also like to read
    /// in [`ParamTiles`], or `None` (the default). The solver then keeps a tiled copy of them
    /// for the whole solve, maintained through its active-set compaction, and calls
    /// [`rhs_columns`](Self::rhs_columns) instead of [`rhs`](Self::rhs). A per-member network
    /// uses this to read every weight as one vector load across members without transposing
    /// its genomes on every call.
    fn param_columns(&self) -> Option<std::ops::Range<usize>> {
        None
    }

    /// [`rhs`](Self::rhs) with the columns named by [`param_columns`](Self::param_columns)
    /// also given tiled in `cols`. It must produce the same bits as `rhs` (the solver picks
    /// either). The default ignores `cols`.
    #[inline(always)]
    fn rhs_columns(&self, t: &[T], y: &[T], p: &[T], cols: ParamTiles<'_, T>, dy: &mut [T]) {
        let _ = cols;
        self.rhs(t, y, p, dy)
    }
}

/// A copy of some parameter columns of a batch (see [`BatchSystem::param_columns`]) in tiles
/// of [`ParamTiles::TILE`] rows: each tile holds its columns one after the other, `TILE`
/// rows each, so column `c` of row `i` is at [`index(i, c)`](Self::index). Tiles cover at
/// least the batch's rows; rows past them hold unspecified values (e.g. members that already
/// finished), which a kernel may compute on as long as it discards the results.
#[derive(Clone, Copy, Debug)]
pub struct ParamTiles<'a, T> {
    /// The tiles, `⌈rows / TILE⌉ · TILE · columns` values or more (the solver aligns them to
    /// 64 bytes).
    pub data: &'a [T],
    /// Columns per row.
    pub columns: usize,
}

impl<T> ParamTiles<'_, T> {
    /// Rows per tile: one 64-byte cache line (16 `f32`, 8 `f64`).
    pub const TILE: usize = crate::backend::cpu::member::tile_len::<T>();

    /// Position of column `c` of row `i` in [`data`](Self::data).
    #[inline(always)]
    pub fn index(&self, i: usize, c: usize) -> usize {
        crate::backend::cpu::member::tiled_index::<T>(i, c, self.columns)
    }
}

/// `y' = −λ y` (dim 1, params `[λ]`); solution `y0 e^{−λt}`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Decay;

impl<T: Real> BatchSystem<T> for Decay {
    fn dim(&self) -> usize {
        1
    }
    fn n_params(&self) -> usize {
        1
    }
    #[inline(always)]
    fn rhs(&self, _t: &[T], y: &[T], p: &[T], dy: &mut [T]) {
        for i in 0..dy.len() {
            dy[i] = -(p[i] * y[i]);
        }
    }
    fn vjp(&self, _t: &[T], y: &[T], p: &[T], v: &[T], gy: &mut [T], gp: &mut [T]) {
        for i in 0..y.len() {
            gy[i] = -(p[i] * v[i]);
            gp[i] = -(y[i] * v[i]);
        }
    }
}

/// Damped oscillator `x' = v`, `v' = −ω²x − 2ζωv` (dim 2, params `[ω, ζ]`); ζ = 0 is the
/// harmonic oscillator.
#[derive(Clone, Copy, Debug, Default)]
pub struct Oscillator;

impl<T: Real> BatchSystem<T> for Oscillator {
    fn dim(&self) -> usize {
        2
    }
    fn n_params(&self) -> usize {
        2
    }
    #[inline(always)]
    fn rhs(&self, t: &[T], y: &[T], p: &[T], dy: &mut [T]) {
        let two = T::from_f64(2.0);
        for i in 0..t.len() {
            let (x, v, w, z) = (y[2 * i], y[2 * i + 1], p[2 * i], p[2 * i + 1]);
            dy[2 * i] = v;
            dy[2 * i + 1] = -(w * w * x) - two * z * w * v;
        }
    }
    fn vjp(&self, t: &[T], y: &[T], p: &[T], u: &[T], gy: &mut [T], gp: &mut [T]) {
        let two = T::from_f64(2.0);
        for i in 0..t.len() {
            let (x, v, w, z) = (y[2 * i], y[2 * i + 1], p[2 * i], p[2 * i + 1]);
            let (u0, u1) = (u[2 * i], u[2 * i + 1]);
            gy[2 * i] = -(w * w * u1);
            gy[2 * i + 1] = u0 - two * z * w * u1;
            gp[2 * i] = (-(two * w * x) - two * z * v) * u1;
            gp[2 * i + 1] = -(two * w * v) * u1;
        }
    }
}

/// Van der Pol `x' = v`, `v' = μ(1 − x²)v − x` (dim 2, params `[μ]`).
#[derive(Clone, Copy, Debug, Default)]
pub struct VanDerPol;

impl<T: Real> BatchSystem<T> for VanDerPol {
    fn dim(&self) -> usize {
        2
    }
    fn n_params(&self) -> usize {
        1
    }
    #[inline(always)]
    fn rhs(&self, t: &[T], y: &[T], p: &[T], dy: &mut [T]) {
        for i in 0..t.len() {
            let (x, v, mu) = (y[2 * i], y[2 * i + 1], p[i]);
            dy[2 * i] = v;
            dy[2 * i + 1] = mu * (T::ONE - x * x) * v - x;
        }
    }
    fn vjp(&self, t: &[T], y: &[T], p: &[T], u: &[T], gy: &mut [T], gp: &mut [T]) {
        let two = T::from_f64(2.0);
        for i in 0..t.len() {
            let (x, v, mu) = (y[2 * i], y[2 * i + 1], p[i]);
            let (u0, u1) = (u[2 * i], u[2 * i + 1]);
            gy[2 * i] = (-(two * mu * x * v) - T::ONE) * u1;
            gy[2 * i + 1] = u0 + mu * (T::ONE - x * x) * u1;
            gp[i] = (T::ONE - x * x) * v * u1;
        }
    }
}

/// Lotka–Volterra `x' = αx − βxy`, `y' = γxy − δy` (dim 2, params `[α, β, γ, δ]`).
#[derive(Clone, Copy, Debug, Default)]
pub struct LotkaVolterra;

impl<T: Real> BatchSystem<T> for LotkaVolterra {
    fn dim(&self) -> usize {
        2
    }
    fn n_params(&self) -> usize {
        4
    }
    #[inline(always)]
    fn rhs(&self, t: &[T], y: &[T], p: &[T], dy: &mut [T]) {
        for i in 0..t.len() {
            let (x, z) = (y[2 * i], y[2 * i + 1]);
            let q = &p[4 * i..4 * i + 4];
            dy[2 * i] = q[0] * x - q[1] * x * z;
            dy[2 * i + 1] = q[2] * x * z - q[3] * z;
        }
    }
    fn vjp(&self, t: &[T], y: &[T], p: &[T], u: &[T], gy: &mut [T], gp: &mut [T]) {
        for i in 0..t.len() {
            let (x, z) = (y[2 * i], y[2 * i + 1]);
            let q = &p[4 * i..4 * i + 4];
            let (u0, u1) = (u[2 * i], u[2 * i + 1]);
            gy[2 * i] = (q[0] - q[1] * z) * u0 + q[2] * z * u1;
            gy[2 * i + 1] = -(q[1] * x) * u0 + (q[2] * x - q[3]) * u1;
            gp[4 * i] = x * u0;
            gp[4 * i + 1] = -(x * z) * u0;
            gp[4 * i + 2] = x * z * u1;
            gp[4 * i + 3] = -z * u1;
        }
    }
}

/// Lotka–Volterra with the interaction terms removed: `x' = αx`, `y' = −δy` (dim 2, params
/// `[α, δ]`). The known physics of the NSGA-NODE example (DESIGN §6): a hybrid model has to
/// learn the missing `−βxy` and `γxy` (additive form) or the state-dependent rates
/// `α − βy`, `δ − γx` (parametric form).
#[derive(Clone, Copy, Debug, Default)]
pub struct LotkaVolterraNoInteraction;

impl<T: Real> BatchSystem<T> for LotkaVolterraNoInteraction {
    fn dim(&self) -> usize {
        2
    }
    fn n_params(&self) -> usize {
        2
    }
    #[inline(always)]
    fn rhs(&self, t: &[T], y: &[T], p: &[T], dy: &mut [T]) {
        for i in 0..t.len() {
            dy[2 * i] = p[2 * i] * y[2 * i];
            dy[2 * i + 1] = -(p[2 * i + 1] * y[2 * i + 1]);
        }
    }
    fn vjp(&self, t: &[T], y: &[T], p: &[T], u: &[T], gy: &mut [T], gp: &mut [T]) {
        for i in 0..t.len() {
            let (u0, u1) = (u[2 * i], u[2 * i + 1]);
            gy[2 * i] = p[2 * i] * u0;
            gy[2 * i + 1] = -(p[2 * i + 1] * u1);
            gp[2 * i] = y[2 * i] * u0;
            gp[2 * i + 1] = -(y[2 * i + 1] * u1);
        }
    }
}

/// `y' = a y²` (dim 1, params `[a]`): from `y(0) = 1` it blows up at `t = 1/a` for `a > 0`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quadratic;

impl<T: Real> BatchSystem<T> for Quadratic {
    fn dim(&self) -> usize {
        1
    }
    fn n_params(&self) -> usize {
        1
    }
    #[inline(always)]
    fn rhs(&self, _t: &[T], y: &[T], p: &[T], dy: &mut [T]) {
        for i in 0..dy.len() {
            dy[i] = p[i] * y[i] * y[i];
        }
    }
    fn vjp(&self, _t: &[T], y: &[T], p: &[T], v: &[T], gy: &mut [T], gp: &mut [T]) {
        let two = T::from_f64(2.0);
        for i in 0..y.len() {
            gy[i] = two * p[i] * y[i] * v[i];
            gp[i] = y[i] * y[i] * v[i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every test system's VJP against central differences of its RHS.
    fn check_vjp<S: BatchSystem<f64>>(sys: &S, y: &[f64], p: &[f64]) {
        let (d, np) = (sys.dim(), sys.n_params());
        let t = [0.3];
        let v: Vec<f64> = (0..d).map(|i| 0.7 - 0.4 * i as f64).collect();
        let (mut gy, mut gp) = (vec![0.0; d], vec![0.0; np]);
        sys.vjp(&t, y, p, &v, &mut gy, &mut gp);
        let f = |y: &[f64], p: &[f64]| {
            let mut o = vec![0.0; d];
            sys.rhs(&t, y, p, &mut o);
            o.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>()
        };
        let e = 1e-6;
        for j in 0..d {
            let (mut a, mut b) = (y.to_vec(), y.to_vec());
            a[j] += e;
            b[j] -= e;
            let fd = (f(&a, p) - f(&b, p)) / (2.0 * e);
            assert!((fd - gy[j]).abs() < 1e-7, "gy[{j}] {fd} vs {}", gy[j]);
        }
        for j in 0..np {
            let (mut a, mut b) = (p.to_vec(), p.to_vec());
            a[j] += e;
            b[j] -= e;
            let fd = (f(y, &a) - f(y, &b)) / (2.0 * e);
            assert!((fd - gp[j]).abs() < 1e-7, "gp[{j}] {fd} vs {}", gp[j]);
        }
    }

    #[test]
    fn vjps_match_finite_differences() {
        check_vjp(&Decay, &[1.3], &[0.7]);
        check_vjp(&Oscillator, &[0.4, -1.1], &[1.7, 0.2]);
        check_vjp(&VanDerPol, &[0.4, -1.1], &[2.5]);
        check_vjp(&LotkaVolterra, &[0.9, 1.4], &[1.3, 0.9, 0.8, 1.8]);
        check_vjp(&Quadratic, &[1.2], &[0.6]);
        check_vjp(&LotkaVolterraNoInteraction, &[0.9, 1.4], &[1.3, 1.8]);
    }
}
