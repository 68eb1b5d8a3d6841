//! Shared by `tests/cuda_emulation_nn*.rs`: the CPU build of the population NN kernels
//! (`kernels/emulate/harness_nn.cpp`), the commands it runs, and test inputs.
#![allow(dead_code)]

use std::fmt::Debug;
use std::io::Write;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use pareto_sciml::backend::cpu::{LossGrad, CHUNK};
use pareto_sciml::backend::cuda::{
    jet_threads, lane_shared_bytes, loss_scalars, padded_genomes, values_blocks, values_width,
    AdamScalars, DeviceFloat, DeviceLoss, MlpPlan,
};
use pareto_sciml::nn::{Activation, Adam, AdamState, JetSpec, MlpSpec};
use pareto_sciml::rng::stream;
use proptest::prelude::*;

/// The compiled harness, or `None` after printing why the test is skipped (no C++ compiler:
/// `$CXX`, else `g++`, else `clang++`). A compiler that rejects the kernels is a failure.
pub fn harness() -> Option<&'static PathBuf> {
    static HARNESS: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = HARNESS.get_or_init(|| {
        let dir = env!("CARGO_MANIFEST_DIR");
        let exe = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "cuda_emulation_harness_nn_{}",
            env!("CARGO_CRATE_NAME")
        ));
        let compilers = std::env::var("CXX")
            .into_iter()
            .chain(["g++".to_string(), "clang++".to_string()]);
        let mut last = String::from("no C++ compiler found");
        for cxx in compilers {
            // -ffp-contract=off: as on the device (-fmad=false), nothing is fused that the
            // source did not ask for with __fma_rn.
            let out = Command::new(&cxx)
                .args([
                    "-std=c++17",
                    "-O2",
                    "-ffp-contract=off",
                    "-fno-fast-math",
                    "-Wall",
                    "-Wno-unknown-pragmas",
                ])
                .arg(format!("{dir}/kernels/emulate/harness_nn.cpp"))
                .arg("-o")
                .arg(&exe)
                .output();
            match out {
                Ok(o) if o.status.success() => return Ok(exe),
                Ok(o) => panic!(
                    "{cxx} failed on harness_nn.cpp:\n{}",
                    String::from_utf8_lossy(&o.stderr)
                ),
                Err(e) => last = format!("{cxx}: {e}"),
            }
        }
        Err(last)
    });
    match built {
        Ok(p) => Some(p),
        Err(why) => {
            println!("skipped: {why}");
            None
        }
    }
}

/// Element types of the tests, with their file and bit-pattern encodings.
pub trait Float: DeviceFloat + Debug {
    /// 32 or 64.
    const PREC: u32;
    fn of(v: f64) -> Self;
    fn bits(v: &[Self]) -> Vec<u64>;
    fn hex(self) -> String;
    fn to_bytes(v: &[Self]) -> Vec<u8>;
    fn from_bytes(b: &[u8]) -> Vec<Self>;
    fn cast(v: &[f64]) -> Vec<Self> {
        v.iter().map(|&x| Self::of(x)).collect()
    }
    /// `n` values uniform in [-1, 1) from a named stream.
    fn points(n: usize, seed: u64) -> Vec<Self> {
        let mut s = stream(seed, "cuda_emulation_nn", 0, 0);
        (0..n)
            .map(|_| Self::of(2.0 * s.uniform_f64() - 1.0))
            .collect()
    }
}

impl Float for f32 {
    const PREC: u32 = 32;
    fn of(v: f64) -> Self {
        v as f32
    }
    fn bits(v: &[Self]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits() as u64).collect()
    }
    fn hex(self) -> String {
        format!("{:x}", self.to_bits())
    }
    fn to_bytes(v: &[Self]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_ne_bytes()).collect()
    }
    fn from_bytes(b: &[u8]) -> Vec<Self> {
        b.chunks_exact(4)
            .map(|c| f32::from_ne_bytes(c.try_into().unwrap()))
            .collect()
    }
}

