namespace QuantumEdge.Privacy.Calculator;

/// <summary>
/// One run of the accountant as a calculator. Mechanism is "subsampled_gaussian" or "laplace";
/// the mechanism's own parameters are set and the others are null.
/// </summary>
public sealed record PrivacyCalculation(
    double Epsilon,
    double BestOrder,
    double Delta,
    string Mechanism,
    long Steps,
    double? NoiseMultiplier,
    double? SamplingRate,
    double? EpsilonPerStep,
    double? BasicEpsilon);
