namespace QuantumEdge.Gateway.Backends;

/// <summary>How one attempt on a backend ended, as far as the backend's health is concerned.</summary>
public enum BackendAttemptOutcome
{
    /// <summary>The backend answered in full (any status below 500 but 429).</summary>
    Succeeded,
    /// <summary>Unreachable, 5xx, a dropped or oversized answer.</summary>
    Failed,
    /// <summary>
    /// No headers, or no bytes for the whole timeout. Opens the circuit at once: each such attempt
    /// held a client for the full timeout, and a backend can hang on completions while its
    /// health probe still answers.
    /// </summary>
    TimedOut,
    /// <summary>Says nothing about the backend: the client left, or the backend said 429 (busy, not broken).</summary>
    Inconclusive,
}
