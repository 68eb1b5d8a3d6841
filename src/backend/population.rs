//! [`Backend`]: one handle for "run the population network kernels here", CPU or GPU, so that
//! the PINN problems and trainers are written once and `--backend cuda` needs no second code
//! path. Both sides give the same bits (the CUDA kernels are bit-identical twins of the CPU
//! kernels), so a run's tables do not depend on the backend.

use std::sync::Arc;

use super::cpu::{Cpu, LossGrad};
use super::cuda::{CudaDevice, DeviceFloat, DeviceLoss};
use crate::nn::{Burgers, JetSpec, MlpSpec, MseLoss, ResidualLoss};
use crate::pinn::problem::GivenAdjoints;
use crate::Result;

/// Where the population network kernels (jets, pointwise losses and their genome gradients)
/// run: the CPU alone, or a CUDA device with the CPU's threads for the host-side work around
/// it (e.g. TFMDWE's Caputo sums, which couple all time levels of a member).
///
/// ```
/// use pareto_sciml::backend::cpu::Cpu;
/// use pareto_sciml::backend::cuda::DeviceLoss;
/// use pareto_sciml::backend::Backend;
/// use pareto_sciml::nn::{init_population, Activation, Init, JetSpec, MlpSpec};
/// let spec = MlpSpec::uniform(1, &[8], 1, Activation::Tanh).unwrap();
/// let g: Vec<f64> = init_population(&spec, Init::TorchDefault, 1, 2);
/// let (x, y) = ([0.1, 0.5, 0.9], [1.0, 0.0, -1.0]);
/// let backend = Backend::cpu(Cpu::new(2));
/// let lg = backend
///     .loss_grad(&spec, &g, &x, &y, &[], &JetSpec::value(1), DeviceLoss::Mse)
///     .unwrap();
/// assert_eq!(lg.grad.len(), 2 * spec.n_params());
/// assert_eq!(backend.name(), "cpu");
/// ```
#[derive(Clone, Debug)]
pub struct Backend {
    host: Cpu,
    device: Option<Arc<CudaDevice>>,
}

impl From<Cpu> for Backend {
    fn from(cpu: Cpu) -> Self {
        Backend::cpu(cpu)
    }
}

impl Backend {
    /// Everything on the CPU.
    pub fn cpu(cpu: Cpu) -> Self {
        Backend {
            host: cpu,
            device: None,
        }
    }

    /// Network kernels on `device`; host-side work on `host`'s threads.
    pub fn cuda(device: Arc<CudaDevice>, host: Cpu) -> Self {
        Backend {
            host,
            device: Some(device),
        }
    }

    /// The CPU backend that runs the host-side work (and everything, without a device).
    pub fn host(&self) -> &Cpu {
        &self.host
    }

    /// The device, if the kernels run on one.
    pub fn device(&self) -> Option<&CudaDevice> {
        self.device.as_deref()
    }

    /// `"cpu"`, or `"cuda (<device name>)"`: what a manifest records.
    pub fn name(&self) -> String {
        match &self.device {
            None => "cpu".into(),
            Some(d) => format!("cuda ({})", d.name()),
        }
    }

    /// Outputs and input jets of `P` networks at `N` points: [`Cpu::jets`] or
    /// [`CudaDevice::mlp_jets`] (same arguments, layout, errors and bits).
    pub fn jets<T: DeviceFloat>(
        &self,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
        jet: &JetSpec,
    ) -> Result<Vec<T>> {
        match &self.device {
            None => self.host.jets(spec, genomes, x, jet),
            Some(d) => d.mlp_jets(spec, genomes, x, jet),
        }
    }

