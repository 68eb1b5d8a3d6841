#!/usr/bin/env python3
"""Correctly rounded reference values for tests/math_oracle.rs, computed with mpmath at 256 bits.

Rerun from the repository root (needs mpmath and numpy; deterministic, fixed seed):
    python3 tests/data/math_oracle.py > tests/data/math_oracle.csv

Each line: function,x bits,y bits,expected bits (hexadecimal IEEE 754 patterns; f64 functions
use 16 hex digits, f32 functions 8; y is 0 for one-argument functions). Arguments are drawn
uniformly from each function's main range plus a few log-uniform ones; results that would be
subnormal are skipped so that the conversion from mpmath is a single rounding.
"""
import random
import struct

import mpmath as mp
import numpy as np

mp.mp.prec = 256
R = random.Random(20261126)
PER_FUNCTION = 250


def b64(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def b32(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def round64(v):
    return float(v)  # mpmath rounds to nearest even


def round32(v):
    """Nearest f32 to the exact value v (no double rounding through f64)."""
    d = np.float32(float(v))
    cands = [np.nextafter(d, np.float32(-np.inf)), d, np.nextafter(d, np.float32(np.inf))]
    best = min(cands, key=lambda t: (abs(mp.mpf(float(t)) - v), b32(float(t)) & 1))
    return float(best)


def f32(x):
    return float(np.float32(x))


FUNCS = {
    "exp": (mp.exp, lambda: R.uniform(-700.0, 700.0) if R.random() < 0.7 else R.uniform(-1, 1)),
    "ln": (mp.log, lambda: 10 ** R.uniform(-300, 300) if R.random() < 0.5 else R.uniform(0.5, 2)),
    "tanh": (mp.tanh, lambda: R.uniform(-1, 1) if R.random() < 0.7 else R.uniform(-20, 20)),
    "sin": (mp.sin, lambda: R.uniform(-10, 10) if R.random() < 0.7 else R.uniform(-1e6, 1e6)),
    "cos": (mp.cos, lambda: R.uniform(-10, 10) if R.random() < 0.7 else R.uniform(-1e6, 1e6)),
}
FUNCS32 = {
    "exp": (mp.exp, lambda: R.uniform(-87.0, 88.0)),
    "ln": (mp.log, lambda: 10 ** R.uniform(-37, 38) if R.random() < 0.5 else R.uniform(0.5, 2)),
    "tanh": (mp.tanh, lambda: R.uniform(-1, 1) if R.random() < 0.7 else R.uniform(-9, 9)),
    "sin": (mp.sin, lambda: R.uniform(-10, 10) if R.random() < 0.7 else R.uniform(-1e6, 1e6)),
    "cos": (mp.cos, lambda: R.uniform(-10, 10) if R.random() < 0.7 else R.uniform(-1e6, 1e6)),
}


def main():
    out = []
    for name, (f, draw) in FUNCS.items():
        n = 0
        while n < PER_FUNCTION:
            x = draw()
            v = f(mp.mpf(x))
            if v != 0 and abs(v) < mp.mpf(2) ** -1022:
                continue
            out.append(f"{name}_f64,{b64(x):016x},{0:016x},{b64(round64(v)):016x}")
            n += 1
    for name, (f, draw) in FUNCS32.items():
        n = 0
        while n < PER_FUNCTION:
            x = f32(draw())
            v = f(mp.mpf(x))
            if v != 0 and abs(v) < mp.mpf(2) ** -126:
                continue
            out.append(f"{name}_f32,{b32(x):08x},{0:08x},{b32(round32(v)):08x}")
            n += 1
    n = 0
    while n < PER_FUNCTION:
        x = 10 ** R.uniform(-5, 5)
        y = R.uniform(-60, 60)
        v = mp.power(mp.mpf(x), mp.mpf(y))
        if abs(v) < mp.mpf(2) ** -1022 or abs(v) > mp.mpf(2) ** 1023:
            continue
        out.append(f"pow_f64,{b64(x):016x},{b64(y):016x},{b64(round64(v)):016x}")
        n += 1
    n = 0
    while n < PER_FUNCTION:
        x, y = f32(10 ** R.uniform(-3, 3)), f32(R.uniform(-12, 12))
        v = mp.power(mp.mpf(x), mp.mpf(y))
        if abs(v) < mp.mpf(2) ** -126 or abs(v) > mp.mpf(2) ** 127:
            continue
        out.append(f"pow_f32,{b32(x):08x},{b32(y):08x},{b32(round32(v)):08x}")
        n += 1
    print("\n".join(out))


if __name__ == "__main__":
    main()
