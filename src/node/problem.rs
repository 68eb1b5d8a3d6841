//! [`NodeProblem`]: a hybrid system, its observations and the genome ↔ parameter-row mapping,
//! validated once; the objectives themselves are in [`super::objectives`].

use std::sync::Arc;

use crate::backend::cpu::member::MemberMlp;
use crate::backend::cuda::{CudaDevice, DeviceHybrid, DeviceSystem};
use crate::error::{check_finite, check_len, Error, Result};
use crate::moo::problem::{Bounds, Problem};
use crate::ode::hybrid::{MlpCorrection, NnInput};
use crate::ode::{BatchSystem, GradientOptions, Solution};

/// Observations of one trajectory: `y(t0) = y0`, samples `y_obs` (`K × dim`) at `t_obs`.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeData {
    /// Initial time.
    pub t0: f64,
    /// End of the training span `[t0, t1]` (`t1 > t0`); every trajectory is integrated to it.
    pub t1: f64,
    /// Initial state (`dim` values).
    pub y0: Vec<f64>,
    /// Observation times: strictly increasing, inside `[t0, t1]`.
    pub t_obs: Vec<f64>,
    /// Observed states, `K × dim` row-major.
    pub y_obs: Vec<f64>,
}

/// A hybrid neural ODE fitting problem: the system, its data, which objectives, and the
/// genome layout `[physics parameters if trainable, θ (PyTorch order)]`.
///
/// Implements [`Problem`] (objectives without training), so every EMO algorithm of
/// [`crate::moo`] can drive it; [`super::run_nsga_node`] adds the Adam steps.
#[derive(Clone, Debug)]
pub struct NodeProblem<P> {
    pub(crate) sys: MlpCorrection<P>,
    pub(crate) net: MemberMlp,
    pub(crate) phys: Vec<f64>,
    pub(crate) trainable: bool,
    pub(crate) data: NodeData,
    pub(crate) colloc: Vec<f64>,
    pub(crate) grid: Vec<f64>,
    pub(crate) obs_idx: Vec<usize>,
    pub(crate) smoothness: bool,
    pub(crate) opts: GradientOptions,
    pub(crate) genome_bound: f64,
    pub(crate) bounds: Bounds,
    /// The device that runs the objective solves, with the physics' device twin.
    pub(crate) device: Option<(Arc<CudaDevice>, DeviceSystem)>,
}

impl<P: BatchSystem<f64>> NodeProblem<P> {
    /// The problem for `sys` with physics parameters `physics_params` (fixed, not in the
    /// genome) and `data`. Objectives: data misfit and physics consistency (see
    /// [`super::objectives`]); genome entries bounded by ±10; solver tolerances rtol 1e-6,
    /// atol 1e-8 (dopri5), one thread.
    ///
    /// Errors: [`Error::Shape`] when `y0`, `y_obs` or `physics_params` do not match the
    /// system's dimensions; [`Error::Empty`] without observations; [`Error::NonFinite`] for a
    /// non-finite time, state, observation or parameter; [`Error::InvalidConfig`] for
    /// `t1 ≤ t0` or observation times not strictly increasing or outside `[t0, t1]`.
    pub fn new(sys: MlpCorrection<P>, physics_params: Vec<f64>, data: NodeData) -> Result<Self> {
        const OP: &str = "NodeProblem::new";
        let dim = sys.dim();
        check_len(OP, "y0.len() (the state dimension)", dim, data.y0.len())?;
        check_len(
            OP,
            "physics_params.len()",
            BatchSystem::<f64>::n_params(sys.physics()),
            physics_params.len(),
        )?;
        check_finite(OP, "physics_params", &physics_params)?;
        check_finite(OP, "y0", &data.y0)?;
        check_finite(OP, "[t0, t1]", &[data.t0, data.t1])?;
        check_finite(OP, "t_obs", &data.t_obs)?;
        check_finite(OP, "y_obs", &data.y_obs)?;
        if data.t_obs.is_empty() {
            return Err(Error::Empty {
                op: OP,
                what: "observation times",
            });
        }
        check_len(
            OP,
            "y_obs.len() (K × dim)",
            data.t_obs.len() * dim,
            data.y_obs.len(),
        )?;
        if data.t1 <= data.t0 {
            return Err(Error::config(
                "t1",
                format!("{} must exceed t0 = {}", data.t1, data.t0),
            ));
        }
        check_times("t_obs", &data.t_obs, data.t0, data.t1)?;
        let net = MemberMlp::new(sys.spec().clone());
        let mut p = NodeProblem {
            sys,
            net,
            phys: physics_params,
            trainable: false,
            data,
            colloc: Vec::new(),
            grid: Vec::new(),
            obs_idx: Vec::new(),
            smoothness: false,
            opts: GradientOptions::default(),
            genome_bound: 10.0,
            bounds: Bounds::uniform(1, 0.0, 1.0)?,
            device: None,
        };
        p.rebuild()?;
        Ok(p)
    }

