#!/usr/bin/env bash
# Out-of-process gateway benchmark (issue 7 item 22, measured the way the issue measured it): wrk with
# one thread against a fixed nginx upstream answering a chat completion, three paths interleaved —
# direct to nginx, through a bare YARP proxy (its own process), through the published native-AOT
# node (production-like config, ledger on disk). One-connection passes for the added tail, then
# 16-connection saturation passes. Prints one table; raw wrk outputs go to the output directory.
# See bench/wrk/README.md. Usage: bench/wrk/run.sh --help
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/wrk/run.sh [options]
  --reps N             one-connection repetitions per path (default 5)
  --seconds S          length of each one-connection pass (default 10)
  --sat-reps N         saturation repetitions per path (default 3)
  --sat-seconds S      length of each saturation pass (default 10)
  --sat-connections C  connections of the saturation passes (default 16)
  --warmup S           warm-up pass before each path's first measurement, per phase (default 5)
  --out DIR            where the raw wrk outputs and the table go (default bench/wrk/bin/<UTC time>)
  --ledger-on-shm      diagnostic: the node's data dir (ledger) on /dev/shm instead of disk
  --node-env VAR=VALUE diagnostic: extra environment for the node only (repeatable),
                       e.g. DOTNET_GCgen0size=0x2000000
  --audit-linger-ms N  diagnostic: the node's storage.audit_commit_linger_ms (default: the product's)
  --log-level LEVEL    diagnostic: the node's logging.level (default information, as in production.yaml)
  --no-build           use the existing builds (the published node, the gateway bench) as they are
  --keep               keep the temporary directory (node log, ledger, configs) and print its path
  --nice N             run nginx, YARP, the node and wrk at this niceness (-20..19; below 0 needs root),
                       so that other work on a shared machine disturbs the measurement less (default: unchanged)
environment:
  QUANTUMEDGE_BINARY   the node to measure (default: dotnet publish src/QuantumEdge.Node -c Release -r linux-x64,
                       as .ci/run does, into that project's bin/)
EOF
}

REPS=5 SECONDS_C1=10 SAT_REPS=3 SAT_SECONDS=10 SAT_CONNECTIONS=16 WARMUP=5 OUT="" LEDGER_ON_SHM=0 BUILD=1
LINGER="" LOG_LEVEL=information KEEP=0 NICE=""
NODE_ENV=()
positive() { [[ $2 =~ ^[1-9][0-9]*$ ]] || { echo "$1 $2: must be a positive whole number" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --ledger-on-shm) LEDGER_ON_SHM=1; shift; continue ;;
    --no-build) BUILD=0; shift; continue ;;
    --keep) KEEP=1; shift; continue ;;
  esac
  [ $# -ge 2 ] || { echo "$1 needs a value" >&2; usage >&2; exit 2; }
  case $1 in
    --reps) positive "$1" "$2"; REPS=$2 ;;
    --seconds) positive "$1" "$2"; SECONDS_C1=$2 ;;
    --sat-reps) positive "$1" "$2"; SAT_REPS=$2 ;;
    --sat-seconds) positive "$1" "$2"; SAT_SECONDS=$2 ;;
    --sat-connections) positive "$1" "$2"; SAT_CONNECTIONS=$2 ;;
    --warmup) positive "$1" "$2"; WARMUP=$2 ;;
    --out) OUT=$2 ;;
    --nice) if ! [[ $2 =~ ^-?[0-9]+$ ]] || [ "$2" -lt -20 ] || [ "$2" -gt 19 ]; then echo "$1 $2: expected -20..19" >&2; exit 2; fi; NICE=$2 ;;
    --audit-linger-ms) [[ $2 =~ ^[0-9]+$ ]] || { echo "$1 $2: must be a whole number" >&2; exit 2; }; LINGER=$2 ;;
    --log-level) [[ $2 =~ ^[A-Za-z]+$ ]] || { echo "$1 $2: expected a level name" >&2; exit 2; }; LOG_LEVEL=$2 ;;
    --node-env) [[ $2 =~ ^[A-Za-z_][A-Za-z0-9_]*=.*$ ]] || { echo "--node-env $2: expected VAR=VALUE" >&2; exit 2; }; NODE_ENV+=("$2") ;;
    *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift 2
