#!/usr/bin/env python3
"""Generate the committed PTX in kernels/ from the CUDA C sources beside this script.

The committed *.ptx files are what the crate embeds (include_str!) and what runs; this script
only regenerates them after a *.cu edit. It needs no CUDA toolkit: NVRTC comes from the PyPI
wheel `nvidia-cuda-nvrtc-cu12` (pip install nvidia-cuda-nvrtc-cu12==12.9.*), loaded with ctypes.

    python3 kernels/generate_ptx.py            # regenerate every kernels/*.cu
    python3 kernels/generate_ptx.py --check    # fail if a committed .ptx differs from a fresh one

Exit status 3 means libnvrtc was not found, or (with --check) the committed PTX was made by
another NVRTC version, whose text would differ anyway; tests/cuda_ptx.rs reports "skipped".

Flags (DESIGN section 4, "GPU"): -arch=compute_90 (Hopper; the PTX also JIT-compiles for
later GPUs), -fmad=false (no contraction of a*b+c into fma: every fma in the PTX is one the
source asked for with __fma_rn), -prec-div=true -prec-sqrt=true -ftz=false (IEEE division,
square root and subnormals, as on the CPU). The script then checks that the PTX declares
`.version` <= 8.8 (driver compatibility) and `.target sm_90`, and that no `.approx`
instruction slipped in.
"""
import ctypes
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FLAGS = [
    b"-arch=compute_90",
    b"-fmad=false",
    b"-prec-div=true",
    b"-prec-sqrt=true",
    b"-ftz=false",
    b"-std=c++17",
]
MAX_VERSION = (8, 8)


def find_nvrtc():
    """The libnvrtc of the nvidia-cuda-nvrtc-cu12 wheel (or $NVRTC_LIB)."""
    if os.environ.get("NVRTC_LIB"):
        return os.environ["NVRTC_LIB"]
    import importlib.util

    spec = importlib.util.find_spec("nvidia")
    roots = list(spec.submodule_search_locations) if spec else []
    for root in roots:
        hits = sorted(glob.glob(os.path.join(root, "cuda_nvrtc", "lib", "libnvrtc.so*")))
        hits = [h for h in hits if "builtins" not in h and "alt" not in h]
        if hits:
            return hits[0]
    print("libnvrtc not found: pip install nvidia-cuda-nvrtc-cu12 (or set NVRTC_LIB)", file=sys.stderr)
    sys.exit(3)


def compile_ptx(lib, name, source):
    prog = ctypes.c_void_p()
    check(lib, lib.nvrtcCreateProgram(ctypes.byref(prog), source, name.encode(), 0, None, None))
    # Shared headers (kernels/common/*.cuh) are found through -I; the path is not part of the
    # recorded flags, so the PTX header does not depend on where the checkout lives.
    flags = FLAGS + [b"-I" + HERE.encode()]
    opts = (ctypes.c_char_p * len(flags))(*flags)
    status = lib.nvrtcCompileProgram(prog, len(flags), opts)
    size = ctypes.c_size_t()
    lib.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
    log = ctypes.create_string_buffer(size.value)
    lib.nvrtcGetProgramLog(prog, log)
    if status != 0:
        sys.exit(f"{name}: NVRTC failed\n{log.value.decode()}")
    if log.value.strip():
        print(f"{name}: {log.value.decode().strip()}", file=sys.stderr)
    check(lib, lib.nvrtcGetPTXSize(prog, ctypes.byref(size)))
    ptx = ctypes.create_string_buffer(size.value)
    check(lib, lib.nvrtcGetPTX(prog, ptx))
    lib.nvrtcDestroyProgram(ctypes.byref(prog))
    return ptx.value.decode()


def check(lib, code):
    if code != 0:
        lib.nvrtcGetErrorString.restype = ctypes.c_char_p
        sys.exit(f"NVRTC error {code}: {lib.nvrtcGetErrorString(code).decode()}")


def check_ptx(name, ptx):
    m = re.search(r"^\.version (\d+)\.(\d+)", ptx, re.M)
    if not m or (int(m.group(1)), int(m.group(2))) > MAX_VERSION:
        sys.exit(f"{name}: PTX .version must be <= 8.8, got {m.group(0) if m else 'none'}")
    if not re.search(r"^\.target sm_(90|80)\b", ptx, re.M):
        sys.exit(f"{name}: PTX .target must be sm_90 or sm_80")
    if ".approx" in ptx:
        sys.exit(f"{name}: PTX uses an .approx instruction")


def main():
    check_only = "--check" in sys.argv[1:]
    lib = ctypes.CDLL(find_nvrtc())
    major, minor = ctypes.c_int(), ctypes.c_int()
    lib.nvrtcVersion(ctypes.byref(major), ctypes.byref(minor))
    stale = []
    for cu in sorted(glob.glob(os.path.join(HERE, "*.cu"))):
        base = os.path.splitext(os.path.basename(cu))[0]
        with open(cu, "rb") as fh:
            source = fh.read()
        body = compile_ptx(lib, base + ".cu", source)
        check_ptx(base, body)
        header = (
            f"// {base}.ptx: generated from kernels/{base}.cu by kernels/generate_ptx.py\n"
            f"// (NVRTC {major.value}.{minor.value}, {' '.join(f.decode() for f in FLAGS)}).\n"
            f"// Do not edit: edit the .cu and regenerate. The CPU twin is named in the .cu header:\n"
        )
        twin = re.search(r"^// CPU twin: (.*)$", source.decode(), re.M)
        header += f"// CPU twin: {twin.group(1) if twin else 'see the .cu'}\n"
        text = header + body
        out = os.path.join(HERE, base + ".ptx")
        if check_only:
            old = open(out).read() if os.path.exists(out) else ""
            made_by = re.search(r"\(NVRTC (\d+\.\d+),", old)
            mine = f"{major.value}.{minor.value}"
            if made_by and made_by.group(1) != mine:
                # Another NVRTC writes other (equally valid) PTX text: nothing to compare.
                print(f"{base}.ptx was made by NVRTC {made_by.group(1)}, this is {mine}", file=sys.stderr)
                sys.exit(3)
            if old != text:
                stale.append(base)
            continue
        with open(out, "w") as fh:
            fh.write(text)
        entries = re.findall(r"\.entry (\w+)\(", body)
        print(f"{base}.ptx: {len(text)} bytes, entries {', '.join(entries)}")
    if stale:
        sys.exit(f"stale PTX (rerun kernels/generate_ptx.py): {', '.join(stale)}")


if __name__ == "__main__":
    main()
