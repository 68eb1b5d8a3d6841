//! The per-member MLP evaluator (`backend::cpu::member`): values and VJPs against the
//! single-network engine `nn::Mlp` and against central differences, SIMD == scalar and
//! 1 == N threads bitwise for every member count (tails), a member alone == in a batch, the
//! tiled genome layout == genome rows bitwise, and bad input.

use pareto_sciml::backend::cpu::lanes::Lane;
use pareto_sciml::backend::cpu::member::{tile_len, tiled_index, MemberMlp, RowLayout};
use pareto_sciml::backend::cpu::{Cpu, Element, Isa};
use pareto_sciml::nn::{Activation, JetSpec, Mlp, MlpSpec, PointLoss};
use pareto_sciml::{rng, Error};
use proptest::prelude::*;

/// ℓ = Σ_o v_o · out_o with v in `aux`: its genome gradient is vᵀ ∂NN/∂θ.
struct Dot(usize);

impl PointLoss for Dot {
    fn aux_width(&self) -> usize {
        self.0
    }
    #[inline(always)]
    fn eval<V: Lane>(
        &self,
        jet: &JetSpec,
        _x: &[V],
        aux: &[V],
        out: &[V],
        _extra: &[V],
        adj: &mut [V],
        _adj_extra: &mut [V],
    ) -> V {
        let nc = jet.n_comp();
        let mut l = V::zero();
        for o in 0..self.0 {
            l = aux[o].fma(out[o * nc], l);
            adj[o * nc] = aux[o];
        }
        l
    }
}

struct Case {
    spec: MlpSpec,
    layout: RowLayout,
    rows: usize,
    g: Vec<f64>,
    x: Vec<f64>,
    v: Vec<f64>,
}

fn case(act: Activation, rows: usize, seed: u64) -> Case {
    let spec = MlpSpec::uniform(3, &[7, 5], 2, act).unwrap();
    let np = spec.n_params();
    let layout = RowLayout {
        stride: np + 3,
        offset: 2,
    };
    let mut r = rng::stream(seed, "member_mlp_test", 0, 0);
    let mut draw = |n: usize, s: f64| -> Vec<f64> {
        (0..n).map(|_| s * (2.0 * r.uniform_f64() - 1.0)).collect()
    };
    let g = draw(rows * layout.stride, 0.8);
    let x = draw(rows * 3, 1.5);
    let v = draw(rows * 2, 1.0);
    Case {
        spec,
        layout,
        rows,
        g,
        x,
        v,
    }
}

fn genome(c: &Case, m: usize) -> &[f64] {
    let o = m * c.layout.stride + c.layout.offset;
    &c.g[o..o + c.spec.n_params()]
}

#[test]
fn values_and_vjps_match_the_single_network_engine() {
    for act in [Activation::Tanh, Activation::Sin] {
        let c = case(act, 9, 1);
        let net = MemberMlp::new(c.spec.clone());
        let mut out = vec![0.0; c.rows * 2];
        net.forward(&c.x, &c.g, c.layout, &mut out).unwrap();
        let mut gx = vec![0.0; c.rows * 3];
        let mut gg = vec![7.0; c.g.len()];
        net.vjp(&c.x, &c.g, c.layout, &c.v, &mut gx, &mut gg)
            .unwrap();
        let jet = JetSpec::first(3);
        for m in 0..c.rows {
            let mlp = Mlp::new(&c.spec, genome(&c, m)).unwrap();
            let xm = &c.x[3 * m..3 * m + 3];
            let vm = &c.v[2 * m..2 * m + 2];
            let j = mlp.jets(xm, &jet).unwrap();
            let nc = jet.n_comp();
            for o in 0..2 {
                let want = j[o * nc];
                assert!((out[2 * m + o] - want).abs() <= 1e-14 * (1.0 + want.abs()));
            }
            for k in 0..3 {
                let want: f64 = (0..2).map(|o| vm[o] * j[o * nc + 1 + k]).sum();
                assert!((gx[3 * m + k] - want).abs() <= 1e-13, "gx {m} {k}");
            }
            let lg = mlp
                .loss_grad(xm, vm, &[], &JetSpec::value(3), &Dot(2))
                .unwrap();
            let o = m * c.layout.stride;
            for (jj, want) in lg.grad.iter().enumerate() {
                let got = gg[o + c.layout.offset + jj];
                assert!((got - want).abs() <= 1e-13, "gg {m} {jj}: {got} vs {want}");
            }
            // Slots outside the genome are left alone.
            let row = &gg[o..o + c.layout.stride];
            assert!(row[..2]
                .iter()
                .chain(&row[2 + c.spec.n_params()..])
                .all(|&z| z == 7.0));
        }
    }
}

