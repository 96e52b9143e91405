namespace QuantumEdge.Planning.Solvers;

/// <summary>A new best objective and when (ms since the solve started) it was found.</summary>
public readonly record struct Improvement(double ElapsedMs, double Objective);
