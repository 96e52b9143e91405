using Microsoft.Extensions.Logging;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Planning;
using QuantumEdge.Gateway.Planning.State;

namespace QuantumEdge.Gateway.Tests.Planning.State;

/// <summary>The planner's quantum state across a restart: kept, and a damaged or missing file starts cold without failing.</summary>
public sealed class QuantumStatePersistenceTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-qstate-" + Guid.NewGuid().ToString("N"));
    private readonly List<(LogLevel Level, string Line)> _log = [];

    private string StatePath => Path.Combine(_dir, QuantumStateFile.DirectoryName, QuantumStateFile.FileName);

    [Fact]
    public async Task Latencies_and_warm_start_plans_survive_a_restart()
    {
        await using (var first = new PlannerTestBed(0, PlannerTestBed.Batched))
        {
            using var backends = Registry();
            backends.All[0].ObserveLatency(TimeSpan.FromMilliseconds(80));
            first.Planner.WarmStarts!.Restore([(11UL, [0, 1]), (12UL, [1])]);
            Assert.True(Persistence(backends, first.Planner).Save());
        }

        await using var second = new PlannerTestBed(0, PlannerTestBed.Batched);
        using var restarted = Registry();
        var persistence = Persistence(restarted, second.Planner);

        Assert.True(persistence.Load());
        Assert.Equal(80, restarted.All[0].LatencyEwmaMs);
        Assert.Equal(0, restarted.All[1].LatencyEwmaMs);
        Assert.Equal([11UL, 12UL], second.Planner.WarmStarts!.Snapshot().Select(p => p.Shape));
        Assert.Equal(2, persistence.LoadedPlans);
    }

    [Fact]
    public async Task A_corrupt_file_is_reported_with_a_warning_and_the_planner_starts_cold()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        await using var bed = new PlannerTestBed(0, PlannerTestBed.Batched);
        using var backends = Registry();
        var good = Persistence(backends, bed.Planner);
        backends.All[0].ObserveLatency(TimeSpan.FromMilliseconds(80));
        Assert.True(good.Save());
        var bytes = File.ReadAllBytes(StatePath);
        bytes[^40] ^= 0xFF;
        File.WriteAllBytes(StatePath, bytes);

        using var restarted = Registry();
        var persistence = Persistence(restarted, bed.Planner);

        Assert.False(persistence.Load());
        Assert.Equal(0, restarted.All[0].LatencyEwmaMs);
        var warning = Assert.Single(_log, l => l.Level == LogLevel.Warning);
        Assert.Contains("checksum mismatch", warning.Line, StringComparison.Ordinal);
        Assert.Contains("starts cold", warning.Line, StringComparison.Ordinal);

        // The next write replaces the damaged file with a good one.
        Assert.True(persistence.Save());
        Assert.Null(QuantumStateFile.Problem(StatePath));
    }

    [Fact]
    public async Task A_missing_file_starts_cold_and_the_service_writes_one_at_shutdown()
    {
        await using var bed = new PlannerTestBed(0, PlannerTestBed.Batched);
        using var backends = Registry();
        var persistence = Persistence(backends, bed.Planner);

        await persistence.StartAsync(CancellationToken.None);
        Assert.Equal(0, persistence.LoadedPlans);
        Assert.DoesNotContain(_log, l => l.Level >= LogLevel.Warning);
        bed.Planner.WarmStarts!.Restore([(5UL, [0])]);
        await persistence.StopAsync(CancellationToken.None);

        Assert.Single(QuantumStateFile.Read(StatePath).Plans);
    }

    [Fact]
    public async Task The_periodic_writer_saves_while_the_node_runs()
    {
        await using var bed = new PlannerTestBed(0, PlannerTestBed.Batched);
        using var backends = Registry();
        var persistence = new QuantumStatePersistence(StatePath, backends, bed.Planner, TimeSpan.FromMilliseconds(20), new ListLogger(_log));
        bed.Planner.WarmStarts!.Restore([(9UL, [1])]);
        await persistence.StartAsync(CancellationToken.None);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (QuantumStateFile.Problem(StatePath) is not null)
            {
                // Polling for the timer's first write, with a deadline.
                await Task.Delay(10, timeout.Token);
            }

            Assert.Single(QuantumStateFile.Read(StatePath).Plans);
        }
        finally
        {
            await persistence.StopAsync(CancellationToken.None);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private QuantumStatePersistence Persistence(BackendRegistry backends, QuantumRoutePlanner planner) =>
        new(StatePath, backends, planner, TimeSpan.FromHours(1), new ListLogger(_log));

    private static BackendRegistry Registry() => new(new NodeConfiguration
    {
        Source = "test",
        Backends =
        [
            new BackendSettings { Id = "a", Url = new Uri("http://127.0.0.1:9/a/v1/"), Models = ["m"], AllowedClassifications = [DataClassification.Public] },
            new BackendSettings { Id = "b", Url = new Uri("http://127.0.0.1:9/b/v1/"), Models = ["m"], AllowedClassifications = [DataClassification.Public] },
        ],
    });

    private sealed class ListLogger(List<(LogLevel, string)> lines) : ILogger<QuantumStatePersistence>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines)
            {
                lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
