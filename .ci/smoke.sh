#!/usr/bin/env bash
# Smoke test of the published native-AOT binary: start, /health, a proxied streaming chat
# completion through sim-backend, a charged request and the ledger round trip, /metrics,
# online backup and audit verify through the admin socket, clean SIGTERM shutdown, then
# offline verify, report and restore. Prints start-up time; asserts the idle-RSS and binary-size budgets.
set -euo pipefail
BIN=${1:?usage: smoke.sh PATH_TO_quantumedge}
BIN=$(readlink -f "$BIN")
WORK=$(mktemp -d)
SIM_PID=""; NODE_PID=""
cleanup() {
  for pid in $NODE_PID $SIM_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "SMOKE FAILED: $*" >&2; [ -f "$WORK/node.log" ] && tail -50 "$WORK/node.log" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

SIM_PORT=$(free_port); API_PORT=$(free_port); METRICS_PORT=$(free_port)
export JWT_SECRET="smoke-test-secret-0123456789abcdef-0123456789"
export MASTER_KEY="$(openssl rand -base64 32)"   # serve refuses a key under 128 bits

"$BIN" sim-backend --port "$SIM_PORT" --time-scale 0.2 > "$WORK/sim.log" 2>&1 &
SIM_PID=$!
cat > "$WORK/config.yaml" <<YAML
node:
  id: smoke-node
  data_dir: $WORK/data
server:
  urls: http://127.0.0.1:$API_PORT
  metrics_url: http://127.0.0.1:$METRICS_PORT
backends:
  - id: sim
    url: http://127.0.0.1:$SIM_PORT/v1
    models: [clinical-7b]
    allowed_classifications: [restricted, confidential, internal, public]
    metrics_url: http://127.0.0.1:$SIM_PORT/metrics
storage:
  node_key_dir: $WORK/keys
privacy:
  epsilon_per_query: 0.5
  max_budget_per_user: 1.0
  composition_method: basic
YAML
"$BIN" keygen --output-dir "$WORK/keys" > /dev/null || fail "keygen"
[ "$(stat -c %a "$WORK/keys/quantum_private.pem")" = 600 ] || fail "private key is not 0600"
[ "$(stat -c %a "$WORK/keys/quantum_public.pem")" = 644 ] || fail "public key is not 0644"
"$BIN" check-config --config "$WORK/config.yaml" > /dev/null || fail "check-config"
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$SIM_PORT/health" > /dev/null && break; sleep 0.05; done

start_ns=$(date +%s%N)
"$BIN" serve --config "$WORK/config.yaml" > "$WORK/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 400); do curl -fs "http://127.0.0.1:$API_PORT/health" > "$WORK/health.json" 2>/dev/null && break; sleep 0.01; done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
grep -q '"status":"healthy"' "$WORK/health.json" || fail "/health not healthy: $(cat "$WORK/health.json" 2>/dev/null)"
echo "start to healthy: ${ready_ms} ms (includes first ledger open and Argon2id)"

TOKEN=$("$BIN" token issue --config "$WORK/config.yaml" --sub dr.smoke --role doctor --department icu --ttl 10m)
chat() { curl -s -N "http://127.0.0.1:$API_PORT/v1/chat/completions" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -H "X-Data-Classification: $1" \
  -d "{\"model\":\"clinical-7b\",\"stream\":$2,\"messages\":[{\"role\":\"user\",\"content\":\"Summarise the handover for bed 12.\"}]}" -o "$3" -w '%{http_code}'; }

code=$(chat public true "$WORK/stream.txt"); [ "$code" = 200 ] || fail "streaming chat: HTTP $code"
grep -q '^data: {' "$WORK/stream.txt" || fail "no SSE chunks"
tail -2 "$WORK/stream.txt" | grep -q 'data: \[DONE\]' || fail "stream did not end with [DONE]"
chunks=$(grep -c '^data: {' "$WORK/stream.txt")
echo "streamed chat completion: $chunks chunks"

code=$(chat phi false "$WORK/phi1.json"); [ "$code" = 200 ] || fail "charged chat: HTTP $code"
code=$(chat phi false "$WORK/phi2.json"); [ "$code" = 200 ] || fail "second charged chat: HTTP $code"
code=$(chat phi false "$WORK/phi3.json"); [ "$code" = 429 ] || fail "budget not enforced: HTTP $code"
grep -q insufficient_privacy_budget "$WORK/phi3.json" || fail "429 without insufficient_privacy_budget"
echo "privacy budget: 2 charged requests admitted, 3rd refused with 429"

curl -fs "http://127.0.0.1:$API_PORT/privacy/budgets" -H "Authorization: Bearer $TOKEN" | grep -q '"queries":2' || fail "/privacy/budgets does not show 2 queries"
curl -fs "http://127.0.0.1:$METRICS_PORT/metrics" > "$WORK/metrics.txt" || fail "/metrics"
for m in quantumedge_requests_total privacy_violations_total privacy_budget_remaining audit_events_total process_working_set_bytes memory_utilization; do
  grep -q "^$m" "$WORK/metrics.txt" || fail "metric $m missing"
done

"$BIN" audit verify --config "$WORK/config.yaml" > "$WORK/verify.txt" || fail "online audit verify: $(cat "$WORK/verify.txt")"
grep -q "audit chain OK" "$WORK/verify.txt" || fail "online verify output: $(cat "$WORK/verify.txt")"
"$BIN" backup --config "$WORK/config.yaml" --out "$WORK/backup" > /dev/null || fail "online backup"
echo "online: $(cat "$WORK/verify.txt"); backup taken"

rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$NODE_PID/status")
kill -TERM "$NODE_PID"
for _ in $(seq 100); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$NODE_PID" 2>/dev/null; then fail "node did not stop within 5 s of SIGTERM"; fi
wait "$NODE_PID" && rc=0 || rc=$?
NODE_PID=""
[ "$rc" = 0 ] || fail "node exited $rc after SIGTERM"
echo "SIGTERM: clean exit"

"$BIN" audit verify --config "$WORK/config.yaml" > "$WORK/verify2.txt" || fail "offline verify: $(cat "$WORK/verify2.txt")"
"$BIN" privacy report --config "$WORK/config.yaml" > "$WORK/report.txt" || fail "privacy report"
"$BIN" audit export --config "$WORK/config.yaml" --format csv -o "$WORK/audit.csv" 2> /dev/null || fail "audit export"
[ "$(wc -l < "$WORK/audit.csv")" -ge 5 ] || fail "audit export too short"
if grep -q "bed 12" "$WORK"/data -r 2>/dev/null; then fail "prompt text found in the data dir"; fi
sed "s#$WORK/data#$WORK/restored#" "$WORK/config.yaml" > "$WORK/restored.yaml"
"$BIN" restore --config "$WORK/restored.yaml" --from "$WORK/backup" > /dev/null || fail "restore"
"$BIN" audit verify --config "$WORK/restored.yaml" > /dev/null || fail "verify after restore"
echo "offline: $(cat "$WORK/verify2.txt"); export, report and restore OK"

size=$(stat -c %s "$BIN")
echo "AOT binary: $((size / 1024 / 1024)) MiB; idle RSS after the smoke run: $((rss_kb / 1024)) MiB; start to healthy: ${ready_ms} ms"
# Size and memory budgets (the product's targets) so that neither can creep unnoticed.
# Start-up time is printed, not asserted: CI boxes vary and tests never assert wall time.
BINARY_BUDGET_MIB=${BINARY_BUDGET_MIB:-40}
RSS_BUDGET_MIB=${RSS_BUDGET_MIB:-60}
[ "$size" -le $((BINARY_BUDGET_MIB * 1024 * 1024)) ] || fail "AOT binary is $((size / 1024 / 1024)) MiB, over its ${BINARY_BUDGET_MIB} MiB budget"
[ "$rss_kb" -le $((RSS_BUDGET_MIB * 1024)) ] || fail "idle RSS is $((rss_kb / 1024)) MiB, over its ${RSS_BUDGET_MIB} MiB budget"
echo "budgets: binary <= ${BINARY_BUDGET_MIB} MiB, idle RSS <= ${RSS_BUDGET_MIB} MiB: OK"
echo "SMOKE OK"