#[test]
fn vjps_match_central_differences() {
    let c = case(Activation::Tanh, 5, 2);
    let net = MemberMlp::new(c.spec.clone());
    let mut gx = vec![0.0; c.rows * 3];
    let mut gg = vec![0.0; c.g.len()];
    net.vjp(&c.x, &c.g, c.layout, &c.v, &mut gx, &mut gg)
        .unwrap();
    let f = |x: &[f64], g: &[f64]| -> f64 {
        let mut out = vec![0.0; c.rows * 2];
        net.forward(x, g, c.layout, &mut out).unwrap();
        out.iter().zip(&c.v).map(|(a, b)| a * b).sum()
    };
    let e = 1e-6;
    for i in 0..c.x.len() {
        let (mut a, mut b) = (c.x.clone(), c.x.clone());
        a[i] += e;
        b[i] -= e;
        let fd = (f(&a, &c.g) - f(&b, &c.g)) / (2.0 * e);
        assert!((fd - gx[i]).abs() < 1e-8, "gx[{i}] {fd} vs {}", gx[i]);
    }
    for m in [0, 4] {
        for j in 0..c.spec.n_params() {
            let i = m * c.layout.stride + c.layout.offset + j;
            let (mut a, mut b) = (c.g.clone(), c.g.clone());
            a[i] += e;
            b[i] -= e;
            let fd = (f(&c.x, &a) - f(&c.x, &b)) / (2.0 * e);
            assert!((fd - gg[i]).abs() < 1e-8, "gg[{i}] {fd} vs {}", gg[i]);
        }
    }
}

type Outputs<T> = (Vec<T>, Vec<T>, Vec<T>);

fn run<T: Element>(c: &Case, rows: usize, cpu: Cpu) -> Outputs<T> {
    let to = |v: &[f64]| -> Vec<T> { v.iter().map(|&x| T::from_f64(x)).collect() };
    let (g, x, v) = (
        to(&c.g[..rows * c.layout.stride]),
        to(&c.x[..rows * 3]),
        to(&c.v[..rows * 2]),
    );
    let net = MemberMlp::new(c.spec.clone()).with_cpu(cpu);
    let mut out = vec![T::ZERO; rows * 2];
    net.forward(&x, &g, c.layout, &mut out).unwrap();
    let mut gx = vec![T::ZERO; rows * 3];
    let mut gg = vec![T::ZERO; g.len()];
    net.vjp(&x, &g, c.layout, &v, &mut gx, &mut gg).unwrap();
    (out, gx, gg)
}

fn bits<T: Element>(o: &Outputs<T>) -> Vec<u64> {
    let b = |v: &Vec<T>| v.iter().map(|x| x.to_f64().to_bits()).collect::<Vec<_>>();
    [b(&o.0), b(&o.1), b(&o.2)].concat()
}

fn same_bits_everywhere<T: Element>() {
    let c = case(Activation::Tanh, 150, 3);
    for rows in (1..=13).chain([64, 65, 150]) {
        let base = bits(&run::<T>(&c, rows, Cpu::new(1).with_isa(Isa::Scalar)));
        for cpu in [Cpu::new(1), Cpu::new(3), Cpu::new(2).with_isa(Isa::Scalar)] {
            assert_eq!(base, bits(&run::<T>(&c, rows, cpu)), "rows {rows} {cpu:?}");
        }
    }
}

#[test]
fn simd_equals_scalar_and_threads_do_not_matter_f64() {
    same_bits_everywhere::<f64>();
}

#[test]
fn simd_equals_scalar_and_threads_do_not_matter_f32() {
    same_bits_everywhere::<f32>();
}

/// Forward with the genomes in tiles equals forward from rows, bit for bit, on every path and
/// thread count, for member counts around the tile and lane widths. The tiles' unused lanes
/// hold NaN: computing on them must not leak into any member's output.
fn tiled_equals_rows<T: Element>() {
    let c = case(Activation::Tanh, 150, 5);
    let np = c.spec.n_params();
    for rows in (1..=18).chain([31, 32, 33, 64, 65, 150]) {
        let to = |v: &[f64]| -> Vec<T> { v.iter().map(|&x| T::from_f64(x)).collect() };
        let (g, x) = (to(&c.g[..rows * c.layout.stride]), to(&c.x[..rows * 3]));
        let tile = tile_len::<T>();
        let mut tiles = vec![T::from_f64(f64::NAN); rows.div_ceil(tile) * tile * np];
        for m in 0..rows {
            for j in 0..np {
                tiles[tiled_index::<T>(m, j, np)] = g[m * c.layout.stride + c.layout.offset + j];
            }
        }
        let reference = MemberMlp::new(c.spec.clone()).with_cpu(Cpu::new(1).with_isa(Isa::Scalar));
        let mut want = vec![T::ZERO; rows * 2];
        reference.forward(&x, &g, c.layout, &mut want).unwrap();
        for cpu in [
            Cpu::new(1),
            Cpu::new(3),
            Cpu::new(1).with_isa(Isa::Scalar),
            Cpu::new(2).with_isa(Isa::Scalar),
        ] {
            let net = MemberMlp::new(c.spec.clone()).with_cpu(cpu);
            let mut got = vec![T::ZERO; rows * 2];
            net.forward_tiled(&x, &tiles, &mut got).unwrap();
            let b = |v: &[T]| v.iter().map(|x| x.to_f64().to_bits()).collect::<Vec<_>>();
            assert_eq!(b(&want), b(&got), "rows {rows} {cpu:?}");
        }
    }
}

