//! Accuracy of our elementary functions against the standard library: dense sweeps, random
//! samples of the main ranges and random bit patterns of the whole domain. Each function's
//! measured maximum must stay within its documented `*_MAX_ULP` constant.
//!
//! The reference (the platform libm behind `std`) is itself only nearly correctly rounded
//! (this machine's `f64::tanh` is off by up to 1.7 ULP); `math_oracle.rs` checks against
//! correctly rounded values instead.

mod math_common;

use math_common::*;
use pareto_sciml::math::*;

const N: usize = 200_000;

fn assert_within(name: &str, (ulp, at): (u64, f64), bound: u64) {
    println!("{name}: max {ulp} ULP at {at:e} (bound {bound})");
    assert!(
        ulp <= bound,
        "{name}: {ulp} ULP at {at:e} ({at:?}) exceeds the documented {bound}"
    );
}

fn cat(parts: &[Vec<f64>]) -> Vec<f64> {
    parts.concat()
}

#[test]
fn exp_f64_within_bound() {
    let xs = cat(&[
        sweep64(-746.0, 710.0, N),
        uniform64("exp", -746.0, 710.0, N),
        uniform64("exp1", -1.0, 1.0, N),
        bits64("exp", N),
        edges64(),
    ]);
    assert_within(
        "exp_f64",
        max_ulp64(&xs, exp_f64, f64::exp),
        EXP_F64_MAX_ULP,
    );
}

#[test]
fn ln_f64_within_bound() {
    let xs: Vec<f64> = cat(&[
        sweep64(0.0, 4.0, N),
        uniform64("ln", 0.5, 2.0, N),
        uniform64("ln1", 1.0 - 1e-6, 1.0 + 1e-6, N / 4),
        bits64("ln", N).into_iter().map(f64::abs).collect(),
        edges64(),
    ]);
    assert_within("ln_f64", max_ulp64(&xs, ln_f64, f64::ln), LN_F64_MAX_ULP);
}

#[test]
fn tanh_f64_within_bound() {
    let xs = cat(&[
        sweep64(-22.0, 22.0, N),
        uniform64("tanh", -1.0, 1.0, N),
        uniform64("tanh2", -1e-6, 1e-6, N / 4),
        bits64("tanh", N),
        edges64(),
    ]);
    assert_within(
        "tanh_f64",
        max_ulp64(&xs, tanh_f64, f64::tanh),
        TANH_F64_MAX_ULP,
    );
}

#[test]
fn sin_cos_f64_within_bound_on_main_domain() {
    let lim = (1u64 << 20) as f64 * std::f64::consts::FRAC_PI_2;
    let xs: Vec<f64> = cat(&[
        sweep64(-10.0, 10.0, N),
        uniform64("sin", -lim, lim, N),
        bits64("sin", N)
            .into_iter()
            .filter(|x| x.abs() <= lim)
            .collect(),
        edges64().into_iter().filter(|x| x.abs() <= lim).collect(),
    ]);
    assert_within(
        "sin_f64",
        max_ulp64(&xs, sin_f64, f64::sin),
        SIN_COS_F64_MAX_ULP,
    );
    assert_within(
        "cos_f64",
        max_ulp64(&xs, cos_f64, f64::cos),
        SIN_COS_F64_MAX_ULP,
    );
}

#[test]
fn sin_cos_f64_beyond_main_domain_up_to_max_arg() {
    let xs = uniform64("sin_far", -SIN_COS_F64_MAX_ARG, SIN_COS_F64_MAX_ARG, N / 2);
    assert_within(
        "sin_f64 far",
        max_ulp64(&xs, sin_f64, f64::sin),
        SIN_COS_F64_MAX_ULP,
    );
    assert_within(
        "cos_f64 far",
        max_ulp64(&xs, cos_f64, f64::cos),
        SIN_COS_F64_MAX_ULP,
    );
}

