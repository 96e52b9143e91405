using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Instances;

namespace QuantumEdge.Planning.Gpu.Tests;

internal static class Assignments
{
    /// <summary>Routing-like problems as in the planner's tests: ~20% forbidden pairs, capacity slack, session couplings.</summary>
    public static AssignmentProblem Routing(int seed, int tasks, int backends, double slack = 1.5) =>
        RoutingInstance.Generate(seed, tasks, backends, slack);

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
