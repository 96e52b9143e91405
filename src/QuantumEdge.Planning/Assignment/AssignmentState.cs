namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// A (possibly partial) assignment with per-backend loads and counts kept current, so that the
/// change of the true objective for adding or moving one task costs O(its couplings).
/// </summary>
internal sealed class AssignmentState
{
    public const int Unassigned = -1;

    private readonly AssignmentProblem _problem;

    public AssignmentState(AssignmentProblem problem)
    {
        _problem = problem;
        BackendOf = Enumerable.Repeat(Unassigned, problem.TaskCount).ToArray();
        Loads = new double[problem.BackendCount];
        Counts = new int[problem.BackendCount];
    }

    public AssignmentState(AssignmentProblem problem, ReadOnlySpan<int> backendOfTask)
        : this(problem)
    {
        for (var t = 0; t < backendOfTask.Length; t++)
        {
            Assign(t, backendOfTask[t]);
        }
    }

    public int[] BackendOf { get; }

    public double[] Loads { get; }

    public int[] Counts { get; }

    public bool HasRoom(int backend) => Counts[backend] < _problem.Capacities[backend];

    /// <summary>Change of the objective if unassigned task t went to backend b (its variable v).</summary>
    public double AddDelta(int task, int variable)
    {
        var b = _problem.VariableBackend[variable];
        var phi = _problem.VariableLoad[variable];
        var load = Loads[b];
        var delta = _problem.VariableCost[variable] + (_problem.InterferenceWeights[b] * (((load + phi) * (load + phi)) - (load * load)));
        return delta - CoLocated(task, b);
    }

    /// <summary>Change of the objective if assigned task t moved to variable v's backend.</summary>
    public double MoveDelta(int task, int variable)
    {
        var from = BackendOf[task];
        var to = _problem.VariableBackend[variable];
        if (from == to)
        {
            return 0;
        }

        var current = _problem.VariableIndex[(task, from)];
        var phiFrom = _problem.VariableLoad[current];
        var loadFrom = Loads[from];
        var removal = -_problem.VariableCost[current]
            + (_problem.InterferenceWeights[from] * (((loadFrom - phiFrom) * (loadFrom - phiFrom)) - (loadFrom * loadFrom)))
            + CoLocated(task, from);
        return removal + AddDelta(task, variable);
    }

    public void Assign(int task, int backend)
    {
        var v = _problem.VariableIndex[(task, backend)];
        if (BackendOf[task] != Unassigned)
        {
            Unassign(task);
        }

        BackendOf[task] = backend;
        Loads[backend] += _problem.VariableLoad[v];
        Counts[backend]++;
    }

    public void Unassign(int task)
    {
        var from = BackendOf[task];
        var v = _problem.VariableIndex[(task, from)];
        Loads[from] -= _problem.VariableLoad[v];
        Counts[from]--;
        BackendOf[task] = Unassigned;
    }

    /// <summary>κ·Σ w_tu over coupled tasks u currently on backend b.</summary>
    private double CoLocated(int task, int backend)
    {
        var sum = 0.0;
        foreach (var (u, w) in _problem.CoupledTasks[task])
        {
            if (BackendOf[u] == backend)
            {
                sum += w;
            }
        }

        return _problem.CoLocationStrength * sum;
    }
}
