//! SIMD paths (AVX2/FMA, and AVX-512 when built with `--features avx512` on a CPU that has
//! it) == scalar twin and 1 thread == N threads, to the bit, for values, jets and loss
//! gradients, in f32 and f64, at every small batch size (tails of 8- and 16-lane registers),
//! across chunk boundaries and for odd sizes.

use pareto_sciml::backend::cpu::{avx2_available, avx512_available, Cpu, Element, Isa, CHUNK};
use pareto_sciml::nn::{
    init_population, Activation, Burgers, Init, JetSpec, MlpSpec, MseLoss, ResidualLoss,
};

fn spec() -> MlpSpec {
    MlpSpec::new(
        &[2, 7, 5, 3, 1],
        &[
            Activation::Tanh,
            Activation::Sin,
            Activation::Tanh,
            Activation::Identity,
        ],
    )
    .unwrap()
}

fn data<T: Element>(n: usize, p: usize) -> (Vec<T>, Vec<T>, Vec<T>, Vec<T>) {
    let s = spec();
    let g: Vec<T> = init_population(&s, Init::TorchDefault, 5, p)
        .into_iter()
        .map(|w| T::from_f64(2.0 * w))
        .collect();
    let mut r = pareto_sciml::rng::stream(5, "test-x", 0, n as u64);
    let x: Vec<T> = (0..2 * n)
        .map(|_| T::from_f64(r.uniform_range(-2.0, 2.0)))
        .collect();
    let y: Vec<T> = (0..n)
        .map(|_| T::from_f64(r.uniform_range(-1.0, 1.0)))
        .collect();
    let nu: Vec<T> = (0..p).map(|m| T::from_f64(0.01 * (m + 1) as f64)).collect();
    (g, x, y, nu)
}

fn bits<T: Element>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.to_f64().to_bits()).collect()
}

fn all_equal<T: Element>(n: usize, p: usize, cpus: &[Cpu]) {
    let s = spec();
    let (g, x, y, nu) = data::<T>(n, p);
    let jet = JetSpec::full(2).unwrap();
    let burgers = ResidualLoss(Burgers { nu: None });
    let mse = MseLoss { n_out: 1 };
    let run = |cpu: &Cpu| {
        let j = cpu.jets(&s, &g, &x, &jet).unwrap();
        let v = cpu.jets(&s, &g, &x, &JetSpec::value(2)).unwrap();
        let b = cpu
            .loss_grad(&s, &g, &x, &[], &nu, &Burgers::jet(), &burgers)
            .unwrap();
        let m = cpu
            .loss_grad(&s, &g, &x, &y, &[], &JetSpec::value(2), &mse)
            .unwrap();
        // The values-only path skips the backward sweep but gives the same loss bits.
        let bv = cpu
            .loss_values(&s, &g, &x, &[], &nu, &Burgers::jet(), &burgers)
            .unwrap();
        assert_eq!(bits(&bv), bits(&b.loss), "{cpu:?}: residual values-only");
        let mv = cpu
            .loss_values(&s, &g, &x, &y, &[], &JetSpec::value(2), &mse)
            .unwrap();
        assert_eq!(bits(&mv), bits(&m.loss), "{cpu:?}: MSE values-only");
        [
            bits(&j),
            bits(&v),
            bits(&b.loss),
            bits(&b.grad),
            bits(&b.grad_extra),
            bits(&m.loss),
            bits(&m.grad),
        ]
    };
    let base = run(&cpus[0]);
    assert!(base[3].iter().any(|&b| b != 0), "gradient is all zero");
    for cpu in &cpus[1..] {
        assert_eq!(
            run(cpu),
            base,
            "n = {n}, p = {p}, {cpu:?} differs from {:?}",
            cpus[0]
        );
    }
}

