"""PyTorch peer of benches/nn_population.rs (groups cpu_forward, cpu_residual_grad).

P networks of the Burgers PINN shape [2, 8x20 tanh, 1], float32, N = 10^4 points (x, t),
torch.set_num_threads(2). The population is evaluated as batched matrix products (one
torch.baddbmm per layer over all members), which is the fastest plain-PyTorch form; input
derivatives u_x, u_t, u_xx by autograd with create_graph=True.

Timed operations (median of --repeats runs, seconds):
  forward             u for all members
  residual            Burgers residual r = u_t + u u_x - nu u_xx (autograd jets), loss = mean r^2
  residual_grad       residual + backward to the weights and nu   (what our cpu_residual_grad does)
  residual_grad_adam  residual + backward + one Adam step

With --device cuda everything lives on the GPU (the peer of benches/cuda_nn.rs); each op runs
once untimed first and is timed between torch.cuda.synchronize calls. An op that runs out of
device memory is reported as such instead of timed.

Run from the repository root:  python3 benches/peers/torch_peer.py [--p 100] [--repeats 3] [--device cuda]
"""
import argparse
import json
import statistics
import time

import torch

ap = argparse.ArgumentParser()
ap.add_argument("--p", type=int, default=100)
ap.add_argument("--n", type=int, default=10_000)
ap.add_argument("--repeats", type=int, default=3)
ap.add_argument("--ops", default="forward,residual,residual_grad,residual_grad_adam")
ap.add_argument("--device", default="cpu", help="cpu or cuda")
args = ap.parse_args()
dev = torch.device(args.device)

torch.set_num_threads(2)
torch.manual_seed(0)
P, N = args.p, args.n
widths = [2] + [20] * 8 + [1]
params = []
for i, o in zip(widths[:-1], widths[1:]):
    a = 1.0 / i ** 0.5
    params.append((torch.rand(P, o, i) * 2 - 1) * a)  # W: (P, out, in)
    params.append((torch.rand(P, 1, o) * 2 - 1) * a)  # b: (P, 1, out)
params = [p.to(dev).requires_grad_(True) for p in params]
nu = torch.full((P, 1), 0.01, device=dev, requires_grad=True)
x = (torch.rand(N, 2) * torch.tensor([2.0, 1.0]) - torch.tensor([1.0, 0.0])).to(dev)
sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)


def net(inp):
    h = inp
    n_layers = len(params) // 2
    for l in range(n_layers):
        w, b = params[2 * l], params[2 * l + 1]
        h = torch.baddbmm(b, h, w.transpose(1, 2))
        if l < n_layers - 1:
            h = torch.tanh(h)
    return h[..., 0]  # (P, N)


def forward():
    with torch.no_grad():
        return net(x.expand(P, N, 2))


def residual():
    xi = x.expand(P, N, 2).clone().requires_grad_(True)
    u = net(xi)
    g = torch.autograd.grad(u.sum(), xi, create_graph=True)[0]
    ux, ut = g[..., 0], g[..., 1]
    uxx = torch.autograd.grad(ux.sum(), xi, create_graph=True)[0][..., 0]
    r = ut + u * ux - nu * uxx
    return (r ** 2).mean(dim=1).sum()


def residual_grad():
    loss = residual()
    return torch.autograd.grad(loss, params + [nu])


opt = torch.optim.Adam(params + [nu], lr=1e-3)


def residual_grad_adam():
    opt.zero_grad()
    loss = residual()
    loss.backward()
    opt.step()


ops = {"forward": forward, "residual": residual, "residual_grad": residual_grad,
       "residual_grad_adam": residual_grad_adam}
result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "P": P, "N": N,
          "device": torch.cuda.get_device_name() if dev.type == "cuda" else "cpu"}
for name in args.ops.split(","):
    f = ops[name]
    times = []
    try:
        if dev.type == "cuda":
            f()  # warm-up: kernel selection and the caching allocator stay out of the timings
        for _ in range(args.repeats):
            sync()
            t0 = time.perf_counter()
            f()
            sync()
            times.append(time.perf_counter() - t0)
    except torch.cuda.OutOfMemoryError:
        result[name] = "out of device memory"
        print(f"{name}: out of device memory at P = {P}", flush=True)
        torch.cuda.empty_cache()
        continue
    result[name] = statistics.median(times)
    print(f"{name}: median {result[name]:.3f} s over {args.repeats} ({', '.join(f'{t:.3f}' for t in times)})",
          flush=True)
print(json.dumps(result))