    /// Mean pointwise loss and its gradients for `P` networks at `N` points:
    /// [`Cpu::loss_grad`] with the CPU loss that `loss` names, or
    /// [`CudaDevice::mlp_loss_grad`]; same bits. For [`DeviceLoss::Adjoints`], `aux` holds
    /// every member's own rows (`P × N × components`) and member `m` gets the bits of
    /// [`Cpu::loss_grad`] with [`GivenAdjoints`] on that member alone.
    ///
    /// Errors: as the two functions; [`DeviceLoss::None`] is an
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig).
    #[allow(clippy::too_many_arguments)]
    pub fn loss_grad<T: DeviceFloat>(
        &self,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
        aux: &[T],
        extra: &[T],
        jet: &JetSpec,
        loss: DeviceLoss,
    ) -> Result<LossGrad<T>> {
        match &self.device {
            None => cpu_loss(&self.host, true, spec, genomes, x, aux, extra, jet, loss),
            Some(d) => d.mlp_loss_grad(spec, genomes, x, aux, extra, jet, loss),
        }
    }

    /// The mean pointwise loss alone (`P` values; the bits of
    /// [`loss_grad`](Self::loss_grad)'s `loss`). On the CPU this skips the backward sweep
    /// ([`Cpu::loss_values`]); the device has no value-only loss kernel, so there it is the
    /// gradient kernel's loss.
    #[allow(clippy::too_many_arguments)]
    pub fn loss_values<T: DeviceFloat>(
        &self,
        spec: &MlpSpec,
        genomes: &[T],
        x: &[T],
        aux: &[T],
        extra: &[T],
        jet: &JetSpec,
        loss: DeviceLoss,
    ) -> Result<Vec<T>> {
        match &self.device {
            None => Ok(cpu_loss(&self.host, false, spec, genomes, x, aux, extra, jet, loss)?.loss),
            Some(d) => Ok(d
                .mlp_loss_grad(spec, genomes, x, aux, extra, jet, loss)?
                .loss),
        }
    }
}

/// [`Cpu::loss_grad`] (or [`Cpu::loss_values`] when `!grad`, leaving the gradients empty) with
/// the CPU loss `loss` names.
#[allow(clippy::too_many_arguments)]
fn cpu_loss<T: DeviceFloat>(
    cpu: &Cpu,
    grad: bool,
    spec: &MlpSpec,
    genomes: &[T],
    x: &[T],
    aux: &[T],
    extra: &[T],
    jet: &JetSpec,
    loss: DeviceLoss,
) -> Result<LossGrad<T>> {
    macro_rules! run {
        ($loss:expr) => {
            if grad {
                cpu.loss_grad(spec, genomes, x, aux, extra, jet, $loss)
            } else {
                Ok(LossGrad {
                    loss: cpu.loss_values(spec, genomes, x, aux, extra, jet, $loss)?,
                    grad: Vec::new(),
                    grad_extra: Vec::new(),
                })
            }
        };
    }
    match loss {
        DeviceLoss::None => Err(crate::Error::config("loss", "a loss is needed")),
        DeviceLoss::Mse => run!(&MseLoss {
            n_out: spec.n_out()
        }),
        DeviceLoss::Burgers { nu } => run!(&ResidualLoss(Burgers { nu })),
        DeviceLoss::Adjoints(components) => {
            per_member_adjoints(cpu, grad, spec, genomes, x, aux, extra, jet, components)
        }
    }
}

