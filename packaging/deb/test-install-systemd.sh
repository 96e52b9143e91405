#!/usr/bin/env bash
# Install the .deb and run quantumedge.service under a real systemd, without changing this
# machine: systemd boots as PID 1 of private pid, mount, network, uts and ipc namespaces, with
# overlays over /etc, /usr and /var, so that the install (user, files, keys), the service and
# the removal all happen in throw-away layers. Checks, with the packaged unit unchanged except
# for a drop-in DefaultDependencies=no (so that sysinit.target's units never run here):
#   install: user and group, modes of the data, key, backup and secrets files;
#   start without secrets: exit 2, unit failed, no restart;
#   start with secrets: READY=1 reaches systemd (start returns, unit active), the process runs
#   as quantumedge with no capabilities, NoNewPrivs and seccomp; /health, /metrics and a chat
#   completion through a simulated backend answer; no inotify watches;
#   online backup to /var/backups/quantumedge and audit verify through admin.sock;
#   kill -9: restarted; reinstall (upgrade path): the running node is restarted;
#   systemctl stop: clean exit 0; remove while running: stopped; purge: data, secrets, user kept.
# Needs root with CAP_SYS_ADMIN, overlayfs, systemd (not running as this machine's init), curl.
# Takes about 30 s. Optional: not part of CI unless the CI machine allows all of the above.
#
#   packaging/deb/test-install-systemd.sh path/to/quantumedge_<version>_amd64.deb
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DEB" >&2; exit 2; }
deb=$(readlink -f "$1")
[ -f "$deb" ] || { echo "no such file: $1" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "test-install-systemd: needs root" >&2; exit 2; }
[ -x /lib/systemd/systemd ] || { echo "test-install-systemd: needs systemd installed (apt-get install systemd)" >&2; exit 2; }
if [ "$(cat /proc/1/comm)" = systemd ]; then
  echo "test-install-systemd: this machine's init is systemd; run this in a container or VM whose init is not" >&2
  exit 2
fi

state=$(mktemp -d /tmp/qe-systemd-test.XXXXXX)
cgroups_before=$(ls -d /sys/fs/cgroup/*/init.scope /sys/fs/cgroup/*/system.slice /sys/fs/cgroup/init.scope /sys/fs/cgroup/system.slice 2>/dev/null | sort)
pid1=""
cleanup() {
  [ -n "$pid1" ] && kill -9 "$pid1" 2> /dev/null
  wait 2> /dev/null
  rm -rf "$state"
  # systemd created these cgroups (empty once its namespace is gone); remove only new ones.
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    left=0
    for d in /sys/fs/cgroup/*/init.scope /sys/fs/cgroup/*/system.slice /sys/fs/cgroup/init.scope /sys/fs/cgroup/system.slice; do
      [ -d "$d" ] || continue
      grep -qxF "$d" <<< "$cgroups_before" && continue
      find "$d" -depth -type d -exec rmdir {} \; 2> /dev/null
      [ -d "$d" ] && left=1
    done
    [ "$left" = 0 ] && break
    sleep 0.2
  done
}
trap cleanup EXIT

cat > "$state/inner.sh" <<'INNER'
#!/bin/bash
set -e
state=$1 deb=$2
mount --make-rprivate /
for d in etc usr var; do
  mkdir -p "$state/$d-upper" "$state/$d-work"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$state/$d-upper,workdir=$state/$d-work" "/$d"
done
mount -t tmpfs -o mode=0755 tmpfs /run
ip link set lo up
rm -f /usr/sbin/policy-rc.d   # container images often forbid service actions in maintainer scripts
dpkg -i "$deb" > "$state/dpkg-install.log" 2>&1 || { cat "$state/dpkg-install.log"; exit 1; }
printf '[Unit]\nDescription=QuantumEdge package test\nDefaultDependencies=no\n' > /etc/systemd/system/qe-test.target
mkdir -p /etc/systemd/system/quantumedge.service.d
printf '[Unit]\nDefaultDependencies=no\n' > /etc/systemd/system/quantumedge.service.d/test.conf
ln -sf /dev/null /etc/systemd/system/network-online.target
# One simulated backend instead of the example hospital's.
python3 - <<'PY'
p = '/etc/quantumedge/production.yaml'
s = open(p).read()
start, end = s.index('backends:\n'), s.index('\nlogging:')
s = s[:start] + '''backends:
  - id: sim
    url: http://127.0.0.1:18000/v1
    models: [clinical-7b]
    allowed_classifications: [restricted, confidential, internal, public]
''' + s[end:]
open(p, 'w').write(s)
PY
exec env container=quantumedge-test /lib/systemd/systemd --system --unit=qe-test.target --show-status=no > "$state/systemd.log" 2>&1
INNER
chmod +x "$state/inner.sh"

