#!/usr/bin/env bash
# Build the QuantumEdge container image as an OCI archive, without a registry or a container
# engine: the runtime root comes from Debian packages (mmdebstrap, no maintainer scripts run),
# the native-AOT binary is added to it, and buildah commits it from scratch.
#
#   packaging/container/build-image.sh BINARY OUTDIR [VERSION]
#
# BINARY is artifacts/aot/linux-x64/quantumedge (libsodium.so beside it goes in too). Writes
# OUTDIR/quantum-federated-llm-<version>.oci.tar holding quantum-federated-llm:<version> (the
# guide's image name; tag it :latest when loading it, README). Needs mmdebstrap and buildah (apt-get install mmdebstrap
# buildah) and root (buildah's storage; the root file system's owners). QE_DEBIAN_MIRROR and
# QE_DEBIAN_SECURITY_MIRROR override deb.debian.org (bookworm, -updates and -security are used,
# so the image gets the current libssl3 and libc6 security fixes).
# Prints the path of the archive on the last line.
set -euo pipefail

usage() { echo "usage: $0 BINARY OUTDIR [VERSION]" >&2; exit 2; }
die() { echo "build-image: $*" >&2; exit 1; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
binary=$(readlink -f "$1")
outdir=$2
version=${3:-}

for tool in mmdebstrap buildah python3; do
  command -v "$tool" > /dev/null || die "$tool is required (apt-get install mmdebstrap buildah python3-yaml)"
done
[ "$(id -u)" = 0 ] || die "run as root: the image's files must belong to root and to the node's user (10001)"
[ -f "$binary" ] && [ -x "$binary" ] || die "'$1' is not an executable file"
bindir=$(dirname "$binary")
[ -f "$bindir/libsodium.so" ] || die "no libsodium.so beside $binary: the node loads it at run time (NSec)"
if [ -z "$version" ]; then
  version=$("$binary" --version 2>/dev/null | head -1) || die "'$binary --version' failed; pass VERSION"
  version=${version%%+*}
fi
[[ $version =~ ^[0-9][A-Za-z0-9._-]*$ ]] || die "'$version' is not a valid image tag"

mirror=${QE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${QE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH=$epoch
commit=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)
uid=10001

stage=$(mktemp -d)
store=$stage/storage
ctr=
cleanup() {
  [ -z "$ctr" ] || buildah --root "$store" --runroot "$stage/run" --storage-driver vfs rm "$ctr" > /dev/null 2>&1 || true
  rm -rf "$stage"
}
trap cleanup EXIT
bah() { buildah --root "$store" --runroot "$stage/run" --storage-driver vfs "$@"; }

# The container's configuration: configs/production.yaml with the container's paths and plain
# HTTP on the guide's ports inside the container's own network namespace (publish them on
# loopback or behind a TLS proxy, or mount a production.yaml with server.tls: README).
config=$stage/production.yaml
python3 "$here/container-config.py" "$repo/configs/production.yaml" > "$config"

# The root file system: only the packages the binary needs, unpacked without maintainer
# scripts (there is no shell in the image to run them). libc6 and libgcc-s1: the binary's
# NEEDED libraries; libssl3: loaded with dlopen for TLS and hashing; ca-certificates: the CA
# bundle for https backends and peers; tzdata: time zones.
root=$stage/root
mmdebstrap --quiet --variant=extract --include=libc6,libgcc-s1,libssl3,ca-certificates,tzdata \
  bookworm "$root" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main" \
  > "$stage/mmdebstrap.log" 2>&1 \
  || { cat "$stage/mmdebstrap.log" >&2; die "mmdebstrap failed"; }
# (mmdebstrap runs no hooks for the extract variant: the rest is done here.) Documentation,
# translations, apt's caches, the iconv modules (the node uses invariant globalization) and the
# device nodes (the container runtime provides /dev) are not needed.
rm -rf "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/info "$root"/usr/share/locale \
  "$root"/usr/share/lintian "$root"/usr/lib/x86_64-linux-gnu/gconv "$root"/var/cache/* "$root"/var/lib/apt/lists/* \
  "$root"/var/log/* "$root"/dev/*
# What ca-certificates' maintainer script would have made: the bundle OpenSSL and .NET read.
mkdir -p "$root/etc/ssl/certs"
cat "$root"/usr/share/ca-certificates/mozilla/*.crt > "$root/etc/ssl/certs/ca-certificates.crt"
[ "$(grep -c 'BEGIN CERTIFICATE' "$root/etc/ssl/certs/ca-certificates.crt")" -gt 50 ] || die "the CA bundle is nearly empty"
ln -sf /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
echo Etc/UTC > "$root/etc/timezone"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nquantumedge:x:%s:%s:QuantumEdge:/app/data:/usr/sbin/nologin\n' "$uid" "$uid" > "$root/etc/passwd"
printf 'root:x:0:\nquantumedge:x:%s:\n' "$uid" > "$root/etc/group"
install -d -m 1777 "$root/tmp"
install -d -m 0755 "$root/app" "$root/app/configs"
install -d -m 0750 -o "$uid" -g "$uid" "$root/app/data" "$root/app/logs"
install -m 0755 "$binary" "$root/app/quantumedge"
install -m 0644 "$bindir/libsodium.so" "$root/app/libsodium.so"
install -m 0644 "$config" "$root/app/configs/production.yaml"
rootfs=$stage/rootfs.tar
tar --sort=name --mtime="@$epoch" --numeric-owner --xattrs -C "$root" -cf "$rootfs" .

ctr=$(bah from --quiet scratch)
bah add --quiet "$ctr" "$rootfs" / > /dev/null
health='["/app/quantumedge","probe","http://127.0.0.1:8080/health/live"]'
bah config \
  --user "$uid:$uid" \
  --workingdir /app/data \
  --entrypoint '["/app/quantumedge"]' \
  --cmd serve \
  --env QUANTUM_CONFIG_PATH=/app/configs/production.yaml \
  --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --port 8080/tcp --port 9090/tcp --port 7443/tcp \
  --volume /app/data \
  --stop-signal SIGTERM \
  --label org.opencontainers.image.title=quantum-federated-llm \
  --label "org.opencontainers.image.description=QuantumEdge: on-premises LLM gateway for hospitals (native AOT)" \
  --label "org.opencontainers.image.version=$version" \
  --label "org.opencontainers.image.revision=$commit" \
  --label "org.opencontainers.image.created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)" \
  --label "org.opencontainers.image.base.name=debian:bookworm (mmdebstrap --variant=extract)" \
  --label "io.quantumedge.healthcheck=$health" \
  --created-by "packaging/container/build-image.sh" \
  "$ctr"

mkdir -p "$outdir"
archive=$(cd "$outdir" && pwd)/quantum-federated-llm-$version.oci.tar
rm -f "$archive"
bah commit --quiet --format oci --disable-compression=false --timestamp "$epoch" --rm "$ctr" "oci-archive:$archive:quantum-federated-llm:$version" > /dev/null
ctr=
echo "built $(basename "$archive"): $(du -h "$archive" | cut -f1) ($(stat -c %s "$archive") bytes), image quantum-federated-llm:$version"
echo "$archive"
