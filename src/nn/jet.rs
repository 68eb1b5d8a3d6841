//! Which derivatives a forward pass carries: the jet components.
//!
//! Every neuron carries, for a batch of points, its value, its first derivatives with respect
//! to the `d` network inputs and a chosen set of second derivatives `∂²/∂x_i∂x_j` (`i ≤ j`).
//! The components are stored in this order: `[value, ∂_0, ..., ∂_{d-1}, pairs...]`. A loss
//! that needs only `u_xx` (Burgers) asks for that one pair, and since the pair `(i, j)` of a
//! layer's output depends only on the pair `(i, j)` and the first derivatives `i`, `j` of its
//! input, leaving out the others is exact and saves their cost.

use crate::{Error, Result};

/// Largest input dimension for which second derivatives are offered.
pub const MAX_JET_DIM: usize = 4;

/// The set of jet components a pass computes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JetSpec {
    d: usize,
    first: bool,
    pairs: Vec<(usize, usize)>,
}

impl JetSpec {
    /// Values only.
    pub fn value(d: usize) -> Self {
        Self {
            d,
            first: false,
            pairs: Vec::new(),
        }
    }

    /// Values and all first derivatives.
    pub fn first(d: usize) -> Self {
        Self {
            d,
            first: true,
            pairs: Vec::new(),
        }
    }

    /// Values, first derivatives and all second derivatives `(i, j)`, `i ≤ j`, in the order
    /// `(0,0), (0,1), ..., (0,d-1), (1,1), ...`. Errors unless `1 ≤ d ≤ 4`.
    pub fn full(d: usize) -> Result<Self> {
        let pairs = (0..d).flat_map(|i| (i..d).map(move |j| (i, j))).collect();
        Self::with_pairs(d, pairs)
    }

    /// Values, first derivatives and the listed second derivatives `(i, j)` (`i ≤ j < d`, no
    /// duplicates). Errors ([`Error::InvalidConfig`]) for `d` outside `1..=4` or a bad pair.
    ///
    /// ```
    /// use pareto_sciml::nn::JetSpec;
    /// // (x, t): u, u_x, u_t, u_xx.
    /// let jet = JetSpec::with_pairs(2, vec![(0, 0)]).unwrap();
    /// assert_eq!(jet.n_comp(), 4);
    /// assert_eq!(jet.hess(0, 0), Some(3));
    /// assert_eq!(jet.hess(1, 1), None);
    /// ```
    pub fn with_pairs(d: usize, pairs: Vec<(usize, usize)>) -> Result<Self> {
        if d == 0 || d > MAX_JET_DIM {
            return Err(Error::config(
                "jet.d",
                format!("second derivatives need 1 <= d <= {MAX_JET_DIM}, got {d}"),
            ));
        }
        for (n, &(i, j)) in pairs.iter().enumerate() {
            if i > j || j >= d || pairs[..n].contains(&(i, j)) {
                return Err(Error::config(
                    format!("jet.pairs[{n}]"),
                    format!("({i}, {j}) must satisfy i <= j < d = {d} and appear once"),
                ));
            }
        }
        Ok(Self {
            d,
            first: true,
            pairs,
        })
    }

    /// Input dimension.
    pub fn dim(&self) -> usize {
        self.d
    }
    /// Whether first derivatives are carried.
    pub fn has_first(&self) -> bool {
        self.first
    }
    /// The second-derivative pairs carried.
    pub fn pairs(&self) -> &[(usize, usize)] {
        &self.pairs
    }
    /// Number of components per neuron.
    pub fn n_comp(&self) -> usize {
        1 + if self.first { self.d } else { 0 } + self.pairs.len()
    }
    /// Index of the value component (always 0).
    pub fn val(&self) -> usize {
        0
    }
    /// Index of `∂/∂x_k`, if carried.
    pub fn grad(&self, k: usize) -> Option<usize> {
        (self.first && k < self.d).then_some(1 + k)
    }
    /// Index of `∂²/∂x_i∂x_j` (either order), if carried.
    pub fn hess(&self, i: usize, j: usize) -> Option<usize> {
        let key = (i.min(j), i.max(j));
        self.pairs
            .iter()
            .position(|&p| p == key)
            .map(|p| 1 + self.d + p)
    }
    /// Index of the first pair component.
    pub(crate) fn pair_base(&self) -> usize {
        1 + self.d
    }
    /// Whether this is `[u, u_x, u_t, u_xx]`: two inputs, both first derivatives and the one
    /// pair `(0, 0)` (the PDE residuals of Burgers and TFMDWE), which the activation sweeps
    /// run with their loops written out.
    pub(crate) fn is_uxx(&self) -> bool {
        self.first && self.d == 2 && self.pairs == [(0, 0)]
    }
}
