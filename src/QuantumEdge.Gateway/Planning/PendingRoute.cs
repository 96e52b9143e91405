using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Routing;

namespace QuantumEdge.Gateway.Planning;

/// <summary>A request waiting in the planning queue for its backend.</summary>
internal sealed class PendingRoute
{
    public PendingRoute(RouteRequest request, IReadOnlyList<Backend> candidates, long enqueued)
    {
        Request = request;
        Candidates = candidates;
        Enqueued = enqueued;
    }

    public RouteRequest Request { get; }

    /// <summary>Already filtered for permission, health and circuit; the answer is one of these.</summary>
    public IReadOnlyList<Backend> Candidates { get; }

    /// <summary><see cref="TimeProvider"/> timestamp of arrival.</summary>
    public long Enqueued { get; }

    /// <summary>Continuations run on the pool, never inline on the planning loop.</summary>
    public TaskCompletionSource<Backend> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CancellationTokenRegistration Cancellation { get; set; }
}
