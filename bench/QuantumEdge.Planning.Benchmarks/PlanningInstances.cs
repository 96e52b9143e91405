using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Planning.Benchmarks;

/// <summary>Deterministic routing-like assignment problems: costs, ~20% forbidden pairs, capacities with slack, session couplings.</summary>
internal static class PlanningInstances
{
    public static AssignmentProblem Generate(int tasks, int backends, int seed)
    {
        var rng = new Random(seed);
        var builder = new AssignmentProblemBuilder(backends) { CoLocationStrength = 1.0, InterferenceResolution = 0.1 };
        var capacity = (int)Math.Ceiling(tasks * 1.5 / backends);
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

        // Sessions of 2–5 consecutive tasks share a KV cache.
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
