//! Which networks take the fused gradient kernel (`kernels/mlp_loss_fused.cu`) and the sizes
//! of its launch: shared memory, grid and the scratch that keeps each point's hidden units
//! for the reverse sweep.
//!
//! The kernel covers the PINN networks of the reproductions: every hidden layer
//! [`FUSED_WIDTH`] units of tanh, an identity output layer of at most [`FUSED_MAX_OUT`] units,
//! two inputs, and the jet of a second-order PDE in them (value, both first derivatives, one
//! second derivative), in f32. It gives the bits of the general kernels (and of the CPU);
//! [`fused_width`] says whether a request qualifies.

use super::mlp::WORK_LIMIT_BYTES;
use crate::nn::{Activation, JetSpec, MlpSpec};

/// Hidden width the fused kernel is built for (`mlp_loss_fused_w20_f32`).
pub const FUSED_WIDTH: usize = 20;
/// Threads of a fused block: the points of one round (16 groups of the 8 lanes).
pub const FUSED_BLOCK: usize = 128;
/// Largest output layer of the fused kernel.
pub const FUSED_MAX_OUT: usize = 4;
/// Floats staged per point in shared memory (4 · [`FUSED_WIDTH`], padded against bank
/// conflicts; `FUSED_STAGE` in the kernel).
const FUSED_STAGE: usize = 84;
/// Most blocks of one fused launch: they stride over the (member, chunk) items, and each
/// holds its own scratch, so the grid bounds the scratch.
pub const FUSED_GRID: usize = 1024;

/// Most dynamic shared memory one block may opt into on the GPUs the PTX targets (sm_90:
/// 227 KiB); deeper networks, whose genome and transposed weights would exceed it, take the
/// general kernels.
pub const FUSED_SHARED_LIMIT_BYTES: usize = 227 * 1024;

/// The hidden width when `spec` and `jet` fit the fused kernel, else `None`.
///
/// ```
/// use pareto_sciml::backend::cuda::fused_width;
/// use pareto_sciml::nn::{Activation, Burgers, JetSpec, MlpSpec};
/// let pinn = MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh).unwrap();
/// assert_eq!(fused_width(&pinn, &Burgers::jet()), Some(20));
/// assert_eq!(fused_width(&pinn, &JetSpec::value(2)), None);
/// ```
pub fn fused_width(spec: &MlpSpec, jet: &JetSpec) -> Option<usize> {
    let w = spec.widths();
    let acts = spec.activations();
    let nl = spec.n_layers();
    let hidden_ok = nl >= 2
        && w[1..nl].iter().all(|&h| h == FUSED_WIDTH)
        && acts[..nl - 1].iter().all(|&a| a == Activation::Tanh);
    let ok = hidden_ok
        && acts[nl - 1] == Activation::Identity
        && spec.n_in() == 2
        && (1..=FUSED_MAX_OUT).contains(&spec.n_out())
        && jet.has_first()
        && jet.pairs().len() == 1
        && fused_shared_bytes(spec) <= FUSED_SHARED_LIMIT_BYTES;
    ok.then_some(FUSED_WIDTH)
}

/// Dynamic shared memory of a fused block, in bytes (above the 48 KiB default, so the
/// launch raises the function's limit): the staged adjoints and inputs of the round's points,
/// the member's genome, the hidden layers' transposed weights and three values per point.
pub fn fused_shared_bytes(spec: &MlpSpec) -> usize {
    let floats = 2 * FUSED_BLOCK * FUSED_STAGE
        + spec.n_params().div_ceil(4) * 4
        + (spec.n_layers() - 2) * FUSED_WIDTH * FUSED_WIDTH
        + 3 * FUSED_BLOCK;
    floats * std::mem::size_of::<f32>()
}

/// Blocks of a fused launch over `items` (member, chunk) pairs: at most [`FUSED_GRID`], and
/// few enough that their scratch stays below [`WORK_LIMIT_BYTES`] (deep networks keep more
/// units per point). The bits do not depend on it: an item's sums never leave its block.
pub fn fused_grid(spec: &MlpSpec, items: usize) -> usize {
    let per_block = fused_scratch_slots(spec, 1) * 4 * std::mem::size_of::<f32>();
    items
        .min(FUSED_GRID)
        .min(WORK_LIMIT_BYTES / per_block)
        .max(1)
}

/// Four-float slots of scratch for `grid` blocks: every hidden unit of every point of a
/// round, `(tanh, three derivative components of the pre-activation)`.
pub fn fused_scratch_slots(spec: &MlpSpec, grid: usize) -> usize {
    grid * (spec.n_layers() - 1) * FUSED_WIDTH * FUSED_BLOCK
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::Burgers;

    #[test]
    fn only_uniform_tanh_networks_with_a_pde_jet_qualify() {
        let jet = Burgers::jet();
        let pinn = MlpSpec::uniform(2, &[20; 8], 1, Activation::Tanh).unwrap();
        assert_eq!(fused_width(&pinn, &jet), Some(20));
        let narrow = MlpSpec::uniform(2, &[16; 8], 1, Activation::Tanh).unwrap();
        assert_eq!(fused_width(&narrow, &jet), None);
        let sine = MlpSpec::uniform(2, &[20; 3], 1, Activation::Sin).unwrap();
        assert_eq!(fused_width(&sine, &jet), None);
        let three = MlpSpec::uniform(3, &[20; 3], 1, Activation::Tanh).unwrap();
        assert_eq!(fused_width(&three, &JetSpec::full(3).unwrap()), None);
        assert_eq!(fused_width(&pinn, &JetSpec::full(2).unwrap()), None);
        let wide_out = MlpSpec::uniform(2, &[20; 3], 5, Activation::Tanh).unwrap();
        assert_eq!(fused_width(&wide_out, &jet), None);
        // 8 hidden layers: 2·128·84 + 3024 + 7·400 + 384 floats.
        assert_eq!(
            fused_shared_bytes(&pinn),
            (21_504 + 3_024 + 2_800 + 384) * 4
        );
        assert!(
            fused_shared_bytes(&pinn) <= 113 * 1024,
            "two blocks per H100 SM"
        );
        // 50 hidden layers: 2·128·84 + 20 664 + 49·400 + 384 floats, beyond 227 KiB.
        let deep = MlpSpec::uniform(2, &[20; 50], 1, Activation::Tanh).unwrap();
        assert!(fused_shared_bytes(&deep) > FUSED_SHARED_LIMIT_BYTES);
        assert_eq!(fused_width(&deep, &jet), None);
        let deepest_fused = MlpSpec::uniform(2, &[20; 45], 1, Activation::Tanh).unwrap();
        assert_eq!(fused_width(&deepest_fused, &jet), Some(20));
        // Scratch per block: 8 (45) hidden layers × 20 units × 128 points × 16 bytes.
        assert_eq!(fused_grid(&pinn, 1), 1);
        assert_eq!(fused_grid(&pinn, 5000), FUSED_GRID);
        assert_eq!(
            fused_grid(&deepest_fused, 5000),
            (1 << 30) / (45 * 20 * 128 * 16)
        );
    }
}
