//! Deterministic data parallelism on scoped threads.
//!
//! Work is split into contiguous blocks of indices, one block per thread; each index's result
//! is a pure function of the index, so the output is bit-identical for any thread count. No
//! reduction happens across threads here: callers reduce the returned per-index results in
//! index order.

/// Resolves a requested thread count: 0 means "all available cores".
pub fn resolve_threads(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    }
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
    let block = n.div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let start = (t * block).min(n);
                let end = ((t + 1) * block).min(n);
                scope.spawn(move || (start..end).map(f).collect::<Vec<T>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread panicked"))
            .collect()
    })
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
    assert!(
        row_len > 0 && out.len() % row_len == 0,
        "fill_rows: length {} is not a multiple of row_len {row_len}",
        out.len()
    );
    let rows = out.len() / row_len;
    let threads = resolve_threads(threads).min(rows.max(1));
    if threads <= 1 {
        for (r, row) in out.chunks_exact_mut(row_len).enumerate() {
            f(r, row);
        }
        return;
    }
    let block_rows = rows.div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        for (t, block) in out.chunks_mut(block_rows * row_len).enumerate() {
            scope.spawn(move || {
                for (k, row) in block.chunks_exact_mut(row_len).enumerate() {
                    f(t * block_rows + k, row);
                }
            });
        }
    });
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
