//! The description of a network, a jet and a loss that the `mlp_population` kernels read: a
//! flat `u32` plan, built and checked here on the host so that the kernels do no validation
//! and the emulation tests can hand the same words to the CPU build of the kernels.
//!
//! Layout (mirrored by the `PL_*` constants of `kernels/mlp_population.cu`): a header of
//! [`HEADER`] words, then [`LAYER_WORDS`] per dense layer (`n_in, n_out, activation, genome
//! offset, offsets of the layer's input jets, pre-activation jets and activation derivatives
//! in the per-thread working memory, unused`), then the jet's second-derivative pairs
//! `(i, j)`, then (for [`DeviceLoss::Adjoints`]) the adjoint components. The per-thread working memory of the gradient kernel holds, in slots, everything
//! the CPU's `Scratch` and lane accumulators hold for one lane: `acts[0..=L]`, `zs`, `ss`,
//! two adjoint buffers, then the genome-shaped gradient, the extra-scalar gradients and the
//! loss.

use crate::nn::{Activation, Burgers, JetSpec, MlpSpec, MseLoss, PointLoss, ResidualLoss};
use crate::pinn::problem::GivenAdjoints;
use crate::{Error, Result};

/// Words of the plan header.
pub const HEADER: usize = 20;
/// Words per dense layer.
pub const LAYER_WORDS: usize = 8;
/// Largest number of jet components a kernel thread carries (`d = 4` with all ten pairs).
pub const MAX_COMP: usize = 15;

/// The jet components a [`DeviceLoss::Adjoints`] pulls back (at most [`MAX_COMP`], each a
/// component of output 0), kept inline so that [`DeviceLoss`] stays `Copy`.
///
/// ```
/// use pareto_sciml::backend::cuda::AdjointComponents;
/// let c = AdjointComponents::new(&[0, 3]).unwrap();
/// assert_eq!(c.as_slice(), &[0, 3]);
/// assert!(AdjointComponents::new(&[]).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdjointComponents {
    len: u8,
    list: [u8; MAX_COMP],
}

impl AdjointComponents {
    /// The components `list` (1 to [`MAX_COMP`] indices below [`MAX_COMP`]); whether the jet
    /// carries them is checked with the plan.
    pub fn new(list: &[usize]) -> Result<Self> {
        if list.is_empty() || list.len() > MAX_COMP {
            return Err(Error::config(
                "adjoint components",
                format!("1 to {MAX_COMP} components, got {}", list.len()),
            ));
        }
        let mut out = Self {
            len: list.len() as u8,
            list: [0; MAX_COMP],
        };
        for (slot, &c) in out.list.iter_mut().zip(list) {
            *slot = u8::try_from(c)
                .ok()
                .filter(|&v| (v as usize) < MAX_COMP)
                .ok_or_else(|| {
                    Error::config(
                        "adjoint components",
                        format!("component {c} exceeds the device kernels' {MAX_COMP}"),
                    )
                })?;
        }
        Ok(out)
    }

    /// The components, in order.
    pub fn as_slice(&self) -> &[u8] {
        &self.list[..self.len as usize]
    }

    fn to_vec(self) -> Vec<usize> {
        self.as_slice().iter().map(|&c| c as usize).collect()
    }
}

/// A pointwise loss with a device implementation (the twins of [`crate::nn::MseLoss`],
/// [`crate::nn::ResidualLoss`]`<`[`crate::nn::Burgers`]`>` and
/// [`GivenAdjoints`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DeviceLoss {
    /// No loss: the plan serves [`jets`](super::CudaDevice::mlp_jets) only.
    None,
    /// [`MseLoss`] against `n_out` targets per point (`aux` = targets).
    Mse,
    /// [`ResidualLoss`]`(`[`Burgers`]` { nu })`: `nu = None` trains ν as the one extra
    /// scalar per member.
    Burgers {
        /// Fixed viscosity, or `None` for a trainable one.
        nu: Option<f64>,
    },
    /// [`GivenAdjoints`] with these components, except that every member reads its own
    /// adjoints: `aux` is `P × N × components` (member, point, component) instead of the
    /// shared `N × aux_width` of the other losses. This pulls a non-local residual's
    /// adjoints (TFMDWE's Caputo sums, computed on the host per member) back through all
    /// members in one launch; member `m`'s result has the bits of
    /// [`Cpu::loss_grad`](crate::backend::cpu::Cpu::loss_grad) on that member alone with its
    /// `N × components` rows.
    Adjoints(AdjointComponents),
}

impl DeviceLoss {
    fn code(self) -> u32 {
        match self {
            DeviceLoss::None => 0,
            DeviceLoss::Mse => 1,
            DeviceLoss::Burgers { nu: Some(_) } => 2,
            DeviceLoss::Burgers { nu: None } => 3,
            DeviceLoss::Adjoints(_) => 4,
        }
    }

