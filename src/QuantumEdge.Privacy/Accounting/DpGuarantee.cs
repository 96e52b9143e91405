namespace QuantumEdge.Privacy.Accounting;

/// <summary>An (ε, δ)-DP guarantee obtained from an RDP curve, with the order that gave the smallest ε.</summary>
public readonly record struct DpGuarantee(double Epsilon, double Delta, double BestOrder);
