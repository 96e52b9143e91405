"""The table of bench/wrk/run.sh, from the passes.tsv and run-info.txt it wrote: python3 summarize.py OUT_DIR [NODE_LOG]."""
import csv
import datetime
import os
import re
import statistics
import sys

PATHS = ("direct", "yarp", "node")


def load(out_dir):
    with open(os.path.join(out_dir, "passes.tsv"), newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for r in rows:
        for k, v in r.items():
            if k not in ("phase", "path"):
                r[k] = float(v)
        r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return rows


def span(values, fmt):
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def ms(us):
    return f"{us / 1000:.3f}"


def signed_ms(us):
    return f"{us / 1000:+.3f}"


def rps(v):
    return f"{v:,.0f}"


def by_rep(rows, phase, path):
    return {int(r["rep"]): r for r in rows if r["phase"] == phase and r["path"] == path}


LOG_LINE = re.compile(r'^\{"Timestamp":"([^"]+)","EventId":100,.*"LatencyMs":([0-9.]+)')


def node_handler_latencies(node_log, passes):
    """The node's own latency_ms (request log line, event 100) of the requests inside each pass's time window."""
    windows = [(r["start_s"], r["end_s"], []) for r in passes]
    with open(node_log, errors="replace") as f:
        for line in f:
            m = LOG_LINE.match(line)
            if not m:
                continue
            t = datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).timestamp()
            for start, end, values in windows:
                if start <= t <= end:
                    values.append(float(m.group(2)))
    return [sorted(values) for _, _, values in windows]


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


