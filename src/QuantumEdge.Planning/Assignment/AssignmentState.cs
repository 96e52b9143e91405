namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// A (possibly partial) assignment with per-backend loads and counts kept current, so that the
/// change of the true objective for adding or moving one task costs O(its couplings). Instances
/// are reusable: <see cref="Reset"/> rebinds one to a problem, growing its buffers only when needed.
/// </summary>
internal sealed class AssignmentState
{
    public const int Unassigned = -1;

    private AssignmentProblem _problem;
    private int[] _backendOf = [];
    private int[] _variableOf = [];
    private double[] _loads = [];
    private int[] _counts = [];
    private double[] _together = [];

    public AssignmentState(AssignmentProblem problem)
    {
        _problem = problem;
        Reset(problem);
    }

    public AssignmentState(AssignmentProblem problem, ReadOnlySpan<int> backendOfTask)
        : this(problem)
    {
        Load(backendOfTask);
    }

    public AssignmentProblem Problem => _problem;

    /// <summary>Backend of each task (<see cref="Unassigned"/> for none); exactly TaskCount long.</summary>
    public Span<int> BackendOf => _backendOf.AsSpan(0, _problem.TaskCount);

    public Span<double> Loads => _loads.AsSpan(0, _problem.BackendCount);

    public Span<int> Counts => _counts.AsSpan(0, _problem.BackendCount);

    /// <summary>Rebinds to <paramref name="problem"/> with every task unassigned.</summary>
    public void Reset(AssignmentProblem problem)
    {
        _problem = problem;
        Grow(ref _backendOf, problem.TaskCount);
        Grow(ref _variableOf, problem.TaskCount);
        Grow(ref _loads, problem.BackendCount);
        Grow(ref _counts, problem.BackendCount);
        Grow(ref _together, problem.BackendCount);
        BackendOf.Fill(Unassigned);
        _variableOf.AsSpan(0, problem.TaskCount).Fill(-1);
        Loads.Clear();
        Counts.Clear();
    }

    /// <summary>Replaces the assignment with a complete plan of the bound problem.</summary>
    public void Load(ReadOnlySpan<int> backendOfTask)
    {
        Reset(_problem);
        for (var t = 0; t < backendOfTask.Length; t++)
        {
            Assign(t, backendOfTask[t]);
        }
    }

    public bool HasRoom(int backend) => _counts[backend] < _problem.Capacities[backend];

    /// <summary>Change of the objective if unassigned task t went to backend b (its variable v).</summary>
    public double AddDelta(int task, int variable)
    {
        var p = _problem;
        var b = p.VariableBackend[variable];
        var phi = p.VariableLoad[variable];
        var load = _loads[b];
        var delta = p.VariableCost[variable] + (p.InterferenceWeights[b] * phi * ((2 * load) + phi));
        return delta - CoLocated(task, b);
    }

    /// <summary>Change of the objective if assigned task t moved to variable v's backend.</summary>
    public double MoveDelta(int task, int variable)
    {
        var p = _problem;
        var from = _backendOf[task];
        var to = p.VariableBackend[variable];
        if (from == to)
        {
            return 0;
        }

        var current = _variableOf[task];
        var phiFrom = p.VariableLoad[current];
        var loadFrom = _loads[from];
        var removal = -p.VariableCost[current]
            + (p.InterferenceWeights[from] * phiFrom * (phiFrom - (2 * loadFrom)))
            + CoLocated(task, from);
        return removal + AddDelta(task, variable);
    }

    /// <summary>
    /// The best move of an assigned task to another permitted backend with room, as the objective
    /// change (≥ 0 when none improves) and its variable (−1 when no other backend has room). One pass
    /// over the task's couplings serves every candidate, so this is O(choices + couplings).
    /// </summary>
    public double BestMove(int task, out int bestVariable)
    {
        var p = _problem;
        var from = _backendOf[task];
        var current = _variableOf[task];
        var together = _together;
        var couplingEnd = p.CouplingStart[task + 1];
        for (var k = p.CouplingStart[task]; k < couplingEnd; k++)
        {
            var b = _backendOf[p.CoupledTask[k]];
            if (b >= 0)
            {
                together[b] += p.CoupledWeight[k];
            }
        }

        var kappa = p.CoLocationStrength;
        var phiFrom = p.VariableLoad[current];
        var removal = -p.VariableCost[current]
            + (p.InterferenceWeights[from] * phiFrom * (phiFrom - (2 * _loads[from])))
            + (kappa * together[from]);
        var best = double.PositiveInfinity;
        bestVariable = -1;
        for (var v = p.TaskStart[task]; v < p.TaskStart[task + 1]; v++)
        {
            var b = p.VariableBackend[v];
            if (b == from || _counts[b] >= p.Capacities[b])
            {
                continue;
            }

            var phi = p.VariableLoad[v];
            var delta = removal + p.VariableCost[v] + (p.InterferenceWeights[b] * phi * ((2 * _loads[b]) + phi)) - (kappa * together[b]);
            if (delta < best)
            {
                best = delta;
                bestVariable = v;
            }
        }

        for (var k = p.CouplingStart[task]; k < couplingEnd; k++)
        {
            var b = _backendOf[p.CoupledTask[k]];
            if (b >= 0)
            {
                together[b] = 0;
            }
        }

        return best;
    }

    /// <summary>Puts the task on a backend it permits (moving it if it was elsewhere).</summary>
    public void Assign(int task, int backend)
    {
        var v = _problem.VariableOf(task, backend);
        if (v < 0)
        {
            throw new ArgumentException($"task {task} does not permit backend {backend}", nameof(backend));
        }

        AssignVariable(task, v);
    }

    /// <summary>Puts the task on variable v's backend; v must belong to the task.</summary>
    public void AssignVariable(int task, int variable)
    {
        if (_backendOf[task] != Unassigned)
        {
            Unassign(task);
        }

        var backend = _problem.VariableBackend[variable];
        _backendOf[task] = backend;
        _variableOf[task] = variable;
        _loads[backend] += _problem.VariableLoad[variable];
        _counts[backend]++;
    }

    public void Unassign(int task)
    {
        var from = _backendOf[task];
        _loads[from] -= _problem.VariableLoad[_variableOf[task]];
        _counts[from]--;
        _backendOf[task] = Unassigned;
        _variableOf[task] = -1;
    }

    /// <summary>Every backend within its capacity.</summary>
    public bool WithinCapacity()
    {
        for (var b = 0; b < _problem.BackendCount; b++)
        {
            if (_counts[b] > _problem.Capacities[b])
            {
                return false;
            }
        }

        return true;
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        }
    }

    /// <summary>κ·Σ w_tu over coupled tasks u currently on backend b.</summary>
    private double CoLocated(int task, int backend)
    {
        var p = _problem;
        var sum = 0.0;
        for (var k = p.CouplingStart[task]; k < p.CouplingStart[task + 1]; k++)
        {
            if (_backendOf[p.CoupledTask[k]] == backend)
            {
                sum += p.CoupledWeight[k];
            }
        }

        return p.CoLocationStrength * sum;
    }
}
