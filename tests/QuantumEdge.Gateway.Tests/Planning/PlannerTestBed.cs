using Prometheus;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Planning;
using QuantumEdge.Gateway.Routing;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Gateway.Tests.Planning;

/// <summary>A planner over loopback-addressed backends that are never called, with its own metrics registry.</summary>
internal sealed class PlannerTestBed : IAsyncDisposable
{
    /// <summary>Batches close on size, never on time: the window is far longer than any test.</summary>
    public static readonly PlannerOptions Batched = new() { FastPath = false, BatchWindow = TimeSpan.FromSeconds(30), SolveBudget = TimeSpan.FromSeconds(5) };

    public PlannerTestBed(int backends, PlannerOptions options, QuantumPlanningSettings? settings = null, int maxConcurrency = 4, ResourceSettings? resources = null, IAssignmentSolver? solver = null)
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
        Planner = new QuantumRoutePlanner(
            settings ?? new QuantumPlanningSettings(),
            resources ?? new ResourceSettings { MaxSuperpositions = 16 },
            options,
            new GatewayMetrics(Registry),
            TimeProvider.System,
            solver);
    }

    public CollectorRegistry Registry { get; }

    public Backend[] Backends { get; }

    public QuantumRoutePlanner Planner { get; }

    public static RouteRequest Request(string? session = null, ulong prefix = 0, string department = "cardiology", string? patient = null, int prompt = 200, int output = 100) => new()
    {
        Model = "m",
        Classification = DataClassification.Confidential,
        Department = department,
        SessionId = session,
        PrefixFingerprint = prefix,
        PatientContext = patient,
        EstimatedPromptTokens = prompt,
        EstimatedOutputTokens = output,
    };

    /// <summary>Issues every request before awaiting any, so that they can share a batch.</summary>
    public async Task<Backend[]> ChooseAllAsync(IReadOnlyList<RouteRequest> requests, IReadOnlyList<Backend>? candidates = null)
    {
        var pending = requests.Select(r => Planner.ChooseAsync(r, candidates ?? Backends, CancellationToken.None).AsTask()).ToArray();

        // A guard, not a synchronisation: a stuck planning loop fails the test instead of hanging the run.
        return await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await Planner.DisposeAsync();
        foreach (var b in Backends)
        {
            b.Dispose();
        }
    }
}
