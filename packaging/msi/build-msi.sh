#!/usr/bin/env bash
# Build quantumedge-<version>-x64.msi with wixl (msitools) from a self-contained win-x64 publish.
#
#   dotnet publish src/QuantumEdge.Node -c Release -r win-x64 --self-contained \
#     -p:PublishAot=false -p:PublishSingleFile=true -o artifacts/win-x64
#   packaging/msi/build-msi.sh artifacts/win-x64 artifacts/msi [VERSION]
#
# The Windows build is JIT, not native AOT: native AOT cannot cross-compile from Linux. VERSION
# (major.minor.patch) defaults to the node project's Version property. The installer carries
# quantumedge.exe and the native libraries beside it (libsodium.dll), and a Windows
# production.yaml derived from configs/production.yaml (paths under C:/ProgramData/QuantumEdge).
# Needs wixl (apt-get install wixl). Prints the path of the .msi on the last line.
set -euo pipefail

usage() { echo "usage: $0 PUBLISH_DIR OUTDIR [VERSION]" >&2; exit 2; }
die() { echo "build-msi: $*" >&2; exit 1; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
publish=$(readlink -f "$1")
outdir=$2
version=${3:-}

command -v wixl > /dev/null || die "wixl is required (apt-get install wixl)"
[ -d "$publish" ] || die "'$1' is not a directory"
exe=$publish/quantumedge.exe
[ -f "$exe" ] || die "no quantumedge.exe in $publish: publish with -r win-x64 --self-contained"
# PE signature "PE\0\0" at the offset stored at 0x3c, then machine 0x8664 (x64).
pe_offset=$(od -An -tu4 -j60 -N4 "$exe" | tr -d ' ')
[ "$(od -An -tx1 -j"$pe_offset" -N6 "$exe" | tr -d ' \n')" = 504500006486 ] || die "'$exe' is not an x64 Windows executable"
[ -f "$publish/libsodium.dll" ] || die "no libsodium.dll beside quantumedge.exe: the node loads it at run time (NSec)"
# A framework-dependent publish would leave hostfxr or the runtime's assemblies out.
if [ ! -f "$publish/coreclr.dll" ] && ! grep -qa 'DOTNET_BUNDLE' "$exe" && [ "$(stat -c %s "$exe")" -lt 20000000 ]; then
  die "'$exe' is not self-contained (publish with --self-contained)"
fi

if [ -z "$version" ]; then
  version=$(cd "$repo" && dotnet msbuild src/QuantumEdge.Node -getProperty:Version 2>/dev/null | tail -1) || die "could not read the Version property; pass VERSION"
fi
version=${version%%[+-]*}
[[ $version =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,5}$ ]] || die "'$version' is not a Windows Installer version (major.minor.build)"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The Windows configuration: the Linux paths of configs/production.yaml moved under ProgramData.
# storage.node_key_dir is dropped: with none configured the node generates its identity under
# <data_dir>/ledger/keys on first start (the .deb runs keygen in postinst; an .msi has no such step).
config=$stage/production.yaml
{
  echo "# QuantumEdge production configuration (Windows): C:\\ProgramData\\QuantumEdge\\production.yaml"
  echo "# Secrets never live here: JWT_SECRET and MASTER_KEY come from the service's environment"
  echo "# (README, \"Windows\"). Forward slashes work in every Windows path below."
  sed -e '1,3{/^#/d}' \
      -e '/^  node_key_dir:/d' \
      -e 's|/var/lib/quantumedge/|C:/ProgramData/QuantumEdge/data/|g' \
      -e 's|/var/lib/quantumedge|C:/ProgramData/QuantumEdge/data|g' \
      -e 's|/etc/quantumedge/|C:/ProgramData/QuantumEdge/|g' \
      -e 's|; root:quantumedge 0640|; readable by the service account only|' \
      "$repo/configs/production.yaml"
} > "$config"
if grep -nE '(^|[^A-Za-z])/(etc|var|usr|tmp)/' "$config" >&2; then
  die "the Windows production.yaml still names Linux paths (above): extend the rewrite in $0"
fi
grep -qE '^  data_dir: C:/ProgramData/QuantumEdge/data([[:space:]]|$)' "$config" || die "node.data_dir was not rewritten"
# CRLF, so that Notepad on older Windows shows it as lines.
sed -i 's/$/\r/' "$config"

# files.wxs: every shipped file of the publish folder as its own component. Debug symbols, XML
# docs, web.config and the IIS in-process module are not shipped.
files=$stage/files.wxs
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi"><Fragment>'
  echo '  <ComponentGroup Id="NodeFiles" Directory="INSTALLDIR">'
  for f in "$publish"/*.dll; do
    name=$(basename "$f")
    case $name in aspnetcorev2*) continue ;; esac
    [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "unexpected file name '$name'"
    id=$(echo "$name" | tr -c 'A-Za-z0-9\n' '_')
    # The component's GUID is derived from the file name, so an upgrade keeps it stable.
    guid=$(python3 -c 'import sys, uuid; print(str(uuid.uuid5(uuid.UUID("C5589732-DCD7-40C3-98B5-DE157B908404"), sys.argv[1])).upper())' "$name")
    echo "    <Component Id=\"c_$id\" Guid=\"$guid\" Win64=\"yes\"><File Id=\"f_$id\" Name=\"$name\" Source=\"bin/$name\" KeyPath=\"yes\"/></Component>"
  done
  echo '  </ComponentGroup>'
  echo '</Fragment></Wix>'
} > "$files"

mkdir -p "$outdir"
msi=$(cd "$outdir" && pwd)/quantumedge-$version-x64.msi
ln -s "$publish" "$stage/bin"
cp "$here/quantumedge.wxs" "$stage/quantumedge.wxs"
# wixl finds sources only by paths relative to where it runs; GLib's warnings go to the log.
(cd "$stage" && wixl -a x64 -D Version="$version" -o "$msi" quantumedge.wxs files.wxs) > "$stage/wixl.log" 2>&1 \
  || { cat "$stage/wixl.log" >&2; die "wixl failed"; }
if grep -qE 'WARNING|CRITICAL' "$stage/wixl.log"; then
  cat "$stage/wixl.log" >&2; die "wixl warned (above): an attribute it does not support?"
fi
echo "built $(basename "$msi"): $(du -h "$msi" | cut -f1) ($(stat -c %s "$msi") bytes)"
echo "$msi"
