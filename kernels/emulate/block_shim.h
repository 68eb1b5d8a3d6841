// cuda_host_shim.h with real threads inside a block: every thread of a block runs on its own
// std::thread with thread-local threadIdx/blockIdx, and __syncthreads is a barrier. This runs
// the block-synchronous selection kernels (nsga3_normalise_f64) with several threads per
// block, so the per-thread partials and their fold are exercised as on the device.
// Used by harness_emo.cpp only; compile with -pthread.
#pragma once
#define __syncthreads emu_unused_syncthreads
#define threadIdx emu_unused_threadIdx
#define blockIdx emu_unused_blockIdx
#define blockDim emu_unused_blockDim
#define gridDim emu_unused_gridDim
// cuda_host_shim.h's serial launch sets the renamed globals, which these kernels do not read:
// hidden, so that a harness on this shim must pick emu_launch_serial or emu_launch_threads.
#define emu_launch emu_unused_launch
#include "cuda_host_shim.h"
#undef emu_launch
#undef __syncthreads
#undef threadIdx
#undef blockIdx
#undef blockDim
#undef gridDim

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

static thread_local EmuDim3 threadIdx, blockIdx;
static EmuDim3 blockDim, gridDim;

// A reusable barrier for the threads of the running block.
struct EmuBarrier {
    std::mutex m;
    std::condition_variable cv;
    unsigned count = 0, total = 1, phase = 0;
    void wait() {
        std::unique_lock<std::mutex> lock(m);
        unsigned my = phase;
        if (++count == total) {
            count = 0;
            ++phase;
            cv.notify_all();
        } else {
            cv.wait(lock, [&] { return phase != my; });
        }
    }
};
static EmuBarrier emu_barrier;
static inline void __syncthreads() { emu_barrier.wait(); }

// Runs `kernel` on a 1-D grid: blocks one after another, the threads of a block concurrently.
template <typename F>
static void emu_launch_threads(unsigned blocks, unsigned threads, F kernel) {
    gridDim = {blocks, 1, 1};
    blockDim = {threads, 1, 1};
    emu_barrier.total = threads;
    for (unsigned b = 0; b < blocks; ++b) {
        std::vector<std::thread> pool;
        for (unsigned t = 0; t < threads; ++t)
            pool.emplace_back([&, b, t] {
                blockIdx = {b, 0, 0};
                threadIdx = {t, 0, 0};
                kernel();
            });
        for (auto &th : pool) th.join();
    }
}

// Runs an independent-threads kernel (no __syncthreads) one thread at a time.
template <typename F>
static void emu_launch_serial(unsigned blocks, unsigned threads, F kernel) {
    gridDim = {blocks, 1, 1};
    blockDim = {threads, 1, 1};
    for (unsigned b = 0; b < blocks; ++b)
        for (unsigned t = 0; t < threads; ++t) {
            blockIdx = {b, 0, 0};
            threadIdx = {t, 0, 0};
            kernel();
        }
}
