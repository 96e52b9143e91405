#!/usr/bin/env bash
# On the GPU machine (no .NET SDK needed), from the folder bench/gpu/prepare.sh made: runs every part
# of the GPU planner bench, each in its own process under its own hard time limit (under 8 minutes
# in all), and writes REPORT_DIR/gpu-bench.md plus one log per part in REPORT_DIR/logs.
# REPORT_DIR defaults to $OUT when set, else ./gpu-bench-report beside this script.
# usage: run.sh [REPORT_DIR] [--accelerator auto|cuda|opencl|cpu] [--quick] [--bench-dir DIR]
# Exit status: 0 every part finished and parity held; 1 a part failed or ran out of time; 2 usage.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench_dir=""
report_dir="${OUT:-}"
accelerator="auto"
quick=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --accelerator) accelerator="${2:?--accelerator needs a value}"; shift 2 ;;
    --quick) quick=(--quick); shift ;;
    --bench-dir) bench_dir="${2:?--bench-dir needs a value}"; shift 2 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) report_dir="$1"; shift ;;
  esac
done

# The published tool: beside this script (the prepared folder), else prepare.sh's default folder.
if [[ -z "$bench_dir" ]]; then
  if [[ -x "$here/QuantumEdge.Planning.Gpu.Benchmarks" ]]; then bench_dir="$here"; else bench_dir="$here/../../artifacts/gpu-bench"; fi
fi
tool="$bench_dir/QuantumEdge.Planning.Gpu.Benchmarks"
if [[ ! -x "$tool" || ! -x "$bench_dir/quantumedge-planner" ]]; then
  echo "run.sh: no published bench in '$bench_dir' (run bench/gpu/prepare.sh where the SDK is, or pass --bench-dir)" >&2
  exit 2
fi
report_dir="$(realpath -m "${report_dir:-$here/gpu-bench-report}")"
mkdir -p "$report_dir/logs" "$report_dir/parts"

# part:hard limit in seconds. The tool stops starting rows 20 s before the hard limit; the hard
# limits sum to 445 s, so the whole run ends within 7.5 minutes even if every part hangs.
parts=(device:30 parity:75 dense:100 assignment:60 gset:60 crossover:60 ipc:60)
started=$(date +%s)
status=0
summary=()
index=0
for entry in "${parts[@]}"; do
  part="${entry%%:*}"
  hard="${entry##*:}"
  index=$((index + 1))
  file="$report_dir/parts/$(printf '%02d' "$index")-$part.md"
  log="$report_dir/logs/$(printf '%02d' "$index")-$part.log"
  rm -f "$file"
  echo "run.sh: $part (limit ${hard} s)"
  part_started=$(date +%s)
  timeout --kill-after=5 "$hard" "$tool" --accelerator "$accelerator" "${quick[@]}" --parts "$part" \
    --part-seconds "$((hard - 20))" --gset "$bench_dir/gset" --planner "$bench_dir/quantumedge-planner" --out "$file" >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - part_started ))
  case "$rc" in
    0) outcome="ok" ;;
    124|137) outcome="TIMED OUT after ${hard} s"; status=1 ;;
    1) outcome="FAILED (a check failed; see the section)"; status=1 ;;
    *) outcome="FAILED (exit $rc; see logs/$(basename "$log"))"; status=1 ;;
  esac
  if [[ ! -s "$file" ]]; then
    # No report from the part: keep what it printed so far.
    { echo "## $part: $outcome"; echo; echo '```'; tail -n 40 "$log"; echo '```'; } >"$file"
  fi
  summary+=("| $part | $outcome | $took s |")
  echo "run.sh: $part: $outcome in ${took} s"
  if [[ "$part" == device && "$rc" == 2 ]]; then
    # No such accelerator (or bad arguments): every other part would fail the same way.
    summary+=("| the other parts | not run: the device part could not open the accelerator | 0 s |")
    break
  fi
done

report="$report_dir/gpu-bench.md"
{
  echo "# GPU planner bench — run.sh"
  echo
  echo "- run: $(date -u '+%Y-%m-%d %H:%M:%S') UTC, $(( $(date +%s) - started )) s in all, accelerator '$accelerator'${quick:+ (--quick)}"
  echo "- host: $(uname -srm), $(nproc) cores"
  if command -v nvidia-smi >/dev/null 2>&1; then
    echo "- nvidia-smi: $(nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.memory --format=csv,noheader 2>&1 | head -n 4 | tr '\n' ';')"
  fi
  echo
  echo "| part | outcome | time |"
  echo "|---|---|---|"
  printf '%s\n' "${summary[@]}"
  echo
  # Each part's file is a whole report; keep its sections, not its repeated heading.
  for file in "$report_dir"/parts/*.md; do
    awk 'found || /^## / { found = 1; print }' "$file"
    echo
  done
} >"$report.partial"
mv "$report.partial" "$report"
echo "run.sh: report in $report"
exit "$status"
