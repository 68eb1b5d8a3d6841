//! Explicit Runge–Kutta tableaus and their dense-output weights.
//!
//! Every dense output here is written as `y(t + θh) = y0 + h Σ_s B_s(θ) k_s`, linear in the
//! stage derivatives `k_s`. That one form serves the forward interpolation and its reverse-mode
//! derivative alike (see [`super::sensitivity`]).
//!
//! References: \[1\] J. R. Dormand, P. J. Prince, *A family of embedded Runge–Kutta formulae*,
//! J. Comput. Appl. Math. 6 (1980), doi:10.1016/0771-050X(80)90013-3; dense output from
//! E. Hairer, S. P. Nørsett, G. Wanner, *Solving ODEs I*, 2nd ed., §II.6 (`CONTD5` of
//! `dopri5.f`). \[2\] Ch. Tsitouras, *Runge–Kutta pairs of order 5(4) satisfying only the first
//! column simplifying assumption*, Comput. Math. Appl. 62 (2011), doi:10.1016/j.camwa.2011.06.002
//! (error weights with the sign fix of OrdinaryDiffEq.jl issue 1654, as torchode uses).
//! \[3\] P. Bogacki, L. F. Shampine, *A 3(2) pair of Runge–Kutta formulas*, Appl. Math. Lett. 2
//! (1989), doi:10.1016/0893-9659(89)90079-7.

// Coefficients are kept digit for digit as published (and as torchode has them).
#![allow(clippy::excessive_precision, clippy::needless_range_loop)]

/// The explicit Runge–Kutta methods available.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Method {
    /// Dormand–Prince 5(4), FSAL, Hairer's 4th-order dense output. torchode's `Dopri5`.
    #[default]
    Dopri5,
    /// Tsitouras 5(4), FSAL, its own 4th-order interpolant. torchode's `Tsit5`.
    Tsit5,
    /// Bogacki–Shampine 3(2), FSAL, cubic Hermite dense output.
    Bs3,
    /// Classic 4-stage RK4 without error estimate: fixed-step mode only (tests).
    Rk4,
}

/// A Butcher tableau with an optional embedded error estimate.
#[derive(Debug)]
pub struct Tableau {
    /// Number of stages (FSAL stage included).
    pub stages: usize,
    /// Nodes `c_s`.
    pub c: &'static [f64],
    /// Lower-triangular coefficients: row `s` has `s` entries.
    pub a: &'static [&'static [f64]],
    /// Solution weights `b_s`.
    pub b: &'static [f64],
    /// Error weights `e_s = b_s − b̂_s` (err = h Σ e_s k_s); `None` without an embedded pair.
    pub e: Option<&'static [f64]>,
    /// Order of the propagated solution.
    pub order: u32,
    /// Order of the embedded solution; the step-size exponent is `1/(embedded_order + 1)`.
    pub embedded_order: u32,
    /// First stage of a step equals the last stage of the previous accepted step.
    pub fsal: bool,
}

const DP_B: [f64; 7] = [
    35.0 / 384.0,
    0.0,
    500.0 / 1113.0,
    125.0 / 192.0,
    -2187.0 / 6784.0,
    11.0 / 84.0,
    0.0,
];
const DP_E: [f64; 7] = [
    35.0 / 384.0 - 1951.0 / 21600.0,
    0.0,
    500.0 / 1113.0 - 22642.0 / 50085.0,
    125.0 / 192.0 - 451.0 / 720.0,
    -2187.0 / 6784.0 + 12231.0 / 42400.0,
    11.0 / 84.0 - 649.0 / 6300.0,
    -1.0 / 60.0,
];
static DOPRI5: Tableau = Tableau {
    stages: 7,
    c: &[0.0, 0.2, 0.3, 0.8, 8.0 / 9.0, 1.0, 1.0],
    a: &[
        &[],
        &[0.2],
        &[3.0 / 40.0, 9.0 / 40.0],
        &[44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0],
        &[
            19372.0 / 6561.0,
            -25360.0 / 2187.0,
            64448.0 / 6561.0,
            -212.0 / 729.0,
        ],
        &[
            9017.0 / 3168.0,
            -355.0 / 33.0,
            46732.0 / 5247.0,
            49.0 / 176.0,
            -5103.0 / 18656.0,
        ],
        &[
            35.0 / 384.0,
            0.0,
            500.0 / 1113.0,
            125.0 / 192.0,
            -2187.0 / 6784.0,
            11.0 / 84.0,
        ],
    ],
    b: &DP_B,
    e: Some(&DP_E),
    order: 5,
    embedded_order: 4,
    fsal: true,
};

