//! Distances in units in the last place, for accuracy tests and CPU/GPU comparisons.

/// Number of representable f64 values strictly between `a` and `b`, plus one (0 when equal;
/// `+0.0` and `-0.0` are equal). Two NaNs are at distance 0, a NaN and a number at `u64::MAX`.
///
/// ```
/// use pareto_sciml::math::ulp_diff_f64;
/// assert_eq!(ulp_diff_f64(1.0, 1.0 + f64::EPSILON), 1);
/// assert_eq!(ulp_diff_f64(-0.0, 0.0), 0);
/// assert_eq!(ulp_diff_f64(f64::MAX, f64::INFINITY), 1);
/// ```
pub fn ulp_diff_f64(a: f64, b: f64) -> u64 {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => 0,
        (false, false) => ordered_f64(a).abs_diff(ordered_f64(b)),
        _ => u64::MAX,
    }
}

/// The f32 counterpart of [`ulp_diff_f64`].
///
/// ```
/// use pareto_sciml::math::ulp_diff_f32;
/// assert_eq!(ulp_diff_f32(1.0, 1.0 + f32::EPSILON), 1);
/// assert_eq!(ulp_diff_f32(f32::MIN_POSITIVE, -f32::MIN_POSITIVE), 2 * (1 << 23));
/// ```
pub fn ulp_diff_f32(a: f32, b: f32) -> u64 {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => 0,
        (false, false) => ordered_f32(a).abs_diff(ordered_f32(b)),
        _ => u64::MAX,
    }
}

/// Maps the bit patterns onto integers in the order of the values (−0 and +0 both to 0).
fn ordered_f64(x: f64) -> i64 {
    let b = x.to_bits();
    let mag = (b & !(1 << 63)) as i64;
    if b >> 63 == 1 {
        -mag
    } else {
        mag
    }
}

fn ordered_f32(x: f32) -> i64 {
    let b = x.to_bits();
    let mag = (b & !(1 << 31)) as i64;
    if b >> 31 == 1 {
        -mag
    } else {
        mag
    }
}
