//! `kernels/common/math.cuh` (through `kernels/math_eval.cu`) compiled for the CPU and compared
//! bit for bit with `pareto_sciml::math`, on special values and their neighbours, overflow and
//! underflow thresholds, subnormals, NaN payloads, random bit patterns of the whole domain and
//! random samples of the main ranges: 2^19 random arguments per function and precision
//! (plus every pair of specials for pow), about 6.5 million calls in all. The ignored test
//! runs 2^23 per function. Also checks that every NaN result is one the GPU reproduces (an
//! argument NaN or the constant quiet NaN, never one made by arithmetic).
//!
//! This proves that the CUDA source transcribes src/math operation for operation; the
//! device's own rounding of those operations (IEEE `.rn`, which PTX guarantees) is checked by
//! tests/cuda_kernels_evo.rs on a GPU. Skips with a printed reason when no C++ compiler is found.

mod cuda_common;

use cuda_common::emulate::{harness, run_binary};
use cuda_common::math_inputs::{
    cpu_f32, cpu_f64, inputs_f32, inputs_f64, nan_is_reproducible_f32, nan_is_reproducible_f64,
    FUNCS,
};

fn emulate_f64(name: &str, x: &[f64], y: &[f64]) -> Vec<f64> {
    let mut bytes: Vec<u8> = x.iter().flat_map(|v| v.to_ne_bytes()).collect();
    if name == "pow" {
        bytes.extend(y.iter().flat_map(|v| v.to_ne_bytes()));
    }
    let out = run_binary(
        &format!("{name}64"),
        &format!("math {name} 64 {}", x.len()),
        &bytes,
        8 * x.len(),
    );
    out.chunks_exact(8)
        .map(|c| f64::from_ne_bytes(c.try_into().unwrap()))
        .collect()
}

fn emulate_f32(name: &str, x: &[f32], y: &[f32]) -> Vec<f32> {
    let mut bytes: Vec<u8> = x.iter().flat_map(|v| v.to_ne_bytes()).collect();
    if name == "pow" {
        bytes.extend(y.iter().flat_map(|v| v.to_ne_bytes()));
    }
    let out = run_binary(
        &format!("{name}32"),
        &format!("math {name} 32 {}", x.len()),
        &bytes,
        4 * x.len(),
    );
    out.chunks_exact(4)
        .map(|c| f32::from_ne_bytes(c.try_into().unwrap()))
        .collect()
}

fn check_f64(name: &str, n: usize, seed: u64) {
    let (x, y) = inputs_f64(name, n, seed);
    let got = emulate_f64(name, &x, &y);
    let mut bad = 0usize;
    for i in 0..x.len() {
        let want = cpu_f64(name, x[i], y[i]);
        assert!(
            nan_is_reproducible_f64(want, &[x[i], y[i]]),
            "{name}_f64({:e}, {:e}) = NaN {:#x} made by arithmetic",
            x[i],
            y[i],
            want.to_bits()
        );
        if got[i].to_bits() != want.to_bits() {
            if bad < 5 {
                eprintln!(
                    "{name}_f64({:e} [{:#x}], {:e}): device {:e} [{:#x}], cpu {:e} [{:#x}]",
                    x[i],
                    x[i].to_bits(),
                    y[i],
                    got[i],
                    got[i].to_bits(),
                    want,
                    want.to_bits()
                );
            }
            bad += 1;
        }
    }
    assert_eq!(bad, 0, "{name}_f64: {bad} of {} differ", x.len());
}

fn check_f32(name: &str, n: usize, seed: u64) {
    let (x, y) = inputs_f32(name, n, seed);
    let got = emulate_f32(name, &x, &y);
    let mut bad = 0usize;
    for i in 0..x.len() {
        let want = cpu_f32(name, x[i], y[i]);
        assert!(
            nan_is_reproducible_f32(want, &[x[i], y[i]]),
            "{name}_f32({:e}, {:e}) = NaN {:#x} made by arithmetic",
            x[i],
            y[i],
            want.to_bits()
        );
        if got[i].to_bits() != want.to_bits() {
            if bad < 5 {
                eprintln!(
                    "{name}_f32({:e} [{:#x}], {:e}): device {:e} [{:#x}], cpu {:e} [{:#x}]",
                    x[i],
                    x[i].to_bits(),
                    y[i],
                    got[i],
                    got[i].to_bits(),
                    want,
                    want.to_bits()
                );
            }
            bad += 1;
        }
    }
    assert_eq!(bad, 0, "{name}_f32: {bad} of {} differ", x.len());
}

#[test]
fn device_math_f64_is_bit_identical_to_src_math() {
    if harness().is_none() {
        return;
    }
    for name in FUNCS {
        check_f64(name, 1 << 19, 1);
    }
}

#[test]
fn device_math_f32_is_bit_identical_to_src_math() {
    if harness().is_none() {
        return;
    }
    for name in FUNCS {
        check_f32(name, 1 << 19, 2);
    }
}

#[test]
#[ignore = "2^23 arguments per function and precision (~100 M calls, minutes); \
            cargo test --release --test cuda_emulation_math -- --ignored"]
fn device_math_long_sweep() {
    if harness().is_none() {
        return;
    }
    for name in FUNCS {
        check_f64(name, 1 << 23, 3);
        check_f32(name, 1 << 23, 4);
    }
}
