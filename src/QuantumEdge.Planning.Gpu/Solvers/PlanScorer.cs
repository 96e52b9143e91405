using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Planning.Gpu.Solvers;

/// <summary>
/// The true objective of an agent's argmax plan plus a penalty per task over a capacity: the cheap
/// score agents are ranked by before repair and polish (as the CPU's <c>AssignmentAgents.Score</c>).
/// </summary>
internal sealed class PlanScorer(AssignmentProblem problem)
{
    private readonly double[] _loads = new double[problem.BackendCount];
    private readonly int[] _counts = new int[problem.BackendCount];
    private readonly int[] _backendOf = new int[problem.TaskCount];

    /// <summary>The score of <paramref name="agent"/>'s plan in <paramref name="choice"/> (variable per task, agent-minor).</summary>
    public double Score(int[] choice, int agent, int agents, double overflowPenalty)
    {
        Array.Clear(_loads);
        Array.Clear(_counts);
        var total = 0.0;
        for (var t = 0; t < problem.TaskCount; t++)
        {
            var v = choice[((long)t * agents) + agent];
            var b = problem.VariableBackend[v];
            _backendOf[t] = b;
            total += problem.VariableCost[v];
            _loads[b] += problem.VariableLoad[v];
            _counts[b]++;
        }

        var together = 0.0;
        for (var t = 0; t < problem.TaskCount; t++)
        {
            for (var k = problem.CouplingStart[t]; k < problem.CouplingStart[t + 1]; k++)
            {
                var u = problem.CoupledTask[k];
                if (u > t && _backendOf[u] == _backendOf[t])
                {
                    together += problem.CoupledWeight[k];
                }
            }
        }

        total -= problem.CoLocationStrength * together;
        for (var b = 0; b < problem.BackendCount; b++)
        {
            total += problem.InterferenceWeights[b] * _loads[b] * _loads[b];
            if (overflowPenalty > 0)
            {
                total += overflowPenalty * Math.Max(0, _counts[b] - problem.Capacities[b]);
            }
        }

        return total;
    }
}