    /// Extra collocation times (inside `[t0, t1]`, strictly increasing) at which the physics
    /// consistency and smoothness objectives are also measured; the trajectory grid is the
    /// sorted union of these, the observation times and `t1`.
    pub fn with_collocation(mut self, times: &[f64]) -> Result<Self> {
        check_finite("NodeProblem::with_collocation", "times", times)?;
        check_times("collocation times", times, self.data.t0, self.data.t1)?;
        self.colloc = times.to_vec();
        self.rebuild()?;
        Ok(self)
    }

    /// Adds the smoothness objective (third objective): the mean squared time derivative of
    /// the correction along the trajectory grid.
    pub fn with_smoothness(mut self, on: bool) -> Self {
        self.smoothness = on;
        self
    }

    /// Makes the physics parameters trainable: they become the first genome entries, bounded
    /// by `[lower, upper]`, starting (in [`super::run_nsga_node`]) from the values given to
    /// [`new`](Self::new).
    pub fn with_trainable_physics(mut self, lower: Vec<f64>, upper: Vec<f64>) -> Result<Self> {
        let npp = self.phys.len();
        check_len("with_trainable_physics", "lower.len()", npp, lower.len())?;
        check_len("with_trainable_physics", "upper.len()", npp, upper.len())?;
        // Validated by Bounds::new (finite, lower ≤ upper) through `rebuild`.
        self.trainable = true;
        self.bounds = Bounds::new(lower, upper)?;
        self.rebuild()?;
        Ok(self)
    }

    /// Bounds every network weight to `[−b, b]` (`b > 0`, finite; default 10).
    pub fn with_genome_bound(mut self, b: f64) -> Result<Self> {
        if !(b.is_finite() && b > 0.0) {
            return Err(Error::config(
                "genome_bound",
                format!("{b} is not finite and > 0"),
            ));
        }
        self.genome_bound = b;
        self.rebuild()?;
        Ok(self)
    }

