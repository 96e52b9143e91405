using System.Diagnostics;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// Simulated-annealing baseline for assignment plans: Metropolis moves of one task to another
/// permitted backend with room, on the true objective, geometric cooling, starting from greedy.
/// (The assignment QUBO's load terms are dense per backend, so the Ising SA would need the N×N
/// matrix this project never builds; moving tasks keeps the baseline sparse and always feasible.)
/// </summary>
internal static class AssignmentAnnealer
{
    public static (int[] Plan, double Objective) Anneal(AssignmentProblem problem, AnnealingSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        var rng = new Random(settings.Seed);
        var state = new AssignmentState(problem);
        GreedyAssigner.Build(state, new CapacityRepair());
        var objective = problem.Objective(state.BackendOf);
        var best = state.BackendOf.ToArray();
        var bestObjective = objective;

        // Start hot enough to accept a typical uphill move: the mean |Δ| of random moves.
        var probe = 0.0;
        var probes = 0;
        for (var k = 0; k < Math.Min(200, problem.TaskCount * 4); k++)
        {
            var t = rng.Next(problem.TaskCount);
            var v = problem.TaskStart[t] + rng.Next(problem.TaskStart[t + 1] - problem.TaskStart[t]);
            probe += Math.Abs(state.MoveDelta(t, v));
            probes++;
        }

        var temperature = settings.InitialTemperatureScale * Math.Max(1e-9, probe / Math.Max(1, probes));
        var cooling = Math.Pow(settings.FinalTemperatureRatio, 1.0 / Math.Max(1, settings.SweepsPerRun - 1));
        for (var sweep = 0; sweep < settings.SweepsPerRun && !cancellationToken.IsCancellationRequested && clock.Elapsed < settings.TimeLimit; sweep++)
        {
            for (var k = 0; k < problem.TaskCount; k++)
            {
                var t = rng.Next(problem.TaskCount);
                var choices = problem.TaskStart[t + 1] - problem.TaskStart[t];
                if (choices < 2)
                {
                    continue;
                }

                var v = problem.TaskStart[t] + rng.Next(choices);
                var to = problem.VariableBackend[v];
                if (to == state.BackendOf[t] || !state.HasRoom(to))
                {
                    continue;
                }

                var delta = state.MoveDelta(t, v);
                if (delta <= 0 || rng.NextDouble() < Math.Exp(-delta / temperature))
                {
                    state.AssignVariable(t, v);
                    objective += delta;
                    if (objective < bestObjective - 1e-9)
                    {
                        bestObjective = objective;
                        state.BackendOf.CopyTo(best);
                    }
                }
            }

            temperature *= cooling;
        }

        return (best, problem.Objective(best));
    }
}
