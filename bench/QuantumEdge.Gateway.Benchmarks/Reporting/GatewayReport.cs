using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Gateway.Benchmarks.Load;

namespace QuantumEdge.Gateway.Benchmarks.Reporting;

/// <summary>Prints a run's results as tables, then the product's targets with PASS/MISS.</summary>
internal static class GatewayReport
{
    // The product's targets (README, Performance): checked by benchmarks, never by timed tests.
    private const double AddedP50TargetMs = 0.25;
    private const double AddedP99TargetMs = 1.0;
    private const double WholePathRpsTarget = 5000;
    private const double FirstByteTargetMs = 1.0;
    private const double YarpRatioTarget = 0.6;

    public static void Write(TextWriter o, BenchOptions options, GatewayRunResults r)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(r);
        o.WriteLine();
        o.WriteLine($"== Open loop: {options.Rps:0} RPS offered, {options.Arrival.ToString().ToLowerInvariant()} arrivals, {options.Seconds:0.#} s per pass; latency = send to last byte (ms) ==");
        var open = new TextTable("pass", "ok", "failed", "achieved RPS", "p50", "p99", "p99.9", "max", "send lag p99");
        foreach (var p in new[] { r.OpenDirect, r.OpenYarp, r.OpenPublic, r.OpenPhi })
        {
            open.Add(p.Name, Format.Count(p.Ok), Format.Count(p.Failed), Format.Rate(p.Throughput),
                Format.Ms(p.Latency.P50), Format.Ms(p.Latency.P99), Format.Ms(p.Latency.P999), Format.Ms(p.Latency.Max), Format.Ms(p.ScheduleLag.P99));
        }

        o.Write(open);
        o.WriteLine();
        o.WriteLine("== Added latency: gateway minus direct at the same percentile (ms) ==");
        var added = new TextTable("path", "p50", "p99", "p99.9", "ledger commits", "ops/commit");
        added.Add("bare YARP proxy", Format.SignedMs(AddedAt(r.OpenYarp, r.OpenDirect, 50)), Format.SignedMs(AddedAt(r.OpenYarp, r.OpenDirect, 99)),
            Format.SignedMs(AddedAt(r.OpenYarp, r.OpenDirect, 99.9)), "-", "-");
        added.Add("gateway public", Format.SignedMs(AddedAt(r.OpenPublic, r.OpenDirect, 50)), Format.SignedMs(AddedAt(r.OpenPublic, r.OpenDirect, 99)),
            Format.SignedMs(AddedAt(r.OpenPublic, r.OpenDirect, 99.9)), Format.Count(r.OpenPublicLedger.Commits), Format.Ratio(r.OpenPublicLedger.MeanBatch));
        added.Add("gateway phi", Format.SignedMs(AddedAt(r.OpenPhi, r.OpenDirect, 50)), Format.SignedMs(AddedAt(r.OpenPhi, r.OpenDirect, 99)),
            Format.SignedMs(AddedAt(r.OpenPhi, r.OpenDirect, 99.9)), Format.Count(r.OpenPhiLedger.Commits), Format.Ratio(r.OpenPhiLedger.MeanBatch));
        o.Write(added);
        o.WriteLine("(public: no privacy charge, but every request still ends as a durable audit record; phi: durable charge before forwarding + audit)");
        if (!options.FreshConnections)
        {
            o.WriteLine("(keep-alive: a server reads a connection's next request only after the previous handler returned, so any work the");
            o.WriteLine(" gateway awaits after answering, e.g. the audit write, delays the next request on that connection; --fresh-connections");
            o.WriteLine(" runs every pass with Connection: close to separate that wait from the per-request cost)");
        }

