namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// Collects tasks, backends and couplings for an <see cref="AssignmentProblem"/>. Forbidden
/// (task, backend) pairs are simply never listed: they get no variable at all.
/// </summary>
public sealed class AssignmentProblemBuilder
{
    private readonly int[] _capacity;
    private readonly double[] _interference;
    private readonly List<PermittedBackend[]> _permitted = [];
    private readonly List<double> _loads = [];
    private readonly List<double> _priorities = [];
    private readonly List<TaskCoupling> _couplings = [];

    /// <param name="backendCount">Number of backends; each starts with unlimited capacity and interference weight 1.</param>
    public AssignmentProblemBuilder(int backendCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(backendCount);
        _capacity = Enumerable.Repeat(int.MaxValue, backendCount).ToArray();
        _interference = Enumerable.Repeat(1.0, backendCount).ToArray();
    }

    public int BackendCount => _capacity.Length;

    public int TaskCount => _permitted.Count;

    /// <summary>κ, the scale of the co-location reward −κ·w_tu for coupled tasks on one backend.</summary>
    public double CoLocationStrength { get; set; } = 1.0;

    /// <summary>The deployment guide's `interference_resolution`: load fractions are rounded up to multiples of it (0 = exact).</summary>
    public double InterferenceResolution { get; set; } = 0.1;

    /// <summary>Sets a backend's capacity (most tasks it may take in one plan) and its load-penalty weight λ_b.</summary>
    public AssignmentProblemBuilder SetBackend(int backend, int capacity, double interferenceWeight = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfNegative(interferenceWeight);
        CheckBackend(backend);
        _capacity[backend] = capacity;
        _interference[backend] = interferenceWeight;
        return this;
    }

    /// <summary>Adds a task and returns its index. It must permit at least one backend.</summary>
    /// <param name="permitted">The backends the task may use, with their costs; all others are forbidden.</param>
    /// <param name="load">Load in capacity slots (1 = one typical request).</param>
    /// <param name="priority">Greedy order: higher goes first.</param>
    public int AddTask(IEnumerable<PermittedBackend> permitted, double load = 1.0, double priority = 0.0)
    {
        ArgumentNullException.ThrowIfNull(permitted);
        ArgumentOutOfRangeException.ThrowIfNegative(load);
        var list = permitted.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException($"task {TaskCount} permits no backend; refuse it before planning", nameof(permitted));
        }

        foreach (var p in list)
        {
            CheckBackend(p.Backend);
            if (!double.IsFinite(p.Cost))
            {
                throw new ArgumentException($"task {TaskCount}: cost on backend {p.Backend} is not finite", nameof(permitted));
            }
        }

        // Sorted by backend (the problem relies on it); a repeat then sits next to its twin.
        Array.Sort(list, static (a, b) => a.Backend.CompareTo(b.Backend));
        for (var k = 1; k < list.Length; k++)
        {
            if (list[k].Backend == list[k - 1].Backend)
            {
                throw new ArgumentException($"task {TaskCount}: backend {list[k].Backend} listed twice", nameof(permitted));
            }
        }

        _permitted.Add(list);
        _loads.Add(load);
        _priorities.Add(priority);
        return _permitted.Count - 1;
    }

    /// <summary>Rewards placing tasks <paramref name="first"/> and <paramref name="second"/> on the same backend.</summary>
    public AssignmentProblemBuilder Couple(int first, int second, double weight)
    {
        if ((uint)first >= (uint)TaskCount || (uint)second >= (uint)TaskCount || first == second)
        {
            throw new ArgumentException($"coupling ({first},{second}) needs two distinct existing tasks");
        }

        if (weight is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "coupling weight must be in (0, 1]");
        }

        _couplings.Add(new TaskCoupling(first, second, weight));
        return this;
    }

    public AssignmentProblem Build()
    {
        if (TaskCount == 0)
        {
            throw new InvalidOperationException("an assignment problem needs at least one task");
        }

        if (InterferenceResolution is < 0 or > 1)
        {
            throw new InvalidOperationException($"InterferenceResolution must be in [0, 1], got {InterferenceResolution}");
        }

        return new AssignmentProblem(_permitted, _loads, _priorities, _capacity, _interference, _couplings, CoLocationStrength, InterferenceResolution);
    }

    private void CheckBackend(int backend)
    {
        if ((uint)backend >= (uint)BackendCount)
        {
            throw new ArgumentOutOfRangeException(nameof(backend), backend, $"backends are 0..{BackendCount - 1}");
        }
    }
}
