//! Agreement with PyTorch (float64): outputs, input first and second derivatives, the Burgers
//! residual loss and its gradient w.r.t. the genome and ν, and Adam/AdamW steps. Reference
//! data: `tests/data/nn_torch_reference.py` (rerun it from the repository root).
//!
//! Tolerance: 1e-12 relative (plus 1e-12 absolute). Both sides are f64; they differ only by
//! summation order and by the elementary functions (ours vs libm/PyTorch's), each a few ULP
//! per operation over a network of depth three.

use pareto_sciml::backend::cpu::{Cpu, Isa};
use pareto_sciml::io::npy;
use pareto_sciml::nn::{Activation, Adam, Burgers, JetSpec, Layers, MlpSpec, ResidualLoss};

const TOL: f64 = 1e-12;

fn load(name: &str) -> (Vec<usize>, Vec<f64>) {
    let path = format!(
        "{}/tests/data/nn_ref_{name}.npy",
        env!("CARGO_MANIFEST_DIR")
    );
    npy::read_f64(&path).unwrap()
}

fn assert_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= TOL * (1.0 + w.abs()),
            "{what}[{i}]: ours {g:e}, torch {w:e}"
        );
    }
}

fn spec() -> MlpSpec {
    MlpSpec::new(
        &[2, 6, 5, 1],
        &[Activation::Tanh, Activation::Sin, Activation::Identity],
    )
    .unwrap()
}

#[test]
fn outputs_and_input_derivatives_match_torch() {
    let spec = spec();
    let (gs, genome) = load("genome");
    assert_eq!(gs, vec![spec.n_params()]);
    let (xs, x) = load("x");
    assert_eq!(xs, vec![9, 2]);
    let jet = JetSpec::full(2).unwrap();
    for cpu in [Cpu::new(1).with_isa(Isa::Scalar), Cpu::new(2)] {
        let j = cpu.jets(&spec, &genome, &x, &jet).unwrap();
        let c = jet.n_comp();
        let col = |k: usize| (0..9).map(|p| j[p * c + k]).collect::<Vec<_>>();
        assert_close("u", &col(0), &load("u").1);
        let du: Vec<f64> = (0..9).flat_map(|p| [j[p * c + 1], j[p * c + 2]]).collect();
        assert_close("du", &du, &load("du").1);
        let (xx, xt, tt) = (
            jet.hess(0, 0).unwrap(),
            jet.hess(0, 1).unwrap(),
            jet.hess(1, 1).unwrap(),
        );
        let d2u: Vec<f64> = (0..9)
            .flat_map(|p| [j[p * c + xx], j[p * c + xt], j[p * c + tt]])
            .collect();
        assert_close("d2u", &d2u, &load("d2u").1);
    }
}

#[test]
fn burgers_loss_and_gradients_match_torch() {
    let spec = spec();
    let genome = load("genome").1;
    let x = load("x").1;
    let loss = ResidualLoss(Burgers { nu: None });
    let lg = Cpu::new(2)
        .loss_grad(&spec, &genome, &x, &[], &[0.05], &Burgers::jet(), &loss)
        .unwrap();
    assert_close("loss", &lg.loss, &load("loss").1);
    assert_close("grad", &lg.grad, &load("grad").1);
    assert_close("grad_nu", &lg.grad_extra, &load("grad_nu").1);
}

#[test]
fn adam_and_adamw_match_torch() {
    let genome = load("genome").1;
    let n = genome.len();
    let (gshape, grads) = load("adam_grads");
    assert_eq!(gshape, vec![3, n]);
    for (name, decoupled) in [("adam", false), ("adamw", true)] {
        let adam = Adam {
            lr: 0.01,
            weight_decay: 0.1,
            decoupled,
            ..Adam::default()
        };
        let mut p = genome.clone();
        let mut st = adam.state(n);
        for k in 0..3 {
            adam.step(&mut p, &grads[k * n..(k + 1) * n], &mut st)
                .unwrap();
        }
        assert_close(name, &p, &load(name).1);
    }
}

#[test]
fn torch_genome_splits_into_linear_layers() {
    let spec = spec();
    let genome = load("genome").1;
    let layers = Layers::from_genome(&spec, &genome).unwrap();
    assert_eq!(layers.weights[1].len(), 5 * 6);
    assert_eq!(layers.biases[2].len(), 1);
    assert_eq!(layers.to_genome(&spec).unwrap(), genome);
}
