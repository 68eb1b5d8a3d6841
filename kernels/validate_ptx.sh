#!/usr/bin/env bash
# Validate every committed kernels/*.ptx with `ptxas -arch=sm_90` (offline: no GPU, no CUDA
# install). ptxas comes from the PyPI wheel nvidia-cuda-nvcc-cu12; when it is not found this
# script installs that wheel with pip, unless --no-install is given (then it exits 3, which
# the test tests/cuda_ptx.rs reports as "skipped").
#
#   kernels/validate_ptx.sh               # find or install ptxas, validate all PTX
#   kernels/validate_ptx.sh --no-install  # never install; exit 3 when ptxas is missing
#   PTXAS=/path/to/ptxas kernels/validate_ptx.sh
#
# Also checks each file's `.version` (<= 8.8, what a CUDA 12.8+ driver accepts) and
# `.target sm_90|sm_80`, and prints ptxas's register/spill report for each kernel.
set -euo pipefail
cd "$(dirname "$0")"
install=1
[[ "${1:-}" == "--no-install" ]] && install=0
PY=${PYTHON:-python3}

find_ptxas() {
    if [[ -n "${PTXAS:-}" && -x "${PTXAS}" ]]; then echo "$PTXAS"; return 0; fi
    local p
    p=$("$PY" - <<'PYEOF' 2>/dev/null || true
import glob, importlib.util, os
spec = importlib.util.find_spec("nvidia")
for root in (spec.submodule_search_locations if spec else []):
    for hit in glob.glob(os.path.join(root, "cuda_nvcc", "bin", "ptxas")):
        print(hit); raise SystemExit
PYEOF
)
    if [[ -n "$p" && -x "$p" ]]; then echo "$p"; return 0; fi
    if command -v ptxas >/dev/null 2>&1; then command -v ptxas; return 0; fi
    return 1
}

if ! ptxas=$(find_ptxas); then
    if [[ $install -eq 0 ]]; then
        echo "ptxas not found (pip install nvidia-cuda-nvcc-cu12, or set PTXAS)" >&2
        exit 3
    fi
    echo "installing nvidia-cuda-nvcc-cu12 for ptxas ..." >&2
    "$PY" -m pip install --quiet "nvidia-cuda-nvcc-cu12>=12.8,<13" >&2
    ptxas=$(find_ptxas) || { echo "ptxas still not found after install" >&2; exit 1; }
fi
echo "ptxas: $ptxas ($("$ptxas" --version | tail -1))"

status=0
for f in *.ptx; do
    ver=$(sed -n 's/^\.version \([0-9]*\.[0-9]*\).*/\1/p' "$f" | head -1)
    if [[ -z "$ver" ]] || ! awk -v v="$ver" 'BEGIN { split(v, a, "."); exit !(a[1] < 8 || (a[1] == 8 && a[2] <= 8)) }'; then
        echo "FAIL $f: .version '$ver' is not <= 8.8"; status=1; continue
    fi
    if ! grep -Eq '^\.target sm_(90|80)\b' "$f"; then
        echo "FAIL $f: .target is not sm_90 or sm_80"; status=1; continue
    fi
    if grep -q '\.approx' "$f"; then
        echo "FAIL $f: uses an .approx instruction"; status=1; continue
    fi
    if report=$("$ptxas" -arch=sm_90 -v "$f" -o /dev/null 2>&1); then
        echo "ok   $f (.version $ver)"
        echo "$report" | grep -E 'Compiling entry|Used' | sed 's/^ptxas info    : /     /'
    else
        echo "FAIL $f"; echo "$report"; status=1
    fi
done
exit $status
