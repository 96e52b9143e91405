using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Instances;

namespace QuantumEdge.Planning.Tests;

internal static class RandomInstances
{
    public static MaxCutInstance MaxCut(Random rng, int n)
    {
        var edges = new List<WeightedEdge>();
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                if (rng.NextDouble() < 0.5)
                {
                    edges.Add(new WeightedEdge(i, j, rng.Next(2) == 0 ? 1 : rng.Next(-3, 6)));
                }
            }
        }

        return new MaxCutInstance(n, edges);
    }

    public static QuboInstance Qubo(Random rng, int n)
    {
        var terms = new List<WeightedEdge>();
        for (var i = 0; i < n; i++)
        {
            terms.Add(new WeightedEdge(i, i, rng.Next(-5, 6)));
            for (var j = 0; j < n; j++)
            {
                if (i != j && rng.NextDouble() < 0.3)
                {
                    terms.Add(new WeightedEdge(i, j, rng.Next(-5, 6)));
                }
            }
        }

        return new QuboInstance(n, terms);
    }

    public static sbyte[] Spins(Random rng, int n) =>
        [.. Enumerable.Range(0, n).Select(_ => rng.Next(2) == 0 ? (sbyte)-1 : (sbyte)1)];

    /// <summary>Tiny problems with forbidden pairs, tight capacities and couplings.</summary>
    public static AssignmentProblem Assignment(Random rng, int tasks, int backends)
    {
        var builder = new AssignmentProblemBuilder(backends)
        {
            CoLocationStrength = rng.NextDouble() * 2,
            InterferenceResolution = rng.Next(2) == 0 ? 0.1 : 0,
        };
        for (var b = 0; b < backends; b++)
        {
            builder.SetBackend(b, rng.Next(1, tasks + 1), rng.NextDouble() * 3);
        }

        for (var t = 0; t < tasks; t++)
        {
            var permitted = Enumerable.Range(0, backends).Where(_ => rng.NextDouble() < 0.7).ToList();
            if (permitted.Count == 0)
            {
                permitted.Add(rng.Next(backends));
            }

            builder.AddTask(permitted.Select(b => new PermittedBackend(b, Math.Round(rng.NextDouble() * 10, 1))), 0.5 + rng.NextDouble(), rng.Next(3));
        }

        for (var t = 0; t < tasks; t++)
        {
            for (var u = t + 1; u < tasks; u++)
            {
                if (rng.NextDouble() < 0.3)
                {
                    builder.Couple(t, u, 0.1 + (rng.NextDouble() * 0.9));
                }
            }
        }

        return builder.Build();
    }

    /// <summary>Routing-like problems as in the benchmarks: ~20% forbidden pairs, capacity slack, session couplings.</summary>
    public static AssignmentProblem Routing(Random rng, int tasks, int backends) =>
        RoutingInstance.Generate(rng, tasks, backends);
}
