#!/usr/bin/env bash
# Build quantumedge_<version>_amd64.deb from a published native-AOT binary.
#
#   packaging/deb/build-deb.sh [--planner PLANNER] BINARY OUTDIR [VERSION]
#
# BINARY is artifacts/aot/linux-x64/quantumedge (from `dotnet publish src/QuantumEdge.Node -c
# Release -r linux-x64 -o artifacts/aot/linux-x64`); the native libraries published beside it
# (libsodium.so, which NSec loads at run time) go into the package with it. VERSION defaults to
# what `BINARY --version` prints. Needs dpkg-deb, gzip and objdump (binutils); runs as any user.
# Prints the path of the .deb on the last line.
#
# PLANNER is the GPU planner, a self-contained single-file linux-x64 publish (`dotnet publish
# src/QuantumEdge.Planning.Gpu -c Release -r linux-x64 -p:PublishSingleFile=true -o DIR`, JIT with
# ReadyToRun: ILGPU cannot be AOT-compiled). With it the package also ships
# /usr/lib/quantumedge/quantumedge-planner and quantumedge-planner.service (not enabled). Without
# it the package is the node alone, as before: the node runs the same without the planner (every
# solve on the CPU), and a node-only package stays ~70 MB smaller for hosts without a GPU. CI
# always passes it.
set -euo pipefail