    /// Solver options for every solve and gradient (validated on first use by the solver).
    pub fn with_solve_options(mut self, opts: GradientOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Runs the solves of the objectives ([`Problem::evaluate`], [`Self::evaluate_genomes`],
    /// [`Self::trajectories`]) on `device` (the `rk_step` kernel: the same bits as the CPU
    /// solver). Gradients through the solve (the Adam steps of NSGA-NODE) stay on the CPU.
    ///
    /// Errors: [`Error::InvalidConfig`] when the physics has no device twin
    /// ([`DeviceSystem::of`]) or the network is wider than the device kernel's
    /// [`HYBRID_MAX_WIDTH`](crate::backend::cuda::HYBRID_MAX_WIDTH); solver options the
    /// device does not support (fixed steps, BS3/RK4) are an error at the first solve.
    pub fn with_device(mut self, device: Arc<CudaDevice>) -> Result<Self>
    where
        P: 'static,
    {
        let sys = DeviceSystem::of(self.sys.physics()).ok_or_else(|| {
            Error::config(
                "device",
                "this physics has no device twin (the built-in systems of ode::system have)",
            )
        })?;
        let width = self.sys.spec().max_width();
        if width > crate::backend::cuda::HYBRID_MAX_WIDTH {
            return Err(Error::config(
                "device",
                format!(
                    "layers of {width} units exceed the device kernel's {}",
                    crate::backend::cuda::HYBRID_MAX_WIDTH
                ),
            ));
        }
        self.device = Some((device, sys));
        Ok(self)
    }

    /// The device that runs the objective solves, if one was given.
    pub fn device(&self) -> Option<&CudaDevice> {
        self.device.as_ref().map(|(d, _)| d.as_ref())
    }

    /// Worker threads for solves and objectives (0 = all cores); results do not depend on it.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.opts.solve.threads = threads;
        self
    }

    fn rebuild(&mut self) -> Result<()> {
        let mut grid: Vec<f64> = self.data.t_obs.clone();
        grid.extend_from_slice(&self.colloc);
        grid.push(self.data.t1);
        grid.sort_by(f64::total_cmp);
        grid.dedup_by(|a, b| a.to_bits() == b.to_bits());
        self.obs_idx = self
            .data
            .t_obs
            .iter()
            .map(|t| grid.partition_point(|g| g < t))
            .collect();
        self.grid = grid;
        let n_net = self.sys.spec().n_params();
        let (mut lo, mut hi) = if self.trainable {
            (self.bounds.lower().to_vec(), self.bounds.upper().to_vec())
        } else {
            (Vec::new(), Vec::new())
        };
        lo.truncate(if self.trainable { self.phys.len() } else { 0 });
        hi.truncate(lo.len());
        lo.extend(std::iter::repeat_n(-self.genome_bound, n_net));
        hi.extend(std::iter::repeat_n(self.genome_bound, n_net));
        self.bounds = Bounds::new(lo, hi)?;
        Ok(())
    }
}

/// Strictly increasing times inside `[t0, t1]`.
fn check_times(what: &str, t: &[f64], t0: f64, t1: f64) -> Result<()> {
    if let Some(i) = t.iter().position(|&x| x < t0 || x > t1) {
        return Err(Error::config(
            what,
            format!(
                "time {} (index {i}) lies outside the span [{t0}, {t1}]",
                t[i]
            ),
        ));
    }
    if let Some(i) = t.windows(2).position(|w| w[1] <= w[0]) {
        return Err(Error::config(
            what,
            format!("not strictly increasing at index {}", i + 1),
        ));
    }
    Ok(())
}

impl<P> NodeProblem<P> {
    /// The hybrid system.
    pub fn system(&self) -> &MlpCorrection<P> {
        &self.sys
    }
    /// The physics parameters given to [`new`](Self::new).
    pub fn physics_params(&self) -> &[f64] {
        &self.phys
    }
    /// Whether the physics parameters are part of the genome.
    pub fn physics_trainable(&self) -> bool {
        self.trainable
    }
    /// The data.
    pub fn data(&self) -> &NodeData {
        &self.data
    }
    /// The trajectory grid: observation and collocation times and `t1`, sorted.
    pub fn grid(&self) -> &[f64] {
        &self.grid
    }
    /// Genome length: trainable physics parameters, then the network weights.
    pub fn n_genome(&self) -> usize {
        self.bounds.len()
    }
    /// Network weights in a genome.
    pub fn n_net(&self) -> usize {
        self.sys.spec().n_params()
    }
    /// Objectives: 2, or 3 with smoothness.
    pub fn n_objectives(&self) -> usize {
        2 + usize::from(self.smoothness)
    }
    /// Solver options.
    pub fn solve_options(&self) -> &GradientOptions {
        &self.opts
    }
    /// Genome bounds.
    pub fn genome_bounds(&self) -> &Bounds {
        &self.bounds
    }
    /// The network input layout.
    pub(crate) fn nn_input(&self) -> NnInput {
        self.sys.input()
    }

