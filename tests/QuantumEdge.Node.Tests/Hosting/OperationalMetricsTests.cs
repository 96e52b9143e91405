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

    [Fact]
    public async Task The_metrics_page_gives_the_time_collections_have_paused_the_process()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        using var http = new HttpClient();
        var before = PausedSeconds(await http.GetStringAsync(node.Node.MetricsAddress + "/metrics"));
        Assert.True(before <= GC.GetTotalPauseDuration().TotalSeconds);

        // The test host and the node share a process: a blocking collection here pauses the node too.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var floor = GC.GetTotalPauseDuration().TotalSeconds;

        var after = PausedSeconds(await http.GetStringAsync(node.Node.MetricsAddress + "/metrics"));
        Assert.True(after >= floor && after > before, $"paused {before} s, then {after} s; the runtime says at least {floor} s");
    }

    private static double PausedSeconds(string page)
    {
        var line = page.Split('\n').Single(l => l.StartsWith("quantumedge_gc_pause_seconds_total ", StringComparison.Ordinal));
        return double.Parse(line["quantumedge_gc_pause_seconds_total ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