impl Float for f64 {
    const PREC: u32 = 64;
    fn of(v: f64) -> Self {
        v
    }
    fn bits(v: &[Self]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }
    fn hex(self) -> String {
        format!("{:x}", self.to_bits())
    }
    fn to_bytes(v: &[Self]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_ne_bytes()).collect()
    }
    fn from_bytes(b: &[u8]) -> Vec<Self> {
        b.chunks_exact(8)
            .map(|c| f64::from_ne_bytes(c.try_into().unwrap()))
            .collect()
    }
}

/// Random networks: `d` inputs, 1–3 hidden layers of 1–6 units with any activation, `out`
/// outputs with any activation.
pub fn net(d: RangeInclusive<usize>, out: RangeInclusive<usize>) -> impl Strategy<Value = MlpSpec> {
    const ACTS: [Activation; 3] = [Activation::Tanh, Activation::Sin, Activation::Identity];
    (
        d,
        proptest::collection::vec((1usize..=6, 0usize..3), 1..=3),
        out,
        0usize..3,
    )
        .prop_map(|(d, hidden, out, out_act)| {
            let mut widths = vec![d];
            let mut acts = Vec::new();
            for (w, a) in hidden {
                widths.push(w);
                acts.push(ACTS[a]);
            }
            widths.push(out);
            acts.push(ACTS[out_act]);
            MlpSpec::new(&widths, &acts).unwrap()
        })
}

struct Files {
    paths: Vec<PathBuf>,
}