        o.WriteLine();
        o.WriteLine($"== Closed loop (saturation): {options.Concurrency} workers, {options.SaturationSeconds:0.#} s per pass ==");
        var closed = new TextTable("pass", "ok", "failed", "RPS", "/direct", "/YARP", "p50 ms", "p99 ms", "ops/commit");
        foreach (var p in new[] { r.ClosedDirect, r.ClosedYarp, r.ClosedPublic, r.ClosedPhi })
        {
            closed.Add(p.Name, Format.Count(p.Ok), Format.Count(p.Failed), Format.Rate(p.Throughput),
                Format.Ratio(p.Throughput / r.ClosedDirect.Throughput),
                ReferenceEquals(p, r.ClosedDirect) ? "-" : Format.Ratio(p.Throughput / r.ClosedYarp.Throughput),
                Format.Ms(p.Latency.P50), Format.Ms(p.Latency.P99),
                ReferenceEquals(p, r.ClosedPhi) ? Format.Ratio(r.ClosedPhiLedger.MeanBatch) : "-");
        }

        o.Write(closed);
        o.WriteLine();
        o.WriteLine("== Cost per request at saturation: process CPU and allocation, and what the proxy adds over going direct ==");
        var cost = new TextTable("pass", "CPU us/req", "added CPU us", "alloc B/req", "added alloc B");
        foreach (var p in new[] { r.ClosedDirect, r.ClosedYarp, r.ClosedPublic, r.ClosedPhi })
        {
            if (p.Cost is not { } c || r.ClosedDirect.Cost is not { } d)
            {
                continue;
            }

            var isDirect = ReferenceEquals(p, r.ClosedDirect);
            cost.Add(p.Name, Format.Ratio(c.CpuMicroseconds), isDirect ? "-" : Format.Ratio(c.CpuMicroseconds - d.CpuMicroseconds),
                Format.Count((long)c.AllocatedBytes), isDirect ? "-" : Format.Count((long)(c.AllocatedBytes - d.AllocatedBytes)));
        }

        o.Write(cost);

        o.WriteLine();
        o.WriteLine($"== One connection, one request at a time: {options.SingleSeconds:0.#} s per pass; added = minus direct at the same percentile (ms) ==");
        var single = new TextTable("pass", "ok", "failed", "RPS", "p50", "p99", "p99.9", "added p50", "added p99");
        foreach (var p in new[] { r.SingleDirect, r.SingleYarp, r.SinglePublic })
        {
            single.Add(p.Name, Format.Count(p.Ok), Format.Count(p.Failed), Format.Rate(p.Throughput),
                Format.Ms(p.Latency.P50), Format.Ms(p.Latency.P99), Format.Ms(p.Latency.P999),
                ReferenceEquals(p, r.SingleDirect) ? "-" : Format.SignedMs(AddedAt(p, r.SingleDirect, 50)),
                ReferenceEquals(p, r.SingleDirect) ? "-" : Format.SignedMs(AddedAt(p, r.SingleDirect, 99)));
        }

        o.Write(single);

        o.WriteLine();
        o.WriteLine($"== Streaming (stream=true): {options.StreamRps:0} RPS open loop, {options.StreamSeconds:0.#} s per pass; TTFB = send to first body byte (ms) ==");
        var stream = new TextTable("pass", "ok", "failed", "TTFB p50", "TTFB p99", "TTFB p99.9", "end p50", "end p99");
        foreach (var p in new[] { r.StreamDirect, r.StreamGateway })
        {
            stream.Add(p.Name, Format.Count(p.Ok), Format.Count(p.Failed), Format.Ms(p.Latency.P50), Format.Ms(p.Latency.P99),
                Format.Ms(p.Latency.P999), Format.Ms(p.Total.P50), Format.Ms(p.Total.P99));
        }

        stream.Add("added (gateway - direct)", "", "", Format.SignedMs(AddedAt(r.StreamGateway, r.StreamDirect, 50)),
            Format.SignedMs(AddedAt(r.StreamGateway, r.StreamDirect, 99)), Format.SignedMs(AddedAt(r.StreamGateway, r.StreamDirect, 99.9)),
            Format.SignedMs(r.StreamGateway.Total.P50 - r.StreamDirect.Total.P50), Format.SignedMs(r.StreamGateway.Total.P99 - r.StreamDirect.Total.P99));
        o.Write(stream);

        o.WriteLine();
        o.WriteLine("== targets (measurements, not assertions) ==");
        var targets = new TextTable("target", "goal", "measured", "verdict");
        foreach (var t in Targets(options, r))
        {
            targets.Add(t.What, t.Target, t.Measured, t.Verdict);
        }

