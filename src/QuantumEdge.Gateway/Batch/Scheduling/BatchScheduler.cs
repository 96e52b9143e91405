using System.Diagnostics;
using Prometheus;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Remote;

namespace QuantumEdge.Gateway.Batch.Scheduling;

/// <summary>
/// Places batch lines into the backends' spare capacity, interactive traffic first. Each call of
/// <see cref="NextDispatches"/> measures every backend's headroom (<see cref="BackendHeadroom"/>:
/// slots left by interactive load and its reserve, minus the batch lines already out), picks the
/// waiting lines that fit (nearest deadline first; within a deadline class, lines of one prefix
/// together; a line whose prefix a full backend caches waits for room there unless due within the hour), places them jointly as one assignment problem (<see cref="BatchPlacement"/>: cost from
/// speed and load, shared-prefix lines coupled so that they share a KV cache) solved by the node's
/// <see cref="IAssignmentSolver"/> (the GPU planner process for large solves when configured, the CPU
/// otherwise; the greedy plan when the solver fails or overruns), and never dispatches more lines to
/// a backend than its headroom. With no headroom (interactive load rising) it dispatches nothing.
/// </summary>
/// <remarks>
/// The executor tells the scheduler when a dispatched line finished (<see cref="Completed"/>), whatever
/// its outcome; until then the line holds its slot in the headroom. A dispatched line passed as pending
/// again was not started, and gives its slot back; one neither completed nor pending again is released
/// after <see cref="BatchSchedulerOptions.OutstandingLifetime"/>. Lines that can no longer finish
/// before their deadline are not dispatched; they are listed in <see cref="Unmeetable"/> after the call
/// so that the executor can expire them. Planning calls are serialised; <see cref="Completed"/> may be
/// called from any thread at any time.
/// </remarks>
public sealed class BatchScheduler
{
    /// <summary>Time a solver may take beyond its budget before the greedy plan is used instead.</summary>
    private static readonly TimeSpan SolveSlack = TimeSpan.FromMilliseconds(50);

    /// <summary>Lines due within this are never held back to wait for the backend that caches their prefix.</summary>
    private static readonly TimeSpan DeferralHorizon = TimeSpan.FromHours(1);

