#!/usr/bin/env bash
# Check compose.yaml without a container engine: its services, images, ports, volumes, mounts,
# health checks and start order (parsed with python3-yaml), then run compose-init.sh with the
# given binary and check that every hospital's generated production.yaml passes the node's own
# check-config with its secrets.env, names the other two as peers with their real public keys,
# and points at names and ports that compose.yaml defines; then, as no container engine may be
# available, runs the three nodes and their simulated backends on loopback from those
# configurations (names mapped to free ports) until each reaches both peers. Needs curl.
# Exits non-zero on any problem.
#
#   packaging/container/test-compose.sh BINARY
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: $0 BINARY" >&2; exit 2; }
binary=$(readlink -f "$1")
[ -x "$binary" ] || { echo "test-compose: '$1' is not executable" >&2; exit 2; }
python3 -c 'import yaml' 2> /dev/null || { echo "test-compose: python3-yaml is required" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2> /dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "== compose-init.sh and the hospitals' configurations"
QUANTUMEDGE="$binary" bash "$here/compose-init.sh" "$work/state" > "$work/init.log" 2>&1 || { cat "$work/init.log"; echo "  FAIL compose-init.sh"; exit 1; }
for h in hospital-a hospital-b hospital-c; do
  (set -a; . "$work/state/$h/secrets.env"; "$binary" check-config --config "$work/state/$h/production.yaml") > "$work/$h.check" 2>&1 \
    && echo "ok	$h: check-config accepts production.yaml with secrets.env" \
    || echo "FAIL	$h: check-config: $(tail -2 "$work/$h.check" | tr '\n' ' ')"
  cp "$work/state/$h/production.yaml" "$work/$h.yaml"
  sed "s|/app/keys|$work/state/$h/keys|; s|/app/data|$work/$h-data|" "$work/state/$h/production.yaml" > "$work/$h.local.yaml"
  (set -a; . "$work/state/$h/secrets.env"; "$binary" federation pubkey --config "$work/$h.local.yaml" 2> /dev/null) > "$work/$h.pubkey"
done > "$work/init-checks"

python3 - "$here/compose.yaml" "$work" > "$work/checks" <<'PY'
import os, sys, yaml
compose_path, work = sys.argv[1], sys.argv[2]
def check(ok, what):
    print(("ok" if ok else "FAIL") + "\t" + what)
compose = yaml.safe_load(open(compose_path, encoding="utf-8"))
services = compose.get("services", {})
hospitals = ["hospital-a", "hospital-b", "hospital-c"]
check(set(services) == set(hospitals) | {f"llm-{h}" for h in hospitals}, f"services are three hospitals and their simulated LLMs: {sorted(services)}")
check(compose.get("name") == "quantum-federated-llm", "project name is the guide's quantum-federated-llm")
host_ports = []
for h in hospitals:
    s = services.get(h, {})
    check(s.get("image") == "quantum-federated-llm:latest", f"{h} runs quantum-federated-llm:latest")
    ports = s.get("ports", [])
    targets = sorted(p.rsplit(":", 1)[1] for p in ports)
    check(targets == ["8080", "9090"], f"{h} publishes the API (8080) and metrics (9090): {ports}")
    check(all(p.startswith("127.0.0.1:") for p in ports), f"{h} publishes on the host's loopback only")
    host_ports += [p.split(":")[1] for p in ports]
    vols = s.get("volumes", [])
    check(f"{h}-data:/app/data" in vols, f"{h} keeps /app/data in the named volume {h}-data")
    check(f"./state/{h}/production.yaml:/app/configs/production.yaml:ro" in vols, f"{h} mounts its production.yaml read-only at QUANTUM_CONFIG_PATH")
    check(f"./state/{h}/keys:/app/keys:ro" in vols, f"{h} mounts its node key read-only at /app/keys")
    check(s.get("env_file") == [f"./state/{h}/secrets.env"], f"{h} takes JWT_SECRET and MASTER_KEY from its own secrets.env")
    hc = s.get("healthcheck", {})
    check(hc.get("test") == ["CMD", "/app/quantumedge", "probe", "http://127.0.0.1:8080/health/live"], f"{h} health check probes /health/live with the node binary: {hc.get('test')}")
    check(all(k in hc for k in ("interval", "timeout", "retries", "start_period")), f"{h} health check has interval, timeout, retries, start_period")
    check(s.get("read_only") is True and s.get("tmpfs") == ["/tmp"], f"{h} has a read-only root with a /tmp tmpfs")
    check(s.get("cap_drop") == ["ALL"] and "no-new-privileges:true" in s.get("security_opt", []), f"{h} drops every capability, no new privileges")
    check(s.get("depends_on", {}).get(f"llm-{h}", {}).get("condition") == "service_healthy", f"{h} starts once llm-{h} is healthy")
    llm = services.get(f"llm-{h}", {})
    cmd = llm.get("command", [])
    check(cmd[:1] == ["sim-backend"] and "--port" in cmd and cmd[cmd.index("--port") + 1] == "8000" and "0.0.0.0" in cmd,
          f"llm-{h} runs sim-backend on 0.0.0.0:8000: {cmd}")
    check(llm.get("healthcheck", {}).get("test") == ["CMD", "/app/quantumedge", "probe", "http://127.0.0.1:8000/health"], f"llm-{h} health check probes its /health")
    check(not llm.get("ports"), f"llm-{h} is reachable on the compose network only")
check(len(host_ports) == len(set(host_ports)) == 6, f"host ports are distinct: {host_ports}")
check(set(compose.get("volumes", {})) == {f"{h}-data" for h in hospitals}, "the three data volumes are declared")
# The generated configurations agree with compose.yaml and with each other.
for h in hospitals:
    cfg = yaml.safe_load(open(os.path.join(work, f"{h}.yaml"), encoding="utf-8"))
    check(cfg["node"]["id"] == h and cfg["node"]["data_dir"] == "/app/data", f"{h}: node.id {h}, data_dir the volume")
    check(cfg["storage"]["node_key_dir"] == "/app/keys", f"{h}: node key from the /app/keys mount")
    check(cfg["server"]["urls"] == ["http://0.0.0.0:8080"] and cfg["server"]["metrics_url"] == "http://0.0.0.0:9090", f"{h}: listens on the published container ports")
    check(all(b["url"].startswith(f"http://llm-{h}:8000/") for b in cfg["backends"]), f"{h}: its backend is the llm-{h} service")
    fed = cfg["federation"]
    check(fed["enabled"] and fed["listen_url"] == "http://0.0.0.0:7443", f"{h}: federation on 7443")
    peers = {p["id"]: p for p in fed["peers"]}
    check(set(peers) == set(hospitals) - {h}, f"{h}: the other two hospitals are its peers")
    for pid, p in peers.items():
        key = open(os.path.join(work, f"{pid}.pubkey")).read().strip()
        check(p["url"] == f"http://{pid}:7443" and p["public_key"] == key and key.startswith("ed25519:"),
              f"{h}: peer {pid} at its service name with its real public key")
PY
# No engine can start the containers here, so the three hospitals run on loopback from the
# generated configurations, with compose.yaml's service names and ports mapped to free ports:
# this proves the keys, peers and federation settings compose-init.sh writes make a federation.
# Twelve distinct ports below the kernel's ephemeral range, held together while they are chosen:
# a port taken from the ephemeral range could meanwhile become the source port of one node's
# outgoing connection (gossip, backend probes) and the next node's bind would fail.
declare -A api metrics fed sim
read -r -a listen_ports < <(python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
held, ports = [], []
for port in random.sample(range(10000, low), low - 10000):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.close()
        continue
    held.append(s); ports.append(port)
    if len(ports) == 12:
        break
print(" ".join(map(str, ports)))
PY
)
[ ${#listen_ports[@]} = 12 ] || { echo "test-compose: could not find 12 free loopback ports" >&2; exit 2; }
i=0
for h in hospital-a hospital-b hospital-c; do
  api[$h]=${listen_ports[i]}; metrics[$h]=${listen_ports[i+1]}; fed[$h]=${listen_ports[i+2]}; sim[$h]=${listen_ports[i+3]}
  i=$((i + 4))
done
for h in hospital-a hospital-b hospital-c; do
  "$binary" sim-backend --port "${sim[$h]}" --time-scale 0 > "$work/llm-$h.log" 2>&1 &
  pids+=($!)
  sed -e "s|http://llm-$h:8000|http://127.0.0.1:${sim[$h]}|g" -e "s|http://0.0.0.0:8080|http://127.0.0.1:${api[$h]}|" \
      -e "s|http://0.0.0.0:9090|http://127.0.0.1:${metrics[$h]}|" -e "s|http://0.0.0.0:7443|http://127.0.0.1:${fed[$h]}|" \
      -e "s|http://hospital-a:7443|http://127.0.0.1:${fed[hospital-a]}|; s|http://hospital-b:7443|http://127.0.0.1:${fed[hospital-b]}|" \
      -e "s|http://hospital-c:7443|http://127.0.0.1:${fed[hospital-c]}|" \
      -e "s|/app/keys|$work/state/$h/keys|; s|/app/data|$work/$h-run|" "$work/state/$h/production.yaml" > "$work/$h.run.yaml"
done
for h in hospital-a hospital-b hospital-c; do
  (set -a; . "$work/state/$h/secrets.env"; exec "$binary" serve --config "$work/$h.run.yaml") > "$work/$h.log" 2>&1 &
  pids+=($!)
done
deadline=$((SECONDS + 120))
for h in hospital-a hospital-b hospital-c; do
  reachable=
  while [ $SECONDS -lt $deadline ]; do
    reachable=$(curl -fsS "http://127.0.0.1:${metrics[$h]}/metrics" 2> /dev/null | awk '$1 == "quantumedge_federation_peers_reachable" { print $2 }')
    [ "$reachable" = 2 ] && break
    sleep 1
  done
  if [ "$reachable" = 2 ]; then
    echo "ok	$h (run from its generated configuration) reaches both peers: quantumedge_federation_peers_reachable 2"
  else
    echo "FAIL	$h reaches both peers (quantumedge_federation_peers_reachable '${reachable:-no answer}'): $(tail -3 "$work/$h.log" | tr '\n' ' ')"
  fi
done >> "$work/init-checks"

echo "== results"
checks=0; failures=0
while IFS=$'\t' read -r verdict what; do
  checks=$((checks + 1))
  if [ "$verdict" = ok ]; then echo "  ok   $what"; else failures=$((failures + 1)); echo "  FAIL $what"; fi
done < <(cat "$work/init-checks" "$work/checks")
[ -s "$work/checks" ] || { failures=$((failures + 1)); echo "  FAIL compose.yaml could be checked"; }
if command -v docker > /dev/null && docker compose version > /dev/null 2>&1; then
  if (cd "$here" && ln -s "$work/state" state 2> /dev/null && docker compose -f compose.yaml config -q; rc=$?; rm -f state; exit $rc); then
    echo "  ok   docker compose config accepts it"; checks=$((checks + 1))
  else
    echo "  FAIL docker compose config"; checks=$((checks + 1)); failures=$((failures + 1))
  fi
else
  echo "  note no docker compose here: compose.yaml was checked by parsing it, not run"
fi
echo "test-compose: $checks checks, $failures failed"
[ "$failures" = 0 ]
