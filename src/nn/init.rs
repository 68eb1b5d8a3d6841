//! Weight initialisation from named random streams.

use super::MlpSpec;
use crate::rng;

/// How a genome is initialised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// PyTorch's `nn.Linear` default: `W` and `b` both `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`.
    TorchDefault,
    /// Xavier/Glorot uniform for `W`: `U(-a, a)`, `a = sqrt(6 / (fan_in + fan_out))`; `b = 0`.
    XavierUniform,
}

/// The genome of population member `member`, drawn from the stream
/// `rng::stream(seed, "init", 0, member)` in genome order (layer by layer, `W` row-major then
/// `b`). The same `(seed, member)` always gives the same bits.
///
/// ```
/// use pareto_sciml::nn::{init_genome, Activation, Init, MlpSpec};
/// let spec = MlpSpec::uniform(2, &[4], 1, Activation::Tanh).unwrap();
/// let g = init_genome(&spec, Init::TorchDefault, 7, 0);
/// assert_eq!(g.len(), spec.n_params());
/// assert!(g.iter().all(|w| w.abs() <= 1.0 / 2f64.sqrt()));
/// assert_eq!(g, init_genome(&spec, Init::TorchDefault, 7, 0));
/// ```
pub fn init_genome(spec: &MlpSpec, init: Init, seed: u64, member: u64) -> Vec<f64> {
    let mut s = rng::stream(seed, "init", 0, member);
    let mut g = Vec::with_capacity(spec.n_params());
    for l in 0..spec.n_layers() {
        let (n_in, n_out) = spec.layer_shape(l);
        let (wa, ba) = match init {
            Init::TorchDefault => {
                let a = 1.0 / (n_in as f64).sqrt();
                (a, a)
            }
            Init::XavierUniform => ((6.0 / (n_in + n_out) as f64).sqrt(), 0.0),
        };
        for _ in 0..n_in * n_out {
            g.push(s.uniform_range(-wa, wa));
        }
        for _ in 0..n_out {
            g.push(if ba > 0.0 {
                s.uniform_range(-ba, ba)
            } else {
                0.0
            });
        }
    }
    g
}

/// `p` genomes (members `0..p`), row-major `p × n_params`.
pub fn init_population(spec: &MlpSpec, init: Init, seed: u64, p: usize) -> Vec<f64> {
    (0..p as u64)
        .flat_map(|m| init_genome(spec, init, seed, m))
        .collect()
}
