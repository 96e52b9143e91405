namespace QuantumEdge.Federation.Aggregates;

/// <summary>A release, or why there is none this time (the day's federation budget is spent).</summary>
public sealed record ReleaseOutcome(AggregateRelease? Release, BudgetStatus Budget)
{
    public bool Released => Release is not null;
}
