namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// `coherence_pool_size`: a bounded, thread-safe pool of recent best plans. A plan is offered back
/// only to problems of the same shape (tasks, backends, permitted pairs), where it seeds agents.
/// </summary>
public sealed class WarmStartPool
{
    private readonly Lock _gate = new();
    private readonly LinkedList<(ulong Shape, int[] Plan)> _plans = new();

    public WarmStartPool(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _plans.Count;
            }
        }
    }

    public void Add(AssignmentProblem problem, IReadOnlyList<int> plan)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(plan);
        var copy = new int[plan.Count];
        for (var t = 0; t < copy.Length; t++)
        {
            copy[t] = plan[t];
        }

        if (!problem.IsComplete(copy))
        {
            throw new ArgumentException("only complete plans of this problem can be pooled", nameof(plan));
        }

        lock (_gate)
        {
            _plans.AddFirst((Shape(problem), copy));
            while (_plans.Count > Capacity)
            {
                _plans.RemoveLast();
            }
        }
    }

    /// <summary>The pooled plans, most recent first, each with its problem-shape fingerprint: what is persisted across restarts.</summary>
    public IReadOnlyList<(ulong Shape, int[] Plan)> Snapshot()
    {
        lock (_gate)
        {
            return _plans.Select(p => (p.Shape, (int[])p.Plan.Clone())).ToList();
        }
    }

    /// <summary>
    /// Puts persisted plans back (most recent first), behind nothing newer and keeping at most <see cref="Capacity"/>.
    /// A plan is offered to a problem only when it is complete for that problem, so a stale or damaged one seeds nothing.
    /// </summary>
    public void Restore(IEnumerable<(ulong Shape, int[] Plan)> plans)
    {
        ArgumentNullException.ThrowIfNull(plans);
        lock (_gate)
        {
            foreach (var (shape, plan) in plans)
            {
                if (_plans.Count >= Capacity)
                {
                    break;
                }

                _plans.AddLast((shape, (int[])plan.Clone()));
            }
        }
    }

    /// <summary>Most recent first, at most <paramref name="limit"/> plans.</summary>
    public IReadOnlyList<int[]> Matching(AssignmentProblem problem, int limit)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var found = new List<int[]>();
        AddMatching(problem, limit, found);
        return found;
    }

    /// <summary>Appends up to <paramref name="limit"/> matching plans, most recent first, to <paramref name="into"/>.</summary>
    internal void AddMatching(AssignmentProblem problem, int limit, List<int[]> into)
    {
        var shape = Shape(problem);
        lock (_gate)
        {
            var added = 0;
            for (var node = _plans.First; node is not null && added < limit; node = node.Next)
            {
                if (node.Value.Shape == shape && problem.IsComplete(node.Value.Plan))
                {
                    into.Add(node.Value.Plan);
                    added++;
                }
            }
        }
    }

    /// <summary>FNV-1a over the permitted structure; a stable fingerprint, not a security hash.</summary>
    internal static ulong Shape(AssignmentProblem problem)
    {
        var hash = 14695981039346656037UL;
        void Mix(int value)
        {
            hash ^= (uint)value;
            hash *= 1099511628211UL;
        }

        Mix(problem.TaskCount);
        Mix(problem.BackendCount);
        for (var t = 0; t < problem.TaskCount; t++)
        {
            Mix(-1);
            for (var v = problem.TaskStart[t]; v < problem.TaskStart[t + 1]; v++)
            {
                Mix(problem.VariableBackend[v]);
            }
        }

        return hash;
    }
}
