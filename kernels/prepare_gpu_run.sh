#!/usr/bin/env bash
# Build, on this machine, everything the GPU check needs and put it in target/gpu/,
# because the device machine has no Rust toolchain: the CUDA kernel tests (cuda_kernels,
# cuda_kernels_evo, cuda_kernels_evo_survival, cuda_nn), the device test, the cuda_kernels
# and cuda_nn benches and the scaling reproduction (reproduce_scaling --backend cuda, quick
# mode, with the committed CPU figures paper/tables/scaling_cpu.csv beside it), all with
# `--features cuda` in release mode. Then, with the device tool, carry `target/gpu` and run
# `bash target/gpu/run.sh` (about six minutes of device time). The scaling table, CSV and SVG
# come back under $OUT/paper/: copy $OUT/paper/tables/scaling_gpu.csv to paper/tables/ and
# rerun `cargo run --release --example reproduce_scaling` (or just commit the returned
# scaling.md and figures/scaling.svg). The device tool sends the checkout its session was started in: copy target/gpu/
# there if that is another worktree. The binaries need glibc >= the build machine's (2.36 here).
#
#   CARGO_TARGET_DIR=... kernels/prepare_gpu_run.sh
#   # device:  run(command="bash target/gpu/run.sh", carry=["target/gpu"], timeout_s=300)
set -euo pipefail
cd "$(dirname "$0")/.."
# target/ is ignored by .gitignore, so nothing here is ever committed; the device tool's
# `carry` takes ignored paths.
out=target/gpu
rm -rf "$out" && mkdir -p "$out"
exes=$(cargo test --release --features cuda --test cuda_kernels --test cuda_kernels_evo \
        --test cuda_kernels_evo_survival --test cuda_device --test cuda_nn --no-run \
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
scaling=$(cargo build --release --features cuda --example reproduce_scaling --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable"): print(m["executable"])')
for e in $exes; do cp "$e" "$out/$(basename "$e" | sed 's/-[0-9a-f]*$//')"; done
cp "$bench" "$out/cuda_kernels_bench"
nn_bench=$(cargo bench --features cuda --bench cuda_nn --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable"): print(m["executable"])')
cp "$nn_bench" "$out/cuda_nn_bench"
cp "$scaling" "$out/reproduce_scaling"
[[ -f paper/tables/scaling_cpu.csv ]] && cp paper/tables/scaling_cpu.csv "$out/"
# Debug info (profile debug = 1) would triple the size that travels to the device.
command -v strip >/dev/null && strip --strip-debug "$out"/cuda_* "$out"/reproduce_scaling
cat > "$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs on the device machine from the repository root.
cd "$(dirname "$0")"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
status=0
./cuda_device --nocapture --test-threads=1 || status=1
./cuda_kernels --nocapture --test-threads=1 || status=1
./cuda_kernels_evo --nocapture --test-threads=1 || status=1
./cuda_nn --nocapture --test-threads=1 || status=1
./cuda_kernels_evo_survival --nocapture --test-threads=1 || status=1
./cuda_kernels_bench --bench --warm-up-time 1 --measurement-time 3 2>&1 | grep -E 'time:|^cuda|^cpu|skipped' || status=1
./cuda_nn_bench --bench --warm-up-time 1 --measurement-time 3 2>&1 | grep -E 'time:|thrpt:|^cuda|^cpu|skipped' || status=1
# GPU column of the scaling table, merged with the build machine's CPU figures.
dest="${OUT:-.}/paper"
mkdir -p "$dest/tables"
[[ -f scaling_cpu.csv ]] && cp scaling_cpu.csv "$dest/tables/"
./reproduce_scaling --backend cuda --out "$dest" || status=1
exit $status
RUN
chmod +x "$out/run.sh"
ls -la "$out"; du -sh "$out"
