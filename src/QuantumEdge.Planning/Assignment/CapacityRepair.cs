namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// Restores capacities by augmenting paths: from an overloaded backend, shift a task to another
/// permitted backend, which may shift one of its tasks on, until a backend with room is reached.
/// As in bipartite b-matching, when no such path exists no feasible assignment exists, so this
/// succeeds exactly when a capacity-respecting plan exists. Its search buffers are reused.
/// </summary>
internal sealed class CapacityRepair
{
    private int[] _viaTask = [];
    private int[] _previous = [];
    private bool[] _visited = [];
    private int[] _queue = [];

    /// <summary>Repairs in place; returns whether every capacity now holds.</summary>
    public bool Repair(AssignmentState state)
    {
        var problem = state.Problem;
        Grow(problem.BackendCount);
        var counts = state.Counts;
        for (var b = 0; b < problem.BackendCount; b++)
        {
            while (counts[b] > problem.Capacities[b])
            {
                if (!Augment(problem, state, b))
                {
                    return state.WithinCapacity();
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
            state.AssignVariable(t, problem.TaskStart[t]);
        }

        return new CapacityRepair().Repair(state);
    }

    private void Grow(int backends)
    {
        if (_visited.Length < backends)
        {
            _viaTask = new int[backends];
            _previous = new int[backends];
            _visited = new bool[backends];
            _queue = new int[backends];
        }
    }

    /// <summary>Breadth-first search over backends; the edge b → b' is a task on b that permits b'.</summary>
    private bool Augment(AssignmentProblem problem, AssignmentState state, int overloaded)
    {
        var backends = problem.BackendCount;
        var visited = _visited.AsSpan(0, backends);
        visited.Clear();
        var backendOf = state.BackendOf;
        var head = 0;
        var tail = 0;
        visited[overloaded] = true;
        _queue[tail++] = overloaded;
        while (head < tail)
        {
            var b = _queue[head++];
            for (var t = 0; t < problem.TaskCount; t++)
            {
                if (backendOf[t] != b)
                {
                    continue;
                }

                for (var v = problem.TaskStart[t]; v < problem.TaskStart[t + 1]; v++)
                {
                    var next = problem.VariableBackend[v];
                    if (visited[next])
                    {
                        continue;
                    }

                    visited[next] = true;
                    _viaTask[next] = t;
                    _previous[next] = b;
                    if (state.HasRoom(next))
                    {
                        // Shift tasks along the path, last hop first.
                        for (var at = next; at != overloaded; at = _previous[at])
                        {
                            state.Assign(_viaTask[at], at);
                        }

                        return true;
                    }

                    _queue[tail++] = next;
                }
            }
        }

        return false;
    }
}
