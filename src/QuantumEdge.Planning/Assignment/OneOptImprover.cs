namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// 1-opt on the true objective: move a task to another permitted backend whenever that lowers the
/// objective and the target has room, until no such move remains.
/// </summary>
internal static class OneOptImprover
{
    private const int MaxPasses = 50;

    public static void Improve(AssignmentProblem problem, AssignmentState state)
    {
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var moved = false;
            for (var t = 0; t < problem.TaskCount; t++)
            {
                var bestVariable = -1;
                var bestDelta = -1e-9;
                for (var v = problem.TaskStart[t]; v < problem.TaskStart[t + 1]; v++)
                {
                    var b = problem.VariableBackend[v];
                    if (b == state.BackendOf[t] || !state.HasRoom(b))
                    {
                        continue;
                    }

                    var delta = state.MoveDelta(t, v);
                    if (delta < bestDelta)
                    {
                        bestDelta = delta;
                        bestVariable = v;
                    }
                }

                if (bestVariable >= 0)
                {
                    state.Assign(t, problem.VariableBackend[bestVariable]);
                    moved = true;
                }
            }

            if (!moved)
            {
                return;
            }
        }
    }
}
