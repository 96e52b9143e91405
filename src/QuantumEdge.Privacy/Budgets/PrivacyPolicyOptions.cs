namespace QuantumEdge.Privacy;

/// <summary>The deployment guide's <c>privacy</c> block: per-query cost, δ, daily budgets and the composition rule.</summary>
public sealed record PrivacyPolicyOptions
{
    public double EpsilonPerQuery { get; init; } = 0.1;

    public double Delta { get; init; } = 1e-5;

    public double MaxBudgetPerUser { get; init; } = 10.0;

    public CompositionMethod Composition { get; init; } = CompositionMethod.Rdp;

    public IReadOnlyDictionary<string, double> DepartmentBudgets { get; init; } = new Dictionary<string, double>();

    /// <summary>Absolute slack when comparing spend with budget, so that 30 × 0.1 fits 3.0 under basic composition.</summary>
    public double Tolerance { get; init; } = 1e-9;
}