done

REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

missing=()
for tool in wrk nginx curl openssl python3 dotnet; do
  command -v "$tool" > /dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench/wrk/run.sh needs: ${missing[*]}" >&2
  echo "install with: apt-get install -y wrk nginx curl openssl python3 (and the .NET SDK for dotnet)" >&2
  exit 2
fi

OUT=${OUT:-$REPO/bench/wrk/bin/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d)
SHM=""
NGINX_PID="" YARP_PID="" NODE_PID=""
cleanup() {
  for pid in $NODE_PID $YARP_PID $NGINX_PID; do
    kill -TERM "$pid" 2> /dev/null || true
  done
  for pid in $NODE_PID $YARP_PID $NGINX_PID; do
    wait "$pid" 2> /dev/null || true
  done
  if [ "$KEEP" = 1 ]; then
    echo "kept: $WORK ${SHM:+and $SHM}" >&2
  else
    rm -rf "$WORK"
    if [ -n "$SHM" ]; then rm -rf "$SHM"; fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "bench/wrk/run.sh FAILED: $*" >&2
  for log in node.log yarp.log nginx/error.log; do
    if [ -s "$WORK/$log" ]; then echo "--- last lines of $log" >&2; tail -20 "$WORK/$log" >&2; fi
  done
  exit 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# Polls until CMD succeeds, at most TRIES × 50 ms.
wait_for() {
  local tries=$1; shift
  for _ in $(seq "$tries"); do
    if "$@" > /dev/null 2>&1; then return 0; fi
    sleep 0.05
  done
  return 1
}

# ---- builds ------------------------------------------------------------------------------------
PUBLISHED=src/QuantumEdge.Node/bin/Release/net10.0/linux-x64/publish/quantumedge
YARP_DLL=bench/QuantumEdge.Gateway.Benchmarks/bin/Release/net10.0/QuantumEdge.Gateway.Benchmarks.dll
if [ -n "${QUANTUMEDGE_BINARY:-}" ]; then
  BIN=$(readlink -f "$QUANTUMEDGE_BINARY")
elif [ "$BUILD" = 1 ]; then
  echo "==> dotnet publish src/QuantumEdge.Node -c Release -r linux-x64 (native AOT; log: $OUT/publish.log)"
  dotnet publish src/QuantumEdge.Node -c Release -r linux-x64 > "$OUT/publish.log" 2>&1 || { tail -20 "$OUT/publish.log" >&2; fail "publish"; }
  BIN=$REPO/$PUBLISHED
else
  BIN=$REPO/$PUBLISHED
fi
[ -x "$BIN" ] || fail "no node binary at $BIN (set QUANTUMEDGE_BINARY or drop --no-build)"
if [ "$BUILD" = 1 ]; then
  echo "==> dotnet build bench/QuantumEdge.Gateway.Benchmarks -c Release (the bare YARP proxy; log: $OUT/build.log)"
  dotnet build bench/QuantumEdge.Gateway.Benchmarks -c Release > "$OUT/build.log" 2>&1 || { tail -20 "$OUT/build.log" >&2; fail "build"; }
fi
[ -f "$YARP_DLL" ] || fail "no $YARP_DLL (drop --no-build)"

# Every process started from here on inherits the niceness.
if [ -n "$NICE" ]; then renice -n "$NICE" -p $$ > /dev/null || fail "renice -n $NICE (below 0 needs root)"; fi

# ---- nginx: the fixed upstream -----------------------------------------------------------------
NGINX_PORT=$(free_port) YARP_PORT=$(free_port) API_PORT=$(free_port) METRICS_PORT=$(free_port)
mkdir -p "$WORK/nginx/tmp"
COMPLETION='{"id":"chatcmpl-bench","object":"chat.completion","created":1764374400,"model":"clinical-7b","choices":[{"index":0,"message":{"role":"assistant","content":"Stable overnight, observations within range. Continue the current plan and review bloods at 08:00."},"finish_reason":"stop"}],"usage":{"prompt_tokens":24,"completion_tokens":22,"total_tokens":46}}'
MODELS='{"object":"list","data":[{"id":"clinical-7b","object":"model","created":1764374400,"owned_by":"bench"}]}'
cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 600s;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    default_type application/json;
    location = /v1/chat/completions { return 200 '$COMPLETION'; }
    location = /v1/models { return 200 '$MODELS'; }
    location / { return 404 '{"error":{"message":"not found","type":"invalid_request_error"}}'; }
  }
}
EOF
nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' > "$WORK/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
wait_for 200 curl -fs "http://127.0.0.1:$NGINX_PORT/v1/models" || fail "nginx did not answer on $NGINX_PORT"

