using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>The bench's fixed instances: seeded, so every run and every machine solves the same problems.</summary>
internal static class BenchInstances
{
    /// <summary>A random MaxCut on n nodes with mixed ±1 and integer weights (as the GPU planner's tests).</summary>
    public static (IsingModel Model, MaxCutInstance Cut) MaxCut(int seed, int n, double density) =>
        RandomMaxCut.Generate(seed, n, density);

    /// <summary>
    /// A routing-like assignment problem (as the planning benchmarks): ~20% forbidden pairs,
    /// capacities with 1.5× slack, sessions of 2–5 consecutive tasks coupled.
    /// </summary>
    public static AssignmentProblem Routing(int seed, int tasks, int backends, double slack = 1.5) =>
        RoutingInstance.Generate(seed, tasks, backends, slack);
}
