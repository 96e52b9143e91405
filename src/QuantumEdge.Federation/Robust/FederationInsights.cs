namespace QuantumEdge.Federation.Robust;

/// <summary>The robust combination of every peer's latest valid release: per-cell figures (for the insights endpoint) and per-model priors (for the planner).</summary>
public sealed record FederationInsights(DateTimeOffset ComputedAt, IReadOnlyList<string> Contributors, IReadOnlyList<CellInsight> Cells,
    IReadOnlyList<ModelPrior> Priors);