static TSIT5: Tableau = Tableau {
    stages: 7,
    c: &[0.0, 0.161, 0.327, 0.9, 0.9800255409045097, 1.0, 1.0],
    a: &[
        &[],
        &[0.161],
        &[-0.008480655492356989, 0.335480655492357],
        &[2.8971530571054935, -6.359448489975075, 4.3622954328695815],
        &[
            5.325864828439257,
            -11.748883564062828,
            7.4955393428898365,
            -0.09249506636175525,
        ],
        &[
            5.86145544294642,
            -12.92096931784711,
            8.159367898576159,
            -0.071584973281401,
            -0.02826905039406838,
        ],
        &[
            0.09646076681806523,
            0.01,
            0.4798896504144996,
            1.379008574103742,
            -3.290069515436081,
            2.324710524099774,
        ],
    ],
    b: &[
        0.09646076681806523,
        0.01,
        0.4798896504144996,
        1.379008574103742,
        -3.290069515436081,
        2.324710524099774,
        0.0,
    ],
    e: Some(&[
        0.00178001105222577714,
        0.0008164344596567469,
        -0.007880878010261995,
        0.1447110071732629,
        -0.5823571654525552,
        0.45808210592918697,
        -1.0 / 66.0,
    ]),
    order: 5,
    embedded_order: 4,
    fsal: true,
};

static BS3: Tableau = Tableau {
    stages: 4,
    c: &[0.0, 0.5, 0.75, 1.0],
    a: &[
        &[],
        &[0.5],
        &[0.0, 0.75],
        &[2.0 / 9.0, 1.0 / 3.0, 4.0 / 9.0],
    ],
    b: &[2.0 / 9.0, 1.0 / 3.0, 4.0 / 9.0, 0.0],
    e: Some(&[
        2.0 / 9.0 - 7.0 / 24.0,
        1.0 / 3.0 - 0.25,
        4.0 / 9.0 - 1.0 / 3.0,
        -0.125,
    ]),
    order: 3,
    embedded_order: 2,
    fsal: true,
};

static RK4: Tableau = Tableau {
    stages: 4,
    c: &[0.0, 0.5, 0.5, 1.0],
    a: &[&[], &[0.5], &[0.0, 0.5], &[0.0, 0.0, 1.0]],
    b: &[1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0],
    e: None,
    order: 4,
    embedded_order: 0,
    fsal: false,
};

/// Hairer's `CONTD5` coefficients `d_s` for Dormand–Prince.
const DP_D: [f64; 7] = [
    -12715105075.0 / 11282082432.0,
    0.0,
    87487479700.0 / 32700410799.0,
    -10690763975.0 / 1880347072.0,
    701980252875.0 / 199316789632.0,
    -1453857185.0 / 822651844.0,
    69997945.0 / 29380423.0,
];

