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
        if (r.Open is { } openResults)
        {
            WriteOpen(o, options, openResults);
        }

        if (r.Saturation is { } saturation)
        {
            WriteSaturation(o, options, saturation);
        }

        if (r.Single is { } single)
        {
            WriteSingle(o, options, single);
        }

        if (r.Stream is { } streaming)
        {
            WriteStream(o, options, streaming);
        }

        WriteStalls(o, r);
        o.WriteLine();
        o.WriteLine("== targets (measurements, not assertions) ==");
        var targets = new TextTable("target", "goal", "measured", "verdict");
        foreach (var t in Targets(options, r))
        {
            targets.Add(t.What, t.Target, t.Measured, t.Verdict);
        }

        o.Write(targets);
        var failed = r.All().Where(p => p.Failed > 0).ToList();
        if (failed.Count > 0)
        {
            o.WriteLine($"NOTE: failed requests in {string.Join(", ", failed.Select(p => $"{p.Name} ({p.Failed})"))}; their latencies are not in the percentiles.");
        }
    }

    private static void WriteOpen(TextWriter o, BenchOptions options, OpenResults r)
    {
        o.WriteLine();
        o.WriteLine($"== Open loop: {options.Rps:0} RPS offered, {options.Arrival.ToString().ToLowerInvariant()} arrivals, {options.Seconds:0.#} s per pass; latency = send to last byte (ms) ==");
        var open = new TextTable("pass", "ok", "failed", "achieved RPS", "p50", "p99", "p99.9", "max", "send lag p99");
        foreach (var p in new[] { r.Direct, r.Yarp, r.Public, r.Phi })
        {
            open.Add(p.Name, Format.Count(p.Ok), Format.Count(p.Failed), Format.Rate(p.Throughput),
                Format.Ms(p.Latency.P50), Format.Ms(p.Latency.P99), Format.Ms(p.Latency.P999), Format.Ms(p.Latency.Max), Format.Ms(p.ScheduleLag.P99));
        }

        o.Write(open);
        o.WriteLine();
        o.WriteLine("== Added latency: gateway minus direct at the same percentile (ms) ==");
        var added = new TextTable("path", "p50", "p99", "p99.9", "ledger commits", "ops/commit");
        added.Add("bare YARP proxy", Format.SignedMs(AddedAt(r.Yarp, r.Direct, 50)), Format.SignedMs(AddedAt(r.Yarp, r.Direct, 99)),
            Format.SignedMs(AddedAt(r.Yarp, r.Direct, 99.9)), "-", "-");
        added.Add("gateway public", Format.SignedMs(AddedAt(r.Public, r.Direct, 50)), Format.SignedMs(AddedAt(r.Public, r.Direct, 99)),
            Format.SignedMs(AddedAt(r.Public, r.Direct, 99.9)), Format.Count(r.PublicLedger.Commits), Format.Ratio(r.PublicLedger.MeanBatch));
        added.Add("gateway phi", Format.SignedMs(AddedAt(r.Phi, r.Direct, 50)), Format.SignedMs(AddedAt(r.Phi, r.Direct, 99)),
            Format.SignedMs(AddedAt(r.Phi, r.Direct, 99.9)), Format.Count(r.PhiLedger.Commits), Format.Ratio(r.PhiLedger.MeanBatch));
        o.Write(added);
        o.WriteLine("(public: no privacy charge; its audit record is queued on the ledger's writer before the handler returns and made durable");
        o.WriteLine(" off the response, by a group commit that lingers up to storage.audit_commit_linger_ms for more; phi: durable charge before forwarding + the same audit)");
    }

    private static void WriteSaturation(TextWriter o, BenchOptions options, SaturationResults r)
    {
        LedgerActivity? LedgerOf(PassResult p) => ReferenceEquals(p, r.Public) ? r.PublicLedger : ReferenceEquals(p, r.Phi) ? r.PhiLedger : null;

        o.WriteLine();
        o.WriteLine($"== Closed loop (saturation): {options.Concurrency} workers, {options.SaturationSeconds:0.#} s per pass ==");
        var closed = new TextTable("pass", "ok", "failed", "RPS", "/direct", "/YARP", "p50 ms", "p99 ms", "ledger commits", "ops/commit");
        foreach (var p in new[] { r.Direct, r.Yarp, r.Public, r.Phi })
        {
            closed.Add(p.Name, Format.Count(p.Ok), Format.Count(p.Failed), Format.Rate(p.Throughput),
                Format.Ratio(p.Throughput / r.Direct.Throughput),
                ReferenceEquals(p, r.Direct) ? "-" : Format.Ratio(p.Throughput / r.Yarp.Throughput),
                Format.Ms(p.Latency.P50), Format.Ms(p.Latency.P99),
                LedgerOf(p) is { } l ? Format.Count(l.Commits) : "-",
                LedgerOf(p) is { } m ? Format.Ratio(m.MeanBatch) : "-");
        }

        o.Write(closed);
        o.WriteLine("(ledger commits: the node's group commits during the pass, each a transaction, fsyncs, a signed checkpoint and the head file)");
        o.WriteLine();
        o.WriteLine("== Cost per request at saturation: process CPU and allocation, and what the proxy adds over going direct ==");
        var cost = new TextTable("pass", "CPU us/req", "added CPU us", "alloc B/req", "added alloc B");
        foreach (var p in new[] { r.Direct, r.Yarp, r.Public, r.Phi })
        {
            if (p.Cost is not { } c || r.Direct.Cost is not { } d)
            {
                continue;
            }

            var isDirect = ReferenceEquals(p, r.Direct);
            cost.Add(p.Name, Format.Ratio(c.CpuMicroseconds), isDirect ? "-" : Format.Ratio(c.CpuMicroseconds - d.CpuMicroseconds),
                Format.Count((long)c.AllocatedBytes), isDirect ? "-" : Format.Count((long)(c.AllocatedBytes - d.AllocatedBytes)));
        }

        o.Write(cost);
    }

    private static void WriteSingle(TextWriter o, BenchOptions options, SingleResults r)
    {
        o.WriteLine();
        o.WriteLine($"== One connection, one request at a time: {options.SingleRepeats} repetitions of {options.SingleSeconds:0.#} s per path, interleaved (ms) ==");
        o.WriteLine("   p50 over all repetitions; p99 as the median of the repetitions' p99s, with their range; added = minus direct");
        var single = new TextTable("pass", "ok", "failed", "RPS", "p50", "median p99", "p99 range", "added p50", "added p99", "CPU us/req", "alloc B/req");
        var direct = Pooled(r.Direct);
        var directP99 = MedianP99(r.Direct);
        foreach (var runs in new[] { r.Direct, r.Yarp, r.Public })
        {
            var p = Pooled(runs);
            var isDirect = ReferenceEquals(runs, r.Direct);
            single.Add(runs[0].Name, Format.Count(runs.Sum(x => x.Ok)), Format.Count(runs.Sum(x => x.Failed)), Format.Rate(runs.Average(x => x.Throughput)),
                Format.Ms(p.P50), Format.Ms(MedianP99(runs)), $"{Format.Ms(runs.Min(x => x.Latency.P99))}-{Format.Ms(runs.Max(x => x.Latency.P99))}",
                isDirect ? "-" : Format.SignedMs(p.P50 - direct.P50),
                isDirect ? "-" : Format.SignedMs(MedianP99(runs) - directP99),
                Format.Ratio(MeanCost(runs, c => c.CpuMicroseconds)), Format.Count((long)MeanCost(runs, c => c.AllocatedBytes)));
        }

        o.Write(single);
        o.WriteLine($"   gateway public p99 per repetition: {string.Join("  ", r.Public.Select(x => Format.Ms(x.Latency.P99)))}");
        o.WriteLine($"   gateway public ledger: {Format.Count(r.PublicLedger.Commits)} group commits for {Format.Count(r.PublicLedger.Operations)} operations ({Format.Ratio(r.PublicLedger.MeanBatch)} ops/commit)");
    }

    private static void WriteStream(TextWriter o, BenchOptions options, StreamResults r)
    {
        o.WriteLine();
        o.WriteLine($"== Streaming (stream=true): {options.StreamRps:0} RPS open loop, {options.StreamSeconds:0.#} s per pass; TTFB = send to first body byte (ms) ==");
        var stream = new TextTable("pass", "ok", "failed", "TTFB p50", "TTFB p99", "TTFB p99.9", "end p50", "end p99");
        foreach (var p in new[] { r.Direct, r.Gateway })
        {
            stream.Add(p.Name, Format.Count(p.Ok), Format.Count(p.Failed), Format.Ms(p.Latency.P50), Format.Ms(p.Latency.P99),
                Format.Ms(p.Latency.P999), Format.Ms(p.Total.P50), Format.Ms(p.Total.P99));
        }

        stream.Add("added (gateway - direct)", "", "", Format.SignedMs(AddedAt(r.Gateway, r.Direct, 50)),
            Format.SignedMs(AddedAt(r.Gateway, r.Direct, 99)), Format.SignedMs(AddedAt(r.Gateway, r.Direct, 99.9)),
            Format.SignedMs(r.Gateway.Total.P50 - r.Direct.Total.P50), Format.SignedMs(r.Gateway.Total.P99 - r.Direct.Total.P99));
        o.Write(stream);
    }

    /// <summary>GC pauses and process stalls per pass: a latency tail beside a long pause or stall is the process, not the path.</summary>
    private static void WriteStalls(TextWriter o, GatewayRunResults r)
    {
        o.WriteLine();
        o.WriteLine("== Process stalls per pass: GC pauses (suspend to restart) and a 1 ms watchdog that woke > 20 ms late ==");
        var table = new TextTable("pass", "GCs", "gen2", "GC pause total ms", "GC pause max ms", "longest GC", "stalls", "longest stall ms");
        var labelled = (r.Open is { } op ? new[] { op.Direct, op.Yarp, op.Public, op.Phi }.Select(p => ("open " + p.Name, p)) : [])
            .Concat(r.Saturation is { } c ? new[] { c.Direct, c.Yarp, c.Public, c.Phi }.Select(p => ("saturation " + p.Name, p)) : [])
            .Concat(r.Single is { } g ? g.Direct.Concat(g.Yarp).Concat(g.Public).Select((p, i) => ($"c=1 {p.Name} #{(i % g.Direct.Count) + 1}", p)) : [])
            .Concat(r.Stream is { } t ? new[] { t.Direct, t.Gateway }.Select(p => ("open " + p.Name, p)) : []);
        foreach (var (label, p) in labelled)
        {
            if (p.Stalls is { } s)
            {
                table.Add(label, Format.Count(s.Collections), Format.Count(s.Gen2Collections), Format.Ms(s.GcPauseTotalMs), Format.Ms(s.GcPauseMaxMs), s.LongestPauseKind,
                    Format.Count(s.Stalls), s.Stalls == 0 ? "-" : Format.Ms(s.LongestStallMs));
            }
        }

        o.Write(table);
    }

    public static IReadOnlyList<TargetCheck> Targets(BenchOptions options, GatewayRunResults r)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(r);
        var list = new List<TargetCheck>();
        if (r.Open is { } open)
        {
            var at = $"@ {options.Rps:0} RPS";
            foreach (var (name, pass) in new[] { ("public", open.Public), ("phi", open.Phi) })
            {
                var p50 = AddedAt(pass, open.Direct, 50);
                var p99 = AddedAt(pass, open.Direct, 99);
                list.Add(new TargetCheck($"added latency p50 {at}, {name}", $"<= {AddedP50TargetMs:0.00} ms", $"{Format.SignedMs(p50)} ms", p50 <= AddedP50TargetMs && pass.Failed == 0));
                list.Add(new TargetCheck($"added latency p99 {at}, {name}", $"<= {AddedP99TargetMs:0.00} ms", $"{Format.SignedMs(p99)} ms", p99 <= AddedP99TargetMs && pass.Failed == 0));
            }
        }

        if (r.Saturation is { } s)
        {
            list.Add(new TargetCheck("sustained RPS, whole path (phi: auth, charge, plan, proxy, audit)", $">= {WholePathRpsTarget:N0}",
                $"{Format.Rate(s.Phi.Throughput)} RPS", s.Phi.Throughput >= WholePathRpsTarget && s.Phi.Failed == 0));
            list.Add(new TargetCheck("sustained RPS, gateway public (no charge)", $">= {WholePathRpsTarget:N0}",
                $"{Format.Rate(s.Public.Throughput)} RPS", s.Public.Throughput >= WholePathRpsTarget && s.Public.Failed == 0));
            var ratio = s.Public.Throughput / s.Yarp.Throughput;
            list.Add(new TargetCheck("saturation RPS, gateway public vs a bare YARP proxy (same run)", $">= {YarpRatioTarget:0.0}x",
                $"{Format.Ratio(ratio)}x ({Format.Rate(s.Public.Throughput)} / {Format.Rate(s.Yarp.Throughput)})", ratio >= YarpRatioTarget && s.Public.Failed == 0));
        }

        if (r.Single is { } single)
        {
            var p99 = MedianP99(single.Public);
            var added99 = p99 - MedianP99(single.Direct);
            var failed = single.Public.Sum(x => x.Failed);
            list.Add(new TargetCheck($"added latency p99 at one connection, public (median of {single.Public.Count})", $"< {AddedP99TargetMs:0.00} ms",
                $"{Format.SignedMs(added99)} ms (p99 {Format.Ms(p99)} ms)", added99 < AddedP99TargetMs && failed == 0));
        }

        if (r.Stream is { } stream)
        {
            var ttfb50 = AddedAt(stream.Gateway, stream.Direct, 50);
            var ttfb99 = AddedAt(stream.Gateway, stream.Direct, 99);
            list.Add(new TargetCheck("first streamed byte after the backend's, p50", $"<= {FirstByteTargetMs:0.00} ms", $"{Format.SignedMs(ttfb50)} ms", ttfb50 <= FirstByteTargetMs && stream.Gateway.Failed == 0));
            list.Add(new TargetCheck("first streamed byte after the backend's, p99", $"<= {FirstByteTargetMs:0.00} ms", $"{Format.SignedMs(ttfb99)} ms", ttfb99 <= FirstByteTargetMs && stream.Gateway.Failed == 0));
        }

        return list;
    }

    private static double MedianP99(IReadOnlyList<PassResult> runs)
    {
        var p99s = runs.Select(x => x.Latency.P99).Order().ToArray();
        return p99s.Length == 0 ? double.NaN
            : p99s.Length % 2 == 1 ? p99s[p99s.Length / 2] : (p99s[(p99s.Length / 2) - 1] + p99s[p99s.Length / 2]) / 2;
    }

    /// <summary>A cost per request over repetitions, weighted by their request counts.</summary>
    private static double MeanCost(IReadOnlyList<PassResult> runs, Func<PassCost, double> cost)
    {
        var sent = runs.Where(x => x.Cost is not null).Sum(x => (double)x.Sent);
        return sent == 0 ? double.NaN : runs.Where(x => x.Cost is not null).Sum(x => cost(x.Cost!) * x.Sent) / sent;
    }

    private static LatencyDistribution Pooled(IReadOnlyList<PassResult> runs) =>
        LatencyDistribution.Merge(runs.Select(x => x.Latency));

    private static double AddedAt(PassResult gateway, PassResult direct, double percentile) =>
        gateway.Latency.Percentile(percentile) - direct.Latency.Percentile(percentile);
}
