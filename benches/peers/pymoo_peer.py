"""pymoo 0.6.2 peer of benches/moo_generation.rs: median wall time of one generation
(`algorithm.next()`: mating, variation, evaluation, survival) of
  - NSGA-II on ZDT1 (pop 100, n_var 30), 200 timed generations;
  - RVEA on DTLZ1 (3 objectives, n_var 100) at populations given by Das-Dennis partitions
    (28, 105, 1035, 8128 directions), fewer timed generations at the large sizes.
Operators as ours: SBX eta=20 prob 1.0 per-variable 0.5; PM eta=20, per-variable 1/n_var.

Rerun:  python3 benches/peers/pymoo_peer.py [--skip-large]
        python3 benches/peers/pymoo_peer.py --rvea-partitions 180   # RVEA alone, 16471
            directions (population 2^14 of reproduce_scaling), one warm-up and one timed
            generation (minutes each, about 10 GB of memory)
"""
import sys
import time

import numpy as np
import pymoo
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.algorithms.moo.rvea import RVEA
from pymoo.operators.crossover.sbx import SBX
from pymoo.operators.mutation.pm import PM
from pymoo.problems import get_problem
from pymoo.util.ref_dirs import get_reference_directions


def ops(n_var):
    return dict(crossover=SBX(eta=20, prob=1.0, prob_var=0.5), mutation=PM(eta=20, prob=1.0, prob_var=1.0 / n_var))


def time_generations(algorithm, problem, warm, timed):
    algorithm.setup(problem, termination=("n_gen", warm + timed + 10), seed=1, verbose=False)
    for _ in range(warm):
        algorithm.next()
    times = []
    for _ in range(timed):
        t = time.perf_counter()
        algorithm.next()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def main():
    print(f"pymoo {pymoo.__version__}")
    if "--rvea-partitions" in sys.argv:
        p = int(sys.argv[sys.argv.index("--rvea-partitions") + 1])
        dtlz1 = get_problem("dtlz1", n_var=100, n_obj=3)
        refs = get_reference_directions("das-dennis", 3, n_partitions=p)
        t = time_generations(RVEA(ref_dirs=refs, **ops(100)), dtlz1, 1, 1)
        print(f"pymoo_rvea_generation dtlz1 pop {len(refs)}: median {t * 1e3:.3f} ms", flush=True)
        return
    zdt1 = get_problem("zdt1", n_var=30)
    t = time_generations(NSGA2(pop_size=100, **ops(30)), zdt1, 3, 200)
    print(f"pymoo_nsga2_generation zdt1 pop 100: median {t * 1e3:.3f} ms")
    dtlz1 = get_problem("dtlz1", n_var=100, n_obj=3)
    sizes = [(6, 20), (13, 20), (44, 5), (126, 2)]
    if "--skip-large" in sys.argv:
        sizes = sizes[:3]
    for p, timed in sizes:
        refs = get_reference_directions("das-dennis", 3, n_partitions=p)
        t = time_generations(RVEA(ref_dirs=refs, **ops(100)), dtlz1, 2, timed)
        print(f"pymoo_rvea_generation dtlz1 pop {len(refs)}: median {t * 1e3:.3f} ms", flush=True)


if __name__ == "__main__":
    main()
