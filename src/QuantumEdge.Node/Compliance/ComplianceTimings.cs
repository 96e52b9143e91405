namespace QuantumEdge.Node.Compliance;

/// <summary>How fast compliance notifications are retried (base of the exponential backoff) and events are watched for.</summary>
internal sealed record ComplianceTimings
{
    public TimeSpan RetryBase { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan WatchInterval { get; init; } = TimeSpan.FromSeconds(5);
}
