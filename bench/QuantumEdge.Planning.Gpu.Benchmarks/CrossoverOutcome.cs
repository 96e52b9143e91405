namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>The device against the CPU, on one instance or over a size's instances.</summary>
internal enum CrossoverOutcome
{
    Loss,
    Tie,
    Win,
}
