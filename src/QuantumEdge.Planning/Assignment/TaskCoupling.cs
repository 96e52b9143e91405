namespace QuantumEdge.Planning.Assignment;

/// <summary>Two tasks that gain from sharing a backend, with normalised strength in (0, 1].</summary>
public readonly record struct TaskCoupling(int First, int Second, double Weight);
