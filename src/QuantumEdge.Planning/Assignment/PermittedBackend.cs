namespace QuantumEdge.Planning.Assignment;

/// <summary>A backend a task may use and the cost of using it (latency, price… in one unit).</summary>
public readonly record struct PermittedBackend(int Backend, double Cost);
