#!/usr/bin/env python3
"""Print the container image's production.yaml: configs/production.yaml, line by line (its
comments kept), with the container's paths and listeners.

- node.data_dir /app/data (the image's volume); no storage.node_key_dir: the node generates its
  identity under /app/data/ledger/keys on first start, so two containers never share one;
- server.urls http://0.0.0.0:8080 and server.metrics_url http://0.0.0.0:9090 (the guide's
  ports) inside the container's own network namespace: what reaches them is decided by the
  ports the operator publishes; server.tls is dropped (there is no certificate in an image).

Fails when a line it must rewrite is missing, so a change to configs/production.yaml cannot
silently produce an image that listens elsewhere or writes outside its volume.
"""
import re
import sys

HEADER = """# QuantumEdge in a container: /app/configs/production.yaml (QUANTUM_CONFIG_PATH).
# Built from configs/production.yaml by packaging/container/container-config.py. Secrets never
# live here: JWT_SECRET and MASTER_KEY come from the container's environment. Listeners are
# plain HTTP inside the container: publish them on loopback, or behind a TLS proxy, or mount a
# production.yaml with server.tls over this file (packaging/README.md, "Containers").
"""


def main(path: str) -> int:
    lines = open(path, encoding="utf-8").read().splitlines()
    out = []
    done = set()
    section = None
    skip_indent = None
    for line in lines:
        if not out and line.startswith("#"):
            continue  # the Linux file's own header
        if skip_indent is not None:
            if line.strip() == "" or len(line) - len(line.lstrip()) > skip_indent or line.lstrip().startswith("#") and len(line) - len(line.lstrip()) > skip_indent:
                continue
            skip_indent = None
        m = re.match(r"^([a-z_]+):", line)
        if m:
            section = m.group(1)
        key = re.match(r"^  ([a-z_]+):", line)
        k = (section, key.group(1)) if key else None
        if k == ("node", "data_dir"):
            out.append("  data_dir: /app/data                # the image's volume: ledger, audit chain, node keys, planner state")
        elif k == ("server", "urls"):
            out.append("  urls: [http://0.0.0.0:8080]        # inside the container; publish the port on loopback or behind TLS")
        elif k == ("server", "metrics_url"):
            out.append("  metrics_url: http://0.0.0.0:9090   # Prometheus scrape target: GET /metrics")
        elif k == ("server", "tls"):
            skip_indent = 2
        elif k == ("storage", "node_key_dir"):
            out.append("  # node_key_dir: unset: the node generates its identity under /app/data/ledger/keys on first start")
        elif section == "server" and ("urls" not in [d[1] for d in done if d] and line.startswith("  #")
                                      or re.match(r"^  # *(metrics_tls|metrics_client_ca_file):", line)):
            continue  # the Linux listeners' comments
        else:
            out.append(line.replace("/var/lib/quantumedge", "/app/data"))
            continue
        done.add(k)
    missing = {("node", "data_dir"), ("server", "urls"), ("server", "metrics_url"), ("server", "tls"), ("storage", "node_key_dir")} - done
    if missing:
        print(f"container-config: {path} has no {', '.join('.'.join(m) for m in sorted(missing))} line to rewrite", file=sys.stderr)
        return 1
    text = HEADER + "\n".join(out) + "\n"
    leftover = re.findall(r"(?m)^[^#\n]*(/etc/|/var/|https://127\.0\.0\.1)", text)
    if leftover:
        print(f"container-config: Linux paths or loopback listeners left: {leftover}", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
