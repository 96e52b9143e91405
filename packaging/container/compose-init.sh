#!/usr/bin/env bash
# Prepare compose.yaml's three hospitals: for each of hospital-a, -b and -c, a node key
# (quantumedge keygen), a production.yaml that lists the other two as federation peers with their
# public keys (quantumedge federation pubkey), and a secrets.env with its own JWT_SECRET and
# MASTER_KEY. Writes STATE_DIR (default: packaging/container/state, beside compose.yaml) and
# refuses to overwrite an existing one: a new MASTER_KEY could not open the old volumes' ledgers.
#
#   packaging/container/compose-init.sh [STATE_DIR]
#
# QUANTUMEDGE runs the node binary (default: quantumedge on PATH, else the repository's AOT
# publish); it may be a command with arguments, e.g. "podman run --rm -v ...". Run as root (or
# with sudo) so that the keys can be given to the image's user, 10001; needs openssl.
set -euo pipefail

die() { echo "compose-init: $*" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${1:-$here/state}
uid=10001
if [ -n "${QUANTUMEDGE:-}" ]; then
  read -r -a qe <<< "$QUANTUMEDGE"
elif command -v quantumedge > /dev/null; then
  qe=(quantumedge)
else
  qe=("$repo/artifacts/aot/linux-x64/quantumedge")
fi
"${qe[@]}" --version > /dev/null 2>&1 || die "cannot run '${qe[*]}': set QUANTUMEDGE to the node binary"
command -v openssl > /dev/null || die "openssl is required (secrets)"
[ ! -e "$state" ] || die "$state exists: remove it (and the compose volumes) to start over"

hospitals=(hospital-a hospital-b hospital-c)
declare -A names=([hospital-a]="General Hospital A" [hospital-b]="University Hospital B" [hospital-c]="Children's Hospital C")
declare -A pubkeys
umask 077
mkdir -p "$state"
for h in "${hospitals[@]}"; do
  mkdir -p "$state/$h"
  "${qe[@]}" keygen --output-dir "$state/$h/keys" > /dev/null
  # federation pubkey reads the key through a configuration; this one exists only for that.
  cat > "$state/$h/pubkey.yaml" <<YAML
node: {id: $h, data_dir: $state/$h/unused}
storage: {node_key_dir: $state/$h/keys}
backends: [{id: llm, url: "http://llm-$h:8000/v1", models: [clinical-7b]}]
YAML
  pubkeys[$h]=$("${qe[@]}" federation pubkey --config "$state/$h/pubkey.yaml" 2> /dev/null)
  rm -rf "$state/$h/pubkey.yaml" "$state/$h/unused"
  [[ ${pubkeys[$h]} == ed25519:* ]] || die "no public key for $h"
  printf 'JWT_SECRET=%s\nMASTER_KEY=%s\n' "$(openssl rand -base64 48 | tr -d '\n')" "$(openssl rand -base64 32)" > "$state/$h/secrets.env"
done

for h in "${hospitals[@]}"; do
  peers=
  for p in "${hospitals[@]}"; do
    [ "$p" = "$h" ] && continue
    peers+="    - {id: $p, url: \"http://$p:7443\", public_key: \"${pubkeys[$p]}\"}"$'\n'
  done
  cat > "$state/$h/production.yaml" <<YAML
# $h in packaging/container/compose.yaml, written by compose-init.sh. Mounted read-only at
# /app/configs/production.yaml; secrets come from secrets.env, the node key from ./keys.
node:
  id: $h
  name: "${names[$h]}"
  data_dir: /app/data
server:
  urls: [http://0.0.0.0:8080]        # inside the container; compose publishes it on the host's loopback
  metrics_url: http://0.0.0.0:9090
auth:
  mode: hs256
  issuer: quantumedge
  audience: quantumedge
backends:
  - id: llm-$h
    url: http://llm-$h:8000/v1
    models: [clinical-7b]
    max_concurrency: 16
    allowed_classifications: [restricted, confidential, internal, public]
    metrics_url: http://llm-$h:8000/metrics
storage:
  node_key_dir: /app/keys
federation:
  enabled: true
  federation_id: quantum-federated-llm-demo
  listen_url: http://0.0.0.0:7443    # reached by the peers on the compose network only
  peers:
$peers
privacy:
  epsilon_per_query: 0.1
  delta: 1.0e-5
  max_budget_per_user: 10.0
  composition_method: "rdp"
  department_budgets: {emergency: 20.0, icu: 15.0, surgery: 12.0, general: 8.0, research: 3.0}
security:
  role_permissions:
    doctor: ["query", "planning", "measurement"]
    nurse: ["query", "basic_planning"]
    researcher: ["query"]
    admin: ["all"]
logging:
  level: information
  format: json
YAML
done
chmod 0644 "$state"/*/production.yaml
chmod 0755 "$state" "$state"/hospital-*
chmod 0600 "$state"/*/secrets.env
# The node runs as 10001 and reads its private key (0600): give it the key directories.
if [ "$(id -u)" = 0 ]; then
  chown -R "$uid:$uid" "$state"/*/keys
else
  echo "compose-init: not root: run 'sudo chown -R $uid:$uid $state/*/keys' (rootless podman: 'podman unshare chown -R $uid:$uid ...')" >&2
fi
echo "compose-init: wrote $state (keys, production.yaml and secrets.env for ${hospitals[*]})"
