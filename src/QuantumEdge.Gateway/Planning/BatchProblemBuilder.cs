using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Routing;
using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// Turns a batch of queued requests into one <see cref="AssignmentProblem"/>: the batch's backends
/// in a batch-local list, each task permitting exactly its own candidates, costs from
/// <see cref="RouteCostModel"/>, load interference and co-location couplings. One instance lives on
/// the planning loop and reuses its buffers.
/// </summary>
/// <remarks>
/// Interference: each task takes one of a backend's free slots F = max(1, ⌊C − occupied⌋), which is
/// also its hard capacity in the plan; the penalty λ·L² on the backend's share L of those slots
/// (rounded up to interference_resolution) uses λ = ½·F·s̄ / max(1, F·φ)², s̄ the mean cost of the
/// batch's tasks there and φ one task's rounded share, so filling every free slot costs about half
/// a typical request per slot whatever the resolution.
/// Entanglement: tasks t, u with affinity S = same session + shared prefix (equal fingerprint = 1)
/// + same patient context + explicit dependency (none yet) ≥ bell_inequality_threshold and at least
/// one backend in common are coupled with weight S/4, strongest first, merging groups only while
/// they stay within max_entangled_tasks and stopping at max_entanglements pairs. The co-location
/// reward κ·w uses κ = the batch's mean cheapest cost, so a fully correlated pair co-located is
/// worth one typical request.
/// </remarks>
internal sealed class BatchProblemBuilder
{
    private readonly Dictionary<Backend, int> _index = new(ReferenceEqualityComparer.Instance);
    private readonly List<Backend> _backends = [];
    private readonly List<(int First, int Second, double Strength)> _pairs = [];
    private readonly List<PermittedBackend> _permitted = [];
    private double[] _costSum = [];
    private int[] _costCount = [];
    private int[] _parent = [];
    private int[] _size = [];
    private ulong[] _sessions = [];
    private ulong[] _prefixes = [];

    /// <summary>The batch's backends; a plan's backend index points into this list.</summary>
    public IReadOnlyList<Backend> Backends => _backends;

    /// <summary>Coupled pairs of the last batch with weight S/4, and the group (root task) of each.</summary>
    public List<(int First, int Second, double Weight)> Couplings { get; } = [];

    public int GroupOf(int task) => Find(task);

    /// <summary>Queue pressure of the batch: (pending + in flight on its backends) / their total capacity.</summary>
    public double Pressure(IReadOnlyList<PendingRoute> batch, int stillQueued)
    {
        CollectBackends(batch);
        var capacity = 0.0;
        var inFlight = 0.0;
        foreach (var b in _backends)
        {
            capacity += b.Settings.MaxConcurrency;
            inFlight += b.InFlight;
        }

        return capacity > 0 ? (batch.Count + stillQueued + inFlight) / capacity : 0;
    }

    public AssignmentProblem Build(IReadOnlyList<PendingRoute> batch, PlanningContext context)
    {
        CollectBackends(batch);
        var backends = _backends.Count;
        var tasks = batch.Count;
        Grow(ref _costSum, backends);
        Grow(ref _costCount, backends);
        Array.Clear(_costSum, 0, backends);
        Array.Clear(_costCount, 0, backends);
        var meanCapacity = 0.0;
        foreach (var b in _backends)
        {
            meanCapacity += b.Settings.MaxConcurrency;
        }

        meanCapacity /= backends;
        var builder = new AssignmentProblemBuilder(backends)
        {
            InterferenceResolution = context.Settings.EnableInterference ? context.Settings.InterferenceResolution : 0,
        };

        var cheapestSum = 0.0;
        for (var t = 0; t < tasks; t++)
        {
            var pending = batch[t];
            var request = pending.Request;
            var priority = DepartmentPriority.Of(request.Department);
            var (prefixHolder, sessionHolder) = context.CacheHolders(request);
            _permitted.Clear();
            var cheapest = double.PositiveInfinity;
            foreach (var backend in pending.Candidates)
            {
                var b = _index[backend];
                var cached = backend.Id == prefixHolder || backend.Id == sessionHolder;
                var estimate = RouteCostModel.Estimate(request, backend, cached);
                var cost = RouteCostModel.Cost(estimate, priority, context.ThroughputWeight, meanCapacity / backend.Settings.MaxConcurrency);
                _permitted.Add(new PermittedBackend(b, cost));
                _costSum[b] += cost;
                _costCount[b]++;
                cheapest = Math.Min(cheapest, cost);
            }

            cheapestSum += cheapest;
            builder.AddTask(_permitted, 1.0, priority);
        }

        for (var b = 0; b < backends; b++)
        {
            var backend = _backends[b];
            var capacity = backend.Settings.MaxConcurrency;
            var free = Math.Max(1, (int)Math.Floor(capacity - (Math.Max(0, backend.LoadFraction) * capacity) + 1e-9));
            var lambda = 0.0;
            if (context.Settings.EnableInterference && _costCount[b] > 0)
            {
                var resolution = context.Settings.InterferenceResolution;
                var share = resolution > 0 ? Math.Ceiling((1.0 / free / resolution) - 1e-12) * resolution : 1.0 / free;
                var full = Math.Max(1, free * share);
                lambda = 0.5 * free * (_costSum[b] / _costCount[b]) / (full * full);
            }

            builder.SetBackend(b, free, lambda);
        }

        Couplings.Clear();
        ResetGroups(tasks);
        if (context.Settings.EnableEntanglement && tasks > 1)
        {
            AddCouplings(batch, context, builder);
            builder.CoLocationStrength = cheapestSum / tasks;
        }

        return builder.Build();
    }

