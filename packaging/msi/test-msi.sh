#!/usr/bin/env bash
# Check a quantumedge .msi without installing it (installing needs Windows): the tables that
# make it install to Program Files, keep configuration under ProgramData and register the
# Windows service (msiinfo), and the files inside it (msiextract). Exits non-zero on any problem.
#
#   packaging/msi/test-msi.sh path/to/quantumedge-<version>-x64.msi
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: $0 MSI" >&2; exit 2; }
msi=$(readlink -f "$1")
[ -f "$msi" ] || { echo "test-msi: no such file: $1" >&2; exit 2; }
for tool in msiinfo msiextract python3; do
  command -v "$tool" > /dev/null || { echo "test-msi: $tool is required (apt-get install msitools python3-yaml)" >&2; exit 2; }
done
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checks=0
failures=0
ok() { checks=$((checks + 1)); echo "  ok   $*"; }
bad() { checks=$((checks + 1)); failures=$((failures + 1)); echo "  FAIL $*"; }
check() { # DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
# Rows of a table, without msiinfo's three header lines (names, types, table name).
table() { msiinfo export "$msi" "$1" 2> /dev/null | tail -n +4 | tr -d '\r'; }
# The value of column N (1-based) in the row whose first column is KEY.
cell() { table "$1" | awk -F'\t' -v k="$2" -v n="$3" '$1 == k { print $n }'; }

echo "== summary and properties (msiinfo)"
if ! msiinfo suminfo "$msi" > "$work/suminfo" 2>&1; then
  bad "msiinfo can read the package: $(cat "$work/suminfo")"
  echo "test-msi: $checks checks, $failures failed"; exit 1
fi
check "64-bit package for English (Template x64;1033)" grep -qx 'Template: x64;1033' "$work/suminfo"
check "installer version 5.0 or newer" grep -qE '^Version: [5-9][0-9]{2} ' "$work/suminfo"
version=$(cell Property ProductVersion 2)
check "ProductName is QuantumEdge" [ "$(cell Property ProductName 2)" = QuantumEdge ]
check "ProductVersion '$version' is major.minor.build and in the file name" \
  bash -c '[[ $0 =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] && [ "$(basename "$1")" = "quantumedge-$0-x64.msi" ]' "$version" "$msi"
# The UpgradeCode must never change: it is how a new version finds and replaces the old one.
check "UpgradeCode is the product's fixed code" [ "$(cell Property UpgradeCode 2)" = '{C5589732-DCD7-40C3-98B5-DE157B908404}' ]
check "per-machine installation (ALLUSERS=1)" [ "$(cell Property ALLUSERS 2)" = 1 ]
check "a major upgrade replaces older versions and refuses downgrades (Upgrade table)" \
  bash -c 'grep -q WIX_UPGRADE_DETECTED <<< "$0" && grep -q WIX_DOWNGRADE_DETECTED <<< "$0"' "$(table Upgrade)"

echo "== directories, components and files"
check "INSTALLDIR is Program Files (64-bit)\\QuantumEdge" [ "$(cell Directory INSTALLDIR 2)|$(cell Directory INSTALLDIR 3)" = 'ProgramFiles64Folder|QuantumEdge' ]
check "DATAROOT is ProgramData\\QuantumEdge" [ "$(cell Directory DATAROOT 2)|$(cell Directory DATAROOT 3)" = 'CommonAppDataFolder|QuantumEdge' ]
for d in DATADIR:data TLSDIR:tls BACKUPDIR:backups; do
  check "ProgramData\\QuantumEdge\\${d#*:} is created" \
    bash -c '[ "$(awk -F"\t" -v d="$1" "\$1 == d { print \$2 \"|\" \$3 }" <<< "$0")" = "DATAROOT|$2" ] && grep -qP "^$1\t" <<< "$3"' \
    "$(table Directory)" "${d%:*}" "${d#*:}" "$(table CreateFolder)"
done
file_dir() { # FILENAME -> directory id of its component
  local comp; comp=$(table File | awk -F'\t' -v f="$1" '$3 == f { print $2 }')
  cell Component "$comp" 3
}
check "quantumedge.exe installs to INSTALLDIR" [ "$(file_dir quantumedge.exe)" = INSTALLDIR ]
check "libsodium.dll installs beside it" [ "$(file_dir libsodium.dll)" = INSTALLDIR ]
check "production.yaml installs to DATAROOT (ProgramData)" [ "$(file_dir production.yaml)" = DATAROOT ]
config_component=$(table File | awk -F'\t' '$3 == "production.yaml" { print $2 }')
check "production.yaml's component has no GUID (uninstall and upgrade keep the operator's file)" \
  [ -z "$(cell Component "$config_component" 2)" ]
check "every other component has a GUID" \
  bash -c '! awk -F"\t" -v c="$1" '"'"'$1 != c && $2 !~ /^[{][0-9A-F-]+[}]$/'"'"' <<< "$0" | grep -q .' "$(table Component)" "$config_component"
check "every component is 64-bit (attribute 256)" \
  bash -c '! awk -F"\t" "int(\$4 / 256) % 2 != 1" <<< "$0" | grep -q .' "$(table Component)"
check "no debug symbols, XML docs, web.config or IIS module shipped" \
  bash -c '! awk -F"\t" "{ print \$3 }" <<< "$0" | grep -qiE "\.(pdb|xml|config|json)$|aspnetcorev2"' "$(table File)"

echo "== Windows service (ServiceInstall, ServiceControl)"
service_name=$(grep -oP 'WindowsServiceName = "\K[^"]+' "$repo/src/QuantumEdge.Node/Hosting/ServiceManagers.cs")
# Columns: ServiceInstall Name DisplayName ServiceType StartType ErrorControl LoadOrderGroup
# Dependencies StartName Password Arguments Component_ Description. (read would merge empty cells.)
col() { table "$1" | head -1 | awk -F'\t' -v n="$2" '{ print $n }'; }
s_name=$(col ServiceInstall 2); s_type=$(col ServiceInstall 4); s_start=$(col ServiceInstall 5)
s_error=$(col ServiceInstall 6); s_account=$(col ServiceInstall 9)$(col ServiceInstall 10)
s_args=$(col ServiceInstall 11); s_component=$(col ServiceInstall 12)
check "one service is installed" [ "$(table ServiceInstall | wc -l)" = 1 ]
check "its name '$s_name' is the one the node reports to (ServiceManagers.WindowsServiceName '$service_name')" [ "$s_name" = "$service_name" ]
check "own process (type 16)" [ "$s_type" = 16 ]
check "manual start (3): the installer cannot know the secrets and certificate it needs" [ "$s_start" = 3 ]
check "error control normal (1)" [ "$s_error" = 1 ]
check "runs 'serve' with the ProgramData configuration: $s_args" [ "$s_args" = 'serve --config "[DATAROOT]production.yaml"' ]
check "the service belongs to quantumedge.exe's component" [ "$(cell File QuantumEdgeExe 2)" = "$s_component" ]
check "no password or account stored in the package (LocalSystem)" [ -z "$s_account" ]
c_name=$(col ServiceControl 2); c_event=$(col ServiceControl 3); c_wait=$(col ServiceControl 5); c_component=$(col ServiceControl 6)
# 2 stop on install + 32 stop on uninstall + 128 delete on uninstall; no start events (1, 16).
check "ServiceControl stops it before install and uninstall, deletes it on uninstall, never starts it (event 162)" [ "$c_event" = 162 ]
check "ServiceControl waits for the stop and targets the same service" [ "$c_wait|$c_name|$c_component" = "1|$s_name|$s_component" ]
check "the sequences install, stop and delete services" \
  bash -c 'for a in StopServices DeleteServices InstallServices; do grep -qP "^$a\t" <<< "$0" || exit 1; done' "$(table InstallExecuteSequence)"

echo "== contents (msiextract)"
mkdir -p "$work/x"
if (cd "$work/x" && msiextract "$msi" > "$work/extracted"); then ok "msiextract unpacks the cabinet"; else bad "msiextract unpacks the cabinet"; fi
exe=$(find "$work/x" -name quantumedge.exe | head -1)
config=$(find "$work/x" -name production.yaml | head -1)
check "quantumedge.exe is inside" [ -n "$exe" ]
if [ -n "$exe" ]; then
  pe=$(od -An -tu4 -j60 -N4 "$exe" | tr -d ' ')
  check "quantumedge.exe is an x64 Windows executable (PE, machine 0x8664)" [ "$(od -An -tx1 -j"$pe" -N6 "$exe" | tr -d ' \n')" = 504500006486 ]
  check "quantumedge.exe's size matches the File table" [ "$(stat -c %s "$exe")" = "$(cell File QuantumEdgeExe 4)" ]
  check "quantumedge.exe is self-contained (the .NET runtime is bundled)" grep -qa 'System.Private.CoreLib.dll' "$exe"
  check "quantumedge.exe carries the Windows service host (Microsoft.Extensions.Hosting.WindowsServices)" \
    grep -qa 'Microsoft.Extensions.Hosting.WindowsServices.dll' "$exe"
fi
check "libsodium.dll is inside" test -n "$(find "$work/x" -name libsodium.dll)"
check "production.yaml is inside" [ -n "$config" ]
if [ -n "$config" ]; then
  check "production.yaml names no Linux path" bash -c '! grep -qE "(^|[^A-Za-z])/(etc|var|usr|tmp)/" "$0"' "$config"
  # Same keys as configs/production.yaml, less storage.node_key_dir; data and TLS under ProgramData.
  check "production.yaml has configs/production.yaml's keys and ProgramData paths" python3 - "$config" "$repo/configs/production.yaml" <<'PY'
import sys, yaml
win = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
linux = yaml.safe_load(open(sys.argv[2], encoding="utf-8"))
def keys(node, prefix=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield prefix + str(k)
            yield from keys(v, prefix + str(k) + ".")
expected = set(keys(linux)) - {"storage.node_key_dir"}
problems = []
if set(keys(win)) != expected:
    problems.append(f"keys differ: {sorted(set(keys(win)) ^ expected)}")
if win["node"]["data_dir"] != "C:/ProgramData/QuantumEdge/data":
    problems.append(f"node.data_dir is {win['node']['data_dir']}")
tls = win.get("server", {}).get("tls", {})
for k in ("certificate_file", "key_file"):
    if k in tls and not str(tls[k]).startswith("C:/ProgramData/QuantumEdge/tls/"):
        problems.append(f"server.tls.{k} is {tls[k]}")
if problems:
    print("\n".join(problems))
sys.exit(1 if problems else 0)
PY
fi

echo "test-msi: $checks checks, $failures failed"
[ "$failures" = 0 ]