        o.Write(targets);
        var failed = new[] { r.OpenDirect, r.OpenYarp, r.ClosedYarp, r.SingleDirect, r.SingleYarp, r.SinglePublic, r.OpenPublic, r.OpenPhi, r.ClosedDirect, r.ClosedPublic, r.ClosedPhi, r.StreamDirect, r.StreamGateway }
            .Where(p => p.Failed > 0).ToList();
        if (failed.Count > 0)
        {
            o.WriteLine($"NOTE: failed requests in {string.Join(", ", failed.Select(p => $"{p.Name} ({p.Failed})"))}; their latencies are not in the percentiles.");
        }
    }

    public static IReadOnlyList<TargetCheck> Targets(BenchOptions options, GatewayRunResults r)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(r);
        var at = $"@ {options.Rps:0} RPS";
        var list = new List<TargetCheck>();
        foreach (var (name, pass) in new[] { ("public", r.OpenPublic), ("phi", r.OpenPhi) })
        {
            var p50 = AddedAt(pass, r.OpenDirect, 50);
            var p99 = AddedAt(pass, r.OpenDirect, 99);
            list.Add(new TargetCheck($"added latency p50 {at}, {name}", $"<= {AddedP50TargetMs:0.00} ms", $"{Format.SignedMs(p50)} ms", p50 <= AddedP50TargetMs && pass.Failed == 0));
            list.Add(new TargetCheck($"added latency p99 {at}, {name}", $"<= {AddedP99TargetMs:0.00} ms", $"{Format.SignedMs(p99)} ms", p99 <= AddedP99TargetMs && pass.Failed == 0));
        }

        list.Add(new TargetCheck("sustained RPS, whole path (phi: auth, charge, plan, proxy, audit)", $">= {WholePathRpsTarget:N0}",
            $"{Format.Rate(r.ClosedPhi.Throughput)} RPS", r.ClosedPhi.Throughput >= WholePathRpsTarget && r.ClosedPhi.Failed == 0));
        list.Add(new TargetCheck("sustained RPS, gateway public (no charge)", $">= {WholePathRpsTarget:N0}",
            $"{Format.Rate(r.ClosedPublic.Throughput)} RPS", r.ClosedPublic.Throughput >= WholePathRpsTarget && r.ClosedPublic.Failed == 0));
        var ratio = r.ClosedPublic.Throughput / r.ClosedYarp.Throughput;
        list.Add(new TargetCheck("saturation RPS, gateway public vs a bare YARP proxy (same run)", $">= {YarpRatioTarget:0.0}x",
            $"{Format.Ratio(ratio)}x ({Format.Rate(r.ClosedPublic.Throughput)} / {Format.Rate(r.ClosedYarp.Throughput)})", ratio >= YarpRatioTarget && r.ClosedPublic.Failed == 0));
        var singleAdded99 = AddedAt(r.SinglePublic, r.SingleDirect, 99);
        list.Add(new TargetCheck("added latency p99 at one connection, public", $"< {AddedP99TargetMs:0.00} ms",
            $"{Format.SignedMs(singleAdded99)} ms (p99 {Format.Ms(r.SinglePublic.Latency.P99)} ms)", singleAdded99 < AddedP99TargetMs && r.SinglePublic.Failed == 0));
        var ttfb50 = AddedAt(r.StreamGateway, r.StreamDirect, 50);
        var ttfb99 = AddedAt(r.StreamGateway, r.StreamDirect, 99);
        list.Add(new TargetCheck("first streamed byte after the backend's, p50", $"<= {FirstByteTargetMs:0.00} ms", $"{Format.SignedMs(ttfb50)} ms", ttfb50 <= FirstByteTargetMs && r.StreamGateway.Failed == 0));
        list.Add(new TargetCheck("first streamed byte after the backend's, p99", $"<= {FirstByteTargetMs:0.00} ms", $"{Format.SignedMs(ttfb99)} ms", ttfb99 <= FirstByteTargetMs && r.StreamGateway.Failed == 0));
        return list;
    }

    private static double AddedAt(PassResult gateway, PassResult direct, double percentile) =>
        gateway.Latency.Percentile(percentile) - direct.Latency.Percentile(percentile);
}
