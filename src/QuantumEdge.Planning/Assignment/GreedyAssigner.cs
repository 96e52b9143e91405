using System.Buffers;

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
        var state = new AssignmentState(problem);
        Build(state, new CapacityRepair());
        return state.BackendOf.ToArray();
    }

    /// <summary>Fills a freshly reset state with the greedy plan.</summary>
    internal static void Build(AssignmentState state, CapacityRepair repair)
    {
        var problem = state.Problem;
        var n = problem.TaskCount;
        var order = ArrayPool<int>.Shared.Rent(n);
        var keys = ArrayPool<double>.Shared.Rent(n);
        for (var t = 0; t < n; t++)
        {
            order[t] = t;
            keys[t] = -problem.Priorities[t];
        }

        // Array.Sort is not stable, so ties are broken by index explicitly: (−priority, index).
        Array.Sort(keys, order, 0, n);
        var start = 0;
        while (start < n)
        {
            var end = start + 1;
            while (end < n && keys[end] == keys[start])
            {
                end++;
            }

            Array.Sort(order, start, end - start);
            start = end;
        }

        for (var i = 0; i < n; i++)
        {
            var t = order[i];
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

            state.AssignVariable(t, best);
        }

        ArrayPool<int>.Shared.Return(order);
        ArrayPool<double>.Shared.Return(keys);
        repair.Repair(state);
    }
}
