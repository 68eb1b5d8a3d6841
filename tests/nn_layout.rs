//! Genome layout, initialisation, Adam state, and rejection of bad input.

use pareto_sciml::backend::cpu::{Cpu, Isa};
use pareto_sciml::nn::{
    init_genome, init_population, Activation, Adam, AdamState, Burgers, Init, JetSpec, Layers, Mlp,
    MlpSpec, MseLoss, ResidualLoss,
};
use pareto_sciml::Error;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn genome_layers_round_trip(widths in proptest::collection::vec(1usize..7, 2..6), seed in any::<u64>()) {
        let acts = vec![Activation::Tanh; widths.len() - 1];
        let spec = MlpSpec::new(&widths, &acts).unwrap();
        let g = init_genome(&spec, Init::TorchDefault, seed, 3);
        let layers = Layers::from_genome(&spec, &g).unwrap();
        for l in 0..spec.n_layers() {
            let (n_in, n_out) = spec.layer_shape(l);
            prop_assert_eq!(layers.weights[l].len(), n_in * n_out);
            // W[o][i] sits at offset + o * in + i (PyTorch row-major out × in), then b.
            let off = spec.layer_offset(l);
            prop_assert_eq!(layers.weights[l][n_in * n_out - 1].to_bits(), g[off + n_in * n_out - 1].to_bits());
            prop_assert_eq!(layers.biases[l][0].to_bits(), g[off + n_in * n_out].to_bits());
        }
        prop_assert_eq!(layers.to_genome(&spec).unwrap(), g);
    }

    #[test]
    fn init_bounds_and_determinism(widths in proptest::collection::vec(1usize..30, 2..5), seed in any::<u64>()) {
        let acts = vec![Activation::Tanh; widths.len() - 1];
        let spec = MlpSpec::new(&widths, &acts).unwrap();
        for init in [Init::TorchDefault, Init::XavierUniform] {
            let g = init_genome(&spec, init, seed, 0);
            prop_assert_eq!(&g, &init_genome(&spec, init, seed, 0));
            prop_assert_ne!(&g, &init_genome(&spec, init, seed, 1));
            let layers = Layers::from_genome(&spec, &g).unwrap();
            for l in 0..spec.n_layers() {
                let (n_in, n_out) = spec.layer_shape(l);
                let (wa, ba) = match init {
                    Init::TorchDefault => (1.0 / (n_in as f64).sqrt(), 1.0 / (n_in as f64).sqrt()),
                    Init::XavierUniform => ((6.0 / (n_in + n_out) as f64).sqrt(), 0.0),
                };
                prop_assert!(layers.weights[l].iter().all(|w| w.abs() <= wa));
                prop_assert!(layers.biases[l].iter().all(|b| b.abs() <= ba));
            }
        }
        let pop = init_population(&spec, Init::XavierUniform, seed, 3);
        prop_assert_eq!(&pop[spec.n_params()..2 * spec.n_params()], &init_genome(&spec, Init::XavierUniform, seed, 1)[..]);
    }
}

#[test]
fn init_moments_look_uniform() {
    // U(-a, a) has variance a²/3: a loose check that the bound is really used.
    let spec = MlpSpec::uniform(100, &[100], 1, Activation::Tanh).unwrap();
    let g = init_genome(&spec, Init::TorchDefault, 1, 0);
    let w = &Layers::from_genome(&spec, &g).unwrap().weights[0];
    let var = w.iter().map(|x| x * x).sum::<f64>() / w.len() as f64;
    let want = 0.01 / 3.0;
    assert!((var - want).abs() < 0.05 * want, "{var} vs {want}");
}

