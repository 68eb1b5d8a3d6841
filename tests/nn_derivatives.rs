//! Every derivative the engine computes, against central finite differences in f64 on random
//! networks: input jets (first and all second derivatives), genome gradients through the
//! jets, and gradients w.r.t. extra trainable scalars (Burgers' ν).

use pareto_sciml::backend::cpu::lanes::{Lane, Real};
use pareto_sciml::backend::cpu::{Cpu, Isa};
use pareto_sciml::nn::{
    init_genome, Activation, Burgers, Init, JetSpec, MlpSpec, MseLoss, PointLoss, Residual,
    ResidualLoss,
};
use proptest::prelude::*;

const ACTS: [Activation; 3] = [Activation::Tanh, Activation::Sin, Activation::Identity];

fn net_strategy() -> impl Strategy<Value = (MlpSpec, u64)> {
    (
        1usize..=4,
        proptest::collection::vec((1usize..=5, 0usize..3), 1..=3),
        1usize..=2,
        0usize..3,
        any::<u64>(),
    )
        .prop_map(|(d, hidden, out, out_act, seed)| {
            let mut widths = vec![d];
            let mut acts = Vec::new();
            for (w, a) in hidden {
                widths.push(w);
                acts.push(ACTS[a]);
            }
            widths.push(out);
            acts.push(ACTS[out_act]);
            (MlpSpec::new(&widths, &acts).unwrap(), seed)
        })
}

fn points(seed: u64, n: usize, d: usize) -> Vec<f64> {
    let mut s = pareto_sciml::rng::stream(seed, "test-x", 0, 0);
    (0..n * d).map(|_| s.uniform_range(-1.0, 1.0)).collect()
}

fn genome(spec: &MlpSpec, seed: u64) -> Vec<f64> {
    // Xavier-scaled weights with non-zero biases so every activation term matters.
    let mut g = init_genome(spec, Init::TorchDefault, seed, 0);
    for w in g.iter_mut() {
        *w *= 1.5;
    }
    g
}