    /// <summary>
    /// Mean over the batch's coupled groups of the share of their coupling weight the plan honours
    /// (pairs on one backend); NaN when the batch had no couplings.
    /// </summary>
    public double EntanglementStrength(IReadOnlyList<int> plan, List<double> groupStrengths)
    {
        groupStrengths.Clear();
        if (Couplings.Count == 0)
        {
            return double.NaN;
        }

        // Accumulate per group root in the cost buffers, which are free after Build.
        var tasks = plan.Count;
        Grow(ref _costSum, 2 * tasks);
        Array.Clear(_costSum, 0, 2 * tasks);
        foreach (var (first, second, weight) in Couplings)
        {
            var root = Find(first);
            _costSum[root] += weight;
            if (plan[first] == plan[second])
            {
                _costSum[tasks + root] += weight;
            }
        }

        var sum = 0.0;
        for (var t = 0; t < tasks; t++)
        {
            if (_costSum[t] > 0)
            {
                var strength = _costSum[tasks + t] / _costSum[t];
                groupStrengths.Add(strength);
                sum += strength;
            }
        }

        return sum / groupStrengths.Count;
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        }
    }

    private static bool ShareABackend(IReadOnlyList<Backend> first, IReadOnlyList<Backend> second)
    {
        foreach (var a in first)
        {
            foreach (var b in second)
            {
                if (ReferenceEquals(a, b))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void CollectBackends(IReadOnlyList<PendingRoute> batch)
    {
        _index.Clear();
        _backends.Clear();
        foreach (var pending in batch)
        {
            foreach (var backend in pending.Candidates)
            {
                if (_index.TryAdd(backend, _backends.Count))
                {
                    _backends.Add(backend);
                }
            }
        }
    }

    private void AddCouplings(IReadOnlyList<PendingRoute> batch, PlanningContext context, AssignmentProblemBuilder builder)
    {
        var tasks = batch.Count;
        Grow(ref _sessions, tasks);
        Grow(ref _prefixes, tasks);
        for (var t = 0; t < tasks; t++)
        {
            _sessions[t] = AffinityMap.SessionKey(batch[t].Request.SessionId);
            _prefixes[t] = batch[t].Request.PrefixFingerprint;
        }

        _pairs.Clear();
        var threshold = context.Settings.BellInequalityThreshold;
        for (var t = 0; t < tasks; t++)
        {
            var a = batch[t].Request;
            for (var u = t + 1; u < tasks; u++)
            {
                var b = batch[u].Request;
                var s = 0.0;
                if (_sessions[t] != 0 && _sessions[t] == _sessions[u] && string.Equals(a.SessionId, b.SessionId, StringComparison.Ordinal))
                {
                    s += 1;
                }

                if (_prefixes[t] != 0 && _prefixes[t] == _prefixes[u])
                {
                    s += 1;
                }

                if (!string.IsNullOrEmpty(a.PatientContext) && string.Equals(a.PatientContext, b.PatientContext, StringComparison.Ordinal))
                {
                    s += 1;
                }

                // The fourth correlation, an explicit dependency, has no request field yet.
                if (s > 0 && s >= threshold && ShareABackend(batch[t].Candidates, batch[u].Candidates))
                {
                    _pairs.Add((t, u, s));
                }
            }
        }

        // Strongest first; ties in arrival order.
        _pairs.Sort(static (x, y) => y.Strength != x.Strength ? y.Strength.CompareTo(x.Strength) : x.First != y.First ? x.First.CompareTo(y.First) : x.Second.CompareTo(y.Second));
        var maxGroup = context.Settings.MaxEntangledTasks;
        foreach (var (first, second, strength) in _pairs)
        {
            if (Couplings.Count >= context.MaxEntanglements)
            {
                break;
            }

            var rootA = Find(first);
            var rootB = Find(second);
            if (rootA != rootB)
            {
                if (_size[rootA] + _size[rootB] > maxGroup)
                {
                    continue;
                }

                if (_size[rootA] < _size[rootB])
                {
                    (rootA, rootB) = (rootB, rootA);
                }

                _parent[rootB] = rootA;
                _size[rootA] += _size[rootB];
            }

            var weight = strength / 4;
            builder.Couple(first, second, weight);
            Couplings.Add((first, second, weight));
        }
    }

    private void ResetGroups(int tasks)
    {
        Grow(ref _parent, tasks);
        Grow(ref _size, tasks);
        for (var t = 0; t < tasks; t++)
        {
            _parent[t] = t;
            _size[t] = 1;
        }
    }

    private int Find(int task)
    {
        while (_parent[task] != task)
        {
            _parent[task] = _parent[_parent[task]];
            task = _parent[task];
        }

        return task;
    }
}
