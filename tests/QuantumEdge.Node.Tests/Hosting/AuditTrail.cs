using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>Reads a test node's audit trail, polling with a deadline for records that are written after the answer.</summary>
internal static class AuditTrail
{
    public static async Task<IReadOnlyList<AuditRecord>> WaitForAsync(TestNode node, Func<AuditRecord, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var records = await node.Node.Ledger.ReadAuditAsync(0, 100_000);
            if (records.Any(predicate))
            {
                return records;
            }

            // Polling the ledger, not sleeping on a guess: outcome records are queued as answers complete.
            await Task.Delay(20, timeout.Token);
        }
    }

    public static Task<IReadOnlyList<AuditRecord>> AllAsync(TestNode node) => node.Node.Ledger.ReadAuditAsync(0, 100_000);
}
