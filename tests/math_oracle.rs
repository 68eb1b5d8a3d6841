//! Our functions against correctly rounded values (mpmath at 256 bits), from
//! `tests/data/math_oracle.csv`, written by `tests/data/math_oracle.py` (rerun instructions
//! there). Independent of the platform libm: every sampled result must be within
//! `ORACLE_MAX_ULP` of the correctly rounded value, i.e. a faithful rounding.

use pareto_sciml::math::*;

/// Against correct rounding every function but tanh is faithful on the sample (the `*_MAX_ULP`
/// constants measure against std, whose own error adds to ours); tanh is within
/// [`TANH_MAX_ULP_CORRECTLY_ROUNDED`] (its single-division form, see `src/math/exp.rs`).
const ORACLE_MAX_ULP: u64 = 1;

fn oracle_bound(name: &str) -> u64 {
    if name.starts_with("tanh") {
        TANH_MAX_ULP_CORRECTLY_ROUNDED
    } else {
        ORACLE_MAX_ULP
    }
}

#[test]
fn faithful_against_correctly_rounded_oracle() {
    let text = include_str!("data/math_oracle.csv");
    let mut worst: std::collections::BTreeMap<&str, u64> = Default::default();
    let mut count = 0;
    for line in text.lines() {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 4, "malformed oracle line {line:?}");
        let hex = |s: &str| u64::from_str_radix(s, 16).expect("hex field");
        let (x, y, want) = (hex(f[1]), hex(f[2]), hex(f[3]));
        let d = if f[0].ends_with("_f64") {
            let (x, y, want) = (f64::from_bits(x), f64::from_bits(y), f64::from_bits(want));
            let got = match f[0] {
                "exp_f64" => exp_f64(x),
                "ln_f64" => ln_f64(x),
                "tanh_f64" => tanh_f64(x),
                "sin_f64" => sin_f64(x),
                "cos_f64" => cos_f64(x),
                "pow_f64" => pow_f64(x, y),
                other => panic!("unknown function {other}"),
            };
            ulp_diff_f64(got, want)
        } else {
            let (x, y) = (f32::from_bits(x as u32), f32::from_bits(y as u32));
            let want = f32::from_bits(want as u32);
            let got = match f[0] {
                "exp_f32" => exp_f32(x),
                "ln_f32" => ln_f32(x),
                "tanh_f32" => tanh_f32(x),
                "sin_f32" => sin_f32(x),
                "cos_f32" => cos_f32(x),
                "pow_f32" => pow_f32(x, y),
                other => panic!("unknown function {other}"),
            };
            ulp_diff_f32(got, want)
        };
        let w = worst.entry(f[0]).or_default();
        *w = (*w).max(d);
        count += 1;
    }
    println!("{count} oracle values; max ULP per function: {worst:?}");
    assert_eq!(count, 3000, "the oracle file is truncated");
    for (name, &w) in &worst {
        assert!(
            w <= oracle_bound(name),
            "{name}: {w} ULP from the correctly rounded value"
        );
    }
}
