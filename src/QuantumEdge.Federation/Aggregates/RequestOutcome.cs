namespace QuantumEdge.Federation.Aggregates;

/// <summary>How a request ended, for the error and timeout rates.</summary>
public enum RequestOutcome
{
    Ok,
    Error,
    Timeout,
}
