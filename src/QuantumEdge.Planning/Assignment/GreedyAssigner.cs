namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// The baseline: tasks in priority order (highest first, then by index), each to the permitted
/// backend with room whose marginal true objective is lowest; capacities are then repaired if the
/// order painted the greedy into a corner.
/// </summary>
public static class GreedyAssigner
{
    public static int[] Assign(AssignmentProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return Build(problem).BackendOf;
    }

    internal static AssignmentState Build(AssignmentProblem problem)
    {
        var state = new AssignmentState(problem);
        var order = Enumerable.Range(0, problem.TaskCount).OrderByDescending(t => problem.Priorities[t]).ThenBy(t => t);
        foreach (var t in order)
        {
            var best = -1;
            var bestDelta = double.PositiveInfinity;
            var bestHasRoom = false;
            for (var v = problem.TaskStart[t]; v < problem.TaskStart[t + 1]; v++)
            {
                var room = state.HasRoom(problem.VariableBackend[v]);
                var delta = state.AddDelta(t, v);
                if ((room && !bestHasRoom) || (room == bestHasRoom && delta < bestDelta))
                {
                    best = v;
                    bestDelta = delta;
                    bestHasRoom = room;
                }
            }

            state.Assign(t, problem.VariableBackend[best]);
        }

        CapacityRepair.Repair(problem, state);
        return state;
    }
}
