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

    /// <summary>The PostgreSQL ledger's table, beside the LiteDB one from the same run.</summary>
    public static void WritePostgres(TextWriter o, LedgerBenchOptions options, IReadOnlyList<(int Replicas, ThroughputResult Result)> rows)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        o.WriteLine();
        o.WriteLine($"== Durable privacy charges (PostgreSqlPrivacyLedger.ChargeAsync) against one local PostgreSQL (fsync on, synchronous_commit on), {options.Seconds:0.#} s per run ==");
        var table = new TextTable("replicas", "callers", "charges", "charges/s", "refused", "commits", "ops/commit", "p50", "p99");
        foreach (var (replicas, r) in rows)
        {
            table.Add(I(replicas), I(r.Callers), I(r.Writes), N(r.PerSecond), I(r.Refused), I(r.Commits), F(r.MeanBatch, "F1"),
                F(r.Latency.P50, "F3"), F(r.Latency.P99, "F3"));
        }

        o.Write(table);
        o.WriteLine("replicas = ledger instances in this process, each with its own writer, connection pool and chain (as separate pods would have);");
        o.WriteLine("callers are spread round-robin over them. Client and server share this machine's CPUs: a dedicated server does better.");
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double v, string format) => double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture);
}
