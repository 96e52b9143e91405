using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Planning.Gpu.Tests;

internal static class Assignments
{
    /// <summary>Routing-like problems as in the planner's tests: ~20% forbidden pairs, capacity slack, session couplings.</summary>
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

    /// <summary>The lowest objective over every capacity-respecting plan (tiny problems only).</summary>
    public static double BruteForce(AssignmentProblem problem)
    {
        var plan = new int[problem.TaskCount];
        var best = double.PositiveInfinity;
        void Visit(int t)
        {
            if (t == problem.TaskCount)
            {
                if (problem.FitsCapacity(plan))
                {
                    best = Math.Min(best, problem.Objective(plan));
                }

                return;
            }

            for (var v = problem.TaskStart[t]; v < problem.TaskStart[t + 1]; v++)
            {
                plan[t] = problem.VariableBackend[v];
                Visit(t + 1);
            }
        }

        Visit(0);
        return best;
    }
}
