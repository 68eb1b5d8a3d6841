"""Coefficients of `src/math/exp.rs` TANH_C32 (and `kernels/common/math.cuh` PM_TANH_C32).

A Remez exchange for the minimax polynomial of degree 4 under relative error of
p(r) = (e^r - 1 - r) / r^2 on |r| <= 0.3466 * 1.0005 (tanh's reduced argument, |r| <= ln2/2,
with a margin), in mpmath at 40 digits; the coefficients are rounded to the nearest f32.
Prints them highest first as f32 bit patterns, and the minimax error before rounding
(about 1.2e-7). Degree 5 (`--degree 5`) gives 2.7e-9.

Also prints the f32 arguments x in [2^-12, 10] where rounding 2x*log2(e) to f32 and then to an
integer gives another n than rounding the exact product once (the list in
`tests/cuda_common/math_inputs.rs`).

    python3 tests/data/tanh_f32_minimax.py [--degree 4]
"""
import argparse

import mpmath as mp
import numpy as np

mp.mp.dps = 40
A = mp.mpf(0.3466) * mp.mpf(1.0005)


def p(r):
    if abs(r) < mp.mpf("1e-20"):
        return mp.mpf(0.5)
    return (mp.e**r - 1 - r) / r**2


def remez(deg, iters=30, grid_n=4000):
    n = deg + 2
    xs = [A * mp.cos(mp.pi * (n - 1 - i) / (n - 1)) for i in range(n)]
    c, worst = None, None
    for _ in range(iters):
        m, b = mp.matrix(n, n), mp.matrix(n, 1)
        for i, x in enumerate(xs):
            for k in range(deg + 1):
                m[i, k] = x**k
            m[i, deg + 1] = (-1) ** i * p(x)
            b[i] = p(x)
        sol = mp.lu_solve(m, b)
        c = [sol[k] for k in range(deg + 1)]
        grid = [A * (2 * mp.mpf(j) / grid_n - 1) for j in range(grid_n + 1)]
        e = [(sum(c[k] * x**k for k in range(deg + 1)) - p(x)) / p(x) for x in grid]
        worst = max(abs(v) for v in e)
        ext = [0] + [j for j in range(1, grid_n) if (e[j] - e[j - 1]) * (e[j + 1] - e[j]) <= 0]
        ext.append(grid_n)
        alt = []
        for j in ext:
            if alt and mp.sign(e[j]) == mp.sign(e[alt[-1]]):
                if abs(e[j]) > abs(e[alt[-1]]):
                    alt[-1] = j
            else:
                alt.append(j)
        while len(alt) > n:
            alt.pop(0 if abs(e[alt[0]]) < abs(e[alt[-1]]) else -1)
        if len(alt) < n:
            break
        xs = [grid[j] for j in alt]
    return c, worst


def half_integer_products():
    log2e = np.float32(np.log2(np.e))
    lo = int(np.float32(2.0**-12).view(np.uint32))
    hi = int(np.float32(10.0).view(np.uint32))
    out = []
    for b0 in range(lo, hi + 1, 1 << 24):
        b = np.arange(b0, min(b0 + (1 << 24), hi + 1), dtype=np.uint32)
        x = b.view(np.float32)
        u = x + x
        twice = np.rint((u * log2e).astype(np.float32))
        once = np.rint(u.astype(np.float64) * np.float64(log2e))
        out.extend(int(v) for v in b[twice != once])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--degree", type=int, default=4)
    deg = ap.parse_args().degree
    c, worst = remez(deg)
    bits = [hex(np.float32(float(v)).view(np.uint32)) for v in reversed(c)]
    print(f"degree {deg}: max relative error {mp.nstr(worst, 5)}; f32 coefficients, highest first:")
    print("  " + ", ".join(bits))
    crossings = half_integer_products()
    print(f"{len(crossings)} arguments where rne(f32(2x log2e)) differs from one rounding:")
    print("  " + ", ".join(hex(v) for v in crossings))


if __name__ == "__main__":
    main()
