namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>
/// The series the alert rules page on: a ledger stopped by its storage shows as read-only and as a storage
/// failure, so that <c>LedgerStorageFailure</c> fires instead of <c>AuditVerificationFailed</c> (tampering).
/// </summary>
public sealed class OperationalMetricsTests
{
    [Fact]
    public async Task A_ledger_stopped_by_a_storage_failure_is_read_only_and_a_storage_failure_on_the_metrics_page()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        using var http = new HttpClient();
        var before = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        Assert.Contains("\nquantumedge_ledger_read_only 0\n", before, StringComparison.Ordinal);
        Assert.Contains("\nquantumedge_ledger_storage_failed 0\n", before, StringComparison.Ordinal);

        await node.FailLedgerStorageAsync();

        var after = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        Assert.Contains("\nquantumedge_ledger_read_only 1\n", after, StringComparison.Ordinal);
        Assert.Contains("\nquantumedge_ledger_storage_failed 1\n", after, StringComparison.Ordinal);
    }
}
