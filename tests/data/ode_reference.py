"""Reference data for tests/ode_reference.rs.

Rerun from the repository root:  python3 tests/data/ode_reference.py > tests/data/ode_reference.txt
(Python 3.11, numpy 2.4, scipy 1.17.1, torch 2.15.0 CPU, torchode 1.0.1.)

For Van der Pol (mu per member) and Lotka-Volterra (4 parameters per member) it writes
- a tight solution: scipy solve_ivp DOP853 with rtol = atol = 1e-12 at 21 output times on [0, 10];
- torchode's step counts (Dopri5 + IntegralController, rtol 1e-6, atol 1e-8, float64, the same
  output times, t_start = 0): total trial steps and accepted steps per member.

Line format (whitespace separated):
  param <problem> <member> <p...>
  y0    <problem> <member> <y...>
  ref   <problem> <member> <output index> <t> <y...>
  steps <problem> <member> <trial steps> <accepted steps>
"""
import numpy as np
import torch
import torchode as to
from scipy.integrate import solve_ivp

torch.set_num_threads(2)
T_EVAL = np.linspace(0.0, 10.0, 21)

PROBLEMS = {
    "vdp": {
        "params": [[0.5], [1.0], [2.0], [5.0]],
        "y0": [[2.0, 0.0], [2.0, 0.0], [1.0, -0.5], [2.0, 0.0]],
        "f": lambda t, y, p: np.array([y[1], p[0] * (1 - y[0] ** 2) * y[1] - y[0]]),
        "tf": lambda t, y, p: torch.stack(
            [y[:, 1], p[:, 0] * (1 - y[:, 0] ** 2) * y[:, 1] - y[:, 0]], dim=1
        ),
    },
    "lv": {
        "params": [[1.3, 0.9, 0.8, 1.8], [1.0, 0.5, 0.5, 1.0], [1.5, 1.0, 1.0, 3.0], [0.7, 0.3, 0.4, 0.9]],
        "y0": [[0.44249296, 4.6280594], [1.0, 1.0], [2.0, 1.5], [3.0, 0.5]],
        "f": lambda t, y, p: np.array(
            [p[0] * y[0] - p[1] * y[0] * y[1], p[2] * y[0] * y[1] - p[3] * y[1]]
        ),
        "tf": lambda t, y, p: torch.stack(
            [
                p[:, 0] * y[:, 0] - p[:, 1] * y[:, 0] * y[:, 1],
                p[:, 2] * y[:, 0] * y[:, 1] - p[:, 3] * y[:, 1],
            ],
            dim=1,
        ),
    },
}


def main():
    for name, prob in PROBLEMS.items():
        params, y0s = prob["params"], prob["y0"]
        for m, (p, y0) in enumerate(zip(params, y0s)):
            print("param", name, m, *[repr(float(x)) for x in p])
            print("y0", name, m, *[repr(float(x)) for x in y0])
            sol = solve_ivp(
                prob["f"], (0.0, 10.0), y0, method="DOP853", t_eval=T_EVAL,
                rtol=1e-12, atol=1e-12, args=(p,),
            )
            assert sol.success
            for j, t in enumerate(T_EVAL):
                print("ref", name, m, j, repr(float(t)), *[repr(float(v)) for v in sol.y[:, j]])
        pt = torch.tensor(params, dtype=torch.float64)
        term = to.ODETerm(lambda t, y, args: prob["tf"](t, y, args), with_args=True)
        method = to.Dopri5(term=term)
        ctrl = to.IntegralController(atol=1e-8, rtol=1e-6, term=term)
        solver = to.AutoDiffAdjoint(method, ctrl)
        y0 = torch.tensor(y0s, dtype=torch.float64)
        te = torch.tensor(T_EVAL, dtype=torch.float64).repeat(len(params), 1)
        sol = solver.solve(to.InitialValueProblem(y0=y0, t_eval=te), args=pt)
        for m in range(len(params)):
            print("steps", name, m, int(sol.stats["n_steps"][m]), int(sol.stats["n_accepted"][m]))


if __name__ == "__main__":
    main()
