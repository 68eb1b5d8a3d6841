//! The evolutionary kernels on a GPU against their CPU twins, bit for bit: the device
//! elementary functions (`math_eval_*`, twins in `pareto_sciml::math`). Every test prints
//! `skipped: <reason>` and passes when no CUDA device is present (or the crate was built
//! without the `cuda` feature); `tests/cuda_emulation_math.rs` checks the same kernel sources
//! on the CPU.

mod cuda_common;

use cuda_common::gpu;
use cuda_common::math_inputs::{cpu_f32, cpu_f64, inputs_f32, inputs_f64};
use pareto_sciml::backend::cuda::MathFn;

fn name(f: MathFn) -> &'static str {
    match f {
        MathFn::Exp => "exp",
        MathFn::Ln => "ln",
        MathFn::Pow => "pow",
        MathFn::Tanh => "tanh",
        MathFn::Sin => "sin",
        MathFn::Cos => "cos",
    }
}

#[test]
fn device_math_is_bit_identical_to_src_math_cuda() {
    let Some(dev) = gpu() else { return };
    for f in MathFn::ALL {
        let n = name(f);
        let (x, y) = inputs_f64(n, 1 << 20, 11);
        let yy = (f == MathFn::Pow).then_some(&y[..]);
        let got = dev.math_eval_f64(f, &x, yy).unwrap();
        let bad = (0..x.len())
            .filter(|&i| got[i].to_bits() != cpu_f64(n, x[i], y[i]).to_bits())
            .count();
        assert_eq!(bad, 0, "{n}_f64: {bad} of {} differ", x.len());
        let (x, y) = inputs_f32(n, 1 << 20, 12);
        let yy = (f == MathFn::Pow).then_some(&y[..]);
        let got = dev.math_eval_f32(f, &x, yy).unwrap();
        let bad = (0..x.len())
            .filter(|&i| got[i].to_bits() != cpu_f32(n, x[i], y[i]).to_bits())
            .count();
        assert_eq!(bad, 0, "{n}_f32: {bad} of {} differ", x.len());
    }
}

#[test]
fn math_eval_rejects_wrong_arity_cuda() {
    let Some(dev) = gpu() else { return };
    assert!(dev.math_eval_f64(MathFn::Pow, &[1.0], None).is_err());
    assert!(dev
        .math_eval_f64(MathFn::Exp, &[1.0], Some(&[1.0]))
        .is_err());
    assert!(dev
        .math_eval_f64(MathFn::Pow, &[1.0], Some(&[1.0, 2.0]))
        .is_err());
}
