using System.Globalization;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Batch.Scheduling;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Remote;

namespace QuantumEdge.Gateway.Tests.Batch.Scheduling;

/// <summary>
/// Batch lines go only into spare capacity, are placed jointly with shared prefixes co-located,
/// nearest deadline first, and yield to interactive load.
/// </summary>
public sealed class BatchSchedulerTests
{
    private static readonly DateTimeOffset Now = SchedulingTestBed.Now;

    [Fact]
    public void Lines_sharing_a_prefix_are_placed_on_one_backend()
    {
        // Three backends with 6 free slots each (8 minus a reserve of 2); three groups of four lines,
        // interleaved, so only a placement that keeps each group together puts every group on one backend.
        using var bed = new SchedulingTestBed(backends: 3, maxConcurrency: 8);
        var lines = Enumerable.Range(0, 12).Select(i => SchedulingTestBed.Line($"l{i}", prefix: 100 + (ulong)(i % 3))).ToList();

        var dispatches = bed.Scheduler.NextDispatches(lines, Now);

        Assert.Equal(12, dispatches.Count);
        var backendOf = dispatches.ToDictionary(d => d.LineId, d => d.BackendId);
        foreach (var group in lines.GroupBy(l => l.PrefixKey))
        {
            Assert.Single(group.Select(l => backendOf[l.LineId]).Distinct());
        }

        Assert.Equal(3, dispatches.Select(d => d.BackendId).Distinct().Count());
        Assert.Equal(9, bed.Scheduler.Report().LastSolveCouplings);
    }

