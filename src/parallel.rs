//! Deterministic data parallelism on a pool of parked worker threads (`pool.rs`; scoped
//! threads when the pool is busy).
//!
//! Work is split into chunks of consecutive indices that the threads take one after another
//! from a shared counter (so items of uneven cost balance out); each index's result is a pure
//! function of the index and results are put back in index order, so the output is
//! bit-identical for any thread count and any schedule. No reduction happens across threads
//! here: callers reduce the returned per-index results in index order.

mod pool;

/// Resolves a requested thread count: 0 means "all available cores".
pub fn resolve_threads(requested: usize) -> usize {
    if requested > 0 {
        return requested;
    }
    // Asked once per process: on Linux the standard library reads the affinity mask and the
    // cgroup quota files on every call (≈ 22 µs and 21 system calls here). With several calls
    // per generation that doubled an NSGA-II generation at pop 100 on "all cores".
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// Computes `f(i)` for `i in 0..n` on up to `threads` threads (0 = all cores) and returns the
/// results in index order.
///
/// ```
/// let squares = pareto_sciml::parallel::map_indexed(5, 2, |i| i * i);
/// assert_eq!(squares, vec![0, 1, 4, 9, 16]);
/// ```
pub fn map_indexed<T, F>(n: usize, threads: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    let threads = resolve_threads(threads).min(n.max(1));
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    // About eight chunks per thread: fine enough that a thread whose items run long (an ODE
    // block whose members take more steps) does not hold up the others, coarse enough that
    // the shared counter costs nothing next to the items.
    let chunk = n.div_ceil(threads * 8).max(1);
    let n_chunks = n.div_ceil(chunk);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (f, next) = (&f, &next);
    let take_chunks = move || {
        let mut mine = Vec::new();
        loop {
            let c = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if c >= n_chunks {
                break mine;
            }
            let (start, end) = (c * chunk, ((c + 1) * chunk).min(n));
            mine.push((c, (start..end).map(f).collect::<Vec<T>>()));
        }
    };
    let done = std::sync::Mutex::new(Vec::with_capacity(n_chunks));
    let pooled = pool::run(threads, &|_| {
        let mine = take_chunks();
        done.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
    });
    let mut parts: Vec<(usize, Vec<T>)> = if pooled {
        done.into_inner().unwrap_or_else(|e| e.into_inner())
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads).map(|_| scope.spawn(take_chunks)).collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("worker thread panicked"))
                .collect()
        })
    };
    parts.sort_unstable_by_key(|(c, _)| *c);
    parts.into_iter().flat_map(|(_, v)| v).collect()
}

