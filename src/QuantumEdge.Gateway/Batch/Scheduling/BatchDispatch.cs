namespace QuantumEdge.Gateway.Batch.Scheduling;

/// <summary>Run batch line <paramref name="LineId"/> now, pinned to backend <paramref name="BackendId"/>.</summary>
/// <param name="LineId">The line, as given in <see cref="BatchLineDemand.LineId"/>.</param>
/// <param name="BackendId">The configured backend id the line must run on.</param>
public readonly record struct BatchDispatch(string LineId, string BackendId);
