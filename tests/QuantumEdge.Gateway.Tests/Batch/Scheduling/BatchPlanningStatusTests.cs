using System.Text.Json;
using QuantumEdge.Gateway.Planning;
using QuantumEdge.Gateway.Tests.Planning;

namespace QuantumEdge.Gateway.Tests.Batch.Scheduling;

/// <summary><c>/quantum/status</c> carries the batch scheduler's section in the API's snake_case JSON.</summary>
public sealed class BatchPlanningStatusTests
{
    [Fact]
    public async Task The_status_report_shows_pending_lines_the_last_solve_and_spare_capacity()
    {
        await using var planner = new PlannerTestBed(1, PlannerTestBed.Batched);
        using var bed = new SchedulingTestBed(backends: 2, maxConcurrency: 8);
        var lines = Enumerable.Range(0, 20).Select(i => SchedulingTestBed.Line($"l{i}", prefix: (ulong)(i % 4) + 1)).ToList();
        var dispatched = bed.Scheduler.NextDispatches(lines, SchedulingTestBed.Now);

        var json = JsonSerializer.Serialize(QuantumEndpoints.StatusReport(planner.Planner.Status(), bed.Scheduler.Report()), QuantumJsonContext.Default.QuantumStatusReport);

        using var document = JsonDocument.Parse(json);
        var batch = document.RootElement.GetProperty("batch_planning");
        Assert.Equal(12, dispatched.Count);
        Assert.Equal(20, batch.GetProperty("pending_lines").GetInt32());
        Assert.Equal(12, batch.GetProperty("in_flight_lines").GetInt32());
        Assert.Equal(12, batch.GetProperty("last_solve_lines").GetInt32());
        Assert.Equal(2, batch.GetProperty("last_solve_backends").GetInt32());
        Assert.Equal("cpu", batch.GetProperty("last_solve_device").GetString());
        Assert.Equal(12, batch.GetProperty("spare_slots").GetInt32());
        Assert.Equal(1.0, batch.GetProperty("spare_capacity_utilization").GetDouble());

        var without = JsonSerializer.Serialize(QuantumEndpoints.StatusReport(planner.Planner.Status()), QuantumJsonContext.Default.QuantumStatusReport);
        Assert.Contains("\"batch_planning\":null", without, StringComparison.Ordinal);
    }
}
