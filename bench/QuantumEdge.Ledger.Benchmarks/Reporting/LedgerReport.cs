using System.Globalization;
using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Ledger.Benchmarks.Charges;

namespace QuantumEdge.Ledger.Benchmarks.Reporting;

/// <summary>Prints the charge-throughput table and the product's target with PASS/MISS.</summary>
public static class LedgerReport
{
    // The product's target (README, Performance): durable privacy charges >= 10,000/s.
    private const double ChargesPerSecondTarget = 10_000;

    public static void Write(TextWriter o, LedgerBenchOptions options, IReadOnlyList<(ThroughputResult Ledger, ThroughputResult? Naive)> rows)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rows);
        o.WriteLine();
        o.WriteLine($"== Durable privacy charges (LiteDbPrivacyLedger.ChargeAsync), {options.Seconds:0.#} s per run; latency = call to fsynced acknowledgement (ms) ==");
        var table = new TextTable("callers", "charges", "charges/s", "refused", "commits", "ops/commit", "p50", "p99", "bytes/charge",
            "naive fsync/s", "naive p50", "naive p99", "ledger/naive");
        foreach (var (ledger, naive) in rows)
        {
            table.Add(
                I(ledger.Callers), I(ledger.Writes), N(ledger.PerSecond), I(ledger.Refused), I(ledger.Commits), F(ledger.MeanBatch, "F1"),
                F(ledger.Latency.P50, "F3"), F(ledger.Latency.P99, "F3"), F(ledger.BytesPerWrite, "F0"),
                naive is null ? "-" : N(naive.PerSecond), naive is null ? "-" : F(naive.Latency.P50, "F3"), naive is null ? "-" : F(naive.Latency.P99, "F3"),
                naive is null || naive.PerSecond == 0 ? "-" : F(ledger.PerSecond / naive.PerSecond, "F1") + "x");
        }

        o.Write(table);
        o.WriteLine("ops/commit = OperationsCommitted / GroupCommits (mean group-commit batch); bytes/charge = ledger file growth / charges,");
        o.WriteLine("which is also the record size the naive baseline appends (one write + one fsync per charge, one writer at a time).");

        o.WriteLine();
        o.WriteLine("== target (a measurement, not an assertion) ==");
        var best = rows.Select(r => r.Ledger).MaxBy(r => r.PerSecond)!;
        var target = new TextTable("target", "goal", "measured", "verdict");
        target.Add("durable privacy charges per second (best concurrency)", $">= {ChargesPerSecondTarget:N0}/s",
            $"{N(best.PerSecond)}/s @ {best.Callers} callers", best.PerSecond >= ChargesPerSecondTarget && best.Refused == 0 ? "PASS" : "MISS");
        foreach (var (ledger, _) in rows)
        {
            target.Add($"  at {ledger.Callers} caller{(ledger.Callers == 1 ? "" : "s")}", $">= {ChargesPerSecondTarget:N0}/s", $"{N(ledger.PerSecond)}/s",
                ledger.PerSecond >= ChargesPerSecondTarget && ledger.Refused == 0 ? "PASS" : "MISS");
        }

        o.Write(target);
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double v, string format) => double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture);
}
