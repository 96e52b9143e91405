using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.Benchmarks.Allocation;

/// <summary>
/// Bytes allocated (all threads) per outcome record: the deferrable <see cref="IPrivacyLedger.RecordAsync(AuditEntry, CommitTiming, CancellationToken)"/>
/// a public request makes, queued in bursts of exactly one group so that every commit carries
/// <c>groupSize</c> records (the linger never runs out; a full group commits). Allocation does not
/// depend on how busy the box is, so the figure is repeatable where timings are not.
/// </summary>
internal static class AuditAllocationRun
{
    private const string MasterKey = "ledger-benchmark-master-key";

    public static async Task<AllocationResult> RunAsync(string root, int groupSize, int groups, AllocationSampler? sampler = null)
    {
        var directory = Path.Combine(root, "qe-ledger-alloc-" + Guid.NewGuid().ToString("N"));
        using var identity = NodeIdentity.Generate();
        try
        {
            var ledger = LiteDbPrivacyLedger.Open(new LedgerOptions
            {
                DataDirectory = directory,
                MasterKey = MasterKey,
                Policy = new PrivacyPolicyOptions { EpsilonPerQuery = 0.1, MaxBudgetPerUser = 1e6 },
                NodeIdentity = identity,
                Kdf = new KdfParameters(8192, 1),
                MaxBatchSize = groupSize,
                DeferredCommitLinger = TimeSpan.FromMinutes(10),
            });
            await using (ledger.ConfigureAwait(false))
            {
                var promptHmac = ledger.PromptFingerprint.Compute("Summarise the overnight handover for bed 12.");
                // Warm-up: first pages, caches, JIT.
                await WriteAsync(ledger, Entries(promptHmac, groupSize * Math.Max(4, 2000 / groupSize), "warm")).ConfigureAwait(false);
                var entries = Entries(promptHmac, groupSize * groups, "run");
                var commits = ledger.GroupCommits;
                var records = ledger.OperationsCommitted;
                var writer = ledger.WriterAllocatedBytes;
                sampler?.Start();
                var cpu = Environment.CpuUsage.TotalTime;
                var before = GC.GetTotalAllocatedBytes(precise: true);
                await WriteAsync(ledger, entries).ConfigureAwait(false);
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                cpu = Environment.CpuUsage.TotalTime - cpu;
                sampler?.Pause();
                return new AllocationResult(groupSize, ledger.OperationsCommitted - records, ledger.GroupCommits - commits, allocated,
                    ledger.WriterAllocatedBytes - writer, cpu);
            }
        }
        finally
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

    private static AuditEntry[] Entries(string promptHmac, int count, string prefix) =>
        [.. Enumerable.Range(0, count).Select(i => PublicOutcomeEntry.Create($"{prefix}-{i:x8}-4f1c9e2a7b3d", $"clinician-{i % 16:D2}", promptHmac))];

    private static Task WriteAsync(LiteDbPrivacyLedger ledger, AuditEntry[] entries)
    {
        var pending = new Task[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            pending[i] = ledger.RecordAsync(entries[i], CommitTiming.Deferrable);
        }

        return Task.WhenAll(pending);
    }
}

/// <summary>
/// One allocation pass: records and commits made, the bytes every thread allocated meanwhile, the
/// ledger writer thread's share, and the process's CPU time (user and kernel: fsyncs included).
/// </summary>
internal readonly record struct AllocationResult(int GroupSize, long Records, long Commits, long AllocatedBytes, long WriterAllocatedBytes, TimeSpan Cpu)
{
    public double CpuMicrosecondsPerRecord => Cpu.TotalMicroseconds / Math.Max(1, Records);

    public double BytesPerRecord => AllocatedBytes / (double)Math.Max(1, Records);

    public double WriterBytesPerRecord => WriterAllocatedBytes / (double)Math.Max(1, Records);

    public double RecordsPerCommit => Records / (double)Math.Max(1, Commits);
}
