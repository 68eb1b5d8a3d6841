"""pymoo's side of `reproduce_dtlz`: RVEA, NSGA-III and NSGA-II on DTLZ1-7 (3 objectives,
n_var 7 / 12 / 22), population 105 (Das-Dennis 13 partitions), 100 generations, with the
operators set to ours (SBX eta=20, prob 1.0, per-variable 0.5; PM eta=20, applied to every
individual with per-variable probability 1/n_var).

IGD and normalised HV are computed exactly as reproductions/reproduce_dtlz.rs does: the same
sampled analytic fronts (Das-Dennis 40 partitions for DTLZ1-4, 1000 points on the DTLZ5/6
curve, the non-dominated part of a 32 x 32 grid for DTLZ7); HV of objectives divided by that
front's per-objective maximum, reference point (1, 1, 1).

Writes paper/tables/dtlz_pymoo.csv (summary, with pymoo's version) and
paper/tables/dtlz_pymoo_runs.csv (one row per run).

Rerun:  python3 reproductions/pymoo_dtlz.py [--runs N]     (default 5 runs, the quick mode)
"""
import argparse
import csv
import os

import numpy as np
import pymoo
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.algorithms.moo.nsga3 import NSGA3
from pymoo.algorithms.moo.rvea import RVEA
from pymoo.indicators.hv import HV
from pymoo.indicators.igd import IGD
from pymoo.operators.crossover.sbx import SBX
from pymoo.operators.mutation.pm import PM
from pymoo.optimize import minimize
from pymoo.problems import get_problem
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting
from pymoo.util.ref_dirs import get_reference_directions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N_VAR = {1: 7, 7: 22}


def front(k):
    if k <= 4:
        w = get_reference_directions("das-dennis", 3, n_partitions=40)
        return 0.5 * w if k == 1 else w / np.linalg.norm(w, axis=1)[:, None]
    if k <= 6:
        t = np.linspace(0.0, 1.0, 1000) * np.pi / 2
        c = np.cos(np.pi / 4)
        s = np.sin(np.pi / 4)
        return np.column_stack([np.cos(t) * c, np.cos(t) * s, np.sin(t)])
    axis = np.concatenate([np.linspace(0.0, 0.2514118360889, 16), np.linspace(0.6316265307000, 0.8594008566447, 16)])
    a, b = np.meshgrid(axis, axis, indexing="ij")
    f = np.column_stack([a.ravel(), b.ravel()])
    h = 3 - np.sum(f / 2 * (1 + np.sin(3 * np.pi * f)), axis=1)
    F = np.column_stack([f, 2 * h])
    return F[NonDominatedSorting().do(F, only_non_dominated_front=True)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    refs = get_reference_directions("das-dennis", 3, n_partitions=13)
    summary, runs = [], []
    for k in range(1, 8):
        n_var = N_VAR.get(k, 12)
        prob = get_problem(f"dtlz{k}", n_var=n_var, n_obj=3)
        pf = front(k)
        nadir = pf.max(axis=0)
        igd, hv = IGD(pf), HV(ref_point=np.ones(3))
        for name in ["RVEA", "NSGA-III", "NSGA-II"]:
            vals = []
            for r in range(args.runs):
                ops = dict(crossover=SBX(eta=20, prob=1.0, prob_var=0.5),
                           mutation=PM(eta=20, prob=1.0, prob_var=1.0 / n_var))
                if name == "RVEA":
                    alg = RVEA(ref_dirs=refs, **ops)
                elif name == "NSGA-III":
                    alg = NSGA3(ref_dirs=refs, pop_size=105, **ops)
                else:
                    alg = NSGA2(pop_size=105, **ops)
                res = minimize(prob, alg, ("n_gen", 100), seed=r, verbose=False)
                i, h = float(igd(res.F)), float(hv(res.F / nadir))
                vals.append((i, h))
                runs.append([name, f"DTLZ{k}", r, repr(i), repr(h)])
                print(f"DTLZ{k} {name} run {r}: IGD {i:.4e} HV {h:.4f}", flush=True)
            v = np.array(vals)
            sd = v.std(axis=0, ddof=1) if len(v) > 1 else np.zeros(2)
            summary.append([name, f"DTLZ{k}", f"{v[:, 0].mean():.4e}", f"{sd[0]:.1e}",
                            f"{v[:, 1].mean():.4f}", f"{sd[1]:.4f}", args.runs, 100, pymoo.__version__])
    out = os.path.join(ROOT, "paper", "tables")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "dtlz_pymoo.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["algorithm", "problem", "igd_mean", "igd_std", "hv_mean", "hv_std", "runs", "n_gen", "pymoo_version"])
        w.writerows(summary)
    with open(os.path.join(out, "dtlz_pymoo_runs.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["algorithm", "problem", "seed", "igd", "hv_norm"])
        w.writerows(runs)


if __name__ == "__main__":
    main()