    /// The solver's parameter rows `[p, θ]` of `n` genomes (`n × n_genome`).
    pub fn param_rows(&self, genomes: &[f64]) -> Result<Vec<f64>> {
        let ng = self.n_genome();
        if genomes.is_empty() {
            return Err(Error::Empty {
                op: "NodeProblem::param_rows",
                what: "genomes",
            });
        }
        if genomes.len() % ng != 0 {
            return Err(Error::Shape {
                op: "NodeProblem::param_rows",
                what: format!("genomes.len() (a multiple of n_genome = {ng})"),
                expected: genomes.len().div_ceil(ng) * ng,
                got: genomes.len(),
            });
        }
        let mut rows = Vec::with_capacity(genomes.len() / ng * (self.phys.len() + self.n_net()));
        for g in genomes.chunks_exact(ng) {
            if !self.trainable {
                rows.extend_from_slice(&self.phys);
            }
            rows.extend_from_slice(g);
        }
        Ok(rows)
    }
}

impl<P: BatchSystem<f64>> NodeProblem<P> {
    /// Solves the hybrid model of every genome to the times `t_eval` (from `t0`, any strictly
    /// increasing times after it, e.g. an extrapolation window).
    pub fn trajectories(&self, genomes: &[f64], t_eval: &[f64]) -> Result<Solution<f64>> {
        let p = self.param_rows(genomes)?;
        let n = genomes.len() / self.n_genome();
        let y0: Vec<f64> = (0..n).flat_map(|_| self.data.y0.iter().copied()).collect();
        self.solve_rows(&y0, &p, t_eval)
    }

    /// The hybrid model's solves from `t0` for parameter rows `rows`: on the device when one
    /// was given, else by [`crate::ode::solve`] (the same bits).
    pub(crate) fn solve_rows(
        &self,
        y0: &[f64],
        rows: &[f64],
        t_eval: &[f64],
    ) -> Result<Solution<f64>> {
        let t0 = self.data.t0;
        match &self.device {
            None => crate::ode::solve(&self.sys, y0, rows, t0, t_eval, &self.opts.solve),
            Some((dev, sys)) => {
                let hybrid = DeviceHybrid {
                    spec: self.sys.spec().clone(),
                    lambda: self.sys.lambda(),
                    input: self.sys.input(),
                    form: self.sys.form(),
                };
                dev.ode_solve(*sys, Some(&hybrid), y0, rows, t0, t_eval, &self.opts.solve)
            }
        }
    }

    /// What the network adds to the physics at the points `y` (`n × dim`, times `t`):
    /// `f_hybrid(t, y) − f_phys(t, y, p)` for one `genome`, in every hybrid form. For the
    /// Lotka–Volterra example this is the learned interaction term (`−βxy`, `γxy`).
    pub fn correction_field(&self, genome: &[f64], t: &[f64], y: &[f64]) -> Result<Vec<f64>> {
        const OP: &str = "NodeProblem::correction_field";
        check_len(OP, "genome.len()", self.n_genome(), genome.len())?;
        let dim = self.sys.dim();
        check_len(OP, "y.len() (t.len() × dim)", t.len() * dim, y.len())?;
        if t.is_empty() {
            return Err(Error::Empty {
                op: OP,
                what: "points",
            });
        }
        let row = self.param_rows(genome)?;
        let npp = self.phys.len();
        let rows: Vec<f64> = t.iter().flat_map(|_| row.iter().copied()).collect();
        let pp: Vec<f64> = t.iter().flat_map(|_| row[..npp].iter().copied()).collect();
        let (mut hy, mut ph) = (vec![0.0; y.len()], vec![0.0; y.len()]);
        self.sys.rhs(t, y, &rows, &mut hy);
        self.sys.physics().rhs(t, y, &pp, &mut ph);
        Ok(hy.iter().zip(&ph).map(|(a, b)| a - b).collect())
    }
}

impl<P: BatchSystem<f64>> Problem for NodeProblem<P> {
    fn n_var(&self) -> usize {
        self.n_genome()
    }
    fn n_obj(&self) -> usize {
        self.n_objectives()
    }
    /// One constraint: 1 when the member's solve failed (its objectives are then `+inf`).
    fn n_constr(&self) -> usize {
        1
    }
    fn bounds(&self) -> &Bounds {
        &self.bounds
    }
    fn evaluate(&self, x: &[f64], f: &mut [f64], g: &mut [f64]) -> Result<()> {
        let e = self.evaluate_genomes(x)?;
        check_len("NodeProblem::evaluate", "f.len()", e.f.len(), f.len())?;
        check_len("NodeProblem::evaluate", "g.len()", e.g.len(), g.len())?;
        f.copy_from_slice(&e.f);
        g.copy_from_slice(&e.g);
        Ok(())
    }
}
