"""torchode + torch.func peer for benches/nsga_node.rs: one NSGA-NODE generation on the
Lotka-Volterra example, population 100, network 2 -> 5 -> 5 -> 5 -> 2 (tanh, additive form
f = [1.3 x, -1.8 y] + NN(x, y)), S = 10 Adam steps (lr 0.01) on every member's loss
D + 1e-4 P through the solver, then the objectives (D, P) of the trained members.

Same settings as ours: 31 samples at t = 0, 0.1, ..., 3 (5 % noise, numpy draws: the data
differ in the noise bits only, which does not change the work), dopri5 + integral controller,
rtol 1e-6, atol 1e-8, per-member step control (torchode), gradients by back-propagation
through the solver steps (AutoDiffAdjoint, discretise-then-optimise, as ours; torchode's
default also back-propagates through step-size control, which we switch off to match ours).
The per-member networks run through torch.func: vmap(functional_call) over stacked
per-member parameters. Ours also times NSGA-II variation and survival (a small fraction of a
generation); the peer leaves them out, which can only favour the peer.

CPU only, no torch.compile. On a machine shared with other jobs two torch threads can spin
against each other; the default is --threads 1, report the thread count with every figure.

Run:  python3 benches/peers/torchode_nsga_node_peer.py [--threads 1] [--repeats 3] [--steps 10]
Prints the median seconds per generation, per loss-gradient call and per objective call.
"""
import argparse
import statistics
import time

import numpy as np
import torch
import torchode as to
from torch.func import functional_call, stack_module_state, vmap

POP = 100
ALPHA, BETA, GAMMA, DELTA = 1.3, 0.9, 0.8, 1.8
Y0 = [0.44249296, 4.6280594]


def data(dtype):
    from scipy.integrate import solve_ivp

    t = np.linspace(0.0, 3.0, 31)
    f = lambda _, u: [ALPHA * u[0] - BETA * u[0] * u[1], GAMMA * u[0] * u[1] - DELTA * u[1]]
    y = solve_ivp(f, (0, 3), Y0, t_eval=t, rtol=1e-10, atol=1e-12).y.T
    rng = np.random.default_rng(0)
    y_obs = y + 0.05 * y.mean(axis=0) * rng.standard_normal(y.shape)
    return torch.tensor(t, dtype=dtype), torch.tensor(y_obs, dtype=dtype)


def make_nets(dtype):
    torch.manual_seed(0)
    nets = [
        torch.nn.Sequential(
            torch.nn.Linear(2, 5), torch.nn.Tanh(),
            torch.nn.Linear(5, 5), torch.nn.Tanh(),
            torch.nn.Linear(5, 5), torch.nn.Tanh(),
            torch.nn.Linear(5, 2),
        ).to(dtype)
        for _ in range(POP)
    ]
    params, buffers = stack_module_state(nets)
    base = nets[0].to("meta")
    return base, params, buffers


def solver_for(base, buffers):
    def nn(p, y):
        return vmap(lambda pi, yi: functional_call(base, (pi, buffers), (yi,)))(p, y)

    def f(t, y, p):
        phys = torch.stack([ALPHA * y[:, 0], -DELTA * y[:, 1]], dim=1)
        return phys + nn(p, y)

    term = to.ODETerm(f, with_args=True)
    ctrl = to.IntegralController(atol=1e-8, rtol=1e-6, term=term)
    solver = to.AutoDiffAdjoint(to.Dopri5(term=term), ctrl, backprop_through_step_size_control=False)
    return solver, nn


def objectives(solver, nn, params, t, y_obs, dtype):
    y0 = torch.tensor([Y0] * POP, dtype=dtype)
    ivp = to.InitialValueProblem(y0=y0, t_eval=t.repeat(POP, 1))
    sol = solver.solve(ivp, args=params)
    ys = sol.ys  # POP x 31 x 2
    d = ((ys - y_obs) ** 2).mean(dim=(1, 2))
    c = nn({k: v.unsqueeze(1).expand(-1, ys.shape[1], *v.shape[1:]).reshape(-1, *v.shape[1:])
            for k, v in params.items()}, ys.reshape(-1, 2)).reshape(POP, -1, 2)
    p = (c ** 2).sum(dim=2).mean(dim=1)
    return d, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dtype = torch.float64
    t, y_obs = data(dtype)
    base, params, buffers = make_nets(dtype)
    solver, nn = solver_for(base, buffers)

    def generation():
        ps = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
        opt = torch.optim.Adam(ps.values(), lr=0.01)
        for _ in range(a.steps):
            opt.zero_grad()
            d, p = objectives(solver, nn, ps, t, y_obs, dtype)
            # Members are independent: the gradient of the sum is each member's gradient.
            (d + 1e-4 * p).sum().backward()
            opt.step()
        with torch.no_grad():
            return objectives(solver, nn, ps, t, y_obs, dtype)

    def grad_call():
        ps = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
        d, p = objectives(solver, nn, ps, t, y_obs, dtype)
        (d + 1e-4 * p).sum().backward()

    def obj_call():
        with torch.no_grad():
            objectives(solver, nn, params, t, y_obs, dtype)

    for name, fn in [("generation_pop100_s%d" % a.steps, generation), ("loss_gradient_pop100", grad_call),
                     ("objectives_pop100", obj_call)]:
        fn()  # warm-up
        times = []
        for _ in range(a.repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        print(f"torchode+torch.func threads={a.threads} {name}: median {statistics.median(times) * 1e3:.1f} ms "
              f"({a.repeats} repeats)", flush=True)


if __name__ == "__main__":
    main()
