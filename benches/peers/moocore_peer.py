#!/usr/bin/env python3
"""moocore (0.3.2) on the point sets written by `cargo bench --bench moo_indicators`.

Run right after the bench, on the same machine:

    python3 benches/peers/moocore_peer.py [BENCH_DATA_DIR] [--repeats K]

BENCH_DATA_DIR defaults to $CARGO_TARGET_DIR/bench-data (or target/bench-data). Prints, per
file, the median wall time of K calls (default: enough calls for ~3 s, at least 10, at most
200) of moocore.pareto_rank (sort_*.csv) or moocore.hypervolume with reference 1.1 (hv_*.csv),
as `op m n median_ms`. Loading the CSV is outside the timed region.
"""
import os
import statistics
import sys
import time

import moocore
import numpy as np


def median_ms(fn, repeats):
    fn()  # warm-up
    if repeats is None:
        t0 = time.perf_counter()
        fn()
        once = time.perf_counter() - t0
        repeats = int(min(200, max(10, 3.0 / max(once, 1e-9))))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3, repeats


def main():
    args = [a for a in sys.argv[1:]]
    repeats = None
    if "--repeats" in args:
        k = args.index("--repeats")
        repeats = int(args[k + 1])
        del args[k : k + 2]
    default = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "bench-data")
    data_dir = args[0] if args else default
    print(f"# moocore {moocore.__version__}, numpy {np.__version__}, data {data_dir}")
    print("op m n median_ms repeats")
    files = sorted(os.listdir(data_dir), key=lambda s: (s.split("_")[0], s))
    for name in files:
        if not name.endswith(".csv"):
            continue
        op, m, n = name[:-4].split("_")
        m, n = int(m[1:]), int(n[1:])
        x = np.loadtxt(os.path.join(data_dir, name), delimiter=",", ndmin=2)
        assert x.shape == (n, m), name
        if op == "sort":
            ms, k = median_ms(lambda: moocore.pareto_rank(x), repeats)
        else:
            ref = np.full(m, 1.1)
            ms, k = median_ms(lambda: moocore.hypervolume(x, ref=ref), repeats)
        print(f"{op} {m} {n} {ms:.4f} {k}", flush=True)


if __name__ == "__main__":
    main()
