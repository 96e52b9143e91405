namespace QuantumEdge.Planning.Ising;

/// <summary>Whether the original problem's objective is minimised (QUBO) or maximised (MaxCut).</summary>
public enum ObjectiveSense
{
    Minimise,
    Maximise,
}
