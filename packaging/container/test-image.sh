#!/usr/bin/env bash
# Check the QuantumEdge OCI archive: the image config (user, entrypoint, command, ports, volume,
# environment, labels), the layer's files (binary, libraries, CA bundle, users, modes, no
# shell), then run the node from the image's own root file system and ask /health/live:
# with podman when this machine can run containers, else (root only) in a chroot of the
# unpacked layer as the image's user, which proves the root file system is enough for the node.
# When podman cannot run a container, says exactly why. Exits non-zero on any problem.
#
#   packaging/container/test-image.sh ARCHIVE [BINARY]
#
# BINARY (optional): the binary the image was built from; the image's copy must be identical.
set -uo pipefail

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 ARCHIVE [BINARY]" >&2; exit 2; }
archive=$(readlink -f "$1")
binary=${2:+$(readlink -f "$2")}
[ -f "$archive" ] || { echo "test-image: no such file: $1" >&2; exit 2; }
command -v python3 > /dev/null || { echo "test-image: python3 is required" >&2; exit 2; }

work=$(mktemp -d)
node_pid=
mounts=()
cleanup() {
  [ -z "$node_pid" ] || kill "$node_pid" 2> /dev/null
  local m
  for m in "${mounts[@]}"; do umount -l "$m" 2> /dev/null; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
checks=0
failures=0
ok() { checks=$((checks + 1)); echo "  ok   $*"; }
bad() { checks=$((checks + 1)); failures=$((failures + 1)); echo "  FAIL $*"; }
check() { # DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
note() { echo "  note $*"; }

echo "== OCI layout, manifest and config"
mkdir -p "$work/oci" "$work/root"
if ! tar -C "$work/oci" -xf "$archive"; then
  bad "the archive unpacks"; echo "test-image: $checks checks, $failures failed"; exit 1
fi
# One python pass prints "ok|FAIL<TAB>description" lines and writes the layer paths to a file.
python3 - "$work/oci" "$work/layers" > "$work/config-checks" <<'PY'
import hashlib, json, os, sys
oci, layers_out = sys.argv[1], sys.argv[2]
def blob(digest):
    algo, hexd = digest.split(":")
    path = os.path.join(oci, "blobs", algo, hexd)
    data = open(path, "rb").read()
    return path, data, hashlib.new(algo, data).hexdigest() == hexd
def check(ok, what):
    print(("ok" if ok else "FAIL") + "\t" + what)
layout = json.load(open(os.path.join(oci, "oci-layout")))
check(layout.get("imageLayoutVersion") == "1.0.0", "oci-layout is version 1.0.0")
index = json.load(open(os.path.join(oci, "index.json")))
manifests = index.get("manifests", [])
check(len(manifests) == 1, "index.json lists one image")
ref = manifests[0].get("annotations", {}).get("org.opencontainers.image.ref.name", "")
check(ref.startswith("quantum-federated-llm:"), f"the image is named quantum-federated-llm:<version> ({ref})")
_, mdata, mok = blob(manifests[0]["digest"])
check(mok, "the manifest matches its digest")
manifest = json.loads(mdata)
_, cdata, cok = blob(manifest["config"]["digest"])
check(cok, "the config matches its digest")
config = json.loads(cdata)
c = config.get("config", {})
check(config.get("architecture") == "amd64" and config.get("os") == "linux", "linux/amd64")
check(c.get("User") == "10001:10001", f"runs as the unprivileged user 10001:10001 (User {c.get('User')!r})")
check(c.get("Entrypoint") == ["/app/quantumedge"], f"entrypoint is the node binary ({c.get('Entrypoint')})")
check(c.get("Cmd") == ["serve"], f"default command is serve ({c.get('Cmd')})")
check(set(c.get("ExposedPorts", {})) == {"8080/tcp", "9090/tcp", "7443/tcp"}, f"exposes 8080 (API), 9090 (metrics), 7443 (federation): {sorted(c.get('ExposedPorts', {}))}")
check(list(c.get("Volumes", {})) == ["/app/data"], f"one volume, /app/data ({list(c.get('Volumes', {}))})")
check(c.get("WorkingDir") == "/app/data", "working directory /app/data")
env = dict(e.split("=", 1) for e in c.get("Env", []))
check(env.get("QUANTUM_CONFIG_PATH") == "/app/configs/production.yaml", "QUANTUM_CONFIG_PATH is the guide's /app/configs/production.yaml")
check(not any(k in env for k in ("JWT_SECRET", "MASTER_KEY")), "no secret in the image's environment")
check(c.get("StopSignal") == "SIGTERM", "stops with SIGTERM (the node drains and closes its ledger)")
labels = c.get("Labels", {})
version = labels.get("org.opencontainers.image.version", "")
check(ref == f"quantum-federated-llm:{version}", f"label org.opencontainers.image.version matches the tag ({version})")
for key in ("org.opencontainers.image.title", "org.opencontainers.image.revision", "org.opencontainers.image.created", "org.opencontainers.image.description"):
    check(bool(labels.get(key)), f"label {key} is set")
health = labels.get("io.quantumedge.healthcheck", "")
check(json.loads(health or "[]")[:2] == ["/app/quantumedge", "probe"] and "/health/live" in health,
      f"label io.quantumedge.healthcheck names the binary's probe of /health/live ({health})")
with open(layers_out, "w") as f:
    for layer in manifest["layers"]:
        path, _, lok = blob(layer["digest"])
        check(lok, f"layer {layer['digest'][:19]} matches its digest")
        check(layer["mediaType"].endswith("tar+gzip"), f"layer is compressed ({layer['mediaType']})")
        f.write(path + "\n")
PY
while IFS=$'\t' read -r verdict what; do
  if [ "$verdict" = ok ]; then ok "$what"; else bad "$what"; fi
done < "$work/config-checks"
[ -s "$work/layers" ] || { bad "the config could be read"; echo "test-image: $checks checks, $failures failed"; exit 1; }

echo "== the layer's files"
: > "$work/list"
while read -r layer; do
  tar -tvzf "$layer" >> "$work/list" || bad "layer $layer lists"
  tar -C "$work/root" --numeric-owner -xzf "$layer" 2> /dev/null || bad "layer $layer unpacks"
done < "$work/layers"
entry() { awk -v p="$1" '{ path = $6; sub(/^\.\//, "", path); if (path == p || path == p "/") print $1, $2 }' "$work/list"; }
check "app/quantumedge is -rwxr-xr-x root" [ "$(entry app/quantumedge)" = "-rwxr-xr-x 0/0" ]
check "app/libsodium.so is beside it" [ "$(entry app/libsodium.so)" = "-rw-r--r-- 0/0" ]
check "app/configs/production.yaml is -rw-r--r-- root (read-only to the node)" [ "$(entry app/configs/production.yaml)" = "-rw-r--r-- 0/0" ]
check "app/data (the volume) belongs to 10001, mode 0750" [ "$(entry app/data)" = "drwxr-x--- 10001/10001" ]
check "tmp is 1777" [ "$(entry tmp)" = "drwxrwxrwt 0/0" ]
check "etc/passwd names the node's user 10001" grep -qx 'quantumedge:x:10001:10001:QuantumEdge:/app/data:/usr/sbin/nologin' "$work/root/etc/passwd"
check "the CA bundle holds the Mozilla roots" bash -c '[ "$(grep -c "BEGIN CERTIFICATE" "$0")" -gt 100 ]' "$work/root/etc/ssl/certs/ca-certificates.crt"
check "libssl.so.3 is present (the runtime loads it with dlopen)" test -e "$work/root/usr/lib/x86_64-linux-gnu/libssl.so.3"
check "time zones are present (tzdata), /etc/localtime is UTC" bash -c '[ -f "$0/usr/share/zoneinfo/Europe/Berlin" ] && [ "$(readlink "$0/etc/localtime")" = /usr/share/zoneinfo/Etc/UTC ]' "$work/root"
check "no shell or package manager in the image" bash -c '! ls "$0"/bin/sh "$0"/bin/bash "$0"/usr/bin/dash "$0"/usr/bin/apt "$0"/usr/bin/dpkg > /dev/null 2>&1' "$work/root"
check "nothing setuid or setgid, no device nodes" bash -c '! awk "{ print \$1 }" "$0" | grep -qE "^(c|b|...[sS]|......[sS])"' "$work/list"
check "no secrets or node keys baked in" bash -c '! grep -qE "(quantum_private\.pem|quantumedge\.env|/keys/)" "$0"' "$work/list"
if [ -n "$binary" ]; then
  check "app/quantumedge is the binary it was built from" [ "$(sha256sum < "$work/root/app/quantumedge")" = "$(sha256sum < "$binary")" ]
fi
if command -v objdump > /dev/null; then
  missing=
  for lib in $(objdump -p "$work/root/app/quantumedge" | awk '$1 == "NEEDED" { print $2 }'); do
    [ -e "$work/root/lib/x86_64-linux-gnu/$lib" ] || [ -e "$work/root/usr/lib/x86_64-linux-gnu/$lib" ] || missing="$missing $lib"
  done
  check "every library the binary needs is in the image${missing:+ (missing:$missing)}" [ -z "$missing" ]
fi

echo "== the node runs from the image"
api_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
secrets=(JWT_SECRET=test-image-jwt-secret-at-least-32-bytes-long MASTER_KEY=PtA7Y7Qx8H0m0qvIh6Qy3Yy0lX3vO0qR8B1bA6hQ3Zk=)
ran=no
# A private podman store in the work folder: nothing is left in (or taken from) the machine's own.
pm() { podman --root "$work/podman/root" --runroot "$work/podman/run" --storage-driver vfs "$@"; }
if command -v podman > /dev/null; then
  if podman_out=$(pm run --rm --network none --read-only oci-archive:"$archive" --version 2>&1); then
    ok "podman runs the image: --version prints $podman_out"
    name=qe-test-image-$$
    if pm run -d --rm --name "$name" --read-only --tmpfs /tmp -p "127.0.0.1:$api_port:8080" \
         -e "${secrets[0]}" -e "${secrets[1]}" oci-archive:"$archive" > /dev/null 2>&1; then
      deadline=$((SECONDS + 60)); live=
      while [ $SECONDS -lt $deadline ]; do
        live=$(pm exec "$name" /app/quantumedge probe http://127.0.0.1:8080/health/live 2>&1) && break
        live=; sleep 1
      done
      check "the container answers /health/live (its own probe, the compose health check): $live" [ -n "$live" ]
      pm stop -t 30 "$name" > /dev/null 2>&1
      ran=podman
    else
      bad "podman starts the node container: $(pm run --rm --read-only oci-archive:"$archive" 2>&1 | tail -3)"
      ran=podman
    fi
  else
    note "podman cannot run containers on this machine, so the image is run in a chroot instead. podman said:"
    printf '%s\n' "$podman_out" | tail -4 | sed 's/^/         /'
  fi
else
  note "podman is not installed: the image is run in a chroot instead"
fi
if [ $ran = no ]; then
  if [ "$(id -u)" != 0 ] || ! command -v chroot > /dev/null; then
    note "not root (or no chroot): the node was not run from the image's root file system"
  else
    # The unpacked layer is the whole root file system; the node runs in it as 10001 with the
    # image's environment, its config from the image and its data in the (here: bind) volume.
    mkdir -p "$work/root/proc" "$work/root/dev"
    touch "$work/root/dev/null" "$work/root/dev/urandom"
    for dev in null urandom; do
      mount --bind "/dev/$dev" "$work/root/dev/$dev" && mounts+=("$work/root/dev/$dev")
    done
    mount --rbind /proc "$work/root/proc" && mounts+=("$work/root/proc")
    # The image's production.yaml names LAN backends; this run only needs the listener.
    sed -i "s|http://0.0.0.0:8080|http://127.0.0.1:$api_port|; s|http://0.0.0.0:9090|http://127.0.0.1:0|" "$work/root/app/configs/production.yaml"
    check "the binary starts in the image's root file system: --version" \
      chroot --userspec=10001:10001 "$work/root" /app/quantumedge --version
    chroot=$(command -v chroot)
    (cd / && exec env -i "${secrets[@]}" QUANTUM_CONFIG_PATH=/app/configs/production.yaml SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt HOME=/app/data \
      "$chroot" --userspec=10001:10001 "$work/root" /app/quantumedge serve > "$work/node.log" 2>&1) &
    node_pid=$!
    deadline=$((SECONDS + 90)); live=
    while [ $SECONDS -lt $deadline ] && kill -0 "$node_pid" 2> /dev/null; do
      live=$(chroot --userspec=10001:10001 "$work/root" /app/quantumedge probe "http://127.0.0.1:$api_port/health/live" 2>&1) && break
      live=; sleep 1
    done
    check "serve (as 10001, image config, data in /app/data) answers /health/live to the image's probe: $live" [ -n "$live" ]
    [ -n "$live" ] || tail -20 "$work/node.log" | sed 's/^/         /'
    kill -TERM "$node_pid" 2> /dev/null; wait "$node_pid" 2> /dev/null; node_pid=
    outside=$(find "$work/root" -xdev -newer "$work/config-checks" -type f ! -path "$work/root/app/data/*" ! -path "$work/root/proc/*" \
      ! -path "$work/root/dev/*" ! -path "$work/root/app/configs/production.yaml" -printf '/%P ' 2> /dev/null)
    check "the node wrote only under /app/data${outside:+ (also: $outside)}" [ -z "$outside" ]
    check "it generated its own node key under /app/data/ledger/keys" test -f "$work/root/app/data/ledger/keys/quantum_private.pem"
    for m in "${mounts[@]}"; do umount -l "$m" 2> /dev/null; done
    mounts=()
  fi
fi

echo "test-image: $checks checks, $failures failed"
[ "$failures" = 0 ]
