using Microsoft.AspNetCore.Http;
using QuantumEdge.Gateway.Batch.Scheduling;

namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// The three read-only planner endpoints. The node maps them, e.g.
/// <c>app.MapGet("/quantum/status", ctx =&gt; QuantumEndpoints.WriteStatusAsync(ctx, planner))</c>.
/// NaN rolling figures (nothing solved yet) are written as null.
/// </summary>
public static class QuantumEndpoints
{
    public const string CoherenceDefinition = "share of agents whose final plan scores within 1% of the best agent's";

    public static Task WriteStatusAsync(HttpContext context, QuantumRoutePlanner planner)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(planner);
        var batch = context.RequestServices?.GetService(typeof(BatchScheduler)) as BatchScheduler;
        return context.Response.WriteAsJsonAsync(StatusReport(planner.Status(), batch?.Report()), QuantumJsonContext.Default.QuantumStatusReport, cancellationToken: context.RequestAborted);
    }

    public static Task WriteCoherenceAsync(HttpContext context, QuantumRoutePlanner planner)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(planner);
        return context.Response.WriteAsJsonAsync(CoherenceReport(planner.Status()), QuantumJsonContext.Default.QuantumCoherenceReport, cancellationToken: context.RequestAborted);
    }

    public static Task WriteOptimizationStatusAsync(HttpContext context, QuantumRoutePlanner planner)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(planner);
        return context.Response.WriteAsJsonAsync(OptimizationReport(planner.Status()), QuantumJsonContext.Default.QuantumOptimizationReport, cancellationToken: context.RequestAborted);
    }

    /// <param name="status">The interactive planner's state.</param>
    /// <param name="batch">The batch scheduler's section, when the node runs one.</param>
    public static QuantumStatusReport StatusReport(PlannerStatus status, BatchPlanningReport? batch = null)
    {
        ArgumentNullException.ThrowIfNull(status);
        var coherent = double.IsNaN(status.MeanCoherence) || status.MeanCoherence >= status.CoherenceThreshold;
        return new QuantumStatusReport(
            coherent ? "ok" : "decoherent",
            status.Planner,
            status.Strategy,
            status.EffectiveStrategy,
            status.Superposition,
            status.Entanglement,
            status.Interference,
            status.Tasks,
            status.FastPathTasks,
            status.Batches,
            status.LargestBatch,
            status.ActiveTasks,
            status.PendingTasks,
            status.TasksPerSecond,
            Finite(status.MeanCoherence),
            Finite(status.OptimizationEfficiency),
            status.PlannerProcess,
            batch);
    }

    public static QuantumCoherenceReport CoherenceReport(PlannerStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new QuantumCoherenceReport(
            Finite(status.MeanCoherence),
            status.CoherenceThreshold,
            double.IsNaN(status.MeanCoherence) || status.MeanCoherence >= status.CoherenceThreshold,
            status.RecentSolves,
            status.Solves,
            status.DecoherentSolves,
            status.Continuations,
            status.DecoherenceMitigation,
            status.Agents,
            status.WarmStartPlans,
            status.WarmStartCapacity,
            CoherenceDefinition);
    }

    public static QuantumOptimizationReport OptimizationReport(PlannerStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new QuantumOptimizationReport(
            status.Strategy,
            status.EffectiveStrategy,
            status.ThroughputWeight,
            status.QueuePressure,
            status.Solves,
            status.BifurcationWins,
            status.Ties,
            status.GreedyWins,
            status.BudgetFallbacks,
            status.Errors,
            Finite(status.MeanGain),
            Finite(status.OptimizationEfficiency),
            Finite(status.MeanEntanglementStrength),
            status.LastEntangledPairs,
            new PlanningTimeReport(Finite(status.PlanningP50Ms), Finite(status.PlanningP95Ms), Finite(status.PlanningP99Ms)),
            status.BatchWindowMicroseconds,
            status.MaxBatch,
            status.SolveBudgetMs);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
