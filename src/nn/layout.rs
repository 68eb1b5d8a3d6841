//! Network description and genome layout.
//!
//! The genome of an MLP is the flat vector PyTorch's `parameters_to_vector` produces for an
//! `nn.Sequential` of `nn.Linear` layers: for every layer its weight `W` (out × in, row-major),
//! then its bias `b`. Weights therefore move to and from PyTorch as one flat `.npy`.

use crate::{Error, Result};

/// Activation applied after a dense layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// `tanh(z)`.
    Tanh,
    /// `sin(z)` (SIREN-style networks).
    Sin,
    /// `z` (the usual output layer).
    Identity,
}

/// Layer widths and activations of a fully connected network.
///
/// ```
/// use pareto_sciml::nn::{Activation, MlpSpec};
/// // The Burgers PINN: (x, t) -> 8 hidden layers of 20 tanh units -> u.
/// let spec = MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh).unwrap();
/// assert_eq!(spec.n_params(), 2 * 20 + 20 + 7 * (20 * 20 + 20) + 20 + 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MlpSpec {
    widths: Vec<usize>,
    activations: Vec<Activation>,
    offsets: Vec<usize>,
}

impl MlpSpec {
    /// A network with `widths = [in, h1, ..., out]` and one activation per dense layer
    /// (`activations.len() == widths.len() - 1`).
    ///
    /// Errors: fewer than two widths or a mismatched activation count ([`Error::Shape`]), a
    /// zero width ([`Error::InvalidConfig`]).
    pub fn new(widths: &[usize], activations: &[Activation]) -> Result<Self> {
        if widths.len() < 2 {
            return Err(Error::Shape {
                op: "MlpSpec::new",
                what: "widths.len() (at least input and output)".into(),
                expected: 2,
                got: widths.len(),
            });
        }
        crate::error::check_len(
            "MlpSpec::new",
            "activations.len()",
            widths.len() - 1,
            activations.len(),
        )?;
        if let Some(i) = widths.iter().position(|&w| w == 0) {
            return Err(Error::config(
                format!("widths[{i}]"),
                "a layer must have at least one unit",
            ));
        }
        let mut offsets = vec![0];
        for l in 0..widths.len() - 1 {
            let last = *offsets.last().expect("non-empty");
            offsets.push(last + widths[l] * widths[l + 1] + widths[l + 1]);
        }
        Ok(Self {
            widths: widths.to_vec(),
            activations: activations.to_vec(),
            offsets,
        })
    }

    /// `input -> hidden... (activation) -> output (identity)`.
    pub fn uniform(input: usize, hidden: &[usize], output: usize, act: Activation) -> Result<Self> {
        let mut widths = vec![input];
        widths.extend_from_slice(hidden);
        widths.push(output);
        let mut acts = vec![act; hidden.len()];
        acts.push(Activation::Identity);
        Self::new(&widths, &acts)
    }

    /// Layer widths `[in, h1, ..., out]`.
    #[inline]
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }
    /// Activation of each dense layer.
    #[inline]
    pub fn activations(&self) -> &[Activation] {
        &self.activations
    }
    /// Number of dense layers.
    #[inline]
    pub fn n_layers(&self) -> usize {
        self.widths.len() - 1
    }
    /// Input dimension.
    #[inline]
    pub fn n_in(&self) -> usize {
        self.widths[0]
    }
    /// Output dimension.
    #[inline]
    pub fn n_out(&self) -> usize {
        *self.widths.last().expect("at least two widths")
    }
    /// Genome length (all weights and biases).
    #[inline]
    pub fn n_params(&self) -> usize {
        *self.offsets.last().expect("non-empty")
    }
    /// Offset of layer `l`'s weight matrix in the genome; its bias follows at
    /// `offset + out * in`.
    #[inline]
    pub fn layer_offset(&self, l: usize) -> usize {
        self.offsets[l]
    }
    /// `(in, out)` of dense layer `l`.
    #[inline]
    pub fn layer_shape(&self, l: usize) -> (usize, usize) {
        (self.widths[l], self.widths[l + 1])
    }
    /// Largest layer width.
    #[inline]
    pub fn max_width(&self) -> usize {
        *self.widths.iter().max().expect("non-empty")
    }

    /// Checks a genome's length.
    pub fn check_genome<T>(&self, op: &'static str, genome: &[T]) -> Result<()> {
        crate::error::check_len(op, "genome.len()", self.n_params(), genome.len())
    }

    /// Borrows layer `l`'s `(W, b)` from a genome (`W` row-major out × in).
    ///
    /// Panics if the genome is shorter than [`n_params`](Self::n_params): check it first with
    /// [`check_genome`](Self::check_genome).
    // Inlined: the kernels call it per layer and block, and an outlined copy showed as 0.5 %
    // of a PINN generation's profile.
    #[inline(always)]
    pub fn layer<'g, T>(&self, genome: &'g [T], l: usize) -> (&'g [T], &'g [T]) {
        let (n_in, n_out) = self.layer_shape(l);
        let o = self.offsets[l];
        genome[o..o + n_in * n_out + n_out].split_at(n_in * n_out)
    }
}

/// A network's parameters split per layer: `weights[l]` is out × in row-major, `biases[l]` has
/// `out` entries.
#[derive(Clone, Debug, PartialEq)]
pub struct Layers<T> {
    /// Weight matrices, row-major out × in.
    pub weights: Vec<Vec<T>>,
    /// Bias vectors.
    pub biases: Vec<Vec<T>>,
}

impl<T: Copy> Layers<T> {
    /// Splits a genome into layers. Errors: [`Error::Shape`] for a genome of the wrong length.
    pub fn from_genome(spec: &MlpSpec, genome: &[T]) -> Result<Self> {
        spec.check_genome("Layers::from_genome", genome)?;
        let (weights, biases) = (0..spec.n_layers())
            .map(|l| {
                let (w, b) = spec.layer(genome, l);
                (w.to_vec(), b.to_vec())
            })
            .unzip();
        Ok(Self { weights, biases })
    }

    /// Concatenates the layers back into a genome, checking every matrix against `spec`.
    pub fn to_genome(&self, spec: &MlpSpec) -> Result<Vec<T>> {
        let op = "Layers::to_genome";
        crate::error::check_len(op, "weights.len()", spec.n_layers(), self.weights.len())?;
        crate::error::check_len(op, "biases.len()", spec.n_layers(), self.biases.len())?;
        let mut g = Vec::with_capacity(spec.n_params());
        for l in 0..spec.n_layers() {
            let (n_in, n_out) = spec.layer_shape(l);
            crate::error::check_len(op, "weights[l].len()", n_in * n_out, self.weights[l].len())?;
            crate::error::check_len(op, "biases[l].len()", n_out, self.biases[l].len())?;
            g.extend_from_slice(&self.weights[l]);
            g.extend_from_slice(&self.biases[l]);
        }
        Ok(g)
    }
}