#[test]
fn bad_specs_are_rejected() {
    assert!(matches!(
        MlpSpec::new(&[2, 0, 1], &[Activation::Tanh, Activation::Identity]),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(MlpSpec::new(&[2], &[]), Err(Error::Shape { .. })));
    assert!(matches!(
        MlpSpec::new(&[2, 3, 1], &[Activation::Tanh]),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(JetSpec::full(5), Err(Error::InvalidConfig { .. })));
    assert!(matches!(
        JetSpec::with_pairs(2, vec![(1, 0)]),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        JetSpec::with_pairs(2, vec![(0, 0), (0, 0)]),
        Err(Error::InvalidConfig { .. })
    ));
}

#[test]
fn bad_inputs_are_rejected() {
    let spec = MlpSpec::uniform(2, &[4], 1, Activation::Tanh).unwrap();
    let g = init_genome(&spec, Init::TorchDefault, 0, 0);
    let x = [0.1, 0.2, 0.3, 0.4];
    let cpu = Cpu::new(1);
    let jet = JetSpec::value(2);
    // Genome of the wrong length.
    assert!(matches!(Mlp::new(&spec, &g[1..]), Err(Error::Shape { .. })));
    assert!(matches!(
        cpu.jets(&spec, &g[1..], &x, &jet),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        Layers::from_genome(&spec, &g[1..]),
        Err(Error::Shape { .. })
    ));
    // Empty population, no points, ragged points.
    assert!(matches!(
        cpu.jets::<f64>(&spec, &[], &x, &jet),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        cpu.jets(&spec, &g, &[], &jet),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        cpu.jets(&spec, &g, &x[..3], &jet),
        Err(Error::Shape { .. })
    ));
    // Non-finite inputs and targets.
    let mut bad = x;
    bad[3] = f64::NAN;
    assert!(matches!(
        cpu.jets(&spec, &g, &bad, &jet),
        Err(Error::NonFinite { index: 3, .. })
    ));
    let mse = MseLoss { n_out: 1 };
    assert!(matches!(
        cpu.loss_grad(&spec, &g, &x, &[0.0, f64::INFINITY], &[], &jet, &mse),
        Err(Error::NonFinite { index: 1, .. })
    ));
    // Mismatched batch sizes: targets for 3 points, inputs for 2; extra scalars missing.
    assert!(matches!(
        cpu.loss_grad(&spec, &g, &x, &[0.0; 3], &[], &jet, &mse),
        Err(Error::Shape { .. })
    ));
    let burgers = ResidualLoss(Burgers { nu: None });
    assert!(matches!(
        cpu.loss_grad(&spec, &g, &x, &[], &[], &Burgers::jet(), &burgers),
        Err(Error::Shape { .. })
    ));
    // A loss reading outputs or jet components that are not there.
    assert!(matches!(
        cpu.loss_grad(&spec, &g, &x, &[0.0; 4], &[], &jet, &MseLoss { n_out: 2 }),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        cpu.loss_grad(&spec, &g, &x, &[], &[0.1], &JetSpec::first(2), &burgers),
        Err(Error::InvalidConfig { .. })
    ));
    // Jet dimension different from the network's input dimension.
    assert!(matches!(
        cpu.jets(&spec, &g, &x, &JetSpec::full(3).unwrap()),
        Err(Error::Shape { .. })
    ));
    // A diverged genome is a result (non-finite output), not an error.
    let mut gi = g.clone();
    gi[0] = f64::NAN;
    let u = Cpu::new(1)
        .with_isa(Isa::Scalar)
        .jets(&spec, &gi, &x, &jet)
        .unwrap();
    assert!(u.iter().any(|v| !v.is_finite()));
}

#[test]
fn adam_state_round_trips_and_rejects_foreign_bytes() {
    let adam = Adam::default();
    let mut st = adam.state::<f32>(3);
    let mut p = vec![1.0f32, 2.0, 3.0];
    adam.step(&mut p, &[0.1, -0.2, 0.3], &mut st).unwrap();
    let bytes = st.to_bytes();
    assert_eq!(AdamState::<f32>::from_bytes(&bytes).unwrap(), st);
    assert!(matches!(
        AdamState::<f64>::from_bytes(&bytes),
        Err(Error::Format { .. })
    ));
    assert!(matches!(
        AdamState::<f32>::from_bytes(&bytes[..bytes.len() - 1]),
        Err(Error::Format { .. })
    ));
    assert!(matches!(
        AdamState::<f32>::from_bytes(b"garbage"),
        Err(Error::Format { .. })
    ));
    // Resuming from the bytes continues bit-identically.
    let mut st2 = AdamState::<f32>::from_bytes(&bytes).unwrap();
    let mut p2 = p.clone();
    adam.step(&mut p, &[0.5, 0.5, 0.5], &mut st).unwrap();
    adam.step(&mut p2, &[0.5, 0.5, 0.5], &mut st2).unwrap();
    assert_eq!(
        p.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        p2.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    let bad = Adam {
        beta1: 1.0,
        ..Adam::default()
    };
    assert!(matches!(
        bad.step(&mut p, &[0.0; 3], &mut st),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        adam.step(&mut p, &[0.0; 2], &mut st),
        Err(Error::Shape { .. })
    ));
}

#[test]
fn adam_trains_a_small_network() {
    // End-to-end: a 1-16-1 tanh net fits sin(3x) by Adam on the MSE gradient.
    let spec = MlpSpec::uniform(1, &[16], 1, Activation::Tanh).unwrap();
    let mut g = init_genome(&spec, Init::XavierUniform, 2, 0);
    let x: Vec<f64> = (0..64).map(|i| -1.0 + 2.0 * i as f64 / 63.0).collect();
    let y: Vec<f64> = x.iter().map(|v| (3.0 * v).sin()).collect();
    let adam = Adam {
        lr: 0.01,
        ..Adam::default()
    };
    let mut st = adam.state(g.len());
    let loss = MseLoss { n_out: 1 };
    let jet = JetSpec::value(1);
    let first = Mlp::new(&spec, &g)
        .unwrap()
        .loss_grad(&x, &y, &[], &jet, &loss)
        .unwrap()
        .loss[0];
    let mut last = first;
    for _ in 0..1500 {
        let lg = Mlp::new(&spec, &g)
            .unwrap()
            .loss_grad(&x, &y, &[], &jet, &loss)
            .unwrap();
        last = lg.loss[0];
        adam.step(&mut g, &lg.grad, &mut st).unwrap();
    }
    assert!(last < 0.01 * first, "loss {first} -> {last}");
}
