#!/usr/bin/env bash
# Build, on this machine, everything the GPU check needs and put it in .gpu/ (ignored by git),
# because the device machine has no Rust toolchain: the CUDA kernel tests, the device test and
# the cuda_kernels bench, all with `--features cuda` in release mode. Then, with the device
# tool, carry `.gpu` and run `bash .gpu/run.sh` (about a minute of device time).
#
#   CARGO_TARGET_DIR=... kernels/prepare_gpu_run.sh
#   # device:  run(command="bash .gpu/run.sh", carry=[".gpu"], timeout_s=300)
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> "$(git rev-parse --git-path info/exclude)"
rm -rf .gpu && mkdir -p .gpu
exes=$(cargo test --release --features cuda --test cuda_kernels --test cuda_device --no-run \
        --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable"): print(m["executable"])')
bench=$(cargo bench --features cuda --bench cuda_kernels --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable"): print(m["executable"])')
for e in $exes; do cp "$e" ".gpu/$(basename "$e" | sed 's/-[0-9a-f]*$//')"; done
cp "$bench" .gpu/cuda_kernels_bench
# Debug info (profile debug = 1) would triple the size that travels to the device.
command -v strip >/dev/null && strip --strip-debug .gpu/cuda_*
cat > .gpu/run.sh <<'RUN'
#!/usr/bin/env bash
# Runs on the device machine from the repository root.
cd "$(dirname "$0")"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
status=0
./cuda_device --nocapture --test-threads=1 || status=1
./cuda_kernels --nocapture --test-threads=1 || status=1
./cuda_kernels_bench --bench --warm-up-time 1 --measurement-time 3 2>&1 | grep -E 'time:|^cuda|^cpu|skipped' || status=1
exit $status
RUN
chmod +x .gpu/run.sh
ls -la .gpu; du -sh .gpu
