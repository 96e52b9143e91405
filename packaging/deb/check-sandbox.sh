#!/usr/bin/env bash
# Check that the published binary lives within the sandbox systemd/quantumedge.service puts it
# in. It runs .ci/smoke.sh (every verb the service and an admin use: serve with streaming,
# budgets, online backup and audit verify through admin.sock, SIGTERM, offline verify, export,
# report, restore) with each quantumedge process under strace, then checks what they did:
#   - every system call is in SystemCallFilter=@system-service and none is in @privileged
#     (the unit adds SystemCallFilter=~@privileged);
#   - MemoryDenyWriteExecute=yes: no mapping is created writable+executable and no mapping is
#     made executable later (mprotect/pkey_mprotect with PROT_EXEC, shmat with SHM_EXEC);
#   - RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX: no other socket family;
#   - RestrictNamespaces=yes: no new namespaces (CLONE_NEW*, unshare, setns);
#   - ProtectSystem=strict: nothing is written outside the smoke test's directories (in the
#     service those are /var/lib/quantumedge and /var/backups/quantumedge).
# Needs strace, systemd-analyze (package systemd; no running systemd needed), python3, curl.
#
#   packaging/deb/check-sandbox.sh BINARY
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 BINARY" >&2; exit 2; }
binary=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
for tool in strace systemd-analyze python3 curl; do
  command -v "$tool" > /dev/null || { echo "check-sandbox: $tool is required (apt-get install strace systemd python3 curl)" >&2; exit 2; }
done
[ -x "$binary" ] || { echo "check-sandbox: '$1' is not executable" >&2; exit 2; }

work=$(mktemp -d /tmp/qe-sandbox.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/traces" "$work/bin"
# smoke.sh kills the node with SIGTERM; strace would only detach, so the wrapper passes the
# signal on to the traced process and returns its exit status.
cat > "$work/bin/quantumedge" <<EOF
#!/usr/bin/env bash
strace -f -qq -o "$work/traces/t.\$\$" "$binary" "\$@" &
tracer=\$!
trap 'kill -TERM \$(cat /proc/\$tracer/task/*/children) 2> /dev/null' TERM INT
while :; do wait \$tracer; rc=\$?; kill -0 \$tracer 2> /dev/null || break; done
exit \$rc
EOF
chmod +x "$work/bin/quantumedge"

echo "== .ci/smoke.sh under strace"
if ! (cd "$work" && bash "$repo/.ci/smoke.sh" "$work/bin/quantumedge") > "$work/smoke.log" 2>&1; then
  cat "$work/smoke.log"
  echo "check-sandbox: the smoke test failed under strace" >&2
  exit 1
fi
tail -1 "$work/smoke.log"

python3 - "$work/traces" <<'PY'
import glob, re, subprocess, sys

def expand(group, groups):
    out = set()
    for item in groups.get(group, []):
        out |= expand(item, groups) if item.startswith("@") else {item}
    return out

listing = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True, check=True).stdout
groups, current = {}, None
for line in listing.splitlines():
    s = line.strip()
    if not s or s.startswith("#"):
        continue
    if not line.startswith(" ") and s.startswith("@"):
        current = groups.setdefault(s, [])
    elif current is not None:
        current.append(s)
allowed, privileged = expand("@system-service", groups), expand("@privileged", groups)

call = re.compile(r"^\d+\s+(?:<\.\.\. )?([a-z_0-9]+)\(")
problems, syscalls, families, writes, watches = [], set(), set(), set(), 0
write_path = re.compile(r'^\d+\s+(?:openat|open|creat)\((?:AT_FDCWD, )?"([^"]+)", [^)]*O_(?:WRONLY|RDWR|CREAT)|^\d+\s+(?:mkdir|mkdirat|rename|renameat2?|unlink|unlinkat|rmdir|chmod|fchmodat|truncate|symlink|link)\((?:AT_FDCWD, )?"([^"]+)"')
files = glob.glob(sys.argv[1] + "/t.*")
for name in files:
    for line in open(name, errors="replace"):
        m = call.match(line)  # "<... x resumed>" lines carry no arguments and do not match
        if not m:
            continue
        sc = m.group(1)
        syscalls.add(sc)
        if sc == "mmap" and "PROT_WRITE" in line and "PROT_EXEC" in line:
            problems.append("writable+executable mapping: " + line.strip())
        if sc in ("mprotect", "pkey_mprotect") and "PROT_EXEC" in line:
            problems.append("mapping made executable: " + line.strip())
        if sc == "shmat" and "SHM_EXEC" in line:
            problems.append("executable shared memory: " + line.strip())
        if "CLONE_NEW" in line or sc in ("unshare", "setns"):
            problems.append("namespace: " + line.strip())
        if sc == "socket":
            fam = re.search(r"socket\((AF_[A-Z0-9]+|\d+)", line)
            if fam:
                families.add(fam.group(1))
        if sc == "inotify_add_watch" and "= -1" not in line:
            watches += 1
        w = write_path.match(line)
        if w and "= -1" not in line:
            writes.add(w.group(1) or w.group(2))

outside = sorted(syscalls - allowed)
if outside:
    problems.append("system calls outside @system-service: " + " ".join(outside))
priv = sorted(syscalls & privileged)
if priv:
    problems.append("system calls in @privileged: " + " ".join(priv))
bad_families = sorted(families - {"AF_UNIX", "AF_INET", "AF_INET6"})
if bad_families:
    problems.append("socket families outside AF_INET AF_INET6 AF_UNIX: " + " ".join(bad_families))
bad_writes = sorted(p for p in writes if not (p.startswith("/tmp/") or p == "/dev/null"))
if bad_writes:
    problems.append("writes outside the data and backup directories: " + " ".join(bad_writes))

print(f"{len(files)} processes traced: {len(syscalls)} distinct system calls, socket families "
      f"{' '.join(sorted(families))}, {len(writes)} paths written")
if watches:
    print(f"note: {watches} inotify watches on the working directory (ASP.NET Core's content root); "
          "the unit turns them off with DOTNET_hostBuilder__reloadConfigOnChange=false")
for p in problems:
    print("FAIL " + p)
print("check-sandbox: " + ("OK" if not problems else f"{len(problems)} problems"))
sys.exit(1 if problems else 0)
PY
