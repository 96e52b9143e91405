using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Ising;

namespace QuantumEdge.Planning.Tests;

internal static class BruteForce
{
    public static double MinimumEnergy(IsingModel model)
    {
        var n = model.Size;
        var spins = new sbyte[n];
        var best = double.PositiveInfinity;
        for (var mask = 0; mask < 1 << n; mask++)
        {
            for (var i = 0; i < n; i++)
            {
                spins[i] = (mask >> i & 1) == 1 ? (sbyte)1 : (sbyte)-1;
            }

            best = Math.Min(best, model.Energy(spins));
        }

        return best;
    }

    /// <summary>Best objective over complete plans, within capacity when any complete plan fits.</summary>
    public static (double Objective, bool Feasible) BestAssignment(AssignmentProblem problem)
    {
        var plan = new int[problem.TaskCount];
        var bestFeasible = double.PositiveInfinity;
        var bestAny = double.PositiveInfinity;
        void Visit(int t)
        {
            if (t == problem.TaskCount)
            {
                var objective = problem.Objective(plan);
                bestAny = Math.Min(bestAny, objective);
                if (problem.FitsCapacity(plan))
                {
                    bestFeasible = Math.Min(bestFeasible, objective);
                }

                return;
            }

            foreach (var p in problem.Permitted(t))
            {
                plan[t] = p.Backend;
                Visit(t + 1);
            }
        }

        Visit(0);
        return double.IsFinite(bestFeasible) ? (bestFeasible, true) : (bestAny, false);
    }
}
