using System.Diagnostics;
using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.Benchmarks.Charges;

/// <summary>
/// <c>callers</c> concurrent callers, each a distinct user with a budget too big to exhaust, each
/// charging as fast as the ledger acknowledges (every acknowledgement means fsynced). A fresh
/// ledger in a fresh directory per run, so that every concurrency starts from the same state.
/// </summary>
public static class LedgerChargeRun
{
    private const string MasterKey = "ledger-benchmark-master-key";

    public static async Task<ThroughputResult> RunAsync(string root, int callers, TimeSpan duration)
    {
        var directory = Path.Combine(root, "qe-ledger-bench-" + Guid.NewGuid().ToString("N"));
        using var identity = NodeIdentity.Generate();
        try
        {
            var ledger = LiteDbPrivacyLedger.Open(new LedgerOptions
            {
                DataDirectory = directory,
                MasterKey = MasterKey,
                Policy = new PrivacyPolicyOptions { EpsilonPerQuery = 0.1, MaxBudgetPerUser = 1e6 },
                NodeIdentity = identity,
                // Argon2 runs once at open; keep it cheap, it is not what is measured.
                Kdf = new KdfParameters(8192, 1),
            });
            await using (ledger.ConfigureAwait(false))
            {
                var promptHmac = ledger.PromptFingerprint.Compute("Summarise the overnight handover for bed 12.");
                var latency = new LatencyRecorder((int)Math.Min(int.MaxValue / 2, 200_000 * Math.Max(1, duration.TotalSeconds)));
                var commits = ledger.GroupCommits;
                var operations = ledger.OperationsCommitted;
                var bytes = DirectorySize.Of(directory);
                long written = 0, refused = 0;
                var started = Stopwatch.GetTimestamp();
                var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
                var loops = Enumerable.Range(0, callers).Select(worker => Task.Run(async () =>
                {
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
                return new ThroughputResult(callers, written, refused, elapsed,
                    ledger.GroupCommits - commits, ledger.OperationsCommitted - operations,
                    DirectorySize.Of(directory) - bytes, latency.Snapshot());
            }
        }
        finally
        {
            TryDelete(directory);
        }
    }

    internal static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }
}