fn configs() -> Vec<Cpu> {
    let mut v = vec![
        Cpu::new(1).with_isa(Isa::Scalar),
        Cpu::new(3).with_isa(Isa::Scalar),
    ];
    if avx2_available() {
        v.push(Cpu::new(1).with_isa(Isa::Avx2));
        v.push(Cpu::new(2).with_isa(Isa::Avx2));
    } else {
        eprintln!("AVX2/FMA not available: comparing thread counts only");
    }
    if avx512_available() {
        v.push(Cpu::new(1).with_isa(Isa::Avx512));
        v.push(Cpu::new(2).with_isa(Isa::Avx512));
    } else {
        eprintln!("AVX-512 path not compared: needs `--features avx512` and an AVX-512F/VL CPU");
    }
    v
}

#[test]
fn avx512_request_without_support_is_an_error() {
    let s = spec();
    let (g, x, _, _) = data::<f32>(5, 1);
    let r = Cpu::new(1)
        .with_isa(Isa::Avx512)
        .jets(&s, &g, &x, &JetSpec::value(2));
    match r {
        Ok(_) => assert!(avx512_available(), "AVX-512 ran without support"),
        Err(e) => {
            assert!(
                !avx512_available(),
                "AVX-512 refused although available: {e}"
            );
            assert!(e.to_string().contains("avx512"), "unclear error: {e}");
        }
    }
}

#[test]
fn f64_small_batches_every_tail() {
    for n in 1..=17 {
        all_equal::<f64>(n, 2, &configs());
    }
}

#[test]
fn f32_small_batches_every_tail() {
    for n in 1..=17 {
        all_equal::<f32>(n, 2, &configs());
    }
}

#[test]
fn across_chunk_boundaries_and_odd_sizes() {
    for n in [CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 37, 333] {
        all_equal::<f32>(n, 3, &configs());
        all_equal::<f64>(n, 3, &configs());
    }
}

#[test]
fn members_are_independent_of_population_size() {
    // Member 1's results are the same whether it is evaluated alone or inside a population.
    let s = spec();
    let (g, x, _, nu) = data::<f32>(50, 3);
    let np = s.n_params();
    let loss = ResidualLoss(Burgers { nu: None });
    let cpu = Cpu::new(2);
    let all = cpu
        .loss_grad(&s, &g, &x, &[], &nu, &Burgers::jet(), &loss)
        .unwrap();
    let one = cpu
        .loss_grad(
            &s,
            &g[np..2 * np],
            &x,
            &[],
            &nu[1..2],
            &Burgers::jet(),
            &loss,
        )
        .unwrap();
    assert_eq!(bits(&one.grad), bits(&all.grad[np..2 * np]));
    assert_eq!(one.loss[0].to_bits(), all.loss[1].to_bits());
}

/// Networks whose hidden layers share one width (10, 20, 50) and activation take a value-only
/// forward kernel of their own; its values equal the value component of the general jet
/// kernel (which serves any shape), on every ISA and thread count, to the bit.
#[test]
fn uniform_width_values_equal_the_general_kernel() {
    let shapes: [(usize, &[usize], usize, Activation); 4] = [
        (2, &[20; 8], 1, Activation::Tanh),
        (2, &[10, 10], 1, Activation::Tanh),
        (3, &[50, 50], 2, Activation::Sin),
        (1, &[20, 20], 3, Activation::Identity),
    ];
    let sizes = [
        1,
        15,
        16,
        17,
        31,
        32,
        33,
        48,
        49,
        CHUNK - 1,
        CHUNK + 17,
        2 * CHUNK + 37,
    ];
    for (d, hidden, n_out, act) in shapes {
        let s = MlpSpec::uniform(d, hidden, n_out, act).unwrap();
        let p = 2;
        let g: Vec<f32> = init_population(&s, Init::XavierUniform, 9, p)
            .into_iter()
            .map(|w| 2.0 * w as f32)
            .collect();
        for n in sizes {
            let mut r = pareto_sciml::rng::stream(9, "test-x", d as u64, n as u64);
            let x: Vec<f32> = (0..d * n)
                .map(|_| r.uniform_range(-2.0, 2.0) as f32)
                .collect();
            // The general kernel: the value component of the full first-order jet.
            let jet = JetSpec::first(d);
            let c = jet.n_comp();
            let full = Cpu::new(1)
                .with_isa(Isa::Scalar)
                .jets(&s, &g, &x, &jet)
                .unwrap();
            let want: Vec<f32> = full.chunks_exact(c).map(|j| j[0]).collect();
            for cpu in configs() {
                let got = cpu.jets(&s, &g, &x, &JetSpec::value(d)).unwrap();
                assert_eq!(
                    bits(&got),
                    bits(&want),
                    "{hidden:?} {act:?}, n = {n}, {cpu:?}"
                );
            }
        }
    }
}

