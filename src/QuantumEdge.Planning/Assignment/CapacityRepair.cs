namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// Restores capacities by augmenting paths: from an overloaded backend, shift a task to another
/// permitted backend, which may shift one of its tasks on, until a backend with room is reached.
/// As in bipartite b-matching, when no such path exists no feasible assignment exists, so this
/// succeeds exactly when a capacity-respecting plan exists.
/// </summary>
internal static class CapacityRepair
{
    /// <summary>Repairs in place; returns whether every capacity now holds.</summary>
    public static bool Repair(AssignmentProblem problem, AssignmentState state)
    {
        for (var b = 0; b < problem.BackendCount; b++)
        {
            while (state.Counts[b] > problem.Capacities[b])
            {
                if (!Augment(problem, state, b))
                {
                    return Enumerable.Range(0, problem.BackendCount).All(x => state.Counts[x] <= problem.Capacities[x]);
                }
            }
        }

        return true;
    }

    public static bool FeasibleAssignmentExists(AssignmentProblem problem)
    {
        var state = new AssignmentState(problem);
        for (var t = 0; t < problem.TaskCount; t++)
        {
            state.Assign(t, problem.VariableBackend[problem.TaskStart[t]]);
        }

        return Repair(problem, state);
    }

    /// <summary>Breadth-first search over backends; the edge b → b' is a task on b that permits b'.</summary>
    private static bool Augment(AssignmentProblem problem, AssignmentState state, int overloaded)
    {
        var backends = problem.BackendCount;
        var viaTask = Enumerable.Repeat(-1, backends).ToArray();
        var previous = Enumerable.Repeat(-1, backends).ToArray();
        var visited = new bool[backends];
        var queue = new Queue<int>();
        visited[overloaded] = true;
        queue.Enqueue(overloaded);
        var onBackend = TasksByBackend(problem, state);
        while (queue.Count > 0)
        {
            var b = queue.Dequeue();
            foreach (var t in onBackend[b])
            {
                for (var v = problem.TaskStart[t]; v < problem.TaskStart[t + 1]; v++)
                {
                    var next = problem.VariableBackend[v];
                    if (visited[next])
                    {
                        continue;
                    }

                    visited[next] = true;
                    viaTask[next] = t;
                    previous[next] = b;
                    if (state.HasRoom(next))
                    {
                        // Shift tasks along the path, last hop first.
                        for (var at = next; at != overloaded; at = previous[at])
                        {
                            state.Assign(viaTask[at], at);
                        }

                        return true;
                    }

                    queue.Enqueue(next);
                }
            }
        }

        return false;
    }

    private static List<int>[] TasksByBackend(AssignmentProblem problem, AssignmentState state)
    {
        var lists = new List<int>[problem.BackendCount];
        for (var b = 0; b < lists.Length; b++)
        {
            lists[b] = [];
        }

        for (var t = 0; t < problem.TaskCount; t++)
        {
            lists[state.BackendOf[t]].Add(t);
        }

        return lists;
    }
}
