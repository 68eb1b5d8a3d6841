//! Arguments for the device elementary functions: special values and their neighbours,
//! overflow and underflow thresholds, random bit patterns of the whole domain and random
//! samples of each function's main range. Shared by the emulation and the GPU tests.

use pareto_sciml::math;
use pareto_sciml::rng::stream;

/// The functions of `kernels/math_eval.cu`, by harness name.
pub const FUNCS: [&str; 6] = ["exp", "ln", "pow", "tanh", "sin", "cos"];

/// The CPU twin of `name` in double precision.
pub fn cpu_f64(name: &str, x: f64, y: f64) -> f64 {
    match name {
        "exp" => math::exp_f64(x),
        "ln" => math::ln_f64(x),
        "pow" => math::pow_f64(x, y),
        "tanh" => math::tanh_f64(x),
        "sin" => math::sin_f64(x),
        "cos" => math::cos_f64(x),
        _ => unreachable!("{name}"),
    }
}

/// The CPU twin of `name` in single precision.
pub fn cpu_f32(name: &str, x: f32, y: f32) -> f32 {
    match name {
        "exp" => math::exp_f32(x),
        "ln" => math::ln_f32(x),
        "pow" => math::pow_f32(x, y),
        "tanh" => math::tanh_f32(x),
        "sin" => math::sin_f32(x),
        "cos" => math::cos_f32(x),
        _ => unreachable!("{name}"),
    }
}

fn next_toward(bits: u64, up: bool) -> u64 {
    if up {
        bits.wrapping_add(1)
    } else {
        bits.wrapping_sub(1)
    }
}

/// Special f64 arguments and the two neighbours (bit pattern ± 1) of each.
pub fn specials_f64() -> Vec<f64> {
    let base = [
        0.0,
        1.0,
        0.5,
        2.0,
        f64::INFINITY,
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        f64::from_bits(0x000f_ffff_ffff_ffff),
        f64::MAX,
        709.782712893384,
        745.1332191019412,
        708.3964185322641,
        710.0,
        746.0,
        20.0,
        0.625,
        1.0 / 134_217_728.0,
        1.0 / 67_108_864.0,
        std::f64::consts::FRAC_PI_4,
        std::f64::consts::FRAC_PI_2,
        std::f64::consts::PI,
        1e22,
        math::SIN_COS_F64_MAX_ARG,
        1000.0,
        9_007_199_254_740_992.0,
        std::f64::consts::E,
        std::f64::consts::SQRT_2,
        std::f64::consts::FRAC_1_SQRT_2,
    ];
    let mut out = Vec::new();
    for b in base {
        for v in [b, -b] {
            out.push(v);
            out.push(f64::from_bits(next_toward(v.to_bits(), true)));
            out.push(f64::from_bits(next_toward(v.to_bits(), false)));
        }
    }
    // NaNs: quiet, negative, signalling, with payloads.
    for nan in [
        0x7ff8_0000_0000_0000u64,
        0xfff8_0000_0000_0000,
        0x7ff0_0000_0000_0001,
        0x7ffc_dead_beef_0001,
        0xfff4_0000_0000_1234,
    ] {
        out.push(f64::from_bits(nan));
    }
    out
}

/// Special f32 arguments and their neighbours.
pub fn specials_f32() -> Vec<f32> {
    let base = [
        0.0f32,
        1.0,
        0.5,
        2.0,
        f32::INFINITY,
        f32::MIN_POSITIVE,
        f32::from_bits(1),
        f32::from_bits(0x007f_ffff),
        f32::MAX,
        88.72284,
        103.97208,
        87.33655,
        89.0,
        104.0,
        10.0,
        0.625,
        1.0 / 4096.0,
        std::f32::consts::FRAC_PI_4,
        std::f32::consts::FRAC_PI_2,
        std::f32::consts::PI,
        math::SIN_COS_F32_MAX_ARG,
        16_777_216.0,
        std::f32::consts::E,
    ];
    let mut out = Vec::new();
    for b in base {
        for v in [b, -b] {
            out.push(v);
            out.push(f32::from_bits(v.to_bits().wrapping_add(1)));
            out.push(f32::from_bits(v.to_bits().wrapping_sub(1)));
        }
    }
    for nan in [
        0x7fc0_0000u32,
        0xffc0_0000,
        0x7f80_0001,
        0x7fd0_beef,
        0xffa0_1234,
    ] {
        out.push(f32::from_bits(nan));
    }
    out
}

/// The main range of `name` where most arguments of a random sample should fall.
fn main_range(name: &str, wide: bool) -> (f64, f64) {
    match (name, wide) {
        ("exp", true) => (-750.0, 750.0),
        ("exp", false) => (-110.0, 95.0),
        ("tanh", true) => (-25.0, 25.0),
        ("tanh", false) => (-12.0, 12.0),
        ("sin" | "cos", true) => (-1e4, 1e4),
        ("sin" | "cos", false) => (-1e3, 1e3),
        // ln and pow: log-uniform positive arguments are drawn separately.
        _ => (-50.0, 50.0),
    }
}

