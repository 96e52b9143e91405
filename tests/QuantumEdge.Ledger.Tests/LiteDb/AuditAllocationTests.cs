using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.LiteDb;

namespace QuantumEdge.Ledger.Tests.LiteDb;

/// <summary>
/// Issue 7 item 22: every public request's outcome record is an audit insert, and at one connection
/// the collections its allocation causes are much of the p99 tail. The writer thread's allocation
/// is measured (not the process's: other tests run in parallel); LiteDB's skip-list levels come from
/// a fixed-seed generator, so the figure repeats to within bytes. Bounds sit below what the code
/// before the cut allocated and above what it allocates now.
/// </summary>
public sealed class AuditAllocationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Theory]
    // A group of 25 (one connection makes ≈ 29): 15,186 B per record before, 13,273 now.
    [InlineData(25, 200, 14_300)]
    // Every record its own commit: 64,785 B before, 46,395 now.
    [InlineData(1, 400, 55_000)]
    public async Task An_outcome_record_allocates_less_than_before_on_the_writer_thread(int groupSize, int groups, long maxBytesPerRecord)
    {
        using var ctx = new LedgerTestContext();
        using var ledger = LiteDbPrivacyLedger.Open(ctx.Options() with { MaxBatchSize = groupSize, DeferredCommitLinger = TimeSpan.FromMinutes(10) });
        await RecordAsync(ledger, groupSize * Math.Max(4, 1000 / groupSize), "warm");
        var commits = ledger.GroupCommits;
        var allocated = ledger.WriterAllocatedBytes;

        await RecordAsync(ledger, groupSize * groups, "measured");

        Assert.Equal(groups, ledger.GroupCommits - commits);
        var perRecord = (ledger.WriterAllocatedBytes - allocated) / (groupSize * groups);
        Assert.True(perRecord < maxBytesPerRecord, $"{perRecord:N0} B per record (bound {maxBytesPerRecord:N0})");
    }

    /// <summary>What the gateway records for an answered public request, every record with its own request id.</summary>
    private static Task RecordAsync(LiteDbPrivacyLedger ledger, int count, string prefix) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => ledger.RecordAsync(new AuditEntry
        {
            RequestId = $"{prefix}-{i:x8}-4f1c9e2a7b3d",
            UserId = $"clinician-{i % 16:D2}",
            Role = "doctor",
            Department = "cardiology",
            Classification = "public",
            Backend = "vllm-a",
            Model = "clinical-7b",
            PromptTokens = 42,
            CompletionTokens = 128,
            HttpStatus = 200,
            LatencyMs = 1.234,
            PromptHmac = "9f2c4e1a7b3d5f60812a4c6e8b0d2f4169a3c5e7092b4d6f81a3c5e7f9b1d3e5",
        }, CommitTiming.Deferrable))).WaitAsync(Deadline);
}