# ---- the bare YARP proxy, its own process --------------------------------------------------------
dotnet "$YARP_DLL" --serve-yarp --listen "http://127.0.0.1:$YARP_PORT" --upstream "http://127.0.0.1:$NGINX_PORT" > "$WORK/yarp.log" 2>&1 &
YARP_PID=$!

# ---- the node: production-like config, one backend (nginx), ledger on disk ---------------------
if [ "$LEDGER_ON_SHM" = 1 ]; then
  SHM=$(mktemp -d -p /dev/shm)
  DATA=$SHM/data
else
  DATA=$WORK/data
fi
export JWT_SECRET MASTER_KEY
JWT_SECRET=$(openssl rand -hex 32)
MASTER_KEY=$(openssl rand -base64 32)
cat > "$WORK/config.yaml" <<EOF
# Like configs/production.yaml, on loopback HTTP, with nginx as the one backend.
node:
  id: wrk-bench
  data_dir: $DATA
server:
  urls: http://127.0.0.1:$API_PORT
  metrics_url: http://127.0.0.1:$METRICS_PORT
backends:
  - id: nginx
    url: http://127.0.0.1:$NGINX_PORT/v1
    models: [clinical-7b]
    max_concurrency: 64
    allowed_classifications: [restricted, confidential, internal, public]
    timeout_seconds: 120
storage:
  node_key_dir: $WORK/keys${LINGER:+
  audit_commit_linger_ms: $LINGER}
logging:
  level: $LOG_LEVEL
  format: json
security:
  enable_audit_trail: true
  security_level: public
  phi_detection:
    enabled: true
    action: upgrade
EOF
"$BIN" keygen --output-dir "$WORK/keys" > /dev/null || fail "keygen"
"$BIN" check-config --config "$WORK/config.yaml" > "$WORK/check-config.txt" 2>&1 || fail "check-config: $(tail -5 "$WORK/check-config.txt")"
env ${NODE_ENV[@]+"${NODE_ENV[@]}"} "$BIN" serve --config "$WORK/config.yaml" > "$WORK/node.log" 2>&1 &
NODE_PID=$!
TOKEN=$("$BIN" token issue --config "$WORK/config.yaml" --sub bench.wrk --role doctor --department icu --ttl 4h) || fail "token issue"
export QE_TOKEN=$TOKEN

node_healthy() { curl -fs "http://127.0.0.1:$API_PORT/health" | grep -q '"status":"healthy"'; }
wait_for 600 node_healthy || fail "the node did not report healthy within 30 s"
wait_for 400 curl -fs "http://127.0.0.1:$YARP_PORT/v1/models" || fail "the YARP proxy did not answer within 20 s"

declare -A URL=(
  [direct]="http://127.0.0.1:$NGINX_PORT/v1/chat/completions"
  [yarp]="http://127.0.0.1:$YARP_PORT/v1/chat/completions"
  [node]="http://127.0.0.1:$API_PORT/v1/chat/completions"
)
declare -A PID_OF=([yarp]=$YARP_PID [node]=$NODE_PID)
PID_OF[direct]=$(pgrep -P "$NGINX_PID" nginx | head -1) || fail "no nginx worker process"
PATHS=(direct yarp node)