usage() { echo "usage: $0 [--planner PLANNER] BINARY OUTDIR [VERSION]" >&2; exit 2; }
die() { echo "build-deb: $*" >&2; exit 1; }
planner=
if [ "${1:-}" = --planner ]; then
  [ $# -ge 2 ] || usage
  planner=$(readlink -f "$2")
  shift 2
fi
[ $# -ge 2 ] && [ $# -le 3 ] || usage

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
binary=$(readlink -f "$1")
outdir=$2
version=${3:-}

for tool in dpkg-deb gzip objdump md5sum; do
  command -v "$tool" > /dev/null || die "$tool is required (apt-get install dpkg binutils gzip coreutils)"
done
[ -f "$binary" ] && [ -x "$binary" ] || die "'$1' is not an executable file"
file_header=$(od -An -tx1 -N20 "$binary" | tr -d ' \n')
# ELF magic, 64-bit, little-endian ... e_machine 0x3e (x86-64) at offset 18.
[[ $file_header == 7f454c460201* && ${file_header:36:4} == 3e00 ]] || die "'$binary' is not an x86-64 ELF binary"
bindir=$(dirname "$binary")
is_x64_elf() {
  local header
  header=$(od -An -tx1 -N20 "$1" | tr -d ' \n')
  [[ $header == 7f454c460201* && ${header:36:4} == 3e00 ]]
}
if [ -n "$planner" ]; then
  [ -f "$planner" ] && [ -x "$planner" ] || die "--planner: '$planner' is not an executable file"
  is_x64_elf "$planner" || die "--planner: '$planner' is not an x86-64 ELF binary"
  # A framework-dependent or multi-file publish would need files beside it that the package does not ship.
  [ "$(stat -c %s "$planner")" -gt 20000000 ] \
    || die "--planner: '$planner' is too small for a self-contained single-file publish (-r linux-x64 -p:PublishSingleFile=true)"
fi
[ -f "$bindir/libsodium.so" ] || die "no libsodium.so beside $binary: the node loads it at run time (NSec) and cannot sign audit checkpoints or keys without it"

if [ -z "$version" ]; then
  version=$("$binary" --version 2>/dev/null | head -1) || die "'$binary --version' failed; pass VERSION"
  version=${version%%+*}   # drop SemVer build metadata (+commit)
fi
[[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "'$version' is not a valid Debian version"

config_src=$repo/configs/production.yaml
unit_src=$repo/systemd/quantumedge.service
for f in "$config_src" "$unit_src" "$here/debian/control.in" "$here/debian/postinst" "$here/debian/prerm" \
  "$here/debian/postrm" "$here/debian/quantumedge.env.template" "$here/copyright" "$here/quantumedge.1" \
  "$here/lintian-overrides" \
  "$repo/packaging/README.md"; do
  [ -f "$f" ] || die "missing $f"
done
grep -qE '^  data_dir: /var/lib/quantumedge([[:space:]]|$)' "$config_src" \
  || die "$config_src: node.data_dir must be /var/lib/quantumedge (the unit's StateDirectory)"

maintainer=${QE_DEB_MAINTAINER:-QuantumEdge packaging <packaging@quantumedge.invalid>}
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH=$epoch

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/lib/quantumedge" "$root/lib/systemd/system" \
  "$root/etc/quantumedge" "$root/usr/share/quantumedge" "$root/usr/share/doc/quantumedge" "$root/usr/share/man/man1"

# The binary lives beside its native libraries: native AOT resolves DllImport("libsodium") in
# the directory of the real executable, which /usr/bin/quantumedge links to.
install -m 0755 "$binary" "$root/usr/lib/quantumedge/quantumedge"
shopt -s nullglob
for lib in "$bindir"/*.so "$bindir"/*.so.*; do
  install -m 0644 "$lib" "$root/usr/lib/quantumedge/$(basename "$lib")"
done
shopt -u nullglob
ln -s ../lib/quantumedge/quantumedge "$root/usr/bin/quantumedge"

install -m 0644 "$unit_src" "$root/lib/systemd/system/quantumedge.service"
if [ -n "$planner" ]; then
  install -m 0755 "$planner" "$root/usr/lib/quantumedge/quantumedge-planner"
  install -m 0644 "$repo/systemd/quantumedge-planner.service" "$root/lib/systemd/system/quantumedge-planner.service"
else
  echo "build-deb: no --planner given: the package has the node only (no GPU planner)" >&2
fi

# The production configuration, with the node key where postinst generates it. (When the
# repository's file names storage.node_key_dir itself, it is shipped unchanged.)
config=$root/etc/quantumedge/production.yaml
if grep -qE '^  node_key_dir:' "$config_src"; then
  install -m 0644 "$config_src" "$config"
elif grep -qE '^storage:' "$config_src"; then
  sed '/^storage:/a\  node_key_dir: /var/lib/quantumedge/keys   # generated by the package (quantumedge keygen)' "$config_src" > "$config"
else
  { cat "$config_src"; printf '\n# Added by the package: the node identity key generated on install.\nstorage:\n  node_key_dir: /var/lib/quantumedge/keys\n'; } > "$config"
fi
chmod 0644 "$config"

install -m 0644 "$here/debian/quantumedge.env.template" "$root/usr/share/quantumedge/quantumedge.env.template"
install -m 0644 "$repo/packaging/README.md" "$root/usr/share/doc/quantumedge/README.md"
install -m 0644 "$here/copyright" "$root/usr/share/doc/quantumedge/copyright"
gzip -9n < "$here/quantumedge.1" > "$root/usr/share/man/man1/quantumedge.1.gz"
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
# A version without a Debian revision (1.0.0, not 1.0.0-1) makes a "native" package, whose
# changelog Debian names changelog.gz.
if [[ $version == *-* ]]; then changelog=changelog.Debian.gz; else changelog=changelog.gz; fi
{
  printf 'quantumedge (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Built from the QuantumEdge repository, commit %s.\n\n' "$commit"
  printf ' -- %s  %s\n' "$maintainer" "$(LC_ALL=C date -u -R -d "@$epoch")"
} | gzip -9n > "$root/usr/share/doc/quantumedge/$changelog"
chmod 0644 "$root/usr/share/doc/quantumedge/$changelog" "$root/usr/share/man/man1/quantumedge.1.gz"
install -d -m 0755 "$root/usr/share/lintian/overrides"
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/quantumedge"

# Depends. libc: the newest GLIBC_ symbol version the ELF files need. libssl3: the runtime
# dlopens libssl.so.3 for TLS, hashing and HMAC (libssl3t64 on Debian 13 and Ubuntu 24.04).
# No ICU (InvariantGlobalization) and no zlib (the runtime links its own). adduser and
# init-system-helpers (deb-systemd-invoke, deb-systemd-helper): the maintainer scripts.
glibc=$(objdump -T "$root"/usr/lib/quantumedge/* 2>/dev/null | grep -oE 'GLIBC_[0-9]+(\.[0-9]+)+' | sed 's/GLIBC_//' | sort -uV | tail -1)
[ -n "$glibc" ] || die "could not read the glibc symbol versions of $binary"
depends="libc6 (>= $glibc), libssl3 | libssl3t64, adduser, init-system-helpers (>= 1.54~)"
# The planner's .NET runtime (JIT, not AOT) links the C++ runtime.
if [ -n "$planner" ]; then
  needed=$(objdump -p "$root/usr/lib/quantumedge/quantumedge-planner" | awk '$1 == "NEEDED" {print $2}')
  grep -qx 'libstdc++.so.6' <<< "$needed" && depends="$depends, libstdc++6"
  grep -qx 'libgcc_s.so.1' <<< "$needed" && depends="$depends, libgcc-s1"
fi

for s in postinst prerm postrm; do install -m 0755 "$here/debian/$s" "$root/DEBIAN/$s"; done
echo /etc/quantumedge/production.yaml > "$root/DEBIAN/conffiles"
chmod 0644 "$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
installed_size=$(du -sk --apparent-size --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@MAINTAINER@|$maintainer|" -e "s|@INSTALLED_SIZE@|$installed_size|" \
  -e "s/@DEPENDS@/$depends/" "$here/debian/control.in" > "$root/DEBIAN/control"
chmod 0644 "$root/DEBIAN/control"

find "$root" -exec touch -h -d "@$epoch" {} +
mkdir -p "$outdir"
deb=$(cd "$outdir" && pwd)/quantumedge_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" > /dev/null
echo "built $(basename "$deb"): $(du -h "$deb" | cut -f1) ($(stat -c %s "$deb") bytes), Depends: $depends"
echo "$deb"