    [Fact]
    public void The_lines_nearest_their_deadline_go_first()
    {
        // One backend with 2 free slots (4 minus a reserve of 2) and five lines due at different hours.
        using var bed = new SchedulingTestBed(backends: 1, maxConcurrency: 4, reserve: 0.5);
        int[] hours = [20, 3, 9, 1, 15];
        var lines = hours.Select(h => SchedulingTestBed.Line($"due{h}h", deadlineIn: TimeSpan.FromHours(h))).ToList();

        var dispatches = bed.Scheduler.NextDispatches(lines, Now);

        Assert.Equal(["due1h", "due3h"], dispatches.Select(d => d.LineId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Dispatches_never_exceed_any_backend_s_headroom_until_lines_complete()
    {
        // 8 slots each, a reserve of 2; interactive traffic holds 3 slots on b0 and 1 on b1: headroom 3 and 5.
        using var bed = new SchedulingTestBed(backends: 2, maxConcurrency: 8);
        await bed.OccupyAsync(0, 3);
        await bed.OccupyAsync(1, 1);
        var lines = Enumerable.Range(0, 40).Select(i => SchedulingTestBed.Line($"l{i:D2}", prefix: (ulong)(i % 5) + 1)).ToList();

        var first = bed.Scheduler.NextDispatches(lines, Now);

        Assert.Equal(8, first.Count);
        Assert.True(first.Count(d => d.BackendId == "b0") <= 3);
        Assert.True(first.Count(d => d.BackendId == "b1") <= 5);

        // The executor passes only lines that are not running.
        lines.RemoveAll(l => first.Any(d => d.LineId == l.LineId));

        // Before the lines hold backend slots, and after (the executor running them), nothing more fits.
        Assert.Empty(bed.Scheduler.NextDispatches(lines, Now.AddMilliseconds(10)));
        foreach (var d in first)
        {
            await bed.OccupyAsync(d.BackendId == "b0" ? 0 : 1, 1);
        }

        Assert.Empty(bed.Scheduler.NextDispatches(lines, Now.AddMilliseconds(20)));
        Assert.Empty(bed.Scheduler.NextDispatches(lines, Now.AddSeconds(10)));
        Assert.Contains("quantumedge_batch_spare_capacity_utilization 1", await bed.ScrapeAsync(), StringComparison.Ordinal);

        foreach (var done in first.Take(2))
        {
            bed.Backends[done.BackendId == "b0" ? 0 : 1].Release();
            bed.Scheduler.Completed(done.LineId);
        }

        var next = bed.Scheduler.NextDispatches(lines, Now.AddSeconds(11));

        Assert.Equal(2, next.Count);
        Assert.Empty(next.Select(d => d.LineId).Intersect(first.Select(d => d.LineId)));
        Assert.Equal(8, bed.Scheduler.InFlight);
    }

    [Fact]
    public void A_dispatch_the_executor_did_not_start_gives_its_slot_back()
    {
        // One backend with 2 free slots (4 minus a reserve of 2).
        using var bed = new SchedulingTestBed(backends: 1, maxConcurrency: 4, reserve: 0.5);
        List<BatchLineDemand> lines = [SchedulingTestBed.Line("a"), SchedulingTestBed.Line("b"), SchedulingTestBed.Line("c")];
        Assert.Equal(2, bed.Scheduler.NextDispatches(lines, Now).Count);

        // Both dispatched lines are pending again (the executor hit its own cap): their slots are free again, never counted twice.
        Assert.Equal(2, bed.Scheduler.NextDispatches(lines, Now.AddSeconds(1)).Count);
        Assert.Equal(2, bed.Scheduler.InFlight);

        // Neither reported completed nor pending again: held until the outstanding lifetime, then released.
        Assert.Empty(bed.Scheduler.NextDispatches([SchedulingTestBed.Line("c")], Now.AddMinutes(10)));
        Assert.Equal(["c"], bed.Scheduler.NextDispatches([SchedulingTestBed.Line("c")], Now.AddMinutes(16)).Select(d => d.LineId));
        Assert.Equal(1, bed.Scheduler.InFlight);
    }

    [Fact]
    public async Task Rising_interactive_load_stops_new_dispatches()
    {
        using var bed = new SchedulingTestBed(backends: 2, maxConcurrency: 4);
        var lines = Enumerable.Range(0, 10).Select(i => SchedulingTestBed.Line($"l{i}")).ToList();

        // Interactive requests fill all but the reserve on b0; b1's own gauges say it is queueing.
        await bed.OccupyAsync(0, 3);
        bed.Backends[1].ExternalLoad = new BackendLoad(Running: 2, Waiting: 1, KvCacheUsage: 0.3, ReadAt: Now);

        Assert.Empty(bed.Scheduler.NextDispatches(lines, Now));
        var report = bed.Scheduler.Report();
        Assert.Equal(0, report.HeadroomSlots);
        Assert.Equal(1, report.Yields);
        Assert.Contains("quantumedge_batch_yields_total 1", await bed.ScrapeAsync(), StringComparison.Ordinal);

        // Once the interactive load falls, batch takes the spare slots again.
        bed.Backends[0].Release();
        bed.Backends[0].Release();
        Assert.Equal(2, bed.Scheduler.NextDispatches(lines, Now.AddSeconds(1)).Count);
    }

    [Fact]
    public void Lines_past_their_deadline_are_reported_not_dispatched()
    {
        using var bed = new SchedulingTestBed(backends: 1, maxConcurrency: 8);
        List<BatchLineDemand> lines = [SchedulingTestBed.Line("late", deadlineIn: TimeSpan.FromSeconds(-1)), SchedulingTestBed.Line("tight", deadlineIn: TimeSpan.FromMilliseconds(1)), SchedulingTestBed.Line("fine")];

        var dispatches = bed.Scheduler.NextDispatches(lines, Now);

        Assert.Equal(["fine"], dispatches.Select(d => d.LineId));
        Assert.Equal(["late", "tight"], bed.Scheduler.Unmeetable.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Lines_only_go_to_backends_that_serve_their_model()
    {
        using var bed = new SchedulingTestBed(backends: 2, maxConcurrency: 8);
        List<BatchLineDemand> lines = [SchedulingTestBed.Line("served"), new BatchLineDemand("unserved", "other-model", 0, 100, Now.AddHours(1))];

        var dispatches = bed.Scheduler.NextDispatches(lines, Now);

        Assert.Equal(["served"], dispatches.Select(d => d.LineId));
        Assert.Empty(bed.Scheduler.Unmeetable);
    }

    [Fact]
    public void A_line_id_pending_twice_is_refused_by_name()
    {
        using var bed = new SchedulingTestBed(backends: 1, maxConcurrency: 8);

        var error = Assert.Throws<ArgumentException>(() => bed.Scheduler.NextDispatches([SchedulingTestBed.Line("x"), SchedulingTestBed.Line("x")], Now));

        Assert.Contains("'x'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, bed.Scheduler.InFlight);
    }

    [Fact]
    public async Task A_large_solve_goes_through_the_gpu_planner_seam_and_a_small_one_stays_on_the_cpu()
    {
        var directory = Directory.CreateTempSubdirectory("qe-bsched-").FullName;
        try
        {
            // No planner process listens on the socket: the large solve tries it, falls back to the CPU, and says so.
            var stats = new PlannerClientStats();
            await using var remote = new RemoteAssignmentSolver(Path.Combine(directory, "planner.sock"), minVariables: 100, new AssignmentPlanner(), stats, TimeProvider.System);
            using var bed = new SchedulingTestBed(backends: 4, maxConcurrency: 16, solver: remote);
            var large = Enumerable.Range(0, 40).Select(i => SchedulingTestBed.Line(i.ToString(CultureInfo.InvariantCulture), prefix: (ulong)(i % 8) + 1)).ToList();

            var dispatches = bed.Scheduler.NextDispatches(large, Now);

            Assert.Equal(40, dispatches.Count);
            Assert.Equal(1, stats.Fallbacks);
            Assert.Equal("unavailable", stats.LastFallbackReason);
            Assert.Equal(160, bed.Scheduler.Report().LastSolveVariables);
            Assert.Equal("cpu", bed.Scheduler.Report().LastSolveDevice);

            // 3 lines × 4 backends = 12 variables: under the threshold, never offered to the planner process.
            using var small = new SchedulingTestBed(backends: 4, maxConcurrency: 16, solver: new RemoteAssignmentSolver(Path.Combine(directory, "other.sock"), minVariables: 100, new AssignmentPlanner(), stats, TimeProvider.System));
            Assert.Equal(3, small.Scheduler.NextDispatches([SchedulingTestBed.Line("a"), SchedulingTestBed.Line("b"), SchedulingTestBed.Line("c")], Now).Count);
            Assert.Equal(1, stats.Fallbacks);
            Assert.Equal(0, stats.GpuSolves);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
