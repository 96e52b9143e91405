using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Batch.Scheduling;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Emergency;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Planning;
using QuantumEdge.Gateway.Routing;
using QuantumEdge.Ledger;
using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Node.Batch;

/// <summary>Wires the Files and Batch API into a node: files under <c>batch.files_dir</c> (default <c>&lt;data_dir&gt;/batch/files</c>), batch state in the ledger, the executor, the endpoints.</summary>
internal static class BatchComposition
{
    public static void Add(IServiceCollection services, NodeConfiguration config, Prometheus.CollectorRegistry registry, TimeProvider time)
    {
        var root = Path.Combine(config.Node.DataDir, "batch");
        services.AddSingleton(new BatchFileStore(config.Batch.FilesDir ?? Path.Combine(root, "files"), time));
        services.AddSingleton(sp => new BatchInputInspector(sp.GetRequiredService<BackendRegistry>(), sp.GetRequiredService<ClassificationResolver>(), MaxLineBytes(config)));
        services.AddSingleton(new BatchMetrics(registry));
        // Batch lines share the interactive planner's solver, so large placements reach the GPU planner process through one connection and breaker.
        services.AddSingleton(sp => new BatchScheduler(
            () => sp.GetRequiredService<BackendRegistry>().All,
            sp.GetRequiredService<IRoutePlanner>() is QuantumRoutePlanner quantum ? quantum.Solver : new AssignmentPlanner(),
            new BatchSchedulerOptions { InteractiveReserve = config.Batch.InteractiveReserve },
            registry));
        services.AddSingleton(sp => new BatchExecutor(config, sp.GetRequiredService<BatchFileStore>(), sp.GetRequiredService<InferencePipeline>(),
            sp.GetRequiredService<IReadOnlyList<IRequestGate>>(), sp.GetRequiredService<IPrivacyLedger>(), sp.GetRequiredService<BatchScheduler>(),
            sp.GetRequiredService<BatchMetrics>(), sp.GetRequiredService<RolePermissions>(), sp.GetService<EmergencyControls>(), time,
            sp.GetRequiredService<ILogger<BatchExecutor>>()));
        services.AddHostedService(sp => sp.GetRequiredService<BatchExecutor>());
    }

    public static void Map(WebApplication app)
    {
        FileEndpoints.Map(app);
        BatchEndpoints.Map(app);
    }

    /// <summary>A line is one request plus its envelope: the request body limit and room for the envelope.</summary>
    public static int MaxLineBytes(NodeConfiguration config) => (int)Math.Min(int.MaxValue - 8192, config.Server.MaxRequestBodyBytes) + 8192;
}