/// Uniform-width networks (10, 20, 50) also take their own code in the loss kernels: the
/// value-only losses run on the fixed-width forward, and the square hidden layers of a loss
/// gradient run with literal sizes. The values-only loss equals the loss of the gradient
/// evaluation (which runs the general forward with its backward state), and every result
/// equals the scalar twin's, on every ISA and thread count, to the bit; sizes cover the tails
/// of single and paired AVX-512 blocks and chunk edges.
#[test]
fn uniform_width_losses_equal_the_general_kernel() {
    let shapes: [(&[usize], usize, Activation); 4] = [
        (&[20; 8], 1, Activation::Tanh),
        (&[10, 10], 1, Activation::Tanh),
        (&[50, 50], 2, Activation::Sin),
        (&[20, 20], 1, Activation::Identity),
    ];
    for (hidden, n_out, act) in shapes {
        let s = MlpSpec::uniform(2, hidden, n_out, act).unwrap();
        let p = 2;
        let g: Vec<f32> = init_population(&s, Init::XavierUniform, 11, p)
            .into_iter()
            .map(|w| 2.0 * w as f32)
            .collect();
        let nu = [0.01f32, 0.02];
        let burgers = ResidualLoss(Burgers { nu: None });
        let mse = MseLoss { n_out };
        for n in [1, 15, 16, 17, 33, 48, 49, CHUNK + 17, 2 * CHUNK + 37] {
            let mut r = pareto_sciml::rng::stream(11, "test-x", n_out as u64, n as u64);
            let x: Vec<f32> = (0..2 * n)
                .map(|_| r.uniform_range(-2.0, 2.0) as f32)
                .collect();
            let y: Vec<f32> = (0..n * n_out)
                .map(|_| r.uniform_range(-1.0, 1.0) as f32)
                .collect();
            let run = |cpu: &Cpu| {
                let m = cpu
                    .loss_grad(&s, &g, &x, &y, &[], &JetSpec::value(2), &mse)
                    .unwrap();
                let mv = cpu
                    .loss_values(&s, &g, &x, &y, &[], &JetSpec::value(2), &mse)
                    .unwrap();
                assert_eq!(bits(&mv), bits(&m.loss), "{hidden:?}, n = {n}, {cpu:?}");
                let b = if n_out == 1 {
                    let b = cpu
                        .loss_grad(&s, &g, &x, &[], &nu, &Burgers::jet(), &burgers)
                        .unwrap();
                    [bits(&b.loss), bits(&b.grad), bits(&b.grad_extra)]
                } else {
                    Default::default()
                };
                (bits(&m.loss), bits(&m.grad), b)
            };
            let cpus = configs();
            let base = run(&cpus[0]);
            assert!(base.1.iter().any(|&b| b != 0), "gradient is all zero");
            for cpu in &cpus[1..] {
                assert_eq!(run(cpu), base, "{hidden:?} {act:?}, n = {n}, {cpu:?}");
            }
        }
    }
}