#[test]
fn tiled_genomes_give_the_bits_of_genome_rows_f64() {
    tiled_equals_rows::<f64>();
}

#[test]
fn tiled_genomes_give_the_bits_of_genome_rows_f32() {
    tiled_equals_rows::<f32>();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// A member's outputs and adjoints do not depend on the batch it is evaluated in.
    #[test]
    fn member_alone_equals_member_in_batch(seed in 0u64..1000, rows in 1usize..12, pick in 0usize..12) {
        let c = case(Activation::Tanh, rows, seed);
        let m = pick % rows;
        let all = run::<f64>(&c, rows, Cpu::new(1));
        let s = c.layout.stride;
        let one_case = Case {
            spec: c.spec.clone(),
            layout: c.layout,
            rows: 1,
            g: c.g[m * s..(m + 1) * s].to_vec(),
            x: c.x[3 * m..3 * m + 3].to_vec(),
            v: c.v[2 * m..2 * m + 2].to_vec(),
        };
        let one = run::<f64>(&one_case, 1, Cpu::new(1));
        let eq = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        prop_assert!(eq(&one.0, &all.0[2 * m..2 * m + 2]));
        prop_assert!(eq(&one.1, &all.1[3 * m..3 * m + 3]));
        prop_assert!(eq(&one.2, &all.2[m * s..(m + 1) * s]));
    }
}

#[test]
fn bad_input_is_an_error() {
    let c = case(Activation::Tanh, 4, 4);
    let net = MemberMlp::new(c.spec.clone());
    let mut out = vec![0.0; 8];
    let shape = |r: Result<(), Error>| matches!(r, Err(Error::Shape { .. }));
    assert!(matches!(
        net.forward(&c.x[..0], &c.g[..0], c.layout, &mut []),
        Err(Error::Empty { .. })
    ));
    assert!(shape(net.forward(&c.x[..9], &c.g, c.layout, &mut out)));
    assert!(shape(net.forward(&c.x, &c.g[..10], c.layout, &mut out)));
    assert!(shape(net.forward(&c.x, &c.g, c.layout, &mut out[..7])));
    let tight = RowLayout {
        stride: c.layout.stride,
        offset: 4,
    };
    assert!(matches!(
        net.forward(&c.x, &c.g, tight, &mut out),
        Err(Error::InvalidConfig { .. })
    ));
    let np = c.spec.n_params();
    let tiles = vec![0.0; tile_len::<f64>() * np];
    assert!(shape(net.forward_tiled(
        &c.x,
        &tiles[..tile_len::<f64>() * np - 1],
        &mut out
    )));
    assert!(shape(net.forward_tiled(&c.x[..11], &tiles, &mut out)));
    assert!(matches!(
        net.forward_tiled(&c.x[..0], &tiles, &mut []),
        Err(Error::Empty { .. })
    ));
    net.forward_tiled(&c.x, &tiles, &mut out).unwrap();
    let (mut gx, mut gg) = (vec![0.0; 12], vec![0.0; c.g.len()]);
    assert!(shape(net.vjp(
        &c.x,
        &c.g,
        c.layout,
        &c.v[..7],
        &mut gx,
        &mut gg
    )));
    assert!(shape(net.vjp(
        &c.x,
        &c.g,
        c.layout,
        &c.v,
        &mut gx[..11],
        &mut gg
    )));
    assert!(shape(net.vjp(
        &c.x,
        &c.g,
        c.layout,
        &c.v,
        &mut gx,
        &mut gg[..5]
    )));
    // NaN is not an error: it stays in its own member.
    let mut x = c.x.clone();
    x[3] = f64::NAN;
    net.forward(&x, &c.g, c.layout, &mut out).unwrap();
    assert!(out[2].is_nan() && out[3].is_nan());
    assert!(out
        .iter()
        .enumerate()
        .all(|(i, v)| i / 2 == 1 || v.is_finite()));
}
