#!/usr/bin/env bash
# Build, on this machine, everything the GPU check needs and put it in target/gpu/,
# because the device machine has no Rust toolchain: the CUDA kernel tests (cuda_kernels,
# cuda_kernels_evo, cuda_kernels_evo_survival, cuda_nn, cuda_backend), the device test, the
# reproductions with a --backend cuda path (reproduce_burgers, reproduce_tfmdwe,
# reproduce_nsga_node, reproduce_dtlz: step "repro" compares their smoke CSVs with --backend
# cpu), the cuda_kernels
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
#   # device:  run(command="bash target/gpu/run.sh", carry=["target/gpu", ".whl"], timeout_s=450)
# (.whl holds the torchode, torchtyping and typeguard wheels for the torchode peer, fetched
# with the device tool README's `pip download` line; without it that peer step fails alone.)
set -euo pipefail
cd "$(dirname "$0")/.."
# target/ is ignored by .gitignore, so nothing here is ever committed; the device tool's
# `carry` takes ignored paths.
out=target/gpu
rm -rf "$out" && mkdir -p "$out"
exes=$(cargo test --release --features cuda --test cuda_kernels --test cuda_kernels_evo \
        --test cuda_kernels_evo_survival --test cuda_device --test cuda_nn --test cuda_backend --no-run \
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
# The reproductions whose network kernels or solves take --backend cuda (step "repro").
for ex in reproduce_burgers reproduce_tfmdwe reproduce_nsga_node reproduce_dtlz; do
    e=$(cargo build --release --features cuda --example "$ex" --message-format=json 2>/dev/null |
        python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable"): print(m["executable"])')
    cp "$e" "$out/$ex"
done
cp kernels/compare_repro.py "$out/"
[[ -f paper/tables/scaling_cpu.csv ]] && cp paper/tables/scaling_cpu.csv "$out/"
# Debug info (profile debug = 1) would triple the size that travels to the device.
command -v strip >/dev/null && strip --strip-debug "$out"/cuda_* "$out"/reproduce_*
cat > "$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs on the device machine from the repository root: bash target/gpu/run.sh
# Every step runs under a share of one overall deadline (DEADLINE seconds, default 400), so a
# hung kernel cannot eat the lease, and everything it prints goes to $OUT/gpu_run.log; the
# reply's tail carries the summary printed last. Order: correctness, then the scaling
# reproduction (issue 9), then the NN/ODE benches and their PyTorch/torchode peers (issue 10),
# then the EMO kernel benches.
set -o pipefail
root=$(pwd)
cd "$(dirname "$0")"
# The binaries come packed (prepare_gpu_run.sh); tar's xz, else Python's lzma.
if [[ -f bins.tar.xz && ! -x cuda_nn ]]; then
    tar xJf bins.tar.xz 2>/dev/null ||
        python3 -c 'import tarfile; tarfile.open("bins.tar.xz").extractall(".")'
fi
out="${OUT:-$PWD/out}"
mkdir -p "$out"
log="$out/gpu_run.log"
: >"$log"
deadline=$((SECONDS + ${DEADLINE:-400}))
# STEPS: which parts run (default all): tests repro scaling nn peers torchode kernels ncu ncu_nn.
steps=" ${STEPS:-tests repro scaling nn peers torchode kernels ncu ncu_nn} "
want() { [[ "$steps" == *" $1 "* ]]; }
status=0
summary=()
step() {
    local limit=$1 name=$2
    shift 2
    local left=$((deadline - SECONDS))
    ((left < limit)) && limit=$left
    if ((limit < 5)); then
        summary+=("$name: not run (deadline)")
        status=1
        return
    fi
    echo "===== $name (limit ${limit} s): $*" >>"$log"
    local t0=$SECONDS
    timeout "$limit" "$@" >>"$log" 2>&1
    local rc=$?
    echo "===== $name: rc $rc after $((SECONDS - t0)) s" >>"$log"
    summary+=("$name: rc $rc, $((SECONDS - t0)) s")
    ((rc == 0)) || status=1
}
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total --format=csv | tee -a "$log"
want tests && for t in cuda_device cuda_kernels cuda_kernels_evo cuda_nn cuda_kernels_evo_survival cuda_backend; do
    step 90 "$t" "./$t" --nocapture --test-threads=1
done
# --backend cuda against --backend cpu (smoke mode, seed 0): raw CSVs equal but for times.
want repro && for ex in reproduce_burgers reproduce_tfmdwe reproduce_nsga_node reproduce_dtlz; do
    step 60 "${ex}_cpu" "./$ex" --smoke --backend cpu --out "/tmp/repro_cpu"
    step 60 "${ex}_cuda" "./$ex" --smoke --backend cuda --out "/tmp/repro_cuda"
done
want repro && step 10 compare_repro python3 compare_repro.py /tmp/repro_cpu /tmp/repro_cuda
want repro && cp -r /tmp/repro_cuda/tables "$out/repro_cuda_tables" 2>/dev/null
# GPU column of the scaling table, merged with the build machine's CPU figures.
scal=/tmp/scaling
mkdir -p "$scal/tables" "$scal-full/tables"
cp scaling_cpu.csv "$scal/tables/"
cp scaling_cpu.csv "$scal-full/tables/"
want scaling && step 60 scaling_quick ./reproduce_scaling --backend cuda --out "$scal"
want scaling && step 200 scaling_full ./reproduce_scaling --full --runs 5 --backend cuda --out "$scal-full"
want nn && step 120 cuda_nn_bench ./cuda_nn_bench --bench --warm-up-time 0.5 --measurement-time 2 \
    ${NN_BENCH_FILTER:-}
# Peers on the same device (their CPU figures were measured on the build machine).
if python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site "$root"/.whl/*.whl >>"$log" 2>&1; then
    export PYTHONPATH=/tmp/site
fi
want peers && for p in 100 1000; do
    step 60 "torch_peer_p$p" python3 "$root/benches/peers/torch_peer.py" --device cuda --p "$p" \
        --repeats 5 --ops forward,residual_grad
done
want torchode && step 90 torchode_peer python3 "$root/benches/peers/torchode_peer.py" --device cuda --problems lv \
    --dtypes f64 --sizes 1000,10000,100000 --repeats 3
want kernels && step 150 cuda_kernels_bench ./cuda_kernels_bench --bench --warm-up-time 0.5 --measurement-time 2 \
    ${KERNEL_BENCH_FILTER:-}
# Kernel times inside RVEA generations at populations 4096 and 2^14 (ncu serialises the
# kernels).
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
if want ncu && [[ -n "$NCU" ]]; then
    for pop in 4096 16384; do
        step 40 "ncu_rvea_$pop" "$NCU" --metrics gpu__time_duration.sum --print-summary per-kernel \
            --launch-skip 3000 --launch-count 300 ./cuda_kernels_bench \
            --bench "cuda_rvea_generation/dtlz1_nvar100/$pop" --profile-time 2
    done
fi
# The NN kernels' time and how busy they keep the SMs and DRAM (Burgers gradient P = 100 with
# the fused and the block accumulator kernel, the resident forward P = 1000).
if want ncu_nn && [[ -n "$NCU" ]]; then
    for b in 'cuda_burgers_grad_fused/100' 'cuda_burgers_grad/100' 'cuda_mlp_forward_resident/1000'; do
        step 60 "ncu_nn_${b//\//_}" "$NCU" --metrics \
            gpu__time_duration.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__warps_active.avg.pct_of_peak_sustained_active \
            --print-summary per-kernel --launch-skip 20 --launch-count 10 ./cuda_nn_bench --bench "$b" \
            --profile-time 1
    done
    # Where the fused kernel's time goes: FMA and load/store pipes, registers, shared-memory
    # bank conflicts (a separate step, so that a metric this ncu lacks fails alone).
    step 60 ncu_fused_pipes "$NCU" -k regex:mlp_loss_fused --metrics \
        gpu__time_duration.sum,sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_active,sm__inst_executed_pipe_lsu.avg.pct_of_peak_sustained_active,launch__registers_per_thread,l1tex__data_bank_conflicts_pipe_lsu_mem_shared.sum,dram__bytes.sum,sm__warps_active.avg.pct_of_peak_sustained_active \
        --launch-count 2 ./cuda_nn_bench --bench 'cuda_burgers_grad_fused/100' --profile-time 1
fi
cp "$scal/tables/scaling_gpu.csv" "$out/scaling_gpu_quick.csv" 2>/dev/null
cp "$scal-full/tables/scaling_gpu.csv" "$out/scaling_gpu_full.csv" 2>/dev/null
cp "$scal-full/tables/scaling.md" "$out/scaling_full.md" 2>/dev/null
cp "$scal-full/figures/scaling.svg" "$out/scaling_full.svg" 2>/dev/null
echo "---- summary"
printf '%s\n' "${summary[@]}"
grep -E '^test result|FAILED|panicked|^cuda device|skipped|differing cells|missing under' "$log" | sort | uniq -c | head -40
grep -E '^(cpu|cuda)_|time:|thrpt:|^torchode|^forward|^residual|^\{' "$log" | tail -90
awk '/^  [a-z_0-9]+ \(/{name=$1} /gpu__time_duration|sm__throughput|dram__throughput|warps_active|pipe_fma|pipe_lsu|registers_per|bank_conflicts|dram__bytes/{print name, $1, $2, $(NF-2), $(NF-1), $NF}' "$log"
exit $status
RUN
chmod +x "$out/run.sh"
# The binaries travel as one xz archive (about 8 MB instead of 70): the device tool carries at
# most 64 MiB with the working tree. run.sh unpacks it first.
(cd "$out" && tar cf - cuda_* reproduce_* | xz -T2 -6 >bins.tar.xz && rm -f cuda_* reproduce_*)
ls -la "$out"; du -sh "$out"