impl Method {
    /// The method's tableau.
    pub fn tableau(self) -> &'static Tableau {
        match self {
            Method::Dopri5 => &DOPRI5,
            Method::Tsit5 => &TSIT5,
            Method::Bs3 => &BS3,
            Method::Rk4 => &RK4,
        }
    }

    /// Dense-output weights `B_s(θ)` for `θ ∈ [0, 1]`, so that
    /// `y(t + θh) = y0 + h Σ_s B_s(θ) k_s`; `out.len()` must be the number of stages.
    /// `B_s(1) = b_s` for every method.
    pub fn dense_weights(self, theta: f64, out: &mut [f64]) {
        let tab = self.tableau();
        debug_assert_eq!(out.len(), tab.stages);
        let t = theta;
        let u = 1.0 - t;
        match self {
            Method::Dopri5 => {
                // y0 + θ r2 + θ(1−θ) r3 + θ²(1−θ) r4 + θ²(1−θ)² r5 with r2 = y1 − y0,
                // r3 = h k1 − r2, r4 = 2 r2 − h k1 − h k7, r5 = h Σ d_s k_s (Hairer's CONTD5).
                for (s, o) in out.iter_mut().enumerate() {
                    let b = tab.b[s];
                    let d1 = if s == 0 { 1.0 } else { 0.0 };
                    let d7 = if s == 6 { 1.0 } else { 0.0 };
                    *o = t * b
                        + t * u * (d1 - b)
                        + t * t * u * (2.0 * b - d1 - d7)
                        + t * t * u * u * DP_D[s];
                }
            }
            Method::Tsit5 => {
                let t2 = t * t;
                out[0] = -1.0530884977290216
                    * t
                    * (t - 1.3299890189751412)
                    * (t2 - 1.4364028541716351 * t + 0.7139816917074209);
                out[1] = 0.1017 * t2 * (t2 - 2.1966568338249754 * t + 1.2949852507374631);
                out[2] = 2.490627285651252793
                    * t2
                    * (t2 - 2.38535645472061657 * t + 1.57803468208092486);
                out[3] = -16.54810288924490272
                    * (t - 1.21712927295533244)
                    * (t - 0.61620406037800089)
                    * t2;
                out[4] = 47.37952196281928122
                    * (t - 1.203071208372362603)
                    * (t - 0.658047292653547382)
                    * t2;
                out[5] = -34.87065786149660974 * (t - 1.2) * (t - 0.666666666666666667) * t2;
                out[6] = 2.5 * (t - 1.0) * (t - 0.6) * t2;
            }
            Method::Bs3 => {
                // Cubic Hermite through (y0, k1) and (y1, k4 = f(y1)).
                let hb = t + t * (t - 1.0) * (1.0 - 2.0 * t);
                for (s, o) in out.iter_mut().enumerate() {
                    *o = tab.b[s] * hb;
                }
                out[0] += t * u * u;
                out[3] -= t * t * u;
            }
            Method::Rk4 => {
                // The free third-order continuous extension of classic RK4.
                let (t2, t3) = (t * t, t * t * t);
                out[0] = t - 1.5 * t2 + 2.0 / 3.0 * t3;
                out[1] = t2 - 2.0 / 3.0 * t3;
                out[2] = out[1];
                out[3] = -0.5 * t2 + 2.0 / 3.0 * t3;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Method; 4] = [Method::Dopri5, Method::Tsit5, Method::Bs3, Method::Rk4];

    #[test]
    fn order_conditions_hold() {
        for m in ALL {
            let t = m.tableau();
            for s in 0..t.stages {
                let row: f64 = t.a[s].iter().sum();
                assert!((row - t.c[s]).abs() < 1e-14, "{m:?} c[{s}]");
            }
            let bc = |p: i32| -> f64 { (0..t.stages).map(|s| t.b[s] * t.c[s].powi(p)).sum() };
            let tol = if m == Method::Tsit5 { 1e-13 } else { 1e-15 };
            for p in 0..t.order.min(4) as i32 {
                assert!((bc(p) - 1.0 / (p as f64 + 1.0)).abs() < tol, "{m:?} p={p}");
            }
            let bac: f64 = (0..t.stages)
                .map(|i| t.b[i] * (0..i).map(|j| t.a[i][j] * t.c[j]).sum::<f64>())
                .sum();
            assert!((bac - 1.0 / 6.0).abs() < tol, "{m:?} bac");
            if let Some(e) = t.e {
                assert!(e.iter().sum::<f64>().abs() < 1e-14, "{m:?} Σe");
            }
        }
    }

    #[test]
    fn dense_weights_hit_both_ends() {
        for m in ALL {
            let n = m.tableau().stages;
            let mut w = vec![0.0; n];
            m.dense_weights(0.0, &mut w);
            assert!(w.iter().all(|x| x.abs() < 1e-15), "{m:?} θ=0");
            m.dense_weights(1.0, &mut w);
            for s in 0..n {
                assert!((w[s] - m.tableau().b[s]).abs() < 1e-13, "{m:?} θ=1 s={s}");
            }
            for th in [0.1, 0.37, 0.5, 0.9] {
                m.dense_weights(th, &mut w);
                assert!((w.iter().sum::<f64>() - th).abs() < 1e-13, "{m:?} Σ B(θ)");
            }
        }
    }
}