    private readonly Func<IReadOnlyList<Backend>> _backends;
    private readonly IAssignmentSolver _solver;
    private readonly BatchSchedulerOptions _options;
    private readonly PlannerSettings _solveSettings;
    private readonly BatchSchedulerMetrics _metrics;
    private readonly SemaphoreSlim _planning = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string Backend, DateTimeOffset At)> _outstanding = new(StringComparer.Ordinal);
    private readonly PrefixHolders _holders;
    private IReadOnlyList<string> _unmeetable = [];
    private int _pending;
    private long _dispatched;
    private long _solves;
    private long _yields;
    private long _unmeetableCount;
    private (int Lines, int Backends, int Variables, int Couplings, double Ms, string Device, DateTimeOffset At)? _lastSolve;
    private (int Spare, int Headroom) _capacity;

    /// <param name="backends">The configured backends now (e.g. the registry's <c>All</c>, read on every call so reloads apply).</param>
    /// <param name="solver">The node's assignment solver (the interactive planner's, so the GPU planner's connection and breaker are shared).</param>
    /// <param name="options">Reserve, solve size and budget.</param>
    /// <param name="registry">Where the scheduler's metrics are registered.</param>
    public BatchScheduler(Func<IReadOnlyList<Backend>> backends, IAssignmentSolver solver, BatchSchedulerOptions options, CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentNullException.ThrowIfNull(solver);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        options.Validate();
        _backends = backends;
        _solver = solver;
        _options = options;
        _solveSettings = new PlannerSettings { Agents = options.Agents, TimeBudget = options.SolveBudget, Parallelism = 1 };
        _metrics = new BatchSchedulerMetrics(registry);
        _holders = new PrefixHolders(65_536, options.PrefixLifetime);
        registry.AddBeforeCollectCallback(PublishInFlight);
    }

    /// <summary>The lines the last call found unable to finish before their deadline; they were not dispatched.</summary>
    public IReadOnlyList<string> Unmeetable => Volatile.Read(ref _unmeetable);

    /// <summary>Lines dispatched and not yet reported <see cref="Completed"/>.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _outstanding.Count;
            }
        }
    }

    /// <summary>
    /// The lines to run now and where. Blocks for at most the solve budget (plus slack) when the solver
    /// is remote; <see cref="NextDispatchesAsync"/> is the same without blocking.
    /// </summary>
    /// <param name="pending">Every line waiting to run and not running (a line dispatched earlier and passed again was not started).</param>
    /// <param name="now">The scheduling instant (deadlines and the start grace are measured from it).</param>
    /// <exception cref="ArgumentException">A line is null, has no id or model, or an id appears twice.</exception>
    public IReadOnlyList<BatchDispatch> NextDispatches(IReadOnlyList<BatchLineDemand> pending, DateTimeOffset now) =>
        NextDispatchesAsync(pending, now, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="NextDispatches"/>
    /// <param name="pending">Every line waiting to run.</param>
    /// <param name="now">The scheduling instant.</param>
    /// <param name="cancellationToken">Gives up on the call (nothing is dispatched).</param>
    public async ValueTask<IReadOnlyList<BatchDispatch>> NextDispatchesAsync(IReadOnlyList<BatchLineDemand> pending, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        Validate(pending);
        await _planning.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (selected, open) = Select(pending, now);
            if (selected.Count == 0)
            {
                return [];
            }

            var placement = BatchPlacement.Build(selected, open, _holders, now);
            var (plan, device, ms) = await SolveAsync(placement.Problem, cancellationToken).ConfigureAwait(false);
            _metrics.SolveSeconds.Observe(ms / 1000);
            _metrics.SolveLines.Observe(selected.Count);
            Interlocked.Increment(ref _solves);
            _lastSolve = (selected.Count, open.Count, placement.Problem.VariableCount, placement.Couplings, ms, device, now);
            return Commit(placement, plan, now);
        }
        finally
        {
            _planning.Release();
        }
    }

    /// <summary>A dispatched line finished (done, failed, cancelled or expired): its slot is free. Unknown ids are ignored.</summary>
    public void Completed(string lineId)
    {
        ArgumentNullException.ThrowIfNull(lineId);
        lock (_lock)
        {
            _outstanding.Remove(lineId);
        }
    }

    /// <summary>Batch planning as <c>/quantum/status</c> shows it.</summary>
    public BatchPlanningReport Report()
    {
        var last = _lastSolve;
        var (spare, headroom) = _capacity;
        var inFlight = InFlight;
        return new BatchPlanningReport(
            Volatile.Read(ref _pending),
            inFlight,
            Interlocked.Read(ref _dispatched),
            Interlocked.Read(ref _solves),
            Interlocked.Read(ref _yields),
            Interlocked.Read(ref _unmeetableCount),
            last?.Lines ?? 0,
            last?.Backends ?? 0,
            last?.Variables ?? 0,
            last?.Couplings ?? 0,
            last?.Ms,
            last?.Device,
            last?.At,
            spare,
            headroom,
            Utilization(inFlight, spare),
            _options.InteractiveReserve);
    }

    private static double Utilization(int inFlight, int spare) => spare > 0 ? Math.Min(1, (double)inFlight / spare) : 0;

    private static void Validate(IReadOnlyList<BatchLineDemand> pending)
    {
        var seen = new HashSet<string>(pending.Count, StringComparer.Ordinal);
        for (var i = 0; i < pending.Count; i++)
        {
            var line = pending[i] ?? throw new ArgumentException($"pending line {i} is null", nameof(pending));
            if (string.IsNullOrEmpty(line.LineId) || string.IsNullOrEmpty(line.Model))
            {
                throw new ArgumentException($"pending line {i} has no line id or no model", nameof(pending));
            }

            if (!seen.Add(line.LineId))
            {
                throw new ArgumentException($"line id '{line.LineId}' is pending twice", nameof(pending));
            }
        }
    }

    private static long Bucket(DateTimeOffset deadline, TimeSpan width) => deadline.UtcTicks / width.Ticks;

    private void PublishInFlight()
    {
        var inFlight = InFlight;
        _metrics.InFlight.Set(inFlight);
        _metrics.Utilization.Set(Utilization(inFlight, _capacity.Spare));
    }

    /// <summary>
    /// Headroom per backend, the unmeetable lines, and the waiting lines that fit: nearest deadline
    /// class first, then by prefix, each taken only while one of its backends still has a free slot
    /// in a tentative fill (so a capacity-respecting placement of the selection exists).
    /// </summary>
    private (List<BatchLineDemand> Selected, List<BackendHeadroom> Open) Select(IReadOnlyList<BatchLineDemand> pending, DateTimeOffset now)
    {
        var backends = _backends();
        var open = new List<BackendHeadroom>(backends.Count);
        var selected = new List<BatchLineDemand>();
        var unmeetable = new List<string>();
        int spare = 0, headroom = 0, waiting = 0;
        lock (_lock)
        {
            ReleaseForgotten(now);
            foreach (var line in pending)
            {
                // Pending means not running: a dispatch the executor did not start (its own cap, a
                // cancelled batch) gives its slot back here instead of holding it for ever.
                _outstanding.Remove(line.LineId);
            }

            var settled = new Dictionary<string, (int Settled, int Young)>(StringComparer.Ordinal);
            foreach (var (_, (backend, at)) in _outstanding)
            {
                settled.TryGetValue(backend, out var n);
                settled[backend] = now - at < _options.StartGrace ? (n.Settled, n.Young + 1) : (n.Settled + 1, n.Young);
            }

            foreach (var backend in backends)
            {
                settled.TryGetValue(backend.Id, out var n);
                var h = BackendHeadroom.Of(backend, n.Settled, n.Young, _options.InteractiveReserve, now);
                spare += h.Spare;
                headroom += h.Headroom;
                if (h.Headroom > 0)
                {
                    open.Add(h);
                }
            }

            var candidates = new List<BatchLineDemand>(pending.Count);
            foreach (var line in pending)
            {
                waiting++;
                if (CannotFinishInTime(line, backends, now))
                {
                    unmeetable.Add(line.LineId);
                    continue;
                }

                candidates.Add(line);
            }

            var width = _options.DeadlineBucket;
            candidates.Sort((a, b) =>
            {
                var order = Bucket(a.Deadline, width).CompareTo(Bucket(b.Deadline, width));
                order = order != 0 ? order : a.PrefixKey.CompareTo(b.PrefixKey);
                order = order != 0 ? order : a.Deadline.CompareTo(b.Deadline);
                return order != 0 ? order : string.CompareOrdinal(a.LineId, b.LineId);
            });

            var left = open.Select(h => h.Headroom).ToArray();
            var room = Math.Min(headroom, _options.MaxLinesPerSolve);
            foreach (var line in candidates)
            {
                if (selected.Count >= room)
                {
                    break;
                }

                var fullest = -1;
                var holder = _holders.Holder(line.PrefixKey, now);
                for (var b = 0; b < open.Count; b++)
                {
                    if (left[b] > 0 && BatchPlacement.Eligible(line, open[b].Backend) && (fullest < 0 || left[b] > left[fullest]))
                    {
                        fullest = b;
                    }

                    if (left[b] > 0 && open[b].Backend.Id == holder && BatchPlacement.Eligible(line, open[b].Backend))
                    {
                        fullest = b;
                        break;
                    }
                }

                // A line whose prefix sits in a full backend's cache waits for room there (other lines
                // take the slots meanwhile), unless it is due soon; the holder entry expires anyway.
                if (holder is not null && (fullest < 0 || open[fullest].Backend.Id != holder) && line.Deadline - now > DeferralHorizon
                    && backends.Any(b => b.Id == holder && BatchPlacement.Eligible(line, b)))
                {
                    continue;
                }

                if (fullest >= 0)
                {
                    left[fullest]--;
                    selected.Add(line);
                }
            }

            _capacity = (spare, headroom);
        }

        Volatile.Write(ref _pending, waiting);
        Volatile.Write(ref _unmeetable, unmeetable);
        Interlocked.Add(ref _unmeetableCount, unmeetable.Count);
        _metrics.Unmeetable.Inc(unmeetable.Count);
        _metrics.SpareSlots.Set(spare);
        _metrics.HeadroomSlots.Set(headroom);
        if (headroom == 0 && waiting > unmeetable.Count)
        {
            Interlocked.Increment(ref _yields);
            _metrics.Yields.Inc();
        }

        return (selected, open);
    }

    /// <summary>Drops dispatches never reported completed within <see cref="BatchSchedulerOptions.OutstandingLifetime"/> (caller holds the lock).</summary>
    private void ReleaseForgotten(DateTimeOffset now)
    {
        foreach (var (line, (_, at)) in _outstanding)
        {
            if (now - at > _options.OutstandingLifetime)
            {
                _outstanding.Remove(line);
            }
        }
    }

    /// <summary>Past its deadline, or too close to it for even the fastest eligible backend's first token.</summary>
    private bool CannotFinishInTime(BatchLineDemand line, IReadOnlyList<Backend> backends, DateTimeOffset now)
    {
        if (line.Deadline <= now)
        {
            return true;
        }

        var holder = _holders.Holder(line.PrefixKey, now);
        var fastest = double.PositiveInfinity;
        foreach (var backend in backends)
        {
            if (BatchPlacement.Eligible(line, backend))
            {
                fastest = Math.Min(fastest, BatchLineCost.Of(line.EstimatedTokens, backend, backend.Id == holder));
            }
        }

        // No backend serves the line at all: it waits (a reload may add one) until its deadline passes.
        return double.IsFinite(fastest) && now + TimeSpan.FromMilliseconds(fastest) > line.Deadline;
    }

    /// <summary>The solver's plan, or the greedy plan when it overran its budget or failed.</summary>
    private async ValueTask<(IReadOnlyList<int> Plan, string Device, double Ms)> SolveAsync(AssignmentProblem problem, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(_options.SolveBudget + SolveSlack);
        try
        {
            var plan = await _solver.SolveAsync(problem, _solveSettings, budget.Token).ConfigureAwait(false);
            var device = _solver is RemoteAssignmentSolver remote ? remote.Stats.LastSolveDevice : _solver.Device;
            return (plan.BackendOfTask, device, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (GreedyAssigner.Assign(problem), "greedy", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failing solver must not stop batch work: the greedy plan respects the same constraints.
            return (GreedyAssigner.Assign(problem), "greedy", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>Records the plan's dispatches, most urgent first, never past a backend's headroom.</summary>
    private List<BatchDispatch> Commit(BatchPlacement placement, IReadOnlyList<int> plan, DateTimeOffset now)
    {
        var used = new int[placement.Backends.Count];
        var dispatches = new List<BatchDispatch>(placement.Lines.Count);
        lock (_lock)
        {
            for (var t = 0; t < placement.Lines.Count; t++)
            {
                var b = plan[t];
                if ((uint)b >= (uint)used.Length || !placement.Problem.IsPermitted(t, b) || used[b] >= placement.Backends[b].Headroom)
                {
                    continue;
                }

                used[b]++;
                var line = placement.Lines[t];
                var backend = placement.Backends[b].Backend.Id;
                _outstanding[line.LineId] = (backend, now);
                _holders.Record(line.PrefixKey, backend, now);
                dispatches.Add(new BatchDispatch(line.LineId, backend));
            }
        }

        Interlocked.Add(ref _dispatched, dispatches.Count);
        _metrics.Dispatches.Inc(dispatches.Count);
        var (spare, _) = _capacity;
        _metrics.Utilization.Set(Utilization(InFlight, spare));
        return dispatches;
    }
}