fn cpu() -> Cpu {
    Cpu::new(1).with_isa(Isa::Scalar)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

/// A residual that reads every jet component of every output and the extra scalars, so each
/// adjoint path of the engine is exercised: `r = Σ_oc k_oc out_oc + θ0 · out_00 · out_0,last
/// + θ1 · out_00²`.
struct Everything {
    coef: Vec<f64>,
}

impl Residual for Everything {
    fn n_extra(&self) -> usize {
        2
    }
    #[inline(always)]
    fn residual<V: Lane>(
        &self,
        jet: &JetSpec,
        _x: &[V],
        _aux: &[V],
        out: &[V],
        extra: &[V],
        d_out: &mut [V],
        d_extra: &mut [V],
    ) -> V {
        let last = jet.n_comp() - 1;
        let mut r = V::zero();
        for (i, &k) in self.coef.iter().enumerate() {
            let kv = V::splat(V::T::from_f64(k));
            r = kv.fma(out[i], r);
            d_out[i] = kv;
        }
        let a = out[0].mul(out[last]);
        let b = out[0].mul(out[0]);
        r = extra[0].fma(a, r);
        r = extra[1].fma(b, r);
        d_out[0] = extra[0].fma(out[last], d_out[0]);
        d_out[last] = extra[0].fma(out[0], d_out[last]);
        d_out[0] = extra[1].mul(out[0].add(out[0])).add(d_out[0]);
        d_extra[0] = a;
        d_extra[1] = b;
        r
    }
}

fn jet_of(spec: &MlpSpec, pairs_mask: u16) -> JetSpec {
    let d = spec.n_in();
    let all: Vec<_> = (0..d).flat_map(|i| (i..d).map(move |j| (i, j))).collect();
    let pairs = all
        .into_iter()
        .enumerate()
        .filter(|(k, _)| pairs_mask >> k & 1 == 1)
        .map(|(_, p)| p)
        .collect();
    JetSpec::with_pairs(d, pairs).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn jets_match_finite_differences((spec, seed) in net_strategy()) {
        let d = spec.n_in();
        let g = genome(&spec, seed);
        let x = points(seed, 3, d);
        let jet = JetSpec::full(d).unwrap();
        let c = jet.n_comp();
        let no = spec.n_out();
        let j0 = cpu().jets(&spec, &g, &x, &jet).unwrap();
        let h = 1e-5;
        for k in 0..d {
            let (mut xp, mut xm) = (x.clone(), x.clone());
            for p in 0..3 {
                xp[p * d + k] += h;
                xm[p * d + k] -= h;
            }
            let jp = cpu().jets(&spec, &g, &xp, &jet).unwrap();
            let jm = cpu().jets(&spec, &g, &xm, &jet).unwrap();
            for p in 0..3 {
                for o in 0..no {
                    let at = |v: &Vec<f64>, comp: usize| v[(p * no + o) * c + comp];
                    let fd = (at(&jp, 0) - at(&jm, 0)) / (2.0 * h);
                    let an = at(&j0, jet.grad(k).unwrap());
                    prop_assert!(close(fd, an, 1e-6), "du/dx{k}: fd {fd} vs {an}");
                    for i in 0..d {
                        let gi = jet.grad(i).unwrap();
                        let fd2 = (at(&jp, gi) - at(&jm, gi)) / (2.0 * h);
                        let an2 = at(&j0, jet.hess(i, k).unwrap());
                        prop_assert!(close(fd2, an2, 1e-6), "d2u/dx{i}dx{k}: fd {fd2} vs {an2}");
                    }
                }
            }
        }
    }

    #[test]
    fn pair_subsets_equal_full_jets_bitwise((spec, seed) in net_strategy(), mask in any::<u16>()) {
        let d = spec.n_in();
        let g = genome(&spec, seed);
        let x = points(seed, 5, d);
        let full = JetSpec::full(d).unwrap();
        let sub = jet_of(&spec, mask);
        let a = cpu().jets(&spec, &g, &x, &full).unwrap();
        let b = cpu().jets(&spec, &g, &x, &sub).unwrap();
        let (cf, cs) = (full.n_comp(), sub.n_comp());
        for q in 0..5 * spec.n_out() {
            for comp in 0..cs {
                let fc = if comp <= d { comp } else {
                    let (i, j) = sub.pairs()[comp - 1 - d];
                    full.hess(i, j).unwrap()
                };
                prop_assert_eq!(a[q * cf + fc].to_bits(), b[q * cs + comp].to_bits());
            }
        }
    }

    #[test]
    fn genome_and_extra_gradients_match_finite_differences(
        (spec, seed) in net_strategy(), mask in any::<u16>(),
    ) {
        let d = spec.n_in();
        let g = genome(&spec, seed);
        let x = points(seed, 6, d);
        let jet = jet_of(&spec, mask);
        let c = jet.n_comp();
        let mut s = pareto_sciml::rng::stream(seed, "test-coef", 0, 0);
        let coef: Vec<f64> = (0..spec.n_out() * c).map(|_| s.uniform_range(-1.0, 1.0)).collect();
        let loss = ResidualLoss(Everything { coef });
        let theta = [0.7, -0.4];
        let lg = cpu().loss_grad(&spec, &g, &x, &[], &theta, &jet, &loss).unwrap();
        let eval = |g: &[f64], th: &[f64]| {
            cpu().loss_grad(&spec, g, &x, &[], th, &jet, &loss).unwrap().loss[0]
        };
        prop_assert!(close(lg.loss[0], eval(&g, &theta), 0.0));
        let h = 1e-6;
        for p in 0..g.len() {
            let (mut gp, mut gm) = (g.clone(), g.clone());
            gp[p] += h;
            gm[p] -= h;
            let fd = (eval(&gp, &theta) - eval(&gm, &theta)) / (2.0 * h);
            prop_assert!(close(fd, lg.grad[p], 1e-5), "param {p}: fd {fd} vs {}", lg.grad[p]);
        }
        for e in 0..2 {
            let (mut tp, mut tm) = (theta, theta);
            tp[e] += h;
            tm[e] -= h;
            let fd = (eval(&g, &tp) - eval(&g, &tm)) / (2.0 * h);
            prop_assert!(close(fd, lg.grad_extra[e], 1e-5));
        }
    }

    #[test]
    fn mse_gradient_matches_finite_differences((spec, seed) in net_strategy()) {
        let d = spec.n_in();
        let g = genome(&spec, seed);
        let n = 7;
        let x = points(seed, n, d);
        let y = points(seed ^ 1, n, spec.n_out());
        let loss = MseLoss { n_out: spec.n_out() };
        let jet = JetSpec::value(d);
        let lg = cpu().loss_grad(&spec, &g, &x, &y, &[], &jet, &loss).unwrap();
        let h = 1e-6;
        for p in 0..g.len() {
            let (mut gp, mut gm) = (g.clone(), g.clone());
            gp[p] += h;
            gm[p] -= h;
            let lp = cpu().loss_grad(&spec, &gp, &x, &y, &[], &jet, &loss).unwrap().loss[0];
            let lm = cpu().loss_grad(&spec, &gm, &x, &y, &[], &jet, &loss).unwrap().loss[0];
            prop_assert!(close((lp - lm) / (2.0 * h), lg.grad[p], 1e-5));
        }
    }
}

#[test]
fn mse_loss_is_the_mean_squared_error() {
    let spec = MlpSpec::uniform(2, &[4], 2, Activation::Tanh).unwrap();
    let g = genome(&spec, 3);
    let n = 11;
    let x = points(3, n, 2);
    let y = points(4, n, 2);
    let u = cpu().jets(&spec, &g, &x, &JetSpec::value(2)).unwrap();
    let want: f64 = u
        .iter()
        .zip(&y)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        / (2 * n) as f64;
    let loss = MseLoss { n_out: 2 };
    let got = cpu()
        .loss_grad(&spec, &g, &x, &y, &[], &JetSpec::value(2), &loss)
        .unwrap();
    assert!(close(got.loss[0], want, 1e-14));
}

#[test]
fn burgers_nu_gradient_matches_finite_differences() {
    let spec = MlpSpec::uniform(2, &[20; 3], 1, Activation::Tanh).unwrap();
    let g = genome(&spec, 9);
    let x = points(9, 40, 2);
    let loss = ResidualLoss(Burgers { nu: None });
    let jet = Burgers::jet();
    let f = |nu: f64| {
        cpu()
            .loss_grad(&spec, &g, &x, &[], &[nu], &jet, &loss)
            .unwrap()
    };
    let lg = f(0.02);
    let h = 1e-6;
    let fd = (f(0.02 + h).loss[0] - f(0.02 - h).loss[0]) / (2.0 * h);
    assert!(
        close(fd, lg.grad_extra[0], 1e-6),
        "{fd} vs {}",
        lg.grad_extra[0]
    );
    // Fixed ν: same loss, no extra gradient.
    let fixed = ResidualLoss(Burgers { nu: Some(0.02) });
    let lf = cpu()
        .loss_grad(&spec, &g, &x, &[], &[], &jet, &fixed)
        .unwrap();
    assert_eq!(lf.loss[0].to_bits(), lg.loss[0].to_bits());
    assert!(lf.grad_extra.is_empty());
    assert_eq!(loss.n_extra(), 1);
}
