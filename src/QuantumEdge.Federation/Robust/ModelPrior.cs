namespace QuantumEdge.Federation.Robust;

/// <summary>
/// What the federation says about a model, across task categories — a prior for the planner's
/// cost model where local data is thin. Medians over peers; null where fewer than the required
/// number of peers reported the figure (one peer's word is not a prior).
/// </summary>
public sealed record ModelPrior(string Model, int Peers, double? TtftP50Ms, double? TotalP50Ms, double? TotalP95Ms, double? ErrorRate, double? TimeoutRate);