/// `jets_into` overwrites every element of a buffer full of NaN with `jets`' bits, on both
/// kernels (general jets, uniform-width values) and every ISA and thread count; a buffer of
/// another length is a shape error.
#[test]
fn jets_into_overwrites_a_dirty_buffer_with_the_same_bits() {
    let uniform = MlpSpec::uniform(2, &[20; 3], 1, Activation::Tanh).unwrap();
    let cases = [
        (spec(), JetSpec::full(2).unwrap()),
        (spec(), JetSpec::value(2)),
        (uniform.clone(), JetSpec::value(2)),
        (uniform, JetSpec::first(2)),
    ];
    for (s, jet) in cases {
        let p = 3;
        let g: Vec<f32> = init_population(&s, Init::XavierUniform, 4, p)
            .into_iter()
            .map(|w| w as f32)
            .collect();
        for n in [1, 17, CHUNK + 17] {
            let mut r = pareto_sciml::rng::stream(4, "test-x", 0, n as u64);
            let x: Vec<f32> = (0..2 * n)
                .map(|_| r.uniform_range(-2.0, 2.0) as f32)
                .collect();
            for cpu in configs() {
                let want = cpu.jets(&s, &g, &x, &jet).unwrap();
                let mut out = vec![f32::NAN; want.len()];
                cpu.jets_into(&s, &g, &x, &jet, &mut out).unwrap();
                assert_eq!(bits(&out), bits(&want), "n = {n}, {jet:?}, {cpu:?}");
                let mut long = vec![0.0f32; want.len() + 1];
                assert!(matches!(
                    cpu.jets_into(&s, &g, &x, &jet, &mut long),
                    Err(pareto_sciml::Error::Shape { .. })
                ));
            }
        }
    }
}

/// The kernels keep their working memory per thread between calls: a call's bits do not
/// depend on what ran before on the same threads (a larger network, more jet components, the
/// other element type), on every ISA and thread count.
#[test]
fn results_do_not_depend_on_the_previous_call() {
    let small = spec();
    let big = MlpSpec::uniform(2, &[20; 4], 1, Activation::Tanh).unwrap();
    let p = 3;
    let g_small: Vec<f32> = init_population(&small, Init::XavierUniform, 13, p)
        .into_iter()
        .map(|w| w as f32)
        .collect();
    let g_big: Vec<f32> = init_population(&big, Init::XavierUniform, 14, p)
        .into_iter()
        .map(|w| w as f32)
        .collect();
    let g_big64: Vec<f64> = init_population(&big, Init::XavierUniform, 14, p);
    let n = CHUNK + 45;
    let mut r = pareto_sciml::rng::stream(13, "test-x", 0, n as u64);
    let x64: Vec<f64> = (0..2 * n).map(|_| r.uniform_range(-2.0, 2.0)).collect();
    let y64: Vec<f64> = (0..n).map(|_| r.uniform_range(-1.0, 1.0)).collect();
    let (x, y): (Vec<f32>, Vec<f32>) = (
        x64.iter().map(|&v| v as f32).collect(),
        y64.iter().map(|&v| v as f32).collect(),
    );
    let nu = [0.01f32, 0.02, 0.03];
    let burgers = ResidualLoss(Burgers { nu: None });
    let mse = MseLoss { n_out: 1 };
    for cpu in configs() {
        let small_terms = |cpu: &Cpu| {
            let m = cpu
                .loss_grad(&small, &g_small, &x, &y, &[], &JetSpec::value(2), &mse)
                .unwrap();
            let b = cpu
                .loss_grad(&small, &g_small, &x, &[], &nu, &Burgers::jet(), &burgers)
                .unwrap();
            let j = cpu.jets(&small, &g_small, &x, &Burgers::jet()).unwrap();
            [
                bits(&m.loss),
                bits(&m.grad),
                bits(&b.loss),
                bits(&b.grad),
                bits(&j),
            ]
        };
        let first = small_terms(&cpu);
        // Dirty every buffer set with larger shapes, four components and f64.
        cpu.loss_grad(&big, &g_big, &x, &[], &nu, &Burgers::jet(), &burgers)
            .unwrap();
        cpu.loss_grad(&big, &g_big, &x, &y, &[], &JetSpec::value(2), &mse)
            .unwrap();
        cpu.loss_grad(&big, &g_big64, &x64, &y64, &[], &JetSpec::value(2), &mse)
            .unwrap();
        cpu.jets(&big, &g_big, &x, &Burgers::jet()).unwrap();
        assert_eq!(small_terms(&cpu), first, "{cpu:?}");
    }
}
