"""PyTorch peer of benches/pinn_training.rs: the same work on CPU, float32, 2 threads.

Burgers PINN [2, 8x20 tanh, 1]; 10^4 collocation points (residual u_t + u u_x - nu u_xx with
nu = 0.02/pi via autograd jets), 100 initial/boundary points and 10^4 observations (MSE).
  adam_epoch        one network: the three losses, backward, one Adam step; steady state:
                    each repeat warms up 3 steps, then times 20 and reports the mean step
                    (a single step from a fresh network spread 25-95 ms here, against 25-35 ms
                    in steady state, which is what our bench's two-minus-one-epoch figure is)
  nsga_generation   20 fresh networks (one batched baddbmm per layer), 5 such Adam steps each
                    (selection costs nothing next to this and is left out: a lower bound)
Run from the repository root:  python3 benches/peers/torch_pinn_peer.py [--repeats 5]
"""
import argparse, json, math, statistics, time
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--repeats", type=int, default=5)
args = ap.parse_args()
torch.set_num_threads(2)
torch.manual_seed(0)
NU = 0.02 / math.pi
widths = [2] + [20] * 8 + [1]


def make(P):
    ps = []
    for i, o in zip(widths[:-1], widths[1:]):
        a = (6.0 / (i + o)) ** 0.5
        ps.append(((torch.rand(P, o, i) * 2 - 1) * a).requires_grad_(True))
        ps.append(torch.zeros(P, 1, o).requires_grad_(True))
    return ps


def net(ps, inp):
    h = inp
    n = len(ps) // 2
    for l in range(n):
        h = torch.baddbmm(ps[2 * l + 1], h, ps[2 * l].transpose(1, 2))
        if l < n - 1:
            h = torch.tanh(h)
    return h[..., 0]


xc = torch.rand(10_000, 2) * torch.tensor([2.0, 1.0]) - torch.tensor([1.0, 0.0])
xb = torch.rand(100, 2)
ub = torch.rand(100)
xo = torch.rand(10_000, 2)
uo = torch.rand(10_000)


def losses(ps, P):
    xi = xc.expand(P, -1, 2).clone().requires_grad_(True)
    u = net(ps, xi)
    g = torch.autograd.grad(u.sum(), xi, create_graph=True)[0]
    ux, ut = g[..., 0], g[..., 1]
    uxx = torch.autograd.grad(ux.sum(), xi, create_graph=True)[0][..., 0]
    r = ((ut + u * ux - NU * uxx) ** 2).mean(dim=1)
    b = ((net(ps, xb.expand(P, -1, 2)) - ub) ** 2).mean(dim=1)
    d = ((net(ps, xo.expand(P, -1, 2)) - uo) ** 2).mean(dim=1)
    return (r + b + d).sum()


def step(ps, opt, P):
    opt.zero_grad()
    losses(ps, P).backward()
    opt.step()


def run(P, steps, warm, per_step):
    """Seconds for `steps` Adam steps (per step when `per_step`) after `warm` untimed ones."""
    ps = make(P)
    opt = torch.optim.Adam(ps, lr=1e-3)
    for _ in range(warm):
        step(ps, opt, P)
    t0 = time.perf_counter()
    for _ in range(steps):
        step(ps, opt, P)
    t = time.perf_counter() - t0
    return t / steps if per_step else t


res = {"torch": torch.__version__, "threads": torch.get_num_threads()}
work = {"adam_epoch": (1, 20, 3, True), "nsga_generation": (20, 5, 0, False)}
for name, (P, steps, warm, per_step) in work.items():
    ts = [run(P, steps, warm, per_step) for _ in range(args.repeats)]
    res[name] = statistics.median(ts)
    print(f"{name}: median {res[name]:.4f} s ({', '.join(f'{t:.4f}' for t in ts)})", flush=True)
print(json.dumps(res))
