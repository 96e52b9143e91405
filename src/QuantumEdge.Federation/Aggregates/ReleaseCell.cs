namespace QuantumEdge.Federation.Aggregates;

/// <summary>
/// The noisy figures of one (model, task category) in a release. Every value is a clipped sum
/// plus Gaussian noise, so it can be negative or fractional; readers clamp where they need to.
/// </summary>
public sealed record ReleaseCell(
    string Model,
    string Category,
    double Users,
    double Requests,
    double Errors,
    double Timeouts,
    double FeedbackSum,
    double FeedbackCount,
    IReadOnlyList<double> TtftHistogram,
    IReadOnlyList<double> TotalHistogram);
