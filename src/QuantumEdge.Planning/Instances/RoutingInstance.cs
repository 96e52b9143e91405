using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Planning.Instances;

/// <summary>
/// Seeded routing-like assignment problems, the one shape the planner's tests and benchmarks share:
/// per-backend costs, about 20% forbidden task/backend pairs, capacities with slack, and sessions of
/// 2–5 consecutive tasks coupled because they would share a KV cache.
/// </summary>
internal static class RoutingInstance
{
    /// <summary>The problem for <paramref name="seed"/>: every run and every machine gets the same one.</summary>
    public static AssignmentProblem Generate(int seed, int tasks, int backends, double slack = 1.5) =>
        Generate(new Random(seed), tasks, backends, slack);

    /// <summary>The next problem from <paramref name="rng"/> (for a series drawn from one generator).</summary>
    public static AssignmentProblem Generate(Random rng, int tasks, int backends, double slack = 1.5)
    {
        ArgumentNullException.ThrowIfNull(rng);
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
