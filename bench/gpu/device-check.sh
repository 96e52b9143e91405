#!/usr/bin/env bash
# One call on a lent GPU machine (no .NET SDK there), from the repository root, with the archive
# `bench/gpu/prepare.sh --archive` made carried along: unpacks it, records what the machine has,
# makes the CUDA driver loadable under the name ILGPU asks for, runs every bench part on CUDA
# (run.sh, under 7.5 minutes), then the parity part once more under compute-sanitizer's memcheck
# (a bounded slice: out-of-bounds or misaligned device accesses are reported as they happen).
# Writes at most five files to REPORT_DIR (default $OUT): gpu-bench.md, diag.txt, memcheck.log,
# logs.tar.gz and run-sh.log.
# usage: bench/gpu/device-check.sh [ARCHIVE] [REPORT_DIR] [--memcheck-seconds S]
set -uo pipefail
archive="${1:-artifacts/gpu-bench.tar.gz}"
report="${2:-${OUT:-./gpu-device-report}}"
memcheck_seconds="${MEMCHECK_SECONDS:-75}"
mkdir -p "$report"
work="$(mktemp -d)"
tar -xzf "$archive" -C "$work" || { echo "device-check: cannot unpack $archive" >&2; exit 2; }
bench="$work/gpu-bench"

{
  echo "## machine"; uname -srm; nproc; date -u
  echo "## nvidia-smi"; nvidia-smi 2>&1 | head -n 20
  echo "## driver libraries"; ldconfig -p 2>&1 | grep -E 'libcuda|libOpenCL|libnvidia-ptxjitcompiler' || echo "(none in ldconfig)"
} >"$report/diag.txt" 2>&1

# ILGPU imports the driver as "cuda", which .NET resolves to libcuda.so. Driver mounts often carry
# only libcuda.so.1 (the unversioned name belongs to the toolkit's development files): link it.
if ! ldconfig -p | grep -q 'libcuda\.so '; then
  versioned="$(ldconfig -p | awk '/libcuda\.so\.1 / { print $NF; exit }')"
  [[ -z "$versioned" ]] && versioned="$(ls /usr/local/nvidia/lib64/libcuda.so.1 /usr/lib/x86_64-linux-gnu/libcuda.so.1 2>/dev/null | head -n 1)"
  if [[ -n "$versioned" ]]; then
    mkdir -p "$work/cudalink"
    ln -sf "$versioned" "$work/cudalink/libcuda.so"
    export LD_LIBRARY_PATH="$work/cudalink${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "## linked $versioned as libcuda.so" >>"$report/diag.txt"
  else
    echo "## no libcuda.so.1 found" >>"$report/diag.txt"
  fi
fi

"$bench/run.sh" "$work/report" --accelerator "${ACCELERATOR:-cuda}" >"$report/run-sh.log" 2>&1
status=$?
cp "$work/report/gpu-bench.md" "$report/gpu-bench.md" 2>/dev/null
tar -C "$work/report" -czf "$report/logs.tar.gz" logs parts 2>/dev/null

if command -v compute-sanitizer >/dev/null 2>&1 && [[ "$status" != 2 ]]; then
  timeout --kill-after=5 "$memcheck_seconds" compute-sanitizer --tool memcheck --print-limit 20 \
    "$bench/QuantumEdge.Planning.Gpu.Benchmarks" --accelerator cuda --quick --parts parity \
    --part-seconds "$((memcheck_seconds - 15))" --gset "$bench/gset" --planner "$bench/quantumedge-planner" \
    --out "$work/memcheck-parity.md" >"$report/memcheck.log" 2>&1
  echo "device-check: memcheck exit $?" >>"$report/memcheck.log"
fi

tail -n 30 "$report/run-sh.log"
grep -E '^\| ' "$report/gpu-bench.md" 2>/dev/null | head -n 12
tail -n 5 "$report/memcheck.log" 2>/dev/null
exit "$status"