# A refusal measured at full speed looks like a fast gateway: every path must answer 200 first.
for path in "${PATHS[@]}"; do
  code=$(curl -s -o "$WORK/preflight-$path.json" -w '%{http_code}' "${URL[$path]}" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -H 'X-Data-Classification: public' \
    -d '{"model":"clinical-7b","max_tokens":64,"messages":[{"role":"user","content":"Summarise the handover for bed 12 in two lines."}]}')
  [ "$code" = 200 ] || fail "$path answered HTTP $code: $(head -c 300 "$WORK/preflight-$path.json")"
  grep -q '"chat.completion"' "$WORK/preflight-$path.json" || fail "$path: no chat completion in the answer"
done

# ---- measurement helpers -------------------------------------------------------------------------
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
gc_counts() {
  curl -fs "http://127.0.0.1:$METRICS_PORT/metrics" |
    awk '/^dotnet_collection_count_total\{generation="[012]"\}/ { match($0, /"[012]"/); g[substr($0, RSTART + 1, 1)] = $NF }
         /^quantumedge_gc_pause_seconds_total / { paused = $NF }
         END { printf "%d %d %d %d\n", g[0], g[1], g[2], paused == "" ? -1 : paused * 1000000 }'
}
commits() {
  curl -fs "http://127.0.0.1:$API_PORT/privacy/status" -H "Authorization: Bearer $TOKEN" |
    python3 -c 'import json,sys; l=json.load(sys.stdin)["ledger"]; print(l["group_commits"], l["operations_committed"])'
}
TSV=$OUT/passes.tsv
printf 'phase\tpath\trep\tconnections\tstart_s\tend_s\tload1\trequests\tduration_us\tp50_us\tp75_us\tp90_us\tp99_us\tp999_us\tmax_us\tcpu_ticks\tgc0\tgc1\tgc2\tgc_pause_us\tcommits\toperations\n' > "$TSV"

# One wrk pass; appends a row to passes.tsv unless it is a warm-up. Fails the run on any non-200 or socket error.
pass() {
  local phase=$1 path=$2 rep=$3 connections=$4 seconds=$5
  local file=$OUT/wrk-$phase-$path-$rep.txt load cpu0 cpu1 gc0=(0 0 0 0) gc1=(0 0 0 0) c0=(0 0) c1=(0 0) start end
  load=$(cut -d' ' -f1 /proc/loadavg)
  if [ "$path" = node ]; then read -ra gc0 <<< "$(gc_counts)"; read -ra c0 <<< "$(commits)"; fi
  cpu0=$(cpu_ticks "${PID_OF[$path]}")
  start=$(date +%s.%N)
  wrk -t1 -c"$connections" -d"${seconds}s" --latency -s bench/wrk/chat.lua "${URL[$path]}" > "$file" 2>&1 ||
    fail "wrk $phase $path #$rep exited $? (see $file): $(tail -3 "$file")"
  end=$(date +%s.%N)
  cpu1=$(cpu_ticks "${PID_OF[$path]}")
  if [ "$path" = node ]; then read -ra gc1 <<< "$(gc_counts)"; read -ra c1 <<< "$(commits)"; fi
  local qe
  qe=$(grep '^QE ' "$file") || fail "no QE line in $file"
  [[ $qe =~ non200=0\  ]] || fail "non-200 answers in $file: $qe"
  [[ $qe =~ errors_connect=0\ errors_read=0\ errors_write=0\ errors_timeout=0\ errors_status=0$ ]] || fail "socket or status errors in $file: $qe"
  if grep -q 'Non-2xx' "$file"; then fail "wrk counted non-2xx answers in $file"; fi
  local v
  v=$(sed -E 's/^QE requests=([0-9]+) .* duration_us=([0-9]+) p50_us=([0-9]+) p75_us=([0-9]+) p90_us=([0-9]+) p99_us=([0-9]+) p999_us=([0-9]+) max_us=([0-9]+) .*/\1\t\2\t\3\t\4\t\5\t\6\t\7\t\8/' <<< "$qe")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$path" "$rep" "$connections" "$start" "$end" "$load" "$v" "$((cpu1 - cpu0))" \
    "$((gc1[0] - gc0[0]))" "$((gc1[1] - gc0[1]))" "$((gc1[2] - gc0[2]))" "$(((gc0[3] < 0 || gc1[3] < 0) ? -1 : gc1[3] - gc0[3]))" "$((c1[0] - c0[0]))" "$((c1[1] - c0[1]))" >> "$TSV"
  printf '  %-10s %-6s #%s  c=%-3s load %s  %s\n' "$phase" "$path" "$rep" "$connections" "$load" \
    "$(awk -F'\t' 'END { printf "%.0f RPS, p50 %d us, p99 %d us", $8 / ($9 / 1e6), $10, $13 }' "$TSV")"
}

