"""PyTorch (float64) reference for the MLP engine: tests/nn_torch.rs reads its outputs.

Rerun from the repository root:  python3 tests/data/nn_torch_reference.py
(torch 2.15 CPU, numpy 2.4). Writes tests/data/nn_ref_*.npy (a few KB).

Network [2, 6 tanh, 5 sin, 1 identity]; 9 points (x, t); nn.Linear default init with
torch.manual_seed(1234). Outputs: genome (parameters_to_vector order), x, u, first derivatives
(u_x, u_t), second derivatives (u_xx, u_xt, u_tt), the Burgers residual loss
L = mean((u_t + u u_x - nu u_xx)^2) at nu = 0.05, its gradient w.r.t. the genome and nu,
and 3 Adam steps (lr 0.01, weight_decay 0.1) and 3 AdamW steps (same) on the genome driven
by fixed gradients.
"""
import os
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(1234)
here = os.path.dirname(os.path.abspath(__file__))
out = lambda name, a: np.save(os.path.join(here, f"nn_ref_{name}.npy"),
                               np.ascontiguousarray(np.asarray(a, dtype=np.float64)))


class Sin(torch.nn.Module):
    def forward(self, z):
        return torch.sin(z)


net = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.Tanh(),
                          torch.nn.Linear(6, 5), Sin(), torch.nn.Linear(5, 1))
genome = torch.nn.utils.parameters_to_vector(net.parameters()).detach().clone()
x = torch.rand(9, 2) * 2 - 1

# Input derivatives, point by point through torch.func.
f = lambda p: net(p.unsqueeze(0))[0, 0]
u = net(x)[:, 0]
grad = torch.vmap(torch.func.grad(f))(x)            # (9, 2)
hess = torch.vmap(torch.func.hessian(f))(x)          # (9, 2, 2)

out("genome", genome.numpy())
out("x", x.numpy())
out("u", u.detach().numpy())
out("du", grad.detach().numpy())
out("d2u", torch.stack([hess[:, 0, 0], hess[:, 0, 1], hess[:, 1, 1]], 1).detach().numpy())

# Burgers residual loss and its gradient w.r.t. the genome and nu.
nu = torch.tensor(0.05, requires_grad=True)
xr = x.clone().requires_grad_(True)
ur = net(xr)[:, 0]
g1 = torch.autograd.grad(ur.sum(), xr, create_graph=True)[0]
ux, ut = g1[:, 0], g1[:, 1]
uxx = torch.autograd.grad(ux.sum(), xr, create_graph=True)[0][:, 0]
r = ut + ur * ux - nu * uxx
loss = (r ** 2).mean()
params = list(net.parameters())
grads = torch.autograd.grad(loss, params + [nu])
out("loss", [loss.item()])
out("grad", torch.cat([g.reshape(-1) for g in grads[:-1]]).numpy())
out("grad_nu", [grads[-1].item()])

# Adam / AdamW on the genome with fixed gradient sequence.
gseq = torch.randn(3, genome.numel())
out("adam_grads", gseq.numpy())
for name, cls in (("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW)):
    p = genome.clone().requires_grad_(True)
    opt = cls([p], lr=0.01, weight_decay=0.1)
    for k in range(3):
        p.grad = gseq[k].clone()
        opt.step()
    out(name, p.detach().numpy())
