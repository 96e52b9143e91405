namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// 1-opt on the true objective: move a task to another permitted backend whenever that lowers the
/// objective and the target has room, until no such move remains.
/// </summary>
internal static class OneOptImprover
{
    private const int MaxPasses = 50;

    /// <summary>Improves in place and returns the objective change (≤ 0).</summary>
    public static double Improve(AssignmentState state)
    {
        var problem = state.Problem;
        var total = 0.0;
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var moved = false;
            for (var t = 0; t < problem.TaskCount; t++)
            {
                var delta = state.BestMove(t, out var variable);
                if (variable >= 0 && delta < -1e-9)
                {
                    state.AssignVariable(t, variable);
                    total += delta;
                    moved = true;
                }
            }

            if (!moved)
            {
                break;
            }
        }

        return total;
    }
}