#[test]
fn pow_f64_within_bound_for_positive_x() {
    // y chosen so that y·ln x covers the whole finite range of results and beyond.
    let xs: Vec<f64> = bits64("pow_x", N).into_iter().map(f64::abs).collect();
    let ts = uniform64("pow_t", -760.0, 720.0, xs.len());
    let mut worst = (0, 0.0);
    for (&x, &t) in xs.iter().zip(&ts) {
        let y = t / x.ln();
        let d = ulp_diff_f64(pow_f64(x, y), x.powf(y));
        if d > worst.0 {
            worst = (d, x);
        }
    }
    assert_within("pow_f64 (x > 0, any result)", worst, POW_F64_MAX_ULP);
    // Small exponents on [0, 4] (the SBX/mutation use) and integral powers of negative x.
    let ys = uniform64("pow_y", -30.0, 30.0, N);
    let xs = uniform64("pow_x2", 0.0, 4.0, N);
    let mut worst = (0, 0.0);
    for (&x, &y) in xs.iter().zip(&ys) {
        for (x, y) in [(x, y), (-x, y.round())] {
            let d = ulp_diff_f64(pow_f64(x, y), x.powf(y));
            if d > worst.0 {
                worst = (d, x);
            }
        }
    }
    assert_within("pow_f64 (small y)", worst, POW_F64_MAX_ULP);
}

fn cat32(parts: &[Vec<f32>]) -> Vec<f32> {
    parts.concat()
}

fn assert_within32(name: &str, (ulp, at): (u64, f32), bound: u64) {
    assert_within(name, (ulp, at as f64), bound);
}

#[test]
fn f32_functions_within_bounds() {
    let all = strided32(4093);
    let xs = cat32(&[
        all.clone(),
        sweep32(-104.0, 89.0, N),
        uniform32("exp", -1.0, 1.0, N),
        edges32(),
    ]);
    assert_within32(
        "exp_f32",
        max_ulp32(&xs, exp_f32, f64::exp),
        EXP_F32_MAX_ULP,
    );
    let xs = cat32(&[all.clone(), sweep32(0.0, 4.0, N), edges32()]);
    assert_within32("ln_f32", max_ulp32(&xs, ln_f32, f64::ln), LN_F32_MAX_ULP);
    let xs = cat32(&[all.clone(), sweep32(-11.0, 11.0, N), edges32()]);
    assert_within32(
        "tanh_f32",
        max_ulp32(&xs, tanh_f32, f64::tanh),
        TANH_F32_MAX_ULP,
    );
    let lim = SIN_COS_F32_MAX_ARG;
    let xs: Vec<f32> = cat32(&[
        all,
        sweep32(-10.0, 10.0, N),
        uniform32("sin", -lim, lim, N),
        edges32(),
    ])
    .into_iter()
    .filter(|x| x.abs() <= lim)
    .collect();
    assert_within32(
        "sin_f32",
        max_ulp32(&xs, sin_f32, f64::sin),
        SIN_COS_F32_MAX_ULP,
    );
    assert_within32(
        "cos_f32",
        max_ulp32(&xs, cos_f32, f64::cos),
        SIN_COS_F32_MAX_ULP,
    );
}

#[test]
fn pow_f32_within_bound() {
    let xs: Vec<f32> = strided32(4093).into_iter().map(f32::abs).collect();
    let ts = uniform64("pow32_t", -110.0, 95.0, xs.len());
    let mut worst = (0, 0.0);
    for (&x, &t) in xs.iter().zip(&ts) {
        let y = (t / (x as f64).ln()) as f32;
        let d = ulp_diff_f32(pow_f32(x, y), (x as f64).powf(y as f64) as f32);
        if d > worst.0 {
            worst = (d, x as f64);
        }
    }
    assert_within("pow_f32", worst, POW_F32_MAX_ULP);
}