    /// Extra trainable scalars per member (1 for Burgers with trainable ν, else 0).
    pub fn n_extra(self) -> usize {
        usize::from(matches!(self, DeviceLoss::Burgers { nu: None }))
    }

    /// Width of the per-point data row (`n_out` targets for MSE, the components for
    /// adjoints, else 0).
    pub fn aux_width(self, n_out: usize) -> usize {
        match self {
            DeviceLoss::Mse => n_out,
            DeviceLoss::Adjoints(c) => c.as_slice().len(),
            _ => 0,
        }
    }

    /// Whether every member reads its own `aux` rows (`P × N × aux_width`) rather than one
    /// shared `N × aux_width` block.
    pub fn per_member_aux(self) -> bool {
        matches!(self, DeviceLoss::Adjoints(_))
    }

    /// Checks the loss against the network's outputs and the jet, as the CPU twin would.
    pub fn validate(self, n_out: usize, jet: &JetSpec) -> Result<()> {
        match self {
            DeviceLoss::None => Ok(()),
            DeviceLoss::Mse => MseLoss { n_out }.validate(n_out, jet),
            DeviceLoss::Burgers { nu } => ResidualLoss(Burgers { nu }).validate(n_out, jet),
            DeviceLoss::Adjoints(c) => GivenAdjoints {
                components: c.to_vec(),
            }
            .validate(n_out, jet),
        }
    }
}

/// A checked plan for the `mlp_population` kernels.
///
/// ```
/// use pareto_sciml::backend::cuda::{DeviceLoss, MlpPlan};
/// use pareto_sciml::nn::{Activation, Burgers, MlpSpec};
/// let spec = MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh).unwrap();
/// let plan = MlpPlan::new(&spec, &Burgers::jet(), DeviceLoss::Burgers { nu: None }).unwrap();
/// assert_eq!(plan.words()[3] as usize, spec.n_params());
/// assert!(plan.loss_slots() > spec.n_params());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MlpPlan {
    words: Vec<u32>,
    n_params: usize,
    n_extra: usize,
    aux_width: usize,
    loss_slots: usize,
    jet_slots: usize,
}

fn word(what: &str, v: usize) -> Result<u32> {
    u32::try_from(v).map_err(|_| {
        Error::config(
            "MlpPlan",
            format!("{what} = {v} exceeds the kernels' 32-bit sizes"),
        )
    })
}

impl MlpPlan {
    /// The plan of `spec` with `jet` and `loss`.
    ///
    /// Errors: a jet whose dimension is not the network's input dimension ([`Error::Shape`]),
    /// more than [`MAX_COMP`] jet components, a loss that cannot read this network or jet
    /// (as [`PointLoss::validate`] on the CPU), sizes beyond 32 bits
    /// ([`Error::InvalidConfig`]).
    pub fn new(spec: &MlpSpec, jet: &JetSpec, loss: DeviceLoss) -> Result<Self> {
        let op = "MlpPlan::new";
        crate::error::check_len(op, "jet.dim() (network inputs)", spec.n_in(), jet.dim())?;
        let c = jet.n_comp();
        if c > MAX_COMP {
            return Err(Error::config(
                "jet",
                format!("{c} components exceed the device kernels' {MAX_COMP}"),
            ));
        }
        loss.validate(spec.n_out(), jet)?;
        let widths = spec.widths();
        let nl = spec.n_layers();
        let mw = spec.max_width();
        // Working-memory slots of one gradient thread, in the order of the module docs.
        let mut off = 0usize;
        let mut acts = Vec::with_capacity(nl + 1);
        for &w in widths {
            acts.push(off);
            off += w * c;
        }
        let mut zs = Vec::with_capacity(nl);
        for &w in &widths[1..] {
            zs.push(off);
            off += w * c;
        }
        let mut ss = Vec::with_capacity(nl);
        for &w in &widths[1..] {
            ss.push(off);
            off += w * 3;
        }
        let (g0, g1) = (off, off + mw * c);
        off += 2 * mw * c;
        let gacc = off;
        let n_extra = loss.n_extra();
        off += spec.n_params() + n_extra + 1;
        let loss_slots = off;
        let jet_slots = 2 * mw * c;
        let ixx = jet.hess(0, 0).unwrap_or(0);
        let d = jet.dim();
        let header = [
            nl,
            spec.n_in(),
            spec.n_out(),
            spec.n_params(),
            c,
            if jet.has_first() { d } else { 0 },
            jet.pairs().len(),
            mw,
            n_extra,
            loss.aux_width(spec.n_out()),
            loss.code() as usize,
            ixx,
            loss_slots,
            jet_slots,
            acts[nl],
            g0,
            g1,
            gacc,
            1 + d,
            d,
        ];
        let mut words = Vec::with_capacity(HEADER + LAYER_WORDS * nl + 2 * jet.pairs().len());
        for (i, &h) in header.iter().enumerate() {
            words.push(word(&format!("header[{i}]"), h)?);
        }
        for l in 0..nl {
            let (n_in, n_out) = spec.layer_shape(l);
            let act = match spec.activations()[l] {
                Activation::Tanh => 0,
                Activation::Sin => 1,
                Activation::Identity => 2,
            };
            for v in [
                n_in,
                n_out,
                act,
                spec.layer_offset(l),
                acts[l],
                zs[l],
                ss[l],
                0,
            ] {
                words.push(word("layer word", v)?);
            }
        }
        for &(i, j) in jet.pairs() {
            words.push(word("pair", i)?);
            words.push(word("pair", j)?);
        }
        if let DeviceLoss::Adjoints(comp) = loss {
            words.extend(comp.as_slice().iter().map(|&c| c as u32));
        }
        Ok(Self {
            words,
            n_params: spec.n_params(),
            n_extra,
            aux_width: loss.aux_width(spec.n_out()),
            loss_slots,
            jet_slots,
        })
    }

