using Prometheus;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Batch.Scheduling;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Gateway.Tests.Batch.Scheduling;

/// <summary>Backends that are never called, a scheduler over them with its own metrics registry, and a fixed clock.</summary>
internal sealed class SchedulingTestBed : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public SchedulingTestBed(int backends, int maxConcurrency, double reserve = 0.25, IAssignmentSolver? solver = null, BatchSchedulerOptions? options = null)
    {
        Registry = Metrics.NewCustomRegistry();
        Backends = [.. Enumerable.Range(0, backends).Select(i => new Backend(
            new BackendSettings
            {
                Id = $"b{i}",
                Url = new Uri($"http://127.0.0.1:9/b{i}/v1/"),
                Models = ["m"],
                MaxConcurrency = maxConcurrency,
                AllowedClassifications = [DataClassification.Public, DataClassification.Internal, DataClassification.Confidential, DataClassification.Restricted],
            },
            TimeSpan.FromSeconds(10)))];
        Scheduler = new BatchScheduler(() => Backends, solver ?? new AssignmentPlanner(), (options ?? new BatchSchedulerOptions()) with { InteractiveReserve = reserve, SolveBudget = TimeSpan.FromSeconds(2) }, Registry);
    }

    public CollectorRegistry Registry { get; }

    public Backend[] Backends { get; }

    public BatchScheduler Scheduler { get; }

    public static BatchLineDemand Line(string id, ulong prefix = 0, TimeSpan? deadlineIn = null, int tokens = 1000) =>
        new(id, "m", prefix, tokens, Now + (deadlineIn ?? TimeSpan.FromHours(24)));

    /// <summary>Occupies <paramref name="slots"/> of a backend's slots as interactive requests do.</summary>
    public async Task OccupyAsync(int backend, int slots)
    {
        for (var i = 0; i < slots; i++)
        {
            Assert.True(await Backends[backend].TryAcquireAsync(TimeSpan.Zero, CancellationToken.None));
        }
    }

    public async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public void Dispose()
    {
        foreach (var b in Backends)
        {
            b.Dispose();
        }
    }
}