unshare --pid --mount --net --uts --ipc --fork --mount-proc "$state/inner.sh" "$state" "$deb" > "$state/inner.log" 2>&1 &
for _ in $(seq 150); do
  pid1=$(pgrep -f "^/lib/systemd/systemd --system --unit=qe-test.target" | head -1)
  [ -n "$pid1" ] && break
  sleep 0.2
done
if [ -z "$pid1" ]; then
  cat "$state/inner.log"
  echo "test-install-systemd: systemd did not start in the namespace" >&2
  exit 1
fi
ns() { nsenter -t "$pid1" -m -p -n -u -i -- "$@"; }
for _ in $(seq 100); do
  case $(ns systemctl is-system-running 2> /dev/null) in running | degraded) break ;; esac
  sleep 0.1
done
ns systemctl start systemd-journald.socket systemd-journald.service

checks=0
failures=0
check() {
  local what=$1; shift
  checks=$((checks + 1))
  if "$@"; then echo "  ok   $what"; else failures=$((failures + 1)); echo "  FAIL $what"; fi
}
prop() { ns systemctl show quantumedge -p "$1" --value; }
as_service_user() { ns setpriv --reuid=quantumedge --regid=quantumedge --clear-groups env QUANTUM_CONFIG_PATH=/etc/quantumedge/production.yaml "$@"; }
mode() { ns stat -c '%a %U:%G' "$1"; }

echo "== install"
check "user and group quantumedge exist, shell nologin" bash -c '[ "$(nsenter -t '"$pid1"' -m -- getent passwd quantumedge | cut -d: -f7)" = /usr/sbin/nologin ]'
check "/var/lib/quantumedge is 750 quantumedge:quantumedge" [ "$(mode /var/lib/quantumedge)" = "750 quantumedge:quantumedge" ]
check "node key generated: keys/ 700, quantum_private.pem 600, owned by quantumedge" \
  bash -c '[ "$0" = "700 quantumedge:quantumedge" ] && [ "$1" = "600 quantumedge:quantumedge" ]' \
  "$(mode /var/lib/quantumedge/keys)" "$(mode /var/lib/quantumedge/keys/quantum_private.pem)"
check "/etc/quantumedge/quantumedge.env is 640 root:quantumedge" [ "$(mode /etc/quantumedge/quantumedge.env)" = "640 root:quantumedge" ]
check "/var/backups/quantumedge is 750 quantumedge:quantumedge" [ "$(mode /var/backups/quantumedge)" = "750 quantumedge:quantumedge" ]
check "the service is neither started nor enabled by the install" \
  bash -c '[ "$0" = inactive ] && [ "$1" = disabled ]' "$(ns systemctl is-active quantumedge)" "$(ns systemctl is-enabled quantumedge)"

echo "== start without secrets"
ns systemctl start quantumedge > /dev/null 2>&1
sleep 7   # longer than RestartSec=5s
check "exit status 2, unit failed, not restarted" \
  bash -c '[ "$0" = 2 ] && [ "$1" = failed ] && [ "$2" = 0 ]' "$(prop ExecMainStatus)" "$(prop ActiveState)" "$(prop NRestarts)"
check "the journal names the missing secret" bash -c 'grep -q "JWT_SECRET" <<< "$0"' "$(ns journalctl -u quantumedge --no-pager -o cat 2> /dev/null)"

echo "== start with secrets"
# Every secret the shipped config names, the backend's api_key_env included (without it that backend is unhealthy).
ns sh -c 'printf "JWT_SECRET=%s\nMASTER_KEY=%s\nVLLM_SECURE_API_KEY=%s\n" "$(head -c 48 /dev/urandom | base64 -w0)" "$(head -c 48 /dev/urandom | base64 -w0)" "$(head -c 24 /dev/urandom | base64 -w0)" >> /etc/quantumedge/quantumedge.env'
ns systemd-run --quiet --unit=qe-sim -p DefaultDependencies=no -p WorkingDirectory=/run -p Environment=DOTNET_hostBuilder__reloadConfigOnChange=false \
  /usr/bin/quantumedge sim-backend --port 18000 --time-scale 0.2
for _ in $(seq 100); do ns curl -fs http://127.0.0.1:18000/health > /dev/null && break; sleep 0.1; done
ns systemctl reset-failed quantumedge
check "systemctl start returns (READY=1 received) and the unit is active" \
  bash -c 'timeout 60 nsenter -t '"$pid1"' -m -p -- systemctl start quantumedge && [ "$(nsenter -t '"$pid1"' -m -p -- systemctl is-active quantumedge)" = active ]'
