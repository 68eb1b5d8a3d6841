//! One network: the population kernels with a population of one.

use super::{JetSpec, MlpSpec, PointLoss};
use crate::backend::cpu::{Cpu, Element, LossGrad};
use crate::Result;

/// A borrowed network (spec + genome) with a CPU backend.
#[derive(Clone, Copy, Debug)]
pub struct Mlp<'a, T> {
    spec: &'a MlpSpec,
    genome: &'a [T],
    cpu: Cpu,
}

impl<'a, T: Element> Mlp<'a, T> {
    /// Checks the genome length ([`crate::Error::Shape`] otherwise).
    pub fn new(spec: &'a MlpSpec, genome: &'a [T]) -> Result<Self> {
        spec.check_genome("Mlp::new", genome)?;
        Ok(Self {
            spec,
            genome,
            cpu: Cpu::default(),
        })
    }

    /// Uses another backend configuration (threads, ISA); results are the same bits.
    pub fn with_cpu(self, cpu: Cpu) -> Self {
        Self { cpu, ..self }
    }

    /// Outputs at `N` points (`x` row-major `N × n_in`), row-major `N × n_out`.
    pub fn forward(&self, x: &[T]) -> Result<Vec<T>> {
        self.cpu
            .jets(self.spec, self.genome, x, &JetSpec::value(self.spec.n_in()))
    }

    /// Output jets at `N` points: `N × n_out × jet.n_comp()`.
    pub fn jets(&self, x: &[T], jet: &JetSpec) -> Result<Vec<T>> {
        self.cpu.jets(self.spec, self.genome, x, jet)
    }

    /// Mean loss over the points and its gradients w.r.t. the genome and `extra`.
    pub fn loss_grad<L: PointLoss>(
        &self,
        x: &[T],
        aux: &[T],
        extra: &[T],
        jet: &JetSpec,
        loss: &L,
    ) -> Result<LossGrad<T>> {
        self.cpu
            .loss_grad(self.spec, self.genome, x, aux, extra, jet, loss)
    }
}
