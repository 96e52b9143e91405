using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Routing;

namespace QuantumEdge.Gateway.Planning.State;

/// <summary>
/// Keeps the planner's quantum state (<see cref="QuantumStateSnapshot"/>) under the data directory: loaded at start,
/// written every <see cref="Interval"/> and at shutdown with an atomic, checksummed replace. A missing file starts
/// the planner cold; a damaged one is reported with a warning and starts it cold too — it never stops the node.
/// </summary>
public sealed class QuantumStatePersistence : BackgroundService
{
    /// <summary>How often the state is written while the node runs.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(5);

    private readonly BackendRegistry _backends;
    private readonly IRoutePlanner _planner;
    private readonly ILogger<QuantumStatePersistence> _logger;
    private readonly Lock _writing = new();

    /// <param name="path">The state file (<see cref="QuantumStateFile.PathFor"/>).</param>
    /// <param name="backends">Whose learned latencies are kept, by backend id.</param>
    /// <param name="planner">The router; its warm-start pool is kept when it is the quantum planner.</param>
    /// <param name="interval">Time between periodic writes.</param>
    /// <param name="logger">Where load and write problems are reported.</param>
    public QuantumStatePersistence(string path, BackendRegistry backends, IRoutePlanner planner, TimeSpan interval, ILogger<QuantumStatePersistence> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Path = path;
        _backends = backends;
        _planner = planner;
        Interval = interval;
        _logger = logger;
    }

    /// <summary>The state file.</summary>
    public string Path { get; }

    /// <summary>Time between periodic writes.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Plans and latencies taken from the file at start (0 when it started cold).</summary>
    public int LoadedPlans { get; private set; }

    /// <summary>Loads the file into the planner and the backends; false (and a log line) when it starts cold.</summary>
    public bool Load()
    {
        if (!File.Exists(Path))
        {
            _logger.LogInformation("no quantum state at {Path}: the planner starts cold", Path);
            return false;
        }

        QuantumStateSnapshot state;
        try
        {
            state = QuantumStateFile.Read(Path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("quantum state {Path} is unusable ({Problem}): the planner starts cold and the file is replaced at the next write", Path, e.Message);
            return false;
        }

        foreach (var backend in _backends.All)
        {
            if (state.LatencyMsByBackend.TryGetValue(backend.Id, out var ms))
            {
                backend.SeedLatency(ms);
            }
        }

        (_planner as QuantumRoutePlanner)?.WarmStarts?.Restore(state.Plans);
        LoadedPlans = state.Plans.Count;
        _logger.LogInformation("quantum state loaded from {Path}: {Plans} warm-start plan(s), latencies of {Backends} backend(s)",
            Path, state.Plans.Count, state.LatencyMsByBackend.Count);
        return true;
    }

    /// <summary>The current state as file bytes (what <see cref="Save"/> writes; a backup of a running node takes these).</summary>
    public byte[] Capture()
    {
        var latencies = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var backend in _backends.All)
        {
            if (backend.LatencyEwmaMs > 0)
            {
                latencies[backend.Id] = backend.LatencyEwmaMs;
            }
        }

        var plans = (_planner as QuantumRoutePlanner)?.WarmStarts?.Snapshot() ?? [];
        return QuantumStateFile.Encode(new QuantumStateSnapshot(latencies, plans));
    }

    /// <summary>Writes the state now; false (and a warning) when the file cannot be written.</summary>
    public bool Save()
    {
        try
        {
            var bytes = Capture();
            lock (_writing)
            {
                QuantumEdge.Ledger.Storage.FileModes.CreatePrivateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                QuantumEdge.Ledger.Storage.DurableFile.Replace(Path, bytes);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("quantum state could not be written to {Path}: {Problem}", Path, e.Message);
            return false;
        }
    }

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Load();
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        Save();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Save();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes the final state.
        }
    }
}
