"""Oracle data for tests/moo_problems.rs and tests/moo_algorithms.rs (pymoo 0.6.2).

Writes, next to this script:
  moo_problems_oracle.csv  problem,n_var,n_obj,x_0..x_{n_var-1},f_0..f_{n_obj-1} (x rows drawn
                           uniformly in the bounds, seed 12345; 8 rows per problem)
  moo_pymoo_igd.csv        algorithm,problem,seed,igd: pymoo's IGD on the budgets of the
                           ignored statistical tests (same operators as ours: SBX eta=20,
                           prob 1.0, per-variable 0.5; PM eta=20, prob 1/n_var)

Rerun:  python3 tests/data/moo_problems_oracle.py           (problems, seconds)
        python3 tests/data/moo_problems_oracle.py --igd     (also the IGD runs, minutes)
"""
import csv
import os
import sys

import numpy as np
import pymoo
from pymoo.problems import get_problem

HERE = os.path.dirname(os.path.abspath(__file__))

PROBLEMS = [
    ("zdt1", 30, 2), ("zdt2", 30, 2), ("zdt3", 30, 2), ("zdt4", 10, 2), ("zdt6", 10, 2),
    ("dtlz1", 7, 3), ("dtlz2", 12, 3), ("dtlz3", 12, 3), ("dtlz4", 12, 3),
    ("dtlz5", 12, 3), ("dtlz6", 12, 3), ("dtlz7", 22, 3),
    ("dtlz2", 8, 4), ("dtlz7", 8, 4),
]


def problem(name, n_var, n_obj):
    if name.startswith("zdt"):
        return get_problem(name, n_var=n_var)
    return get_problem(name, n_var=n_var, n_obj=n_obj)


def write_problems():
    rng = np.random.default_rng(12345)
    path = os.path.join(HERE, "moo_problems_oracle.csv")
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["problem", "n_var", "n_obj", "values"])
        for name, n_var, n_obj in PROBLEMS:
            p = problem(name, n_var, n_obj)
            x = p.xl + rng.random((8, n_var)) * (p.xu - p.xl)
            # Two rows on the front (distance variables at their optimum) exercise g = 0.
            if name.startswith("dtlz") and name != "dtlz7":
                x[0, n_obj - 1:] = 0.5
            f = p.evaluate(x)
            for xi, fi in zip(x, f):
                w.writerow([name, n_var, n_obj, " ".join(repr(float(v)) for v in list(xi) + list(fi))])
    print("wrote", path, "pymoo", pymoo.__version__)


def igd_runs():
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.algorithms.moo.nsga3 import NSGA3
    from pymoo.algorithms.moo.rvea import RVEA
    from pymoo.indicators.igd import IGD
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.optimize import minimize
    from pymoo.util.ref_dirs import get_reference_directions

    # Budgets of the ignored tests in tests/moo_algorithms.rs (keep in sync).
    cases = [("nsga2", "zdt1", 30, 2, 100, 100), ("nsga3", "dtlz1", 7, 3, 92, 200),
             ("nsga3", "dtlz2", 12, 3, 92, 150), ("rvea", "dtlz1", 7, 3, 105, 200),
             ("rvea", "dtlz2", 12, 3, 105, 150), ("nsga2", "dtlz2", 12, 3, 100, 150)]
    path = os.path.join(HERE, "moo_pymoo_igd.csv")
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["algorithm", "problem", "seed", "igd"])
        for alg, name, n_var, n_obj, pop, n_gen in cases:
            p = problem(name, n_var, n_obj)
            if n_obj == 2:
                front = p.pareto_front(n_pareto_points=1000)
            else:
                front = p.pareto_front(get_reference_directions("das-dennis", 3, n_partitions=40))
            # PM: `prob` is per individual in pymoo 0.6, `prob_var` per variable.
            ops = dict(crossover=SBX(eta=20, prob=1.0, prob_var=0.5), mutation=PM(eta=20, prob=1.0, prob_var=1.0 / n_var))
            for seed in range(10):
                if alg == "nsga2":
                    a = NSGA2(pop_size=pop, **ops)
                elif alg == "nsga3":
                    a = NSGA3(ref_dirs=get_reference_directions("das-dennis", 3, n_partitions=12), pop_size=pop, **ops)
                else:
                    a = RVEA(ref_dirs=get_reference_directions("das-dennis", 3, n_partitions=13), **ops)
                res = minimize(p, a, ("n_gen", n_gen), seed=seed, verbose=False)
                w.writerow([alg, name, seed, repr(float(IGD(front)(res.F)))])
                fh.flush()
    print("wrote", path)


if __name__ == "__main__":
    write_problems()
    if "--igd" in sys.argv:
        igd_runs()
