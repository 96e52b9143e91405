namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// What other hospitals observed about a model's time to first token (the federation's robust
/// median over peers), used by the cost model for a backend that has not answered here yet —
/// a prior where local data is missing, never an override of what this node measured itself.
/// </summary>
public interface IFirstTokenPriors
{
    /// <summary>Milliseconds, or null when the federation has no figure for the model.</summary>
    double? FirstTokenMs(string model);
}