/// Fills `out`, viewed as consecutive rows of `row_len` elements, by calling `f(row, slice)` for
/// every row on up to `threads` threads (0 = all cores). A trailing partial row is not allowed:
/// `out.len()` must be a multiple of `row_len`.
///
/// ```
/// let mut m = vec![0usize; 6];
/// pareto_sciml::parallel::fill_rows(&mut m, 2, 3, |r, row| { row[0] = r; row[1] = 10 * r; });
/// assert_eq!(m, vec![0, 0, 1, 10, 2, 20]);
/// ```
pub fn fill_rows<T, F>(out: &mut [T], row_len: usize, threads: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync,
{
    fill_row_blocks(out, row_len, threads, |first, block| {
        for (k, row) in block.chunks_exact_mut(row_len).enumerate() {
            f(first + k, row);
        }
    });
}

/// As [`fill_rows`], but `f(first_row, rows)` receives each thread's whole share of
/// consecutive rows (`rows.len()` a multiple of `row_len`), so that work per row can be
/// batched across rows (e.g. the random words of many rows' streams computed together).
/// The caller keeps the result independent of how the rows are split.
///
/// ```
/// let mut m = vec![0usize; 5];
/// pareto_sciml::parallel::fill_row_blocks(&mut m, 1, 2, |first, rows| {
///     for (k, r) in rows.iter_mut().enumerate() { *r = first + k; }
/// });
/// assert_eq!(m, vec![0, 1, 2, 3, 4]);
/// ```
pub fn fill_row_blocks<T, F>(out: &mut [T], row_len: usize, threads: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync,
{
    assert!(
        row_len > 0 && out.len() % row_len == 0,
        "fill_rows: length {} is not a multiple of row_len {row_len}",
        out.len()
    );
    let rows = out.len() / row_len;
    let threads = resolve_threads(threads).min(rows.max(1));
    if threads <= 1 {
        f(0, out);
        return;
    }
    // One block of consecutive rows per thread.
    let block_rows = rows.div_ceil(threads);
    let blocks: Vec<&mut [T]> = out.chunks_mut(block_rows * row_len).collect();
    for_each_part(blocks, threads, |t, block| f(t * block_rows, block));
}

/// Calls `f(i, part)` for every `part` of `parts` (disjoint slices, e.g. chunks of one output
/// buffer) on up to `threads` threads (0 = all cores), the parts taken one after another from
/// a shared counter. Each call writes only its own part, so the result does not depend on
/// the thread count or the schedule; callers fill an output in place instead of returning
/// per-item vectors to be concatenated (for a large output those small allocations and the
/// copy cost page faults and memory traffic comparable to the work).
///
/// ```
/// let mut v = vec![0usize; 7];
/// let parts: Vec<&mut [usize]> = v.chunks_mut(3).collect();
/// pareto_sciml::parallel::for_each_part(parts, 2, |i, part| part.fill(i + 1));
/// assert_eq!(v, vec![1, 1, 1, 2, 2, 2, 3]);
/// ```
pub fn for_each_part<T, F>(parts: Vec<&mut [T]>, threads: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync,
{
    let n = parts.len();
    let threads = resolve_threads(threads).min(n.max(1));
    if threads <= 1 {
        for (i, part) in parts.into_iter().enumerate() {
            f(i, part);
        }
        return;
    }
    let slots: Vec<std::sync::Mutex<Option<&mut [T]>>> = parts
        .into_iter()
        .map(|p| std::sync::Mutex::new(Some(p)))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (f, next, slots) = (&f, &next, &slots);
    let take_parts = move || loop {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if i >= n {
            break;
        }
        let part = slots[i].lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(part) = part {
            f(i, part);
        }
    };
    if !pool::run(threads, &|_| take_parts()) {
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(take_parts);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_do_not_depend_on_thread_count() {
        let f = |i: usize| ((i as f64).sqrt() * 1.1).to_bits();
        let one = map_indexed(1001, 1, f);
        for t in [2, 3, 7, 64] {
            assert_eq!(map_indexed(1001, t, f), one);
        }
        assert!(map_indexed(0, 4, f).is_empty());
    }

    /// A call from inside a pooled job finds the pool busy and runs on scoped threads; the
    /// results are the same.
    #[test]
    fn nested_calls_agree_with_flat_ones() {
        let inner = |i: usize| map_indexed(9, 2, move |j| i * 100 + j);
        let nested = map_indexed(7, 2, inner);
        let flat: Vec<Vec<usize>> = (0..7)
            .map(|i| (0..9).map(|j| i * 100 + j).collect())
            .collect();
        assert_eq!(nested, flat);
    }

    /// Several threads calling at once: one gets the pool, the others scoped threads; every
    /// call returns its own results.
    #[test]
    fn concurrent_callers_each_get_their_own_results() {
        std::thread::scope(|scope| {
            for k in 0..4usize {
                scope.spawn(move || {
                    for round in 0..50usize {
                        let got = map_indexed(33, 2, |i| i * k + round);
                        let want: Vec<usize> = (0..33).map(|i| i * k + round).collect();
                        assert_eq!(got, want);
                    }
                });
            }
        });
    }

    /// A panic in an item, on whichever thread runs it, reaches the caller after every
    /// participant has stopped, and the pool serves the next call.
    #[test]
    fn a_panicking_item_reaches_the_caller_and_the_pool_recovers() {
        for bad in [0, 63, 99] {
            let r = std::panic::catch_unwind(|| {
                map_indexed(100, 2, |i| {
                    assert_ne!(i, bad, "item {bad} fails");
                    i
                })
            });
            assert!(r.is_err());
            assert_eq!(map_indexed(5, 2, |i| i + 1), vec![1, 2, 3, 4, 5]);
        }
        let r = std::panic::catch_unwind(|| {
            let mut m = vec![0usize; 8];
            fill_rows(&mut m, 1, 2, |r, _| assert_ne!(r, 6));
        });
        assert!(r.is_err());
        let mut m = vec![0usize; 8];
        fill_rows(&mut m, 1, 2, |r, row| row[0] = r);
        assert_eq!(m, (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn fill_rows_covers_every_row_once() {
        for t in [1, 2, 5] {
            let mut m = vec![0usize; 3 * 17];
            fill_rows(&mut m, 3, t, |r, row| {
                row.iter_mut().for_each(|x| *x += r + 1)
            });
            for (r, row) in m.chunks(3).enumerate() {
                assert!(row.iter().all(|&x| x == r + 1));
            }
        }
    }
}
