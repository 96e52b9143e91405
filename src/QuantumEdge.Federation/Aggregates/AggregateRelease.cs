namespace QuantumEdge.Federation.Aggregates;

/// <summary>
/// One differentially private release of a node: what it observed per (model, task category)
/// in [WindowStart, WindowEnd), with the (ε, δ) it was charged and the absolute noise σ used.
/// </summary>
public sealed record AggregateRelease(
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    double Epsilon,
    double Delta,
    double NoiseSigma,
    IReadOnlyList<double> TtftEdgesMs,
    IReadOnlyList<double> TotalEdgesMs,
    IReadOnlyList<ReleaseCell> Cells);