main=$(prop MainPID)
status=$(ns cat "/proc/$main/status")
field() { awk -v k="$1:" '$1 == k {print $2}' <<< "$status"; }
check "runs as quantumedge with no capabilities, NoNewPrivs=1, seccomp filter" \
  bash -c '[ "$0" = "$1" ] && [ "$2" = 0000000000000000 ] && [ "$3" = 1 ] && [ "$4" = 2 ]' \
  "$(field Uid)" "$(ns id -u quantumedge)" "$(field CapEff)" "$(field NoNewPrivs)" "$(field Seccomp)"
check "no inotify watches (DOTNET_hostBuilder__reloadConfigOnChange=false)" \
  [ "$(ns sh -c "ls -l /proc/$main/fd | grep -c inotify")" = 0 ]
sleep 1
# HTTPS with the placeholder certificate postinst generated (trusted here by that very file).
tls_ca=/etc/quantumedge/tls/server.crt
check "postinst generated the TLS key root:quantumedge 0640" bash -c '[ "$(nsenter -t '"$pid1"' -m -- stat -c "%U:%G %a" /etc/quantumedge/tls/server.key)" = "root:quantumedge 640" ]'
check "GET https://:8443/health is 200 healthy" bash -c 'nsenter -t '"$pid1"' -m -n -- curl -fs --cacert '"$tls_ca"' https://127.0.0.1:8443/health | grep -q "\"status\":\"healthy\""'
check "GET https://:9443/metrics is 200" ns curl -fs --cacert "$tls_ca" -o /dev/null https://127.0.0.1:9443/metrics
token=$(ns sh -c 'set -a; . /etc/quantumedge/quantumedge.env; quantumedge token issue --config /etc/quantumedge/production.yaml --sub dr.test --role doctor --department icu --ttl 10m')
check "a chat completion through the node is 200" bash -c '[ "$(nsenter -t '"$pid1"' -m -n -- curl -s --cacert /etc/quantumedge/tls/server.crt -o /dev/null -w "%{http_code}" https://127.0.0.1:8443/v1/chat/completions \
  -H "Authorization: Bearer $0" -H "Content-Type: application/json" -H "X-Data-Classification: phi" \
  -d "{\"model\":\"clinical-7b\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}")" = 200 ]' "$token"

echo "== admin socket, as the quantumedge user"
check "audit verify through admin.sock" as_service_user quantumedge audit verify
check "online backup to /var/backups/quantumedge/test (written by the sandboxed node)" \
  bash -c 'nsenter -t '"$pid1"' -m -p -- setpriv --reuid=quantumedge --regid=quantumedge --clear-groups env QUANTUM_CONFIG_PATH=/etc/quantumedge/production.yaml quantumedge backup --out /var/backups/quantumedge/test > /dev/null && nsenter -t '"$pid1"' -m -- test -s /var/backups/quantumedge/test/manifest.json'

echo "== restart, upgrade, stop"
ns kill -9 "$main"
sleep 7
check "after kill -9 the node is restarted (Restart=on-failure)" \
  bash -c '[ "$0" = active ] && [ "$1" -ge 1 ]' "$(prop ActiveState)" "$(prop NRestarts)"
before=$(prop MainPID)
ns dpkg -i --force-confold "$deb" > "$state/dpkg-upgrade.log" 2>&1
check "reinstall (upgrade path) restarts the running node" \
  bash -c '[ "$0" = active ] && [ "$1" != "$2" ]' "$(prop ActiveState)" "$(prop MainPID)" "$before"
ns systemctl stop quantumedge
check "systemctl stop: SIGTERM, exit 0, Result=success" \
  bash -c '[ "$0" = 0 ] && [ "$1" = success ] && [ "$2" = inactive ]' "$(prop ExecMainStatus)" "$(prop Result)" "$(prop ActiveState)"

echo "== remove and purge"
ns systemctl start quantumedge
ns dpkg -r quantumedge > "$state/dpkg-remove.log" 2>&1
check "dpkg -r stops the running node" [ "$(ns systemctl is-active quantumedge)" != active ]
ns dpkg -P quantumedge > "$state/dpkg-purge.log" 2>&1
check "dpkg -P keeps the ledger, the node key, the backups, the secrets file and the user" \
  ns sh -c 'test -s /var/lib/quantumedge/ledger/ledger.db && test -s /var/lib/quantumedge/keys/quantum_private.pem \
    && test -d /var/backups/quantumedge/test && test -s /etc/quantumedge/quantumedge.env && id quantumedge > /dev/null'
check "dpkg -P removes the binary, the unit and production.yaml" \
  ns sh -c '! test -e /usr/lib/quantumedge/quantumedge && ! test -e /lib/systemd/system/quantumedge.service && ! test -e /etc/quantumedge/production.yaml'

if [ "$failures" != 0 ]; then
  echo "--- journal"; ns journalctl --no-pager -o short -n 60 2> /dev/null
  echo "--- dpkg"; cat "$state"/dpkg-*.log
fi
echo "test-install-systemd: $checks checks, $failures failed"
[ "$failures" = 0 ]
