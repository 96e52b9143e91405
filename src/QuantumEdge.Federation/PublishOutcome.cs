using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Envelopes;

namespace QuantumEdge.Federation;

/// <summary>This node's newest envelope, and the budget after it (the envelope carries no release when the budget is spent).</summary>
public sealed record PublishOutcome(Envelope Envelope, BudgetStatus Budget)
{
    public bool Released => Envelope.Payload.Release is not null;
}