/// `n` draws (plus the specials) for `name` in f64: (x, y); y is only used by pow.
///
/// A third are random bit patterns of the whole domain, a third uniform on the main range
/// and a third log-uniform magnitudes (both signs for pow's x, integral y a tenth of the time).
pub fn inputs_f64(name: &str, n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut s = stream(
        seed,
        "math-inputs-f64",
        0,
        name.len() as u64 * 31 + name.as_bytes()[0] as u64,
    );
    let spec = specials_f64();
    let mut x = Vec::with_capacity(n + spec.len() * spec.len());
    let mut y = Vec::with_capacity(x.capacity());
    if name == "pow" {
        for &a in &spec {
            for &b in &spec {
                x.push(a);
                y.push(b);
            }
        }
    } else {
        x.extend(&spec);
        y.resize(x.len(), 0.0);
    }
    let (lo, hi) = main_range(name, true);
    for i in 0..n {
        let v = match i % 3 {
            0 => f64::from_bits(s.next_u64()),
            1 => lo + (hi - lo) * s.uniform_f64(),
            _ => {
                let mag = ((s.uniform_f64() - 0.5) * 1400.0).exp2().min(f64::MAX);
                if name == "ln" || s.uniform_f64() < 0.7 {
                    mag
                } else {
                    -mag
                }
            }
        };
        x.push(v);
        let w = if s.uniform_f64() < 0.1 {
            ((s.uniform_f64() - 0.5) * 200.0).round()
        } else if i % 5 == 0 {
            f64::from_bits(s.next_u64())
        } else {
            (s.uniform_f64() - 0.5) * 100.0
        };
        y.push(w);
    }
    (x, y)
}

/// The f32 counterpart of [`inputs_f64`].
/// Every f32 x in [2^−12, 10] where `2x·log₂e` rounded to f32 lies on the other side of a half
/// integer than the exact product, so that `rne(2x·log₂e)` in f32 picks another n than tanh's
/// reduction (a scan of the whole range with numpy: `tests/data/tanh_f32_minimax.py`). Tanh's
/// CUDA transcription must round the exact product there too.
const TANH_F32_HALF_INTEGER_PRODUCTS: [u32; 18] = [
    0x3f05_1592,
    0x3f9b_43d5,
    0x3ff3_fce1,
    0x403c_893a,
    0x4052_b77c,
    0x4068_e5c0,
    0x407f_1402,
    0x408a_a123,
    0x40a0_cf66,
    0x40b6_fda9,
    0x40c2_14ca,
    0x40cd_2bec,
    0x40d8_430d,
    0x40e3_5a2f,
    0x40ee_7150,
    0x40f9_8872,
    0x410d_66eb,
    0x4112_f27c,
];

pub fn inputs_f32(name: &str, n: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mut s = stream(
        seed,
        "math-inputs-f32",
        0,
        name.len() as u64 * 31 + name.as_bytes()[0] as u64,
    );
    let spec = specials_f32();
    let mut x = Vec::with_capacity(n + spec.len() * spec.len());
    let mut y = Vec::with_capacity(x.capacity());
    if name == "pow" {
        for &a in &spec {
            for &b in &spec {
                x.push(a);
                y.push(b);
            }
        }
    } else {
        x.extend(&spec);
        if name == "tanh" {
            x.extend(TANH_F32_HALF_INTEGER_PRODUCTS.iter().flat_map(|&b| {
                let v = f32::from_bits(b);
                [v, -v]
            }));
        }
        y.resize(x.len(), 0.0);
    }
    let (lo, hi) = main_range(name, false);
    for i in 0..n {
        let v = match i % 3 {
            0 => f32::from_bits(s.next_u32()),
            1 => (lo + (hi - lo) * s.uniform_f64()) as f32,
            _ => {
                let mag = ((s.uniform_f64() - 0.5) * 300.0).exp2() as f32;
                if name == "ln" || s.uniform_f64() < 0.7 {
                    mag
                } else {
                    -mag
                }
            }
        };
        x.push(v);
        let w = if s.uniform_f64() < 0.1 {
            ((s.uniform_f64() - 0.5) * 60.0).round() as f32
        } else if i % 5 == 0 {
            f32::from_bits(s.next_u32())
        } else {
            ((s.uniform_f64() - 0.5) * 40.0) as f32
        };
        y.push(w);
    }
    (x, y)
}

/// The NaN a kernel may return for argument(s) `args`: one of the NaN arguments unchanged or
/// the constant quiet NaN. A NaN made by arithmetic is canonicalised differently by the GPU,
/// so a CPU result outside this set could not be reproduced on the device.
pub fn nan_is_reproducible_f64(result: f64, args: &[f64]) -> bool {
    !result.is_nan()
        || result.to_bits() == 0x7ff8_0000_0000_0000
        || args.iter().any(|a| a.to_bits() == result.to_bits())
}

/// The f32 counterpart of [`nan_is_reproducible_f64`]; pow_f32 widens its NaN arguments and
/// narrows the result (sign and leading payload kept, quiet bit set).
pub fn nan_is_reproducible_f32(result: f32, args: &[f32]) -> bool {
    !result.is_nan()
        || result.to_bits() == 0x7fc0_0000
        || args.iter().any(|a| {
            a.to_bits() == result.to_bits() || (a.to_bits() | 0x0040_0000) == result.to_bits()
        })
}
