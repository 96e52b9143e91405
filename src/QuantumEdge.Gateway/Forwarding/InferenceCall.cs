using QuantumEdge.Gateway.Auth;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>What the pipeline gets from the HTTP adapter: an authenticated caller and a parsed request.</summary>
public sealed record InferenceCall
{
    public required CallerIdentity Caller { get; init; }
    public required InferenceRequest Request { get; init; }
    /// <summary>The raw <c>X-Data-Classification</c> value (resolved failing closed by the pipeline).</summary>
    public string? Classification { get; init; }
    public string? SessionId { get; init; }
    /// <summary>Opaque hash from <c>X-Patient-Context</c>.</summary>
    public string? PatientContext { get; init; }
    /// <summary>Set when a peer borrowed this node's capacity: the peer's id. Such a request is never lent on, and is refused unless public or internal.</summary>
    public string? LentBy { get; init; }
    /// <summary>A batch line's backend chosen by the batch scheduler: tried first when it is among the permitted, healthy candidates; the planner picks any retry.</summary>
    public string? PinnedBackend { get; init; }
}
