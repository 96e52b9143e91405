namespace QuantumEdge.Gateway.Batch.Scheduling;

/// <summary>One batch line waiting to run, as the scheduler sees it (no request content).</summary>
/// <param name="LineId">The executor's id of the line.</param>
/// <param name="Model">The model the line asks for.</param>
/// <param name="PrefixKey">Fingerprint of the prompt's prefix: lines sharing it gain from sharing a backend's KV cache.</param>
/// <param name="EstimatedTokens">Prompt plus expected output tokens.</param>
/// <param name="Deadline">When the line's batch expires.</param>
public sealed record BatchLineDemand(string LineId, string Model, ulong PrefixKey, int EstimatedTokens, DateTimeOffset Deadline);

/// <summary>A line the scheduler lets run now, and the backend it should run on (empty: let the router choose).</summary>
/// <param name="LineId">The line's id from its <see cref="BatchLineDemand"/>.</param>
/// <param name="BackendId">The backend to try first.</param>
public readonly record struct BatchDispatch(string LineId, string BackendId);

/// <summary>
/// Decides which pending batch lines run now and where. This is the executor's placeholder until
/// the planner-backed scheduler lands (issue 12 part 2): nearest deadline first, no backend pinned,
/// no capacity model of its own; the executor's global in-flight cap is the only throttle.
/// </summary>
public sealed class BatchScheduler
{
    /// <summary>The lines to start now, in the order to start them.</summary>
    public IReadOnlyList<BatchDispatch> NextDispatches(IReadOnlyList<BatchLineDemand> pending, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pending);
        return pending.OrderBy(d => d.Deadline).Select(d => new BatchDispatch(d.LineId, "")).ToList();
    }

    /// <summary>Tells the scheduler a dispatched line finished (its capacity is free again).</summary>
    public void Completed(string lineId)
    {
    }
}
