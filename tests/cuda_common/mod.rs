//! Shared by the `tests/cuda_*.rs` files: the backend abstraction that lets one test body run
//! on the CPU and on the GPU (STYLE 10), the test inputs, and independent slow oracles.
#![allow(dead_code)]

pub mod emulate;
pub mod evo_inputs;
pub mod math_inputs;
pub mod survival_inputs;

use pareto_sciml::backend::cuda::{CudaDevice, StreamBatch};
use pareto_sciml::moo;
use pareto_sciml::rng::stream;
use pareto_sciml::Result;

/// What a test body needs from a backend.
pub trait Backend {
    fn uniform_f64(&self, batch: &StreamBatch<'_>) -> Result<Vec<f64>>;
    fn uniform_f32(&self, batch: &StreamBatch<'_>) -> Result<Vec<f32>>;
    fn words_u64(&self, batch: &StreamBatch<'_>) -> Result<Vec<u64>>;
    fn ranks(&self, f: &[f64], n_obj: usize) -> Result<Vec<usize>>;
    fn ranks_f32(&self, f: &[f32], n_obj: usize) -> Result<Vec<usize>>;
    fn crowding(&self, f: &[f64], n_obj: usize, members: &[usize]) -> Result<Vec<f64>>;
}

/// The CPU twins.
pub struct Cpu;

impl Backend for Cpu {
    fn uniform_f64(&self, b: &StreamBatch<'_>) -> Result<Vec<f64>> {
        Ok(b.cpu(|s| s.uniform_f64()))
    }
    fn uniform_f32(&self, b: &StreamBatch<'_>) -> Result<Vec<f32>> {
        Ok(b.cpu(|s| s.uniform_f32()))
    }
    fn words_u64(&self, b: &StreamBatch<'_>) -> Result<Vec<u64>> {
        Ok(b.cpu(|s| s.next_u64()))
    }
    fn ranks(&self, f: &[f64], n_obj: usize) -> Result<Vec<usize>> {
        moo::nondominated_sort(f, n_obj)
    }
    fn ranks_f32(&self, f: &[f32], n_obj: usize) -> Result<Vec<usize>> {
        let wide: Vec<f64> = f.iter().map(|&v| v as f64).collect();
        moo::nondominated_sort(&wide, n_obj)
    }
    fn crowding(&self, f: &[f64], n_obj: usize, members: &[usize]) -> Result<Vec<f64>> {
        moo::crowding_distance(f, n_obj, members)
    }
}

impl Backend for CudaDevice {
    fn uniform_f64(&self, b: &StreamBatch<'_>) -> Result<Vec<f64>> {
        CudaDevice::uniform_f64(self, b)
    }
    fn uniform_f32(&self, b: &StreamBatch<'_>) -> Result<Vec<f32>> {
        CudaDevice::uniform_f32(self, b)
    }
    fn words_u64(&self, b: &StreamBatch<'_>) -> Result<Vec<u64>> {
        CudaDevice::words_u64(self, b)
    }
    fn ranks(&self, f: &[f64], n_obj: usize) -> Result<Vec<usize>> {
        self.nondominated_sort(f, n_obj)
    }
    fn ranks_f32(&self, f: &[f32], n_obj: usize) -> Result<Vec<usize>> {
        self.nondominated_sort_f32(f, n_obj)
    }
    fn crowding(&self, f: &[f64], n_obj: usize, members: &[usize]) -> Result<Vec<f64>> {
        self.crowding_distance(f, n_obj, members)
    }
}

/// The first GPU, or `None` after printing why the GPU variant of a test is skipped.
pub fn gpu() -> Option<CudaDevice> {
    match CudaDevice::new(0) {
        Ok(dev) => Some(dev),
        Err(e) => {
            println!("skipped: {e}");
            None
        }
    }
}

/// Generates `<name>_cpu` and `<name>_cuda` tests from one body `fn(&dyn Backend)`; the CUDA
/// variant prints `skipped: <reason>` and passes when no device is present.
#[allow(unused_macros)]
macro_rules! backend_tests {
    ($($name:ident => $body:ident;)*) => {
        mod cpu {
            $(#[test]
            fn $name() {
                crate::$body(&crate::cuda_common::Cpu);
            })*
        }
        mod cuda {
            $(#[test]
            fn $name() {
                if let Some(dev) = crate::cuda_common::gpu() {
                    crate::$body(&dev);
                }
            })*
        }
    };
}

/// A named objective matrix.
pub struct Case {
    pub name: String,
    pub f: Vec<f64>,
    pub n_obj: usize,
}

impl Case {
    pub fn rows(&self) -> usize {
        self.f.len() / self.n_obj
    }
}

/// Edge cases and random matrices: N = 1, 2, 3, a single front, a chain, duplicates, heavy
/// ties on a coarse grid, ±0.0, extreme magnitudes, M = 1..5, and sizes around the 32-row
/// word and the 256-thread block.
pub fn cases() -> Vec<Case> {
    let mut out = vec![
        case("one row", vec![0.5, 1.5], 2),
        case("two equal rows", vec![1.0, 2.0, 1.0, 2.0], 2),
        case(
            "three rows, one front",
            vec![0.0, 2.0, 1.0, 1.0, 2.0, 0.0],
            2,
        ),
        case(
            "chain",
            (0..40).flat_map(|i| [i as f64, i as f64]).collect(),
            2,
        ),
        case(
            "signed zeros",
            vec![0.0, -0.0, -0.0, 0.0, 0.0, 0.0, 1.0, -1.0],
            2,
        ),
        case(
            "extremes",
            vec![
                f64::MAX,
                -f64::MAX,
                -f64::MAX,
                f64::MAX,
                0.0,
                0.0,
                1e-300,
                5e-324,
            ],
            2,
        ),
        case("single objective", vec![3.0, 1.0, 2.0, 1.0, 5.0], 1),
    ];
    let mut index = 0;
    for n_obj in 2..=5 {
        for &n in &[31usize, 32, 33, 100, 257] {
            index += 1;
            let mut s = stream(2026, "cuda-test-cases", n_obj as u64, index);
            let smooth: Vec<f64> = (0..n * n_obj)
                .map(|_| s.uniform_f64() * 2.0 - 1.0)
                .collect();
            out.push(case(&format!("uniform n={n} m={n_obj}"), smooth, n_obj));
            // A coarse grid: many ties and duplicate rows.
            let grid: Vec<f64> = (0..n * n_obj).map(|_| s.below(4) as f64 * 0.25).collect();
            out.push(case(&format!("grid n={n} m={n_obj}"), grid, n_obj));
        }
    }
    out
}

fn case(name: &str, f: Vec<f64>, n_obj: usize) -> Case {
    Case {
        name: name.to_string(),
        f,
        n_obj,
    }
}

/// Member lists for a case: everyone, none, 1, 2, 3 members, every other row, a reversed
/// subset, and a list that names a row twice.
pub fn member_sets(n: usize) -> Vec<Vec<usize>> {
    let mut sets = vec![(0..n).collect::<Vec<_>>(), vec![], vec![0]];
    if n >= 2 {
        sets.push(vec![n - 1, 0]);
    }
    if n >= 3 {
        sets.push(vec![2, 0, 1]);
        sets.push((0..n).step_by(2).collect());
        sets.push((0..n).rev().step_by(3).collect());
        sets.push(vec![0, 1, 0, 2]);
    }
    sets
}

/// Front ranks by their definition, not by sorting: rank(j) = 0 without dominators, else
/// 1 + the largest rank of a dominator; iterated to the fixed point.
pub fn oracle_ranks(f: &[f64], n_obj: usize) -> Vec<usize> {
    let n = f.len() / n_obj;
    let row = |i: usize| &f[i * n_obj..(i + 1) * n_obj];
    let dom = |a: &[f64], b: &[f64]| {
        a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
    };
    let mut rank = vec![0usize; n];
    loop {
        let mut changed = false;
        for j in 0..n {
            for i in 0..n {
                if dom(row(i), row(j)) && rank[j] < rank[i] + 1 {
                    rank[j] = rank[i] + 1;
                    changed = true;
                }
            }
        }
        if !changed {
            return rank;
        }
    }
}

/// Crowding distance from its definition with neighbours found by scanning (no sort): for
/// each objective in order, the predecessor and successor of a member in the (value,
/// position) order are the nearest keys below and above its own.
pub fn oracle_crowding(f: &[f64], n_obj: usize, members: &[usize]) -> Vec<f64> {
    let k = members.len();
    if k < 3 {
        return vec![f64::INFINITY; k];
    }
    let mut d = vec![0.0f64; k];
    for m in 0..n_obj {
        let key = |p: usize| (f[members[p] * n_obj + m], p);
        let less =
            |a: (f64, usize), b: (f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).is_lt();
        let first = (0..k).fold(0, |b, p| if less(key(p), key(b)) { p } else { b });
        let last = (0..k).fold(0, |b, p| if less(key(b), key(p)) { p } else { b });
        let range = key(last).0 - key(first).0;
        for (p, dp) in d.iter_mut().enumerate() {
            if p == first || p == last {
                *dp = f64::INFINITY;
                continue;
            }
            let prev = (0..k)
                .filter(|&q| less(key(q), key(p)))
                .fold(first, |b, q| if less(key(b), key(q)) { q } else { b });
            let next = (0..k).filter(|&q| less(key(p), key(q))).fold(last, |b, q| {
                if less(key(q), key(b)) {
                    q
                } else {
                    b
                }
            });
            if range > 0.0 {
                *dp += (key(next).0 - key(prev).0) / range;
            }
        }
    }
    d
}

/// Stream batches: one draw, a batch crossing the 16-word ChaCha block and the 256-thread
/// CUDA block, long streams, the empty purpose, and indices wrapping at u64::MAX.
pub fn batches() -> Vec<StreamBatch<'static>> {
    let b = |seed, purpose, generation, first_index, n_streams, count| StreamBatch {
        seed,
        purpose,
        generation,
        first_index,
        n_streams,
        count,
    };
    vec![
        b(0, "", 0, 0, 1, 1),
        b(42, "sbx", 7, 3, 37, 5),
        b(1, "mutation", 0, 0, 300, 9),
        b(u64::MAX, "init", u64::MAX, 0, 3, 70),
        b(9, "wrap", 1, u64::MAX - 1, 4, 17),
        b(5, "empty", 0, 0, 0, 4),
    ]
}

pub fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}
