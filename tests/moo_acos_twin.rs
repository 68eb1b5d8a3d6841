//! RVEA's angles on both backends: the device's `acos_dev` (`kernels/rvea.cu`, compiled for the
//! CPU by the emulation harness) equals the CPU's [`acos_f64`] bit for bit, on special values,
//! the branch points of the algorithm and 200 000 random arguments. Skips with a printed
//! reason when no C++ compiler is found.

mod cuda_common;

use cuda_common::emulate::{harness, hex, run};
use cuda_common::evo_inputs::acos_inputs;
use pareto_sciml::math::inverse_trig::acos_f64;

#[test]
fn device_acos_equals_acos_f64_bit_for_bit() {
    if harness().is_none() {
        return;
    }
    let mut x = acos_inputs(200_000);
    // Both sides of every branch point of fdlibm's formulas.
    for c in [-1.0f64, -0.5, 0.5, 1.0, 2f64.powi(-57), -(2f64.powi(-57))] {
        for k in -3i64..=3 {
            x.push(f64::from_bits((c.to_bits() as i64 + k) as u64));
        }
    }
    let got = run(&format!(
        "acos {} {}",
        x.len(),
        hex(x.iter().map(|v| v.to_bits()))
    ));
    assert_eq!(got.len(), x.len());
    for (g, xi) in got.iter().zip(&x) {
        assert_eq!(*g, acos_f64(*xi).to_bits(), "acos({xi:e})");
    }
}