/// All 2^32 f32 arguments for exp, ln, tanh, sin and cos.
#[test]
#[ignore = "all 2^32 f32 arguments, about 5 minutes in release on the 2-core AMD EPYC (over 25 on the loaded Xeon); run: cargo test --release --test math_accuracy -- --ignored f32_exhaustive"]
fn f32_exhaustive() {
    let lim = SIN_COS_F32_MAX_ARG;
    let mut worst = [0u64; 5];
    for b in 0..=u32::MAX {
        let x = f32::from_bits(b);
        let xd = x as f64;
        let w = [
            ulp_diff_f32(exp_f32(x), xd.exp() as f32),
            ulp_diff_f32(ln_f32(x), xd.ln() as f32),
            ulp_diff_f32(tanh_f32(x), xd.tanh() as f32),
            if x.abs() <= lim {
                ulp_diff_f32(sin_f32(x), xd.sin() as f32)
            } else {
                0
            },
            if x.abs() <= lim {
                ulp_diff_f32(cos_f32(x), xd.cos() as f32)
            } else {
                0
            },
        ];
        for (m, v) in worst.iter_mut().zip(w) {
            *m = (*m).max(v);
        }
    }
    println!("exhaustive f32 max ULP exp/ln/tanh/sin/cos: {worst:?}");
    assert!(worst[0] <= EXP_F32_MAX_ULP && worst[1] <= LN_F32_MAX_ULP);
    assert!(worst[2] <= TANH_F32_MAX_ULP);
    assert!(worst[3] <= SIN_COS_F32_MAX_ULP && worst[4] <= SIN_COS_F32_MAX_ULP);
}

/// (name, bit patterns, our function, f64 reference, bound).
type RangeCheck = (
    &'static str,
    std::ops::Range<u32>,
    fn(f32) -> f32,
    fn(f64) -> f64,
    u64,
);

/// Max ULP of an f32 function over every bit pattern in `range`.
fn every32(
    range: std::ops::Range<u32>,
    ours: fn(f32) -> f32,
    reference: fn(f64) -> f64,
) -> (u64, f32) {
    let mut worst = (0, 0.0f32);
    for b in range {
        let x = f32::from_bits(b);
        let d = ulp_diff_f32(ours(x), reference(x as f64) as f32);
        if d > worst.0 {
            worst = (d, x);
        }
    }
    worst
}

/// Every f32 argument where the functions compute rather than return a constant or x:
/// tanh on [2^−12, 10), exp on 2^−25 ≤ |x| < 104 (both signs), sin and cos on
/// [2^−12, 2^20] (negative arguments mirror these bit for bit, see `math_special.rs` and
/// `math_props.rs`), ln on the subnormals, [1/4, 4) and [2^100, 2^102). About 1.1 G arguments.
#[test]
#[ignore = "1.1 G arguments, about a minute in release; run: cargo test --release --test math_accuracy -- --ignored every_argument"]
fn f32_every_argument_of_the_computed_ranges() {
    let checks: [RangeCheck; 8] = [
        (
            "tanh",
            0x3980_0000..0x4120_0000,
            tanh_f32,
            f64::tanh,
            TANH_F32_MAX_ULP,
        ),
        (
            "exp+",
            0x3300_0000..0x42d0_0000,
            exp_f32,
            f64::exp,
            EXP_F32_MAX_ULP,
        ),
        (
            "exp-",
            0xb300_0000..0xc2d0_0000,
            exp_f32,
            f64::exp,
            EXP_F32_MAX_ULP,
        ),
        (
            "sin",
            0x3980_0000..0x4980_0001,
            sin_f32,
            f64::sin,
            SIN_COS_F32_MAX_ULP,
        ),
        (
            "cos",
            0x3980_0000..0x4980_0001,
            cos_f32,
            f64::cos,
            SIN_COS_F32_MAX_ULP,
        ),
        (
            "ln subnormal",
            0x0000_0001..0x0080_0000,
            ln_f32,
            f64::ln,
            LN_F32_MAX_ULP,
        ),
        (
            "ln [1/4,4)",
            0x3e80_0000..0x4080_0000,
            ln_f32,
            f64::ln,
            LN_F32_MAX_ULP,
        ),
        (
            "ln [2^100,2^102)",
            0x7180_0000..0x7280_0000,
            ln_f32,
            f64::ln,
            LN_F32_MAX_ULP,
        ),
    ];
    for (name, range, ours, reference, bound) in checks {
        let (ulp, at) = every32(range, ours, reference);
        println!("{name}: max {ulp} ULP at {at:e} (bound {bound})");
        assert!(ulp <= bound, "{name}: {ulp} ULP at {at:e}");
    }
}
