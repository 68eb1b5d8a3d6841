//! Step-size control as pure functions of an explicit configuration (torchode semantics).
//!
//! With `q` the embedded order (4 for the 5(4) pairs), `k = q + 1` and the error ratio `r` of
//! the trial step:
//! - error ratio `r = sqrt(mean_d (err_d / (atol + rtol·max(|y0_d|, |y1_d|)))²)`, floored at the
//!   smallest positive normal number; the step is accepted iff `r ≤ 1`;
//! - integral controller: `h_new = h · clamp(safety · r^(−1/k), factor_min, factor_max)`;
//! - PI controller (torchode's `PIDController` with `dcoeff = 0`):
//!   `h_new = h · clamp(safety · r^(−(i+p)/k) · r_prev^(p/k), factor_min, factor_max)`, where
//!   `r_prev` is the ratio of the last *accepted* step (1 before the first).
//!
//! Powers are computed with [`crate::math::pow_f64`] (`pow_f32`), so a GPU twin using the same
//! elementary functions takes the same decisions.

use super::real::{max, min, Real};

/// Which step-size law an adaptive solve uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ControllerKind {
    /// `factor = safety · r^(−1/k)` (torchode's `IntegralController`).
    Integral,
    /// `factor = safety · r^(−(i+p)/k) · r_prev^(p/k)` (torchode's `PIDController`, no D term).
    Pi {
        /// Proportional coefficient `p` (e.g. 0.4 / 0.2).
        pcoeff: f64,
        /// Integral coefficient `i` (e.g. 0.3 / 0.7).
        icoeff: f64,
    },
}

/// Configuration of the adaptive step-size controller.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ControllerConfig {
    /// The control law.
    pub kind: ControllerKind,
    /// Safety factor (0.9).
    pub safety: f64,
    /// Smallest step-size factor per step (0.2).
    pub factor_min: f64,
    /// Largest step-size factor per step (10).
    pub factor_max: f64,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig {
            kind: ControllerKind::Integral,
            safety: 0.9,
            factor_min: 0.2,
            factor_max: 10.0,
        }
    }
}

/// The controller's per-member memory (the previous accepted error ratio for PI).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ControllerState<T> {
    /// Error ratio of the last accepted step (1 initially).
    pub prev_ratio: T,
}

impl<T: Real> Default for ControllerState<T> {
    fn default() -> Self {
        ControllerState { prev_ratio: T::ONE }
    }
}

/// Outcome of one controller decision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision<T> {
    /// Whether the trial step is accepted.
    pub accept: bool,
    /// The next step size (signed like `h`).
    pub h_next: T,
}

/// Decides on a trial step of size `h` with error ratio `ratio` (already floored), given the
/// embedded order `q`. Pure: the new state is returned, nothing is mutated.
pub fn decide<T: Real>(
    cfg: &ControllerConfig,
    q: u32,
    state: ControllerState<T>,
    h: T,
    ratio: T,
) -> (Decision<T>, ControllerState<T>) {
    let (e_ratio, e_prev) = exponents::<T>(cfg, q);
    let prev_pow = match cfg.kind {
        ControllerKind::Integral => T::ONE,
        ControllerKind::Pi { .. } => state.prev_ratio.powf(e_prev),
    };
    decide_with_powers(cfg, state, h, ratio, ratio.powf(e_ratio), prev_pow)
}

/// The exponents of the step-size law for embedded order `q`: `ratio^e_ratio` (integral:
/// `−1/(q+1)`; PI: `−(i+p)/(q+1)`) and `prev_ratio^e_prev` (PI only: `p/(q+1)`; integral: 0,
/// unused).
pub fn exponents<T: Real>(cfg: &ControllerConfig, q: u32) -> (T, T) {
    let k = (q + 1) as f64;
    match cfg.kind {
        ControllerKind::Integral => (T::from_f64(-1.0 / k), T::ZERO),
        ControllerKind::Pi { pcoeff, icoeff } => {
            (T::from_f64(-(icoeff + pcoeff) / k), T::from_f64(pcoeff / k))
        }
    }
}

/// [`decide`] with the powers already taken: `ratio_pow = ratio^e_ratio` and, for PI,
/// `prev_pow = prev_ratio^e_prev` ([`exponents`]; ignored by the integral law). Lets the
/// solver raise all members' ratios in one vectorised pass; the result is the same bits.
pub fn decide_with_powers<T: Real>(
    cfg: &ControllerConfig,
    state: ControllerState<T>,
    h: T,
    ratio: T,
    ratio_pow: T,
    prev_pow: T,
) -> (Decision<T>, ControllerState<T>) {
    let accept = ratio <= T::ONE;
    let raw = match cfg.kind {
        ControllerKind::Integral => T::from_f64(cfg.safety) * ratio_pow,
        ControllerKind::Pi { .. } => T::from_f64(cfg.safety) * ratio_pow * prev_pow,
    };
    let factor = min(
        max(raw, T::from_f64(cfg.factor_min)),
        T::from_f64(cfg.factor_max),
    );
    let next_state = if accept {
        ControllerState { prev_ratio: ratio }
    } else {
        state
    };
    (
        Decision {
            accept,
            h_next: h * factor,
        },
        next_state,
    )
}

