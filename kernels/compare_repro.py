#!/usr/bin/env python3
"""Compare the raw CSVs of two reproduction output roots (e.g. `--backend cpu` and
`--backend cuda` runs of the same program, seed and mode) cell by cell, ignoring the
wall-time columns (and reproduce_dtlz's 90 ms budget columns). The CUDA kernels are bit-identical twins of the CPU kernels, so every
other cell must be equal as text (the CSVs print floats with Rust's shortest round-trip
formatting, so equal text means equal bits).

    python3 kernels/compare_repro.py OUT_CPU OUT_CUDA

Exit status 0 when every CSV under OUT_CPU/raw has an equal twin under OUT_CUDA/raw, 1
otherwise (each difference printed).
"""
import csv
import pathlib
import sys

# Wall-clock columns, and what a wall-clock budget decides (reproduce_dtlz's 90 ms variant:
# generations reached and the IGD then), which differ between backends by design.
TIME_COLUMNS = {"elapsed_s", "seconds", "time_s", "wall_s", "gens_90ms", "igd_90ms"}


def rows(path):
    with open(path, newline="") as f:
        r = list(csv.reader(f))
    if not r:
        return [], []
    keep = [i for i, h in enumerate(r[0]) if h not in TIME_COLUMNS]
    return [r[0][i] for i in keep], [[row[i] for i in keep] for row in r[1:]]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = (pathlib.Path(p) / "raw" for p in sys.argv[1:])
    files = sorted(p.relative_to(a) for p in a.rglob("*.csv"))
    if not files:
        print(f"no CSV under {a}")
        return 1
    bad = 0
    for rel in files:
        other = b / rel
        if not other.exists():
            print(f"{rel}: missing under {b}")
            bad += 1
            continue
        (ha, ra), (hb, rb) = rows(a / rel), rows(other)
        if ha != hb or len(ra) != len(rb):
            print(f"{rel}: header or row count differs ({len(ra)} vs {len(rb)} rows)")
            bad += 1
            continue
        diffs = [(i, j) for i, (x, y) in enumerate(zip(ra, rb)) for j in range(len(x)) if x[j] != y[j]]
        for i, j in diffs[:5]:
            print(f"{rel}: row {i + 1} column {ha[j]}: {ra[i][j]} vs {rb[i][j]}")
        print(f"{rel}: {len(ra)} rows, {len(diffs)} differing cells")
        bad += bool(diffs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
