using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>The bench's fixed instances: seeded, so every run and every machine solves the same problems.</summary>
internal static class BenchInstances
{
    /// <summary>A random MaxCut on n nodes with mixed ±1 and integer weights (as the GPU planner's tests).</summary>
    public static (IsingModel Model, MaxCutInstance Cut) MaxCut(int seed, int n, double density)
    {
        var rng = new Random(seed);
        var edges = new List<WeightedEdge>();
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                if (rng.NextDouble() < density)
                {
                    edges.Add(new WeightedEdge(i, j, rng.Next(2) == 0 ? 1 : rng.Next(-3, 6)));
                }
            }
        }

        var cut = new MaxCutInstance(n, edges);
        return (cut.ToIsing(), cut);
    }

    /// <summary>
    /// A routing-like assignment problem (as the planning benchmarks): ~20% forbidden pairs,
    /// capacities with 1.5× slack, sessions of 2–5 consecutive tasks coupled.
    /// </summary>
    public static AssignmentProblem Routing(int seed, int tasks, int backends, double slack = 1.5)
    {
        var rng = new Random(seed);
        var builder = new AssignmentProblemBuilder(backends) { CoLocationStrength = 1.0, InterferenceResolution = 0.1 };
        var capacity = (int)Math.Ceiling(tasks * slack / backends);
        for (var b = 0; b < backends; b++)
        {
            builder.SetBackend(b, capacity, 5 + (rng.NextDouble() * 10));
        }

        var speed = Enumerable.Range(0, backends).Select(_ => 0.5 + rng.NextDouble()).ToArray();
        for (var t = 0; t < tasks; t++)
        {
            var permitted = Enumerable.Range(0, backends).Where(_ => rng.NextDouble() >= 0.2).ToList();
            if (permitted.Count == 0)
            {
                permitted.Add(rng.Next(backends));
            }

            var size = 0.5 + rng.NextDouble();
            builder.AddTask(permitted.Select(b => new PermittedBackend(b, size * speed[b])), 1.0, rng.Next(3));
        }

        for (var t = 0; t < tasks;)
        {
            var session = rng.Next(2, 6);
            for (var u = t + 1; u < Math.Min(tasks, t + session); u++)
            {
                builder.Couple(t, u, 0.3 + (rng.NextDouble() * 0.7));
            }

            t += session;
        }

        return builder.Build();
    }
}
