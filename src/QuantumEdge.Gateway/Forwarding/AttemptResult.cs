using QuantumEdge.Gateway.Contracts;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>How one attempt on one backend ended, from the request's point of view.</summary>
internal readonly record struct AttemptResult(bool Answered, string? Failure, bool TimedOut, GatewayError? Error)
{
    /// <summary>The attempt settled the request (an answer, a relayed failure, or the client left).</summary>
    public static AttemptResult Done => new(true, null, false, null);

    /// <summary>Nothing reached the client: another permitted backend may be tried.</summary>
    public static AttemptResult Retry(string failure, bool timedOut = false) => new(false, failure, timedOut, null);

    /// <summary>Like <see cref="Retry"/>, but the request ends with <paramref name="error"/> when no later attempt answers.</summary>
    public static AttemptResult RetryOr(GatewayError error) => new(false, error.Message, false, error);
}