def main(out_dir, node_log=None):
    rows = load(out_dir)
    tick_us = 1e6 / os.sysconf("SC_CLK_TCK")
    with open(os.path.join(out_dir, "run-info.txt")) as f:
        print(f.read().rstrip())
    print()

    c1 = {p: by_rep(rows, "c1", p) for p in PATHS}
    reps = sorted(c1["direct"])
    print(f"One connection (wrk -t1 -c1), {len(reps)} interleaved repetitions; median (range) in ms; "
          "added = this path minus direct in the same repetition, median (range)")
    print(f"{'path':<7} {'RPS':>22} {'p50':>22} {'p99':>22} {'added p50':>24} {'added p99':>24} {'CPU us/req':>11}")
    for p in PATHS:
        rs = [c1[p][i] for i in reps]
        added50 = [c1[p][i]["p50_us"] - c1["direct"][i]["p50_us"] for i in reps]
        added99 = [c1[p][i]["p99_us"] - c1["direct"][i]["p99_us"] for i in reps]
        cpu = sum(r["cpu_ticks"] for r in rs) * tick_us / sum(r["requests"] for r in rs)
        print(f"{p:<7} {span([r['rps'] for r in rs], rps):>22} {span([r['p50_us'] for r in rs], ms):>22} "
              f"{span([r['p99_us'] for r in rs], ms):>22} "
              f"{'' if p == 'direct' else span(added50, signed_ms):>24} {'' if p == 'direct' else span(added99, signed_ms):>24} {cpu:>11.1f}")
    node_added99 = statistics.median([c1["node"][i]["p99_us"] - c1["direct"][i]["p99_us"] for i in reps])
    worst = max(c1["node"][i]["p99_us"] - c1["direct"][i]["p99_us"] for i in reps)
    print(f"target: added p99 < 1 ms at one connection: median {signed_ms(node_added99)} ms, worst repetition {signed_ms(worst)} ms — "
          f"{'PASS' if worst < 1000 else ('MISS (median met, not every repetition)' if node_added99 < 1000 else 'MISS')}")

    node_rows = [c1["node"][i] for i in reps]
    seconds = sum(r["duration_us"] for r in node_rows) / 1e6
    requests = sum(r["requests"] for r in node_rows)
    gcs = [sum(r[g] for r in node_rows) for g in ("gc0", "gc1", "gc2")]
    commits = sum(r["commits"] for r in node_rows)
    ops = sum(r["operations"] for r in node_rows)
    paused_ms = sum(r.get("gc_pause_us", -1) for r in node_rows) / 1000
    paused = ("GC pause time not reported (a binary without quantumedge_gc_pause_seconds_total)" if any(r.get("gc_pause_us", -1) < 0 for r in node_rows)
              else f"paused {paused_ms:,.1f} ms in all ({paused_ms / max(gcs[0], 1):.2f} ms per collection, {paused_ms / 10 / seconds:.2f} % of the time)")
    print(f"node during the c=1 passes ({seconds:.0f} s, {requests:,.0f} requests): GC collections gen0 {gcs[0]:.0f}, gen1 {gcs[1]:.0f}, gen2 {gcs[2]:.0f} "
          f"(prometheus-net counts each collection in every generation it covered; {gcs[0] / seconds:.1f}/s, "
          f"one per {requests / max(gcs[0], 1):,.0f} requests), {paused}; "
          f"ledger {commits:,.0f} group commits ({commits / seconds:.0f}/s), {ops:,.0f} operations ({ops / max(commits, 1):.1f} per commit)")
    if node_log and os.path.exists(node_log):
        own = [v for v in node_handler_latencies(node_log, node_rows) if v]
        if own:
            p50 = [percentile(v, 50) * 1000 for v in own]
            p99 = [percentile(v, 99) * 1000 for v in own]
            print(f"node's own request latency during the c=1 passes (its log's latency_ms: handler start to answer written, upstream included; "
                  f"{sum(len(v) for v in own):,} lines): p50 {span(p50, ms)} ms, p99 {span(p99, ms)} ms, "
                  f"slowest {max(v[-1] for v in own):.2f} ms")
    print()

    sat = {p: by_rep(rows, "sat", p) for p in PATHS}
    sreps = sorted(sat["direct"])
    conns = int(next(iter(sat["direct"].values()))["connections"])
    print(f"Saturation (wrk -t1 -c{conns}), {len(sreps)} interleaved repetitions; median (range)")
    print(f"{'path':<7} {'RPS':>24} {'p50 ms':>22} {'p99 ms':>22} {'CPU us/req':>11}")
    for p in PATHS:
        rs = [sat[p][i] for i in sreps]
        cpu = sum(r["cpu_ticks"] for r in rs) * tick_us / sum(r["requests"] for r in rs)
        print(f"{p:<7} {span([r['rps'] for r in rs], rps):>24} {span([r['p50_us'] for r in rs], ms):>22} {span([r['p99_us'] for r in rs], ms):>22} {cpu:>11.1f}")
    ratios = [sat["node"][i]["rps"] / sat["yarp"][i]["rps"] for i in sreps]
    print(f"node / YARP RPS in the same repetition: {span(ratios, lambda v: f'{v:.2f}x')} — target >= 0.6x: "
          f"{'PASS' if min(ratios) >= 0.6 else 'MISS'}")
    node_sat = [sat["node"][i] for i in sreps]
    sat_seconds = sum(r["duration_us"] for r in node_sat) / 1e6
    sat_gc0 = sum(r["gc0"] for r in node_sat)
    sat_paused_ms = sum(r.get("gc_pause_us", -1) for r in node_sat) / 1000
    sat_paused = ("GC pause time not reported" if any(r.get("gc_pause_us", -1) < 0 for r in node_sat)
                  else f"paused {sat_paused_ms:,.1f} ms in all ({sat_paused_ms / 10 / sat_seconds:.2f} % of the time)")
    print(f"node during the saturation passes: {sat_gc0:.0f} gen0 collections ({sat_gc0 / sat_seconds:.1f}/s), {sat_paused}, "
          f"{sum(r['commits'] for r in node_sat) / sat_seconds:.0f} group commits/s")
    print("CPU us/req: the measured process's CPU time per request (direct: the nginx worker; yarp, node: the proxy process alone)")
    print("Latency percentiles are wrk's, corrected for coordinated omission: a stall of L ms at one connection also counts the requests "
          "that would have been sent during it (L / the mean interval samples, spread up to L), so a few long pauses move the p99 far more than their number")
    loads = [r["load1"] for r in rows]
    print(f"1-minute load average at the start of each pass: {min(loads):.2f}–{max(loads):.2f}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: summarize.py OUT_DIR [NODE_LOG]")
    main(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else None)
