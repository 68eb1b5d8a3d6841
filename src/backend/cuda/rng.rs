//! Host code of the `chacha_uniform` kernels: named random streams on the device, the twin of
//! [`crate::rng::Stream`] draw for draw.
//!
//! A [`StreamBatch`] names `n_streams` consecutive streams
//! `(seed, purpose, generation, first_index + t)`, `t = 0..n_streams`, and `count` draws from
//! each; results are row-major `n_streams × count` (row `t` = stream `first_index + t`), the
//! same numbers a CPU loop over [`crate::rng::stream`] produces. Future device operators
//! (SBX, polynomial mutation) draw from these streams the same way.

use super::kernels::KernelId;
use super::{to_u32, CudaDevice, DeviceBuffer, DeviceScalar, KernelArg, LaunchDims};
use crate::error::{Error, Result};
use crate::rng::purpose_hash;

/// A batch of consecutive named streams and how many draws to take from each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamBatch<'a> {
    /// The master seed.
    pub seed: u64,
    /// What the numbers are for (`"sbx"`, `"mutation"`, ...), hashed as on the CPU.
    pub purpose: &'a str,
    /// Generation, epoch or iteration.
    pub generation: u64,
    /// Index of the first stream (individual, member, ...).
    pub first_index: u64,
    /// Number of consecutive streams.
    pub n_streams: usize,
    /// Draws per stream.
    pub count: usize,
}

impl StreamBatch<'_> {
    /// Number of values the batch produces (`n_streams × count`).
    pub fn len(&self) -> Result<usize> {
        self.n_streams
            .checked_mul(self.count)
            .ok_or_else(|| Error::config("StreamBatch", "n_streams × count overflows usize"))
    }

    /// True when the batch produces nothing.
    pub fn is_empty(&self) -> bool {
        self.n_streams == 0 || self.count == 0
    }

    /// The CPU reference: the same draws from [`crate::rng::stream`], row-major.
    pub fn cpu<T>(&self, mut draw: impl FnMut(&mut crate::rng::Stream) -> T) -> Vec<T> {
        let mut out = Vec::with_capacity(self.n_streams.saturating_mul(self.count));
        for t in 0..self.n_streams as u64 {
            let index = self.first_index.wrapping_add(t);
            let mut s = crate::rng::stream(self.seed, self.purpose, self.generation, index);
            out.extend((0..self.count).map(|_| draw(&mut s)));
        }
        out
    }
}

impl CudaDevice {
    fn stream_kernel<T: DeviceScalar>(
        &self,
        op: &'static str,
        id: KernelId,
        batch: &StreamBatch<'_>,
        out: &mut DeviceBuffer<T>,
    ) -> Result<()> {
        let total = batch.len()?;
        crate::error::check_len(op, "out.len()", total, out.len())?;
        if batch.is_empty() {
            return Ok(());
        }
        let n_streams = to_u32(op, "n_streams", batch.n_streams)?;
        let count = to_u32(op, "count", batch.count)?;
        let args = [
            out.arg(),
            KernelArg::U64(batch.seed),
            KernelArg::U64(purpose_hash(batch.purpose)),
            KernelArg::U64(batch.generation),
            KernelArg::U64(batch.first_index),
            KernelArg::U32(n_streams),
            KernelArg::U32(count),
        ];
        // SAFETY: (out, seed, purpose, generation, first_index, n_streams, count) is the
        // parameter list of the three chacha kernels; out holds n_streams × count values.
        unsafe { self.launch(id, LaunchDims::linear(op, batch.n_streams)?, &args) }
    }

    /// Fills `out` (`n_streams × count`) with [`crate::rng::Stream::uniform_f64`] draws.
    pub fn uniform_f64_into(
        &self,
        batch: &StreamBatch<'_>,
        out: &mut DeviceBuffer<f64>,
    ) -> Result<()> {
        self.stream_kernel(
            "CudaDevice::uniform_f64",
            KernelId::ChachaUniformF64,
            batch,
            out,
        )
    }

    /// Fills `out` (`n_streams × count`) with [`crate::rng::Stream::uniform_f32`] draws.
    pub fn uniform_f32_into(
        &self,
        batch: &StreamBatch<'_>,
        out: &mut DeviceBuffer<f32>,
    ) -> Result<()> {
        self.stream_kernel(
            "CudaDevice::uniform_f32",
            KernelId::ChachaUniformF32,
            batch,
            out,
        )
    }

    /// Fills `out` (`n_streams × count`) with [`crate::rng::Stream::next_u64`] words.
    pub fn words_u64_into(
        &self,
        batch: &StreamBatch<'_>,
        out: &mut DeviceBuffer<u64>,
    ) -> Result<()> {
        self.stream_kernel(
            "CudaDevice::words_u64",
            KernelId::ChachaWordsU64,
            batch,
            out,
        )
    }

    /// [`crate::rng::Stream::uniform_f64`] draws of the batch, row-major, on the host.
    ///
    /// Bit-identical to [`StreamBatch::cpu`] with `Stream::uniform_f64`.
    pub fn uniform_f64(&self, batch: &StreamBatch<'_>) -> Result<Vec<f64>> {
        if batch.len()? == 0 {
            return Ok(Vec::new());
        }
        let mut out = self.zeros(batch.len()?)?;
        self.uniform_f64_into(batch, &mut out)?;
        self.dtoh(&out)
    }

    /// [`crate::rng::Stream::uniform_f32`] draws of the batch, row-major, on the host.
    pub fn uniform_f32(&self, batch: &StreamBatch<'_>) -> Result<Vec<f32>> {
        if batch.len()? == 0 {
            return Ok(Vec::new());
        }
        let mut out = self.zeros(batch.len()?)?;
        self.uniform_f32_into(batch, &mut out)?;
        self.dtoh(&out)
    }

    /// [`crate::rng::Stream::next_u64`] words of the batch, row-major, on the host.
    pub fn words_u64(&self, batch: &StreamBatch<'_>) -> Result<Vec<u64>> {
        if batch.len()? == 0 {
            return Ok(Vec::new());
        }
        let mut out = self.zeros(batch.len()?)?;
        self.words_u64_into(batch, &mut out)?;
        self.dtoh(&out)
    }
}