impl Files {
    fn new() -> Self {
        Files { paths: Vec::new() }
    }
    /// Writes `bytes` to a fresh scratch file and returns its path.
    fn put(&mut self, bytes: &[u8]) -> String {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let k = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "{}_{}_{k}.bin",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        std::fs::write(&p, bytes).unwrap();
        self.paths.push(p.clone());
        p.display().to_string()
    }
    fn out(&mut self) -> String {
        self.put(&[])
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        for p in &self.paths {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn run(line: &str) {
    let mut child = Command::new(harness().unwrap())
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(line.as_bytes())
        .unwrap();
    assert!(
        child.wait().unwrap().success(),
        "harness_nn failed on {line:.120}"
    );
}

fn plan_bytes(plan: &MlpPlan) -> Vec<u8> {
    plan.words().iter().flat_map(|w| w.to_ne_bytes()).collect()
}

/// `mlp_jets_*` on the CPU, with the launch of `CudaDevice::mlp_jets`.
pub fn emu_jets<T: Float>(spec: &MlpSpec, jet: &JetSpec, genomes: &[T], x: &[T]) -> Vec<T> {
    let plan = MlpPlan::new(spec, jet, DeviceLoss::None).unwrap();
    let (p, n) = (genomes.len() / spec.n_params(), x.len() / spec.n_in());
    emu_jets_threads(spec, jet, genomes, x, jet_threads::<T>(p * n, &plan))
}

/// `mlp_jets_*` on the CPU with `threads` threads striding over the (member, point) items.
pub fn emu_jets_threads<T: Float>(
    spec: &MlpSpec,
    jet: &JetSpec,
    genomes: &[T],
    x: &[T],
    threads: usize,
) -> Vec<T> {
    let plan = MlpPlan::new(spec, jet, DeviceLoss::None).unwrap();
    let (p, n) = (genomes.len() / spec.n_params(), x.len() / spec.n_in());
    let mut f = Files::new();
    let (pf, gf, xf, of) = (
        f.put(&plan_bytes(&plan)),
        f.put(&T::to_bytes(genomes)),
        f.put(&T::to_bytes(x)),
        f.out(),
    );
    run(&format!(
        "jets {} {n} {p} {threads} {} {pf} {gf} {xf} {of}\n",
        T::PREC,
        plan.words().len()
    ));
    T::from_bytes(&std::fs::read(&of).unwrap())
}

/// `mlp_values_w*_*` on the CPU with the padded genomes and launch of
/// `CudaDevice::mlp_values_resident` (the value-only path of `CudaDevice::mlp_jets` for the
/// widths of `VALUES_WIDTHS`).
pub fn emu_values<T: Float>(spec: &MlpSpec, genomes: &[T], x: &[T]) -> Vec<T> {
    let width = values_width(spec).expect("a width with a value kernel");
    let plan = MlpPlan::new(spec, &JetSpec::value(spec.n_in()), DeviceLoss::None).unwrap();
    let (p, n) = (genomes.len() / spec.n_params(), x.len() / spec.n_in());
    let (padded, stride) = padded_genomes(spec, genomes);
    let mut f = Files::new();
    let (pf, gf, xf, of) = (
        f.put(&plan_bytes(&plan)),
        f.put(&T::to_bytes(&padded)),
        f.put(&T::to_bytes(x)),
        f.out(),
    );
    run(&format!(
        "values {} {n} {p} {width} {stride} {} {} {pf} {gf} {xf} {of}\n",
        T::PREC,
        values_blocks::<T>(width, n, p),
        plan.words().len()
    ));
    T::from_bytes(&std::fs::read(&of).unwrap())
}

/// `mlp_loss_partial_*` then `mlp_loss_fold_*` on the CPU, with the launch of
/// `CudaDevice::mlp_loss_grad`.
#[allow(clippy::too_many_arguments)]
pub fn emu_loss<T: Float>(
    spec: &MlpSpec,
    jet: &JetSpec,
    loss: DeviceLoss,
    genomes: &[T],
    x: &[T],
    aux: &[T],
    extra: &[T],
) -> LossGrad<T> {
    let plan = MlpPlan::new(spec, jet, loss).unwrap();
    let shared = lane_shared_bytes::<T>(&plan).1;
    emu_loss_block(
        spec,
        jet,
        loss,
        genomes,
        x,
        aux,
        extra,
        EMU_LOSS_BLOCK,
        shared,
    )
}

/// Threads per lane of [`emu_loss`]: three, not the host's `LOSS_BLOCK`, because every
/// emulated block runs on OS threads that meet at each barrier (64 made the edge cases take
/// minutes). The bits do not depend on the block size:
/// `gradients_do_not_depend_on_the_block_size` runs `LOSS_BLOCK` itself and others.
pub const EMU_LOSS_BLOCK: usize = 3;

/// [`emu_loss`] with `block` threads per lane and the lane's slots where `shared` puts them
/// (`lane_shared_bytes`' modes: 0 global, 1 working slots shared, 2 all shared).
#[allow(clippy::too_many_arguments)]
pub fn emu_loss_block<T: Float>(
    spec: &MlpSpec,
    jet: &JetSpec,
    loss: DeviceLoss,
    genomes: &[T],
    x: &[T],
    aux: &[T],
    extra: &[T],
    block: usize,
    shared: u32,
) -> LossGrad<T> {
    emu_loss_kernel(
        "loss", spec, jet, loss, genomes, x, aux, extra, block, shared,
    )
}

/// The point-parallel gradient kernel (`mlp_loss_points_*`) with `block` threads per lane,
/// one point each.
#[allow(clippy::too_many_arguments)]
pub fn emu_loss_points<T: Float>(
    spec: &MlpSpec,
    jet: &JetSpec,
    loss: DeviceLoss,
    genomes: &[T],
    x: &[T],
    aux: &[T],
    extra: &[T],
    block: usize,
) -> LossGrad<T> {
    emu_loss_kernel("points", spec, jet, loss, genomes, x, aux, extra, block, 0)
}

/// The fused gradient kernel (`mlp_loss_fused_w20_f32`, f32 only) on `grid` blocks, which
/// stride over the (member, chunk) items.
#[allow(clippy::too_many_arguments)]
pub fn emu_loss_fused(
    spec: &MlpSpec,
    jet: &JetSpec,
    loss: DeviceLoss,
    genomes: &[f32],
    x: &[f32],
    aux: &[f32],
    extra: &[f32],
    grid: usize,
) -> LossGrad<f32> {
    emu_loss_kernel("fused", spec, jet, loss, genomes, x, aux, extra, grid, 0)
}

#[allow(clippy::too_many_arguments)]
fn emu_loss_kernel<T: Float>(
    cmd: &str,
    spec: &MlpSpec,
    jet: &JetSpec,
    loss: DeviceLoss,
    genomes: &[T],
    x: &[T],
    aux: &[T],
    extra: &[T],
    block: usize,
    shared: u32,
) -> LossGrad<T> {
    let plan = MlpPlan::new(spec, jet, loss).unwrap();
    let (p, n) = (genomes.len() / spec.n_params(), x.len() / spec.n_in());
    let [inv_n, nu] = loss_scalars::<T>(loss, n);
    let mut f = Files::new();
    let files = [
        f.put(&plan_bytes(&plan)),
        f.put(&T::to_bytes(genomes)),
        f.put(&T::to_bytes(x)),
        f.put(&T::to_bytes(aux)),
        f.put(&T::to_bytes(extra)),
    ];
    let of = f.out();
    run(&format!(
        "{cmd} {} {n} {p} {CHUNK} {} {block} {} {} {} {} {} {of}\n",
        T::PREC,
        T::lanes(),
        shared,
        inv_n.hex(),
        nu.hex(),
        plan.words().len(),
        files.join(" ")
    ));
    let all = T::from_bytes(&std::fs::read(&of).unwrap());
    let (np, ne) = (plan.n_params(), plan.n_extra());
    assert_eq!(all.len(), p * (1 + np + ne));
    LossGrad {
        loss: all[..p].to_vec(),
        grad: all[p..p + p * np].to_vec(),
        grad_extra: all[p + p * np..].to_vec(),
    }
}

/// `adam_step_*` on the CPU with the scalars of `CudaDevice::adam_step`: returns the new
/// parameters, first and second moments (`P × n` each).
pub fn emu_adam<T: Float>(
    adam: &Adam,
    params: &[T],
    grad: &[T],
    states: &[AdamState<T>],
) -> (Vec<T>, Vec<T>, Vec<T>) {
    let p = states.len();
    let n = params.len() / p;
    let t: Vec<u64> = states.iter().map(|s| s.t + 1).collect();
    let sc = AdamScalars::<T>::new(adam, &t);
    let m: Vec<T> = states.iter().flat_map(|s| s.m.clone()).collect();
    let v: Vec<T> = states.iter().flat_map(|s| s.v.clone()).collect();
    let mut f = Files::new();
    let files = [
        f.put(&T::to_bytes(params)),
        f.put(&T::to_bytes(grad)),
        f.put(&T::to_bytes(&m)),
        f.put(&T::to_bytes(&v)),
        f.put(&T::to_bytes(&sc.step)),
        f.put(&T::to_bytes(&sc.bc2s)),
    ];
    let of = f.out();
    let scal: Vec<String> = sc.scalars.iter().map(|s| s.hex()).collect();
    run(&format!(
        "adam {} {n} {p} {} {} {} {of}\n",
        T::PREC,
        sc.mode,
        scal.join(" "),
        files.join(" ")
    ));
    let all = T::from_bytes(&std::fs::read(&of).unwrap());
    assert_eq!(all.len(), 3 * p * n);
    (
        all[..p * n].to_vec(),
        all[p * n..2 * p * n].to_vec(),
        all[2 * p * n..].to_vec(),
    )
}

/// `rk_solve_f64` on the CPU with the launch of `CudaDevice::ode_solve`.
pub fn emu_ode(
    sys: pareto_sciml::backend::cuda::DeviceSystem,
    hybrid: Option<&pareto_sciml::backend::cuda::DeviceHybrid>,
    y0: &[f64],
    params: &[f64],
    t0: f64,
    t_eval: &[f64],
    opts: &pareto_sciml::ode::SolveOptions,
) -> pareto_sciml::ode::Solution<f64> {
    let l =
        pareto_sciml::backend::cuda::ode_launch(sys, hybrid, y0, params, t0, t_eval, opts).unwrap();
    let members = y0.len() / sys.dim();
    let mut f = Files::new();
    let ints: Vec<u8> = l.ints.iter().flat_map(|w| w.to_ne_bytes()).collect();
    let files = [
        f.put(&ints),
        f.put(&f64::to_bytes(&l.reals)),
        f.put(&f64::to_bytes(&l.tableau)),
        f.put(
            &l.plan
                .iter()
                .flat_map(|w| w.to_ne_bytes())
                .collect::<Vec<u8>>(),
        ),
        f.put(&f64::to_bytes(y0)),
        f.put(&f64::to_bytes(params)),
        f.put(&f64::to_bytes(t_eval)),
    ];
    let of = f.out();
    run(&format!(
        "ode 64 {members} {} {} {} {} {} {} {} {} {of}\n",
        l.ints.len(),
        l.reals.len(),
        l.tableau.len(),
        l.plan.len(),
        y0.len(),
        params.len(),
        t_eval.len(),
        files.join(" ")
    ));
    let b = std::fs::read(&of).unwrap();
    let ny = members * t_eval.len() * sys.dim();
    assert_eq!(b.len(), 8 * ny + 4 * members + 12 * members + 24 * members);
    let y = f64::from_bytes(&b[..8 * ny]);
    let u32s = |s: &[u8]| -> Vec<u32> {
        s.chunks_exact(4)
            .map(|c| u32::from_ne_bytes(c.try_into().unwrap()))
            .collect()
    };
    let mut at = 8 * ny;
    let status = u32s(&b[at..at + 4 * members]);
    at += 4 * members;
    let counts = u32s(&b[at..at + 12 * members]);
    at += 12 * members;
    let fstats = f64::from_bytes(&b[at..]);
    pareto_sciml::backend::cuda::solution_of(y, &status, &counts, &fstats)
}

/// Asserts that two loss results agree bit for bit: the losses, the genome gradients and the
/// extra-scalar gradients, each failure naming which and `what`.
pub fn assert_same_loss_grad<T: Float>(got: &LossGrad<T>, want: &LossGrad<T>, what: &str) {
    assert_eq!(T::bits(&got.loss), T::bits(&want.loss), "loss {what}");
    assert_eq!(T::bits(&got.grad), T::bits(&want.grad), "grad {what}");
    assert_eq!(
        T::bits(&got.grad_extra),
        T::bits(&want.grad_extra),
        "extra {what}"
    );
}

/// Bitwise equality of two solutions (statistics field by field, by bits).
pub fn same_solution(
    a: &pareto_sciml::ode::Solution<f64>,
    b: &pareto_sciml::ode::Solution<f64>,
) -> Result<(), String> {
    if f64::bits(&a.y) != f64::bits(&b.y) {
        let i = (0..a.y.len())
            .find(|&i| a.y[i].to_bits() != b.y[i].to_bits())
            .unwrap_or(0);
        return Err(format!(
            "y differs first at {i}: {} vs {}",
            a.y.get(i).copied().unwrap_or(0.0),
            b.y.get(i).copied().unwrap_or(0.0)
        ));
    }
    if a.status != b.status {
        return Err(format!("status {:?} vs {:?}", a.status, b.status));
    }
    for (m, (x, y)) in a.stats.iter().zip(&b.stats).enumerate() {
        let fx = [x.t, x.h, x.error_ratio].map(f64::to_bits);
        let fy = [y.t, y.h, y.error_ratio].map(f64::to_bits);
        if (x.accepted, x.rejected, x.rhs_evals, fx) != (y.accepted, y.rejected, y.rhs_evals, fy) {
            return Err(format!("stats of member {m}: {x:?} vs {y:?}"));
        }
    }
    Ok(())
}
