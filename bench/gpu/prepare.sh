#!/usr/bin/env bash
# Here, with the .NET SDK: publishes the GPU bench tool self-contained for linux-x64 into one folder
# (default artifacts/gpu-bench) together with quantumedge-planner, which it references and which
# shares its runtime files, the Gset instances and run.sh. Copy that folder to the GPU machine (it
# needs no SDK) and run ./run.sh there. The folder appears whole or not at all.
# With --archive, also DEST.tar.gz (~40 MB against ~90 MB unpacked), for transports with a size cap:
# there, `tar -xzf gpu-bench.tar.gz && gpu-bench/run.sh`.
# usage: bench/gpu/prepare.sh [--archive] [DEST]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
archive=0
if [[ "${1:-}" == "--archive" ]]; then
  archive=1
  shift
fi
dest="$(realpath -m "${1:-$root/artifacts/gpu-bench}")"
staging="$dest.partial"
rm -rf "$staging"
mkdir -p "$staging"

dotnet publish "$root/bench/QuantumEdge.Planning.Gpu.Benchmarks/QuantumEdge.Planning.Gpu.Benchmarks.csproj" \
  -c Release -r linux-x64 --self-contained -o "$staging" -nologo
cp "$root/bench/gpu/run.sh" "$root/bench/gpu/README.md" "$staging/"
chmod +x "$staging/run.sh"

for needed in QuantumEdge.Planning.Gpu.Benchmarks quantumedge-planner gset/best-known.csv gset/G1.txt gset/G47.txt libcoreclr.so; do
  if [[ ! -e "$staging/$needed" ]]; then
    echo "prepare.sh: the publish lacks $needed" >&2
    exit 1
  fi
done
if ! grep -q includedFrameworks "$staging/quantumedge-planner.runtimeconfig.json"; then
  echo "prepare.sh: quantumedge-planner was not published self-contained" >&2
  exit 1
fi

rm -rf "$dest"
mv "$staging" "$dest"
if [[ "$archive" == 1 ]]; then
  tar -C "$(dirname "$dest")" -czf "$dest.tar.gz.partial" "$(basename "$dest")"
  mv "$dest.tar.gz.partial" "$dest.tar.gz"
  echo "prepare.sh: $(du -sh "$dest.tar.gz" | cut -f1) in $dest.tar.gz"
fi
echo "prepare.sh: $(du -sh "$dest" | cut -f1) in $dest; on the GPU machine: $dest/run.sh [REPORT_DIR]"
