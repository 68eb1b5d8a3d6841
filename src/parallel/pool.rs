//! A process-wide set of parked worker threads that run one job at a time, with the calling
//! thread taking part.
//!
//! Spawning scoped threads for every parallel call cost about 95 µs per call on a 2-core VM
//! (two thread creations, their stacks, joins), several per cent of a PINN loss evaluation and
//! of an RVEA generation, which make several such calls each. Here the workers are created
//! once, park on a condition variable between jobs, and the caller runs participant 0 itself.
//!
//! Only the *placement* of work on threads changes: what each participant computes is decided
//! by the caller's closure (an atomic work counter, or a fixed share), so results stay
//! bit-identical to the scoped-thread version for any thread count.
//!
//! One job runs at a time. A call that finds the pool busy (another thread's job, or a nested
//! call from inside a job) returns `false` and its caller falls back to scoped threads, so
//! nesting and concurrent callers work as before, only without the saving. So does a call in
//! a child process created by `fork`, which inherits the pool's state but not its threads.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a thread spins, watching an atomic, before it blocks on a condition variable.
/// Waking a blocked thread took about 40 µs on the 2-core VM we measure on, as much as the
/// thread creation the pool saves; consecutive parallel calls (a loss evaluation's three
/// terms, an optimiser's steps) usually come within this window.
const SPIN: Duration = Duration::from_micros(100);

/// Spins while `busy()` holds, for at most [`SPIN`].
fn spin_while(busy: impl Fn() -> bool) {
    let start = Instant::now();
    while start.elapsed() <= SPIN {
        for _ in 0..64 {
            if !busy() {
                return;
            }
            std::hint::spin_loop();
        }
    }
}

/// A job's closure with its borrow's lifetime erased. Sound because [`run`] does not return
/// (nor unwind) before every worker that took part has finished calling it.
#[derive(Clone, Copy)]
struct JobRef(*const (dyn Fn(usize) + Sync + 'static));

// SAFETY: the pointee is `Sync`, and it outlives every use (see `JobRef`).
unsafe impl Send for JobRef {}

struct State {
    /// The current job, `None` between jobs.
    job: Option<JobRef>,
    /// Workers the current job wants, and how many have taken a participant index.
    wanted: usize,
    taken: usize,
    /// Worker threads created so far.
    workers: usize,
    /// The payload of the first panic in a worker of the current job.
    panic: Option<Box<dyn std::any::Any + Send>>,
}

struct Pool {
    /// The process the workers belong to: a child created by `fork` has none of them, so a
    /// call there must not wait for them.
    pid: u32,
    /// Cores available to the process when the pool was made.
    cores: usize,
    state: Mutex<State>,
    /// Bumped for every job, so that a worker takes part in a job at most once.
    generation: AtomicU64,
    /// Workers of the current job that have not finished (taken part or not yet).
    ///
    /// Both are written only under `state`'s lock, so reads under it need no ordering of
    /// their own; they are atomics so that threads can spin on them without the lock.
    running: AtomicUsize,
    /// Signals a new job to the workers.
    work: Condvar,
    /// Signals the caller that the last worker of its job finished.
    done: Condvar,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        pid: std::process::id(),
        cores: super::resolve_threads(0),
        state: Mutex::new(State {
            job: None,
            wanted: 0,
            taken: 0,
            workers: 0,
            panic: None,
        }),
        work: Condvar::new(),
        done: Condvar::new(),
        generation: AtomicU64::new(0),
        running: AtomicUsize::new(0),
    })
}

/// Runs `f(0)`, …, `f(participants − 1)` concurrently, `f(0)` on the calling thread, and
/// returns `true` once all have returned. Returns `false` without running anything when the
/// pool is busy with another job (the caller then runs them some other way). A panic in any
/// participant is re-raised here after all of them have finished.
pub(super) fn run(participants: usize, f: &(dyn Fn(usize) + Sync)) -> bool {
    let pool = pool();
    if pool.pid != std::process::id() {
        return false;
    }
    let helpers = participants.saturating_sub(1);
    {
        let mut s = pool.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.job.is_some() {
            return false;
        }
        while s.workers < helpers {
            let id = s.workers;
            let spawned = std::thread::Builder::new()
                .name("pareto-sciml-worker".into())
                .spawn(move || worker(self::pool(), id));
            if spawned.is_err() {
                // Out of threads: let the caller use scoped threads (which may fail loudly).
                return false;
            }
            s.workers += 1;
        }
        // SAFETY: only the lifetime is erased; see `JobRef`.
        let f_static: &'static (dyn Fn(usize) + Sync) = unsafe { std::mem::transmute(f) };
        s.job = Some(JobRef(f_static));
        s.wanted = helpers;
        s.taken = 0;
        s.panic = None;
        pool.running.store(helpers, Ordering::Release);
        let next = pool.generation.load(Ordering::Relaxed) + 1;
        pool.generation.store(next, Ordering::Release);
    }
    pool.work.notify_all();
    let mine = catch_unwind(AssertUnwindSafe(|| f(0)));
    // With more participants than cores, spinning would take a core a worker needs.
    if participants <= pool.cores {
        spin_while(|| pool.running.load(Ordering::Acquire) > 0);
    }
    let theirs = {
        let mut s = pool.state.lock().unwrap_or_else(|e| e.into_inner());
        while pool.running.load(Ordering::Acquire) > 0 {
            s = pool.done.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        s.job = None;
        s.panic.take()
    };
    if let Err(payload) = mine {
        resume_unwind(payload);
    }
    if let Some(payload) = theirs {
        resume_unwind(payload);
    }
    true
}

/// Worker `id` (from 0) of the pool. Only as many workers as there are other cores spin
/// between jobs; the rest (a caller asked for more threads than cores) block at once, so that
/// they never spin on a core another thread needs.
fn worker(pool: &'static Pool, id: usize) {
    let may_spin = id + 1 < pool.cores;
    let mut seen = 0;
    let mut s = pool.state.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let current = pool.generation.load(Ordering::Acquire);
        let open = current != seen && s.taken < s.wanted;
        let job = match (open, s.job) {
            (true, Some(job)) => job,
            _ => {
                // Nothing for this worker until the generation moves on: spin for the next
                // job, then block (the caller posts under the lock, so no wake-up is lost).
                drop(s);
                if may_spin {
                    spin_while(|| pool.generation.load(Ordering::Acquire) == current);
                }
                s = pool.state.lock().unwrap_or_else(|e| e.into_inner());
                if pool.generation.load(Ordering::Acquire) == current {
                    s = pool.work.wait(s).unwrap_or_else(|e| e.into_inner());
                }
                continue;
            }
        };
        seen = current;
        s.taken += 1;
        let index = s.taken;
        drop(s);
        // SAFETY: the caller of `run` waits for this worker before its closure goes away.
        let result = catch_unwind(AssertUnwindSafe(|| unsafe { (*job.0)(index) }));
        s = pool.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(payload) = result {
            s.panic.get_or_insert(payload);
        }
        let left = pool.running.load(Ordering::Acquire) - 1;
        pool.running.store(left, Ordering::Release);
        if left == 0 {
            pool.done.notify_all();
        }
    }
}
