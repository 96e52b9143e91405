using System.Diagnostics;
using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.PostgreSql;
using QuantumEdge.Privacy;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Ledger.Benchmarks.Charges;

/// <summary>
/// <c>callers</c> concurrent callers spread round-robin over <c>replicas</c> ledger instances (each
/// its own group-commit writer and chain, as separate replicas would be) on one fresh database of a
/// local PostgreSQL server; each caller is a distinct user with a budget too big to exhaust.
/// </summary>
public static class PostgreSqlChargeRun
{
    private const string MasterKey = "ledger-benchmark-master-key";

    internal static async Task<ThroughputResult> RunAsync(TemporaryPostgres server, int replicas, int callers, TimeSpan duration)
    {
        var connectionString = await server.CreateDatabaseAsync().ConfigureAwait(false);
        using var identity = NodeIdentity.Generate();
        var ledgers = new List<PostgreSqlPrivacyLedger>();
        try
        {
            for (var r = 0; r < replicas; r++)
            {
                ledgers.Add(await PostgreSqlPrivacyLedger.OpenAsync(new LedgerOptions
                {
                    DataDirectory = Path.GetTempPath(),
                    MasterKey = MasterKey,
                    Policy = new PrivacyPolicyOptions { EpsilonPerQuery = 0.1, MaxBudgetPerUser = 1e6 },
                    NodeIdentity = identity,
                    Kdf = new KdfParameters(8192, 1),
                    ReplicaId = $"bench-replica-{r}",
                }, connectionString).ConfigureAwait(false));
            }

            var promptHmac = ledgers[0].PromptFingerprint.Compute("Summarise the overnight handover for bed 12.");
            var latency = new LatencyRecorder((int)Math.Min(int.MaxValue / 2, 200_000 * Math.Max(1, duration.TotalSeconds)));
            long written = 0, refused = 0;
            var started = Stopwatch.GetTimestamp();
            var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var loops = Enumerable.Range(0, callers).Select(worker => Task.Run(async () =>
            {
                var ledger = ledgers[worker % ledgers.Count];
                var user = $"bench-user-{worker:D4}";
                for (var n = 0; Stopwatch.GetTimestamp() < deadline; n++)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    var result = await ledger.ChargeAsync(new ChargeRequest
                    {
                        UserId = user,
                        Department = "cardiology",
                        Role = "doctor",
                        RequestId = $"{worker:x4}-{n:x8}",
                        Classification = "restricted",
                        Model = "clinical-7b",
                        PromptHmac = promptHmac,
                    }).ConfigureAwait(false);
                    latency.RecordSince(t0);
                    Interlocked.Increment(ref written);
                    if (!result.Admitted)
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
            })).ToArray();
            await Task.WhenAll(loops).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var commits = ledgers.Sum(l => l.CommitStats!.Value.Commits);
            var operations = ledgers.Sum(l => l.CommitStats!.Value.Operations);
            return new ThroughputResult(callers, written, refused, elapsed, commits, operations, 0, latency.Snapshot());
        }
        finally
        {
            foreach (var ledger in ledgers)
            {
                await ledger.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