# Interleaved: the order rotates each repetition so no path always follows the same one.
phase() {
  local name=$1 reps=$2 connections=$3 seconds=$4 rep k path
  declare -A warmed=()
  for rep in $(seq "$reps"); do
    for k in 0 1 2; do
      path=${PATHS[$(((rep - 1 + k) % 3))]}
      if [ -z "${warmed[$path]:-}" ]; then
        wrk -t1 -c"$connections" -d"${WARMUP}s" -s bench/wrk/chat.lua "${URL[$path]}" > "$OUT/wrk-warmup-$name-$path.txt" 2>&1 ||
          fail "warm-up $name $path: $(tail -3 "$OUT/wrk-warmup-$name-$path.txt")"
        warmed[$path]=1
      fi
      pass "$name" "$path" "$rep" "$connections" "$seconds"
    done
  done
}

{
  echo "started $(date -u +%FT%TZ); $(nproc) CPUs; uptime at start: $(uptime)"
  echo "node: $BIN ($(stat -c %s "$BIN") bytes; $("$BIN" --version 2> /dev/null | head -1))"
  echo "node data dir: $DATA ($(stat -f -c %T "$(dirname "$DATA")"))"
  echo "node extra environment: ${NODE_ENV[*]:-(none)}; logging.level $LOG_LEVEL; storage.audit_commit_linger_ms ${LINGER:-(default)}"
  echo "YARP: dotnet $YARP_DLL --serve-yarp (server GC, JIT)"
  echo "wrk: $(wrk --version 2>&1 | head -1); nginx: $(nginx -v 2>&1); niceness of the bench's processes: $(ps -o ni= -p $$ | tr -d ' ')"
  echo "c=1: $REPS x ${SECONDS_C1}s per path; saturation: $SAT_REPS x ${SAT_SECONDS}s at c=$SAT_CONNECTIONS; warm-up ${WARMUP}s per path and phase"
} | tee "$OUT/run-info.txt"

echo "==> one connection: $REPS x ${SECONDS_C1}s per path, interleaved"
phase c1 "$REPS" 1 "$SECONDS_C1"
echo "==> saturation: $SAT_REPS x ${SAT_SECONDS}s per path at $SAT_CONNECTIONS connections, interleaved"
phase sat "$SAT_REPS" "$SAT_CONNECTIONS" "$SAT_SECONDS"

{
  echo "uptime at end: $(uptime)"
  for path in node yarp; do
    echo "$path RSS after the run: $(awk '/^VmRSS/ { printf "%.1f MiB", $2 / 1024 }' "/proc/${PID_OF[$path]}/status"), peak $(awk '/^VmHWM/ { printf "%.1f MiB", $2 / 1024 }' "/proc/${PID_OF[$path]}/status")"
  done
} >> "$OUT/run-info.txt"
cp "$WORK/config.yaml" "$OUT/node-config.yaml"
curl -fs "http://127.0.0.1:$METRICS_PORT/metrics" > "$OUT/node-metrics-end.txt" || true

echo "==> results"
python3 bench/wrk/summarize.py "$OUT" "$WORK/node.log" | tee "$OUT/table.txt"
echo "raw outputs: $OUT"