/// The CPU side of [`DeviceLoss::Adjoints`]: one [`Cpu::loss_grad`] per member with its own
/// adjoint rows. Members are the work items, each on a single-threaded backend, so the bits do
/// not depend on the thread count.
#[allow(clippy::too_many_arguments)]
fn per_member_adjoints<T: DeviceFloat>(
    cpu: &Cpu,
    grad: bool,
    spec: &MlpSpec,
    genomes: &[T],
    x: &[T],
    aux: &[T],
    extra: &[T],
    jet: &JetSpec,
    components: super::cuda::AdjointComponents,
) -> Result<LossGrad<T>> {
    const OP: &str = "Backend::loss_grad (adjoints)";
    let np = spec.n_params();
    let pull = GivenAdjoints {
        components: components.as_slice().iter().map(|&c| c as usize).collect(),
    };
    // The shapes the per-member calls cannot see as a whole.
    if np == 0 || genomes.is_empty() || genomes.len() % np != 0 {
        // Let the engine report the shape error with its usual message.
        return cpu.loss_grad(spec, genomes, x, aux, extra, jet, &pull);
    }
    let p = genomes.len() / np;
    let n = x.len() / spec.n_in().max(1);
    let width = n * pull.components.len();
    crate::error::check_len(OP, "aux.len() (P × N × components)", p * width, aux.len())?;
    crate::error::check_len(OP, "extra.len()", 0, extra.len())?;
    let inner = Cpu { threads: 1, ..*cpu };
    let rows = crate::parallel::map_indexed(p, cpu.threads, |m| -> Result<LossGrad<T>> {
        let g = &genomes[m * np..(m + 1) * np];
        let a = &aux[m * width..(m + 1) * width];
        if grad {
            inner.loss_grad(spec, g, x, a, &[], jet, &pull)
        } else {
            Ok(LossGrad {
                loss: inner.loss_values(spec, g, x, a, &[], jet, &pull)?,
                grad: Vec::new(),
                grad_extra: Vec::new(),
            })
        }
    });
    let mut out = LossGrad {
        loss: Vec::with_capacity(p),
        grad: Vec::with_capacity(if grad { p * np } else { 0 }),
        grad_extra: Vec::new(),
    };
    for row in rows {
        let row = row?;
        out.loss.extend(row.loss);
        out.grad.extend(row.grad);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::cuda::AdjointComponents;
    use crate::nn::{init_population, Activation, Init};
    use crate::Error;

    fn setup() -> (MlpSpec, Vec<f64>, Vec<f64>, JetSpec) {
        let spec = MlpSpec::uniform(2, &[5, 4], 1, Activation::Tanh).unwrap();
        let g = init_population(&spec, Init::TorchDefault, 3, 3);
        let x: Vec<f64> = (0..14).map(|i| (i as f64 * 0.37).sin()).collect();
        (spec, g, x, JetSpec::with_pairs(2, vec![(0, 0)]).unwrap())
    }

    #[test]
    fn per_member_adjoints_are_each_members_own_pull_back() {
        let (spec, g, x, jet) = setup();
        let n = x.len() / 2;
        let aux: Vec<f64> = (0..3 * n * 2).map(|i| (i as f64 * 0.11).cos()).collect();
        let loss = DeviceLoss::Adjoints(AdjointComponents::new(&[0, 3]).unwrap());
        let backend = Backend::cpu(Cpu::new(2));
        let all = backend
            .loss_grad(&spec, &g, &x, &aux, &[], &jet, loss)
            .unwrap();
        let values = backend
            .loss_values(&spec, &g, &x, &aux, &[], &jet, loss)
            .unwrap();
        assert_eq!(values, all.loss);
        let np = spec.n_params();
        let pull = GivenAdjoints {
            components: vec![0, 3],
        };
        for m in 0..3 {
            let one = Cpu::new(1)
                .loss_grad(
                    &spec,
                    &g[m * np..(m + 1) * np],
                    &x,
                    &aux[m * 2 * n..(m + 1) * 2 * n],
                    &[],
                    &jet,
                    &pull,
                )
                .unwrap();
            assert_eq!(one.loss[0].to_bits(), all.loss[m].to_bits());
            assert_eq!(one.grad, all.grad[m * np..(m + 1) * np]);
        }
        // A different member's adjoints change only that member's result.
        let mut other = aux.clone();
        other[2 * n] += 1.0;
        let moved = backend
            .loss_grad(&spec, &g, &x, &other, &[], &jet, loss)
            .unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let (was, now) = (bits(&all.loss), bits(&moved.loss));
        assert_eq!((now[0], now[2]), (was[0], was[2]));
        assert_ne!(now[1], was[1]);
    }

    #[test]
    fn bad_losses_and_shapes_are_errors() {
        let (spec, g, x, jet) = setup();
        let backend = Backend::cpu(Cpu::new(1));
        let none = backend.loss_grad(&spec, &g, &x, &[], &[], &jet, DeviceLoss::None);
        assert!(matches!(none, Err(Error::InvalidConfig { .. })));
        let loss = DeviceLoss::Adjoints(AdjointComponents::new(&[0]).unwrap());
        // Shared rows (N) where per-member rows (P × N) are required.
        let short = vec![0.5; x.len() / 2];
        let r = backend.loss_grad(&spec, &g, &x, &short, &[], &jet, loss);
        assert!(matches!(r, Err(Error::Shape { .. })), "{r:?}");
        // A component the jet does not carry.
        let far = DeviceLoss::Adjoints(AdjointComponents::new(&[7]).unwrap());
        let rows = vec![0.5; 3 * x.len() / 2];
        let r = backend.loss_grad(&spec, &g, &x, &rows, &[], &jet, far);
        assert!(matches!(r, Err(Error::InvalidConfig { .. })), "{r:?}");
        assert!(AdjointComponents::new(&[16]).is_err());
        assert!(AdjointComponents::new(&[0; 16]).is_err());
    }
}
