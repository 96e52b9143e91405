using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Instances;

namespace QuantumEdge.Planning.Benchmarks;

/// <summary>Deterministic routing-like assignment problems: costs, ~20% forbidden pairs, capacities with slack, session couplings.</summary>
internal static class PlanningInstances
{
    public static AssignmentProblem Generate(int tasks, int backends, int seed) =>
        RoutingInstance.Generate(seed, tasks, backends);
}
