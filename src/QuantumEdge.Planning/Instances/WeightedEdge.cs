namespace QuantumEdge.Planning.Instances;

/// <summary>An undirected weighted edge between 0-based nodes <paramref name="I"/> and <paramref name="J"/>.</summary>
public readonly record struct WeightedEdge(int I, int J, double Weight);
