//! Per-thread reuse of the kernels' working memory.
//!
//! Why: a work item's scratch and gradient accumulators come to about 100 KB each. Allocated
//! and freed per item, glibc handed the top of each worker thread's heap back to the kernel
//! (`madvise`); with the process on two CPUs every such hand-back is a TLB shootdown (an
//! inter-processor interrupt, slow in a VM) and every fresh page a fault. That cost 0.2–0.3 ms
//! of each two-thread loss evaluation of the Burgers networks (residual 2.53 → 2.27 ms, data
//! term 1.10 → 0.89 ms with glibc's trimming switched off by environment). Each thread now
//! keeps its buffer sets (one per type: the largest network it has run, a few hundred KB) and
//! resets them as new before each item, so results do not change. A set larger than
//! [`KEEP_BYTES`] (very wide networks) is freed as before rather than kept by every thread.

use std::any::Any;
use std::cell::RefCell;

thread_local! {
    static FREE: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

/// A buffer set of type `B` from this thread's free list, or a fresh default one. The caller
/// resets it before use and hands it back with [`give`].
pub(crate) fn take<B: Default + 'static>() -> Box<B> {
    FREE.with(|free| {
        let mut free = free.borrow_mut();
        match free.iter().rposition(|b| b.is::<B>()) {
            Some(i) => free.swap_remove(i).downcast().unwrap_or_default(),
            None => Box::default(),
        }
    })
}

/// The largest buffer set a thread keeps (16 MiB): the Burgers networks need a few hundred
/// KB; a network with thousand-unit layers needs more than this per thread, and there one
/// allocation per work item of its size costs little next to the item's work.
pub(crate) const KEEP_BYTES: usize = 16 << 20;

/// Working memory that reports the bytes it holds.
pub(crate) trait Footprint {
    /// Bytes allocated (capacities, not lengths).
    fn bytes(&self) -> usize;
}

impl<T> Footprint for Vec<T> {
    fn bytes(&self) -> usize {
        self.capacity() * std::mem::size_of::<T>()
    }
}

/// `v` as `n` copies of `z`, its allocation kept: how every reused buffer is reset.
pub(crate) fn zeroed<T: Copy>(v: &mut Vec<T>, n: usize, z: T) {
    v.clear();
    v.resize(n, z);
}

/// Hands a buffer set back to this thread's free list for the next [`take`], or frees it
/// when it holds more than [`KEEP_BYTES`].
pub(crate) fn give<B: Footprint + 'static>(b: Box<B>) {
    if b.bytes() <= KEEP_BYTES {
        FREE.with(|free| free.borrow_mut().push(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_buffer_is_taken_again_with_its_memory() {
        let mut v = take::<Vec<u64>>();
        v.resize(1000, 7);
        let ptr = v.as_ptr();
        give(v);
        // Another type does not take it.
        let other = take::<Vec<u32>>();
        assert!(other.is_empty());
        give(other);
        let again = take::<Vec<u64>>();
        assert_eq!(again.as_ptr(), ptr);
        assert_eq!(again.len(), 1000);
    }

    #[test]
    fn a_buffer_over_the_limit_is_not_kept() {
        let big: Box<Vec<u8>> = Box::new(vec![1; KEEP_BYTES + 1]);
        give(big);
        assert!(take::<Vec<u8>>().is_empty());
    }
}
