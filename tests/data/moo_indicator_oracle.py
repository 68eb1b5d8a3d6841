#!/usr/bin/env python3
"""Oracle data for tests/moo_indicator_oracle.rs, made by pymoo and moocore.

Rerun (from the repository root; needs numpy, pymoo 0.6.2 and moocore 0.3.2):

    python3 tests/data/moo_indicator_oracle.py > tests/data/moo_indicator_oracle.txt

Format: one record per line, a keyword followed by whitespace-separated values. Floats are
written with Python's repr (shortest round-trip), so Rust parses exactly the value used here.

    set NAME M N          a point set; the next N lines are its rows
    row v1 .. vM
    rank_moocore r...     moocore.pareto_rank (0-based)
    rank_pymoo r...       pymoo NonDominatedSorting (fast non-dominated sort), 0-based
    crowding_pymoo d...   pymoo calc_crowding_distance over all rows (inf allowed)
    hv REF1..REFM VALUE   moocore.hypervolume with that reference point
    front NAME M N        a reference front; the next N lines are its rows
    igd SET FRONT VALUE   moocore.igd(set, front) (checked against pymoo's IGD here)
    igdplus SET FRONT V   moocore.igd_plus(set, front) (checked against pymoo's IGD+ here)
    dd M P N              pymoo das-dennis directions with P partitions; next N lines are rows
    ddlayer M P1 P2 N     pymoo multi-layer: das-dennis P1 and das-dennis P2 scaled by 0.5
"""
import sys

import moocore
import numpy as np
import pymoo
from pymoo.indicators.igd import IGD
from pymoo.indicators.igd_plus import IGDPlus
from pymoo.operators.survival.rank_and_crowding.metrics import calc_crowding_distance
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting
from pymoo.util.ref_dirs import get_reference_directions

out = sys.stdout


def emit(*items):
    out.write(" ".join(repr(float(x)) if isinstance(x, (float, np.floating)) else str(x)
                       for x in items) + "\n")


def pymoo_rank(F):
    fronts = NonDominatedSorting(method="fast_non_dominated_sort").do(F)
    rank = np.empty(len(F), dtype=int)
    for k, front in enumerate(fronts):
        rank[front] = k
    return rank


def point_set(name, F, ref):
    n, m = F.shape
    emit("set", name, m, n)
    for row in F:
        emit("row", *row)
    r_moo = moocore.pareto_rank(F)
    r_pym = pymoo_rank(F)
    assert (r_moo == r_pym).all(), name
    emit("rank_moocore", *r_moo)
    emit("rank_pymoo", *r_pym)
    emit("crowding_pymoo", *calc_crowding_distance(F))
    emit("hv", *ref, moocore.hypervolume(F, ref=ref))


def main():
    rng = np.random.default_rng(20261126)
    emit("#", f"pymoo {pymoo.__version__}, moocore {moocore.__version__}, numpy {np.__version__}")
    for m in range(2, 6):
        # Grid values: many ties and duplicates, several fronts.
        grid = np.round(rng.uniform(0.0, 1.0, size=(60, m)) * 6.0) / 6.0
        point_set(f"grid{m}", grid, np.full(m, 1.1))
        # Near a front: the positive sphere octant pushed outwards by noise, continuous values.
        v = np.abs(rng.normal(size=(80, m))) + 1e-3
        near = v / np.linalg.norm(v, axis=1, keepdims=True) * (1.0 + 0.2 * rng.uniform(size=(80, 1)))
        point_set(f"near{m}", near, np.full(m, 1.3))
        # Uniform in the unit cube.
        cube = rng.uniform(size=(100, m))
        point_set(f"cube{m}", cube, np.full(m, 1.0))
        front = get_reference_directions("das-dennis", m, n_partitions={2: 20, 3: 8, 4: 5, 5: 4}[m])
        front = front / np.linalg.norm(front, axis=1, keepdims=True)
        emit("front", f"sphere{m}", m, len(front))
        for row in front:
            emit("row", *row)
        for name, F in ((f"near{m}", near), (f"cube{m}", cube)):
            a = moocore.igd(F, ref=front)
            b = moocore.igd_plus(F, ref=front)
            assert abs(a - IGD(front)(F)) <= 1e-12 * a, name
            assert abs(b - IGDPlus(front)(F)) <= 1e-12 * b, name
            emit("igd", name, f"sphere{m}", a)
            emit("igdplus", name, f"sphere{m}", b)
    for m, p in ((2, 7), (3, 12), (4, 6), (5, 5), (8, 3)):
        w = get_reference_directions("das-dennis", m, n_partitions=p)
        emit("dd", m, p, len(w))
        for row in w:
            emit("row", *row)
    for m, p1, p2 in ((5, 3, 2), (8, 3, 2), (10, 2, 1)):
        w = get_reference_directions(
            "multi-layer",
            get_reference_directions("das-dennis", m, n_partitions=p1, scaling=1.0),
            get_reference_directions("das-dennis", m, n_partitions=p2, scaling=0.5),
        )
        emit("ddlayer", m, p1, p2, len(w))
        for row in w:
            emit("row", *row)


if __name__ == "__main__":
    main()
