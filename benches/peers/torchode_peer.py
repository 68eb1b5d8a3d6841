"""torchode peer for benches/ode_batched.rs: the same problems, per-member parameters and
settings (Dopri5 + IntegralController, rtol 1e-6, atol 1e-8, 50 output times on [0, 10]),
torch threads = 2 by default (--threads), CPU, no torch.compile / JIT. With --device cuda the
same solves run on the GPU (timed after torch.cuda.synchronize), the peer of benches/cuda_nn.rs.
Problem `lv` is that bench's workload: Lotka-Volterra members with parameters and initial
values scattered +-50 % around the NSGA-NODE ones, 31 outputs on [0, 3], rtol 1e-6, atol 1e-8.

On a machine shared by other jobs, two torch threads can spin against each other (a
64-member hybrid RHS took 19 ms with 2 threads vs 0.33 ms with 1 under a load of 10 on 2
cores), so report the thread count with every figure.

Run:  python3 benches/peers/torchode_peer.py [--threads 2] [--repeats 5] [--sizes 64,1024,8192] [--dtypes f64,f32]
      python3 benches/peers/torchode_peer.py --device cuda --problems lv --dtypes f64 --sizes 1000,10000,100000
Prints one line per (problem, dtype, members): median seconds per solve and mean trial steps.
"""
import argparse
import math
import statistics
import time

import torch
import torchode as to

HIDDEN = 16
N_MLP = HIDDEN * 2 + HIDDEN + HIDDEN * HIDDEN + HIDDEN + 2 * HIDDEN + 2


def lv_scatter(members):
    # Same distribution as benches/cuda_nn.rs lv_members (a different generator, so other draws).
    g = torch.Generator().manual_seed(1)
    u = 1.0 + 0.5 * (2.0 * torch.rand(members, 6, generator=g, dtype=torch.float64) - 1.0)
    y0 = torch.tensor([0.44249296, 4.6280594], dtype=torch.float64) * u[:, :2]
    p = torch.tensor([1.3, 0.9, 0.8, 1.8], dtype=torch.float64) * u[:, 2:]
    return y0, p


def params(problem, m, members):
    f = m / (max(members, 2) - 1)
    w, z = 1.0 + f, 0.05 + 0.2 * (m % 7) / 7.0
    if problem == "vdp":
        return [0.5 + 4.5 * f]
    if problem == "damped":
        return [w, z]
    return [w, z] + [0.2 * math.sin(0.37 * k + 1.3 * m + 0.5) for k in range(N_MLP)]


def rhs(problem):
    def vdp(t, y, p):
        x, v = y[:, 0], y[:, 1]
        return torch.stack([v, p[:, 0] * (1 - x * x) * v - x], dim=1)

    def damped(t, y, p):
        x, v = y[:, 0], y[:, 1]
        w, z = p[:, 0], p[:, 1]
        return torch.stack([v, -w * w * x - 2 * z * w * v], dim=1)

    def hybrid(t, y, p):
        g = p[:, 2:]
        n = p.shape[0]
        o = 0
        w1 = g[:, o:o + 2 * HIDDEN].reshape(n, HIDDEN, 2); o += 2 * HIDDEN
        b1 = g[:, o:o + HIDDEN]; o += HIDDEN
        w2 = g[:, o:o + HIDDEN * HIDDEN].reshape(n, HIDDEN, HIDDEN); o += HIDDEN * HIDDEN
        b2 = g[:, o:o + HIDDEN]; o += HIDDEN
        w3 = g[:, o:o + 2 * HIDDEN].reshape(n, 2, HIDDEN); o += 2 * HIDDEN
        b3 = g[:, o:o + 2]
        h = torch.tanh(torch.einsum("noi,ni->no", w1, y) + b1)
        h = torch.tanh(torch.einsum("noi,ni->no", w2, h) + b2)
        nn = torch.einsum("noi,ni->no", w3, h) + b3
        return damped(t, y, p) + nn

    def lv(t, y, p):
        x, z = y[:, 0], y[:, 1]
        return torch.stack([p[:, 0] * x - p[:, 1] * x * z, p[:, 2] * x * z - p[:, 3] * z], dim=1)

    return {"vdp": vdp, "damped": damped, "hybrid": hybrid, "lv": lv}[problem]


def run(problem, members, dtype, repeats, device="cpu"):
    if problem == "lv":
        y0, p = (v.to(dtype=dtype, device=device) for v in lv_scatter(members))
        t_eval = torch.linspace(0.0, 3.0, 31, dtype=dtype, device=device).repeat(members, 1)
    else:
        p = torch.tensor([params(problem, m, members) for m in range(members)], dtype=dtype, device=device)
        y0v = [2.0, 0.0] if problem == "vdp" else [1.0, 0.0]
        y0 = torch.tensor([y0v] * members, dtype=dtype, device=device)
        t_eval = torch.linspace(0.0, 10.0, 50, dtype=dtype, device=device).repeat(members, 1)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    term = to.ODETerm(rhs(problem), with_args=True)
    solver = to.AutoDiffAdjoint(to.Dopri5(term=term), to.IntegralController(atol=1e-8, rtol=1e-6, term=term))
    ivp = to.InitialValueProblem(y0=y0, t_eval=t_eval)
    with torch.no_grad():
        sol = solver.solve(ivp, args=p)  # warm-up
        times = []
        for _ in range(repeats):
            sync()
            t = time.perf_counter()
            sol = solver.solve(ivp, args=p)
            sync()
            times.append(time.perf_counter() - t)
    steps = sol.stats["n_steps"].double().mean().item()
    ok = int((sol.status == 0).sum())
    return statistics.median(times), steps, ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sizes", default="64,1024,8192")
    ap.add_argument("--dtypes", default="f64,f32")
    ap.add_argument("--problems", default="hybrid,vdp,damped")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for problem in a.problems.split(","):
        for dt in a.dtypes.split(","):
            dtype = torch.float64 if dt == "f64" else torch.float32
            for members in map(int, a.sizes.split(",")):
                med, steps, ok = run(problem, members, dtype, a.repeats, a.device)
                print(f"torchode {a.device} threads={a.threads} {problem} {dt} {members}: median {med * 1e3:.1f} ms, "
                      f"mean trial steps {steps:.1f}, success {ok}/{members}", flush=True)


if __name__ == "__main__":
    main()