/// Per-element weight `1 / (atol + rtol · max(|y0|, |y1|))` is applied in the solver; this is
/// the floor that keeps `r^(−1/k)` finite when a step is exact.
#[inline]
pub fn floor_ratio<T: Real>(ratio: T) -> T {
    // NaN must survive the floor so the solver can flag the member as non-finite.
    if ratio < T::MIN_POSITIVE {
        T::MIN_POSITIVE
    } else {
        ratio
    }
}

/// Hairer's initial step selection (Solving ODEs I, §II.4) in torchode's norm-wise variant, for
/// one member: `d0 = ‖y0/sc‖`, `d1 = ‖f0/sc‖` with `sc = atol + rtol|y0|` and RMS norms;
/// `h0 = 0.01·d0/d1` (or 1e-6 if either is below 1e-5), capped at `span`; after one Euler step
/// `d2 = ‖(f1 − f0)/sc‖ / h0`; the result is
/// `min(100·h0, (0.01 / max(d1, d2))^(1/order))` (or `max(1e-6, h0·1e-3)` if that max ≤ 1e-15).
/// This function returns `h0` (stage one); [`initial_step_finish`] does stage two.
pub fn initial_step_start<T: Real>(d0: T, d1: T, span: T) -> T {
    let small = T::from_f64(1e-5);
    let h0 = if d0 < small || d1 < small {
        T::from_f64(1e-6)
    } else {
        T::from_f64(0.01) * d0 / d1
    };
    min(h0, span)
}

/// Second stage of [`initial_step_start`]: magnitude of the first step.
pub fn initial_step_finish<T: Real>(h0: T, d1: T, d2: T, order: u32) -> T {
    let m = max(d1, d2);
    let h1 = if m <= T::from_f64(1e-15) {
        max(T::from_f64(1e-6), h0 * T::from_f64(1e-3))
    } else {
        (T::from_f64(0.01) / m).powf(T::from_f64(1.0 / order as f64))
    };
    min(T::from_f64(100.0) * h0, h1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_law_matches_formula() {
        let cfg = ControllerConfig::default();
        let (d, _) = decide(&cfg, 4, ControllerState::default(), 0.1f64, 0.5);
        assert!(d.accept);
        let want = 0.1 * 0.9 * 0.5f64.powf(-0.2);
        assert!((d.h_next - want).abs() < 1e-15);
        let (d, s) = decide(&cfg, 4, ControllerState::default(), 0.1f64, 1e6);
        assert!(!d.accept);
        assert!((d.h_next - 0.02).abs() < 1e-15, "clamped at factor_min");
        assert_eq!(
            s.prev_ratio.to_bits(),
            1.0f64.to_bits(),
            "reject keeps state"
        );
        let (d, _) = decide(&cfg, 4, ControllerState::default(), -0.1f64, 1e-300);
        assert!(
            (d.h_next + 1.0).abs() < 1e-15,
            "clamped at factor_max, sign kept"
        );
    }

    #[test]
    fn pi_law_uses_previous_accepted_ratio() {
        let cfg = ControllerConfig {
            kind: ControllerKind::Pi {
                pcoeff: 0.2,
                icoeff: 0.7,
            },
            ..Default::default()
        };
        let st = ControllerState { prev_ratio: 0.3f64 };
        let (d, s) = decide(&cfg, 4, st, 1.0f64, 0.8);
        let want = 0.9 * 0.8f64.powf(-0.9 / 5.0) * 0.3f64.powf(0.2 / 5.0);
        assert!((d.h_next - want).abs() < 1e-15);
        assert!((s.prev_ratio - 0.8).abs() < 1e-15);
    }

    proptest::proptest! {
        #[test]
        fn factor_stays_in_bounds_and_accept_iff_ratio_le_one(
            ratio in 1e-12f64..1e12,
            h in prop_h(),
            prev in 1e-6f64..10.0,
            pi in proptest::bool::ANY,
        ) {
            let cfg = ControllerConfig {
                kind: if pi { ControllerKind::Pi { pcoeff: 0.4, icoeff: 0.3 } } else { ControllerKind::Integral },
                ..Default::default()
            };
            let (d, s) = decide(&cfg, 4, ControllerState { prev_ratio: prev }, h, ratio);
            let f = d.h_next / h;
            proptest::prop_assert!((0.2 * (1.0 - 1e-15)..=10.0 * (1.0 + 1e-15)).contains(&f));
            proptest::prop_assert_eq!(d.accept, ratio <= 1.0);
            let want = if ratio <= 1.0 { ratio } else { prev };
            proptest::prop_assert_eq!(s.prev_ratio.to_bits(), want.to_bits());
        }
    }

    fn prop_h() -> impl proptest::strategy::Strategy<Value = f64> {
        use proptest::strategy::Strategy;
        (1e-8f64..10.0, proptest::bool::ANY).prop_map(|(h, neg)| if neg { -h } else { h })
    }

    #[test]
    fn nan_ratio_rejects() {
        let (d, _) = decide(
            &ControllerConfig::default(),
            4,
            ControllerState::default(),
            0.1f64,
            floor_ratio(f64::NAN),
        );
        assert!(!d.accept);
    }
}
