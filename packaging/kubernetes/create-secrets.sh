#!/usr/bin/env bash
# Print the Secrets quantum-federated-deployment.yaml refers to, as YAML, for `kubectl create`:
#
#   LEDGER_CONNECTION_STRING='Host=quantum-ledger-rw;Database=quantumedge;Username=quantumedge;Password=...;SSL Mode=Require' \
#   VLLM_SECURE_API_KEY='...' \
#     packaging/kubernetes/create-secrets.sh | kubectl create -f -
#
# - jwt-tokens (JWT_SECRET) and quantum-master-key (MASTER_KEY): new random values (openssl rand).
#   Keep an offline copy of MASTER_KEY: without it the ledger cannot be read, and a different one is refused.
# - quantum-node-key: a new node identity from the node's own `quantumedge keygen`, one for all replicas.
# - quantum-backend-keys (VLLM_SECURE_API_KEY) and quantum-ledger-database (connection-string): from
#   the environment variables of the same names, which must be set.
# - quantum-router-tls: QE_TLS_CERT and QE_TLS_KEY (PEM files from your CA) when set, else a self-signed
#   placeholder for QE_TLS_NAME (default quantum-federated-router.quantum-federated-llm.svc); replace it.
#
# Use `kubectl create`, never `kubectl apply`: create refuses to replace an existing Secret, and a
# replaced MASTER_KEY or node key would lock the replicas out of the ledger they share.
# QUANTUMEDGE names the node's executable (default: quantumedge on PATH; a command with arguments
# such as "dotnet quantumedge.dll" works too). Needs openssl and base64. Refuses to write to a terminal.
set -euo pipefail

die() { echo "create-secrets: $*" >&2; exit 1; }
[ $# -eq 0 ] || { echo "usage: [env] $0 | kubectl create -f -" >&2; exit 2; }
[ -t 1 ] && die "refusing to print secrets to a terminal: pipe into 'kubectl create -f -' or redirect to a private file"
for tool in openssl base64; do
  command -v "$tool" > /dev/null || die "$tool is required"
done
[ -n "${LEDGER_CONNECTION_STRING:-}" ] || die "LEDGER_CONNECTION_STRING is not set: the PostgreSQL connection string (Npgsql's Key=Value form)"
[ -n "${VLLM_SECURE_API_KEY:-}" ] || die "VLLM_SECURE_API_KEY is not set: backend vllm-secure's API key (production.yaml's api_key_env)"
read -r -a node <<< "${QUANTUMEDGE:-quantumedge}"
command -v "${node[0]}" > /dev/null || die "'${node[0]}' not found: set QUANTUMEDGE to the node's executable"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"

"${node[@]}" keygen --output-dir "$work/node-key" > "$work/keygen.log" 2>&1 || { cat "$work/keygen.log" >&2; die "quantumedge keygen failed"; }
if [ -n "${QE_TLS_CERT:-}" ] || [ -n "${QE_TLS_KEY:-}" ]; then
  [ -f "${QE_TLS_CERT:-}" ] && [ -f "${QE_TLS_KEY:-}" ] || die "QE_TLS_CERT and QE_TLS_KEY must both name PEM files"
  cp "$QE_TLS_CERT" "$work/tls.crt"
  cp "$QE_TLS_KEY" "$work/tls.key"
else
  name=${QE_TLS_NAME:-quantum-federated-router.quantum-federated-llm.svc}
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj "/CN=$name" \
    -addext "subjectAltName=DNS:$name" -keyout "$work/tls.key" -out "$work/tls.crt" 2> "$work/openssl.log" \
    || { cat "$work/openssl.log" >&2; die "openssl could not make the placeholder certificate"; }
  echo "create-secrets: quantum-router-tls is a self-signed placeholder for $name: replace it with your CA's pair" >&2
fi

b64() { base64 -w0; }
file64() { b64 < "$1"; }
secret() { # NAME TYPE, then KEY VALUE64 pairs
  local name=$1 type=$2
  shift 2
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: quantum-federated-llm\n  labels:\n    app: quantum-federated-router\ntype: %s\ndata:\n' "$name" "$type"
  while [ $# -gt 0 ]; do
    printf '  %s: %s\n' "$1" "$2"
    shift 2
  done
}

secret jwt-tokens Opaque JWT_SECRET "$(openssl rand -base64 48 | tr -d '\n' | b64)"
secret quantum-master-key Opaque MASTER_KEY "$(openssl rand -base64 32 | tr -d '\n' | b64)"
secret quantum-backend-keys Opaque VLLM_SECURE_API_KEY "$(printf %s "$VLLM_SECURE_API_KEY" | b64)"
secret quantum-ledger-database Opaque connection-string "$(printf %s "$LEDGER_CONNECTION_STRING" | b64)"
secret quantum-node-key Opaque quantum_private.pem "$(file64 "$work/node-key/quantum_private.pem")" \
  quantum_public.pem "$(file64 "$work/node-key/quantum_public.pem")"
secret quantum-router-tls kubernetes.io/tls tls.crt "$(file64 "$work/tls.crt")" tls.key "$(file64 "$work/tls.key")"
echo "create-secrets: node identity $(grep -o 'fingerprint .*' "$work/keygen.log" || true)" >&2