    /// The plan's words, as the kernels read them.
    pub fn words(&self) -> &[u32] {
        &self.words
    }
    /// Genome length.
    pub fn n_params(&self) -> usize {
        self.n_params
    }
    /// Extra trainable scalars per member.
    pub fn n_extra(&self) -> usize {
        self.n_extra
    }
    /// Per-point data width the loss reads.
    pub fn aux_width(&self) -> usize {
        self.aux_width
    }
    /// Working-memory slots per thread of the gradient kernel.
    pub fn loss_slots(&self) -> usize {
        self.loss_slots
    }
    /// The gradient kernel's working slots of one lane (jets and adjoints: the slots before
    /// the accumulators), which it keeps in shared memory when they fit.
    pub fn working_slots(&self) -> usize {
        self.words[17] as usize
    }
    /// Values one point stages in shared memory in the point-parallel gradient kernel
    /// (`mlp_loss_points_*`): its pre-activation adjoints and input jets of one layer (at most
    /// `max_width · n_comp` each) and its weight, loss and extra-gradient terms.
    pub fn points_staging(&self) -> usize {
        2 * self.words[7] as usize * self.words[4] as usize + 3
    }
    /// Working-memory slots per thread of the jets kernel.
    pub fn jet_slots(&self) -> usize {
        self.jet_slots
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_cover_the_cpu_scratch_without_overlap() {
        let spec = MlpSpec::uniform(2, &[5, 3], 1, Activation::Tanh).unwrap();
        let jet = Burgers::jet();
        let plan = MlpPlan::new(&spec, &jet, DeviceLoss::Burgers { nu: None }).unwrap();
        let w = plan.words();
        let c = 4;
        // acts: 2, 5, 3, 1 units; zs: 5, 3, 1; ss: 3 per unit; g: 2 × 5.
        let acts = (2 + 5 + 3 + 1) * c;
        let zs = (5 + 3 + 1) * c;
        let ss = (5 + 3 + 1) * 3;
        assert_eq!(w[17] as usize, acts + zs + ss + 2 * 5 * c);
        assert_eq!(plan.loss_slots(), w[17] as usize + spec.n_params() + 1 + 1);
        assert_eq!(w[14] as usize, (2 + 5 + 3) * c);
        assert_eq!(w.len(), HEADER + 3 * LAYER_WORDS + 2);
        assert_eq!(plan.jet_slots(), 2 * 5 * c);
    }

    #[test]
    fn bad_jets_and_losses_are_rejected() {
        let spec = MlpSpec::uniform(2, &[4], 1, Activation::Tanh).unwrap();
        let wide = MlpSpec::uniform(20, &[4], 1, Activation::Tanh).unwrap();
        assert!(matches!(
            MlpPlan::new(&spec, &JetSpec::value(3), DeviceLoss::None),
            Err(Error::Shape { .. })
        ));
        assert!(matches!(
            MlpPlan::new(&wide, &JetSpec::first(20), DeviceLoss::None),
            Err(Error::InvalidConfig { .. })
        ));
        assert!(MlpPlan::new(&spec, &JetSpec::first(2), DeviceLoss::Burgers { nu: None }).is_err());
        let two = MlpSpec::uniform(2, &[4], 2, Activation::Tanh).unwrap();
        assert!(
            MlpPlan::new(&two, &Burgers::jet(), DeviceLoss::Burgers { nu: Some(0.1) }).is_err()
        );
        assert!(MlpPlan::new(&two, &JetSpec::value(2), DeviceLoss::Mse).is_ok());
    }
}
