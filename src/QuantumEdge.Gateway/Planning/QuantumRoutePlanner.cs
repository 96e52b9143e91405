using System.Threading.Channels;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Routing;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Remote;

namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// The quantum-inspired route planner. Requests that arrive within <see cref="PlannerOptions.BatchWindow"/>
/// of each other (up to <see cref="PlannerOptions.MaxBatch"/>) are planned together as one
/// assignment problem by simulated bifurcation (agents = <c>resources.max_superpositions</c>), with
/// load interference and co-location couplings, against a greedy baseline that is also the answer
/// when SB is not better or the solve overruns <see cref="PlannerOptions.SolveBudget"/>. A request
/// that finds nothing else pending takes the fast path: the greedy choice on the same cost model,
/// on the caller's thread. Costs: <see cref="RouteCostModel"/>; strategy mix:
/// <see cref="PlanningStrategies.ThroughputWeight"/>; problem construction: <see cref="BatchProblemBuilder"/>.
/// </summary>
/// <remarks>
/// The planner only ever answers with one of the candidates it was given (already filtered for
/// permission, health and circuit). A request waits at most about the batch window plus the solve
/// budget; a planning failure is answered by the fast path, never by an error. The solve itself is
/// an <see cref="IAssignmentSolver"/> (the CPU solver unless one is given): a solver that misses the
/// budget is cancelled and the batch gets the greedy plan; one that throws gets the greedy plan and
/// is counted as an error.
/// </remarks>
public sealed class QuantumRoutePlanner : IRoutePlanner, IAsyncDisposable
{
    private readonly QuantumPlanningSettings _settings;
    private readonly ResourceSettings _resources;
    private readonly PlannerOptions _options;
    private readonly TimeProvider _time;
    private readonly PlanningStrategy _strategy;
    private readonly PlannerMetrics _metrics;
    private readonly PlannerStatistics _statistics;
    private readonly AffinityMap _affinity;
    private readonly Channel<PendingRoute> _queue;
    private readonly WarmStartPool? _pool;
    private readonly IAssignmentSolver _solver;
    private readonly PlannerSettings _solveSettings;
    private readonly BatchProblemBuilder _builder = new();
    private readonly List<double> _groupStrengths = [];
    private readonly Task _loop;
    private int _pending;
    private int _active;
    private volatile bool _disposed;

    /// <summary>A planner whose batches <paramref name="solver"/> solves (null: the CPU solver with this planner's warm-start pool).</summary>
    /// <param name="settings">The deployment guide's <c>quantum_planning</c> block.</param>
    /// <param name="resources">The deployment guide's <c>resources</c> block: agents per solve and the warm-start pool size.</param>
    /// <param name="options">Batching window, solve budget and bookkeeping sizes.</param>
    /// <param name="metrics">Where the planner's metrics are registered.</param>
    /// <param name="time">The clock of batch windows, budgets and statistics.</param>
    /// <param name="solver">Solves the batches; null = the CPU solver.</param>
    /// <param name="offload">With no <paramref name="solver"/>: wraps the CPU solver in one that may send solves elsewhere (the GPU planner process) and falls back to it.</param>
    public QuantumRoutePlanner(QuantumPlanningSettings settings, ResourceSettings resources, PlannerOptions options, GatewayMetrics metrics, TimeProvider time, IAssignmentSolver? solver = null, Func<IAssignmentSolver, IAssignmentSolver>? offload = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _settings = settings;
        _resources = resources;
        _options = options;
        _time = time;
        _strategy = PlanningStrategies.Parse(settings.OptimizationStrategy);
        _metrics = new PlannerMetrics(metrics.Registry);
        _statistics = new PlannerStatistics(options.StatisticsWindow, options.ThroughputWindow, time.TimestampFrequency);
        _affinity = new AffinityMap(options.AffinityCapacity, (long)(options.AffinityLifetime.TotalSeconds * time.TimestampFrequency));
        _pool = resources.CoherencePoolSize > 0 ? new WarmStartPool(resources.CoherencePoolSize) : null;
        _solver = solver ?? (offload is null ? new AssignmentPlanner(_pool) : offload(new AssignmentPlanner(_pool)));
        _solveSettings = new PlannerSettings
        {
            Agents = resources.MaxSuperpositions,
            StepsPerRound = options.StepsPerRound,
            TimeBudget = options.SolveBudget,
            CoherenceThreshold = settings.CoherenceThreshold,
            MaxContinuations = settings.DecoherenceMitigation ? 1 : 0,
            FallBackWhenDecoherent = settings.StrictDecoherenceFallback,
            Parallelism = 1,
        };
        metrics.Registry.AddBeforeCollectCallback(RefreshThroughput);
        _queue = Channel.CreateUnbounded<PendingRoute>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        _loop = Task.Run(RunAsync);
    }

    public string Name => "quantum";

    /// <summary>The solver of this planner's batches (the GPU planner process's client when offloading): batch scheduling shares it.</summary>
    public IAssignmentSolver Solver => _solver;

    /// <summary>The warm-start pool (<c>coherence_pool_size</c>), null when it is 0: persisted as quantum state.</summary>
    internal WarmStartPool? WarmStarts => _pool;

    /// <summary>Agents per solve as the solver runs them (max_superpositions rounded up to the SIMD width).</summary>
    public int Agents => (_resources.MaxSuperpositions + System.Numerics.Vector<float>.Count - 1) / System.Numerics.Vector<float>.Count * System.Numerics.Vector<float>.Count;

    public ValueTask<Backend> ChooseAsync(RouteRequest request, IReadOnlyList<Backend> candidates, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("the planner needs at least one candidate backend", nameof(candidates));
        }

        ct.ThrowIfCancellationRequested();
        var arrived = _time.GetTimestamp();
        var pending = Interlocked.Increment(ref _pending);
        if (candidates.Count == 1 || (_options.FastPath && pending == 1) || _disposed)
        {
            try
            {
                return ValueTask.FromResult(AnswerAlone(request, candidates, arrived));
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }

        var route = new PendingRoute(request, candidates, arrived);
        if (ct.CanBeCanceled)
        {
            route.Cancellation = ct.Register(static state =>
            {
                var (r, token) = ((PendingRoute, CancellationToken))state!;
                r.Completion.TrySetCanceled(token);
            }, (route, ct));
        }

        if (!_queue.Writer.TryWrite(route))
        {
            // Disposed between the check and the write: answer here.
            route.Cancellation.Dispose();
            Interlocked.Decrement(ref _pending);
            return ValueTask.FromResult(AnswerAlone(request, candidates, arrived));
        }

        return new ValueTask<Backend>(route.Completion.Task);
    }

    /// <summary>A consistent snapshot of counters, rolling means and configuration.</summary>
    private static PlannerProcessReport? PlannerProcessReportOf(IAssignmentSolver solver)
    {
        if (solver is not RemoteAssignmentSolver remote)
        {
            return null;
        }

        var stats = remote.Stats;
        var device = stats.Device;
        return new PlannerProcessReport(remote.SocketPath, remote.MinVariables, remote.Connected, remote.BreakerOpen,
            device?.Kind, device?.Name, device?.MemoryBytes, device?.Kernels, stats.GpuSolves, stats.CpuSolves, stats.Fallbacks, stats.Bypassed,
            stats.LastFallbackReason, stats.MeanIpcMs, stats.LastSolveDevice, stats.LastSolveAt, stats.LastSolveMs);
    }

    public PlannerStatus Status()
    {
        var (coherence, gain, strength, efficiency, solves) = _statistics.Means();
        var percentiles = _statistics.PlanningPercentiles();
        return new PlannerStatus
        {
            PlannerProcess = PlannerProcessReportOf(_solver),
            Planner = Name,
            Strategy = PlanningStrategies.Name(_strategy),
            EffectiveStrategy = PlanningStrategies.EffectiveName(_statistics.ThroughputWeight),
            ThroughputWeight = _statistics.ThroughputWeight,
            QueuePressure = _statistics.QueuePressure,
            Superposition = _settings.EnableSuperposition,
            Entanglement = _settings.EnableEntanglement,
            Interference = _settings.EnableInterference,
            DecoherenceMitigation = _settings.DecoherenceMitigation,
            Agents = Agents,
            CoherenceThreshold = _settings.CoherenceThreshold,
            Tasks = _statistics.Tasks,
            FastPathTasks = _statistics.FastPathTasks,
            Batches = _statistics.Batches,
            LargestBatch = _statistics.LargestBatch,
            Solves = _statistics.Solves,
            BifurcationWins = _statistics.BifurcationWins,
            Ties = _statistics.Ties,
            GreedyWins = _statistics.GreedyWins,
            BudgetFallbacks = _statistics.BudgetFallbacks,
            DecoherentSolves = _statistics.DecoherentSolves,
            Continuations = _statistics.Continuations,
            Errors = _statistics.Errors,
            RecentSolves = solves,
            MeanCoherence = coherence,
            MeanGain = gain,
            MeanEntanglementStrength = strength,
            OptimizationEfficiency = efficiency,
            LastEntangledPairs = _statistics.LastEntangledPairs,
            PlanningP50Ms = percentiles[0],
            PlanningP95Ms = percentiles[1],
            PlanningP99Ms = percentiles[2],
            TasksPerSecond = _statistics.TasksPerSecond(_time.GetTimestamp()),
            ActiveTasks = Volatile.Read(ref _active),
            PendingTasks = Volatile.Read(ref _pending),
            WarmStartPlans = _pool?.Count ?? 0,
            WarmStartCapacity = _resources.CoherencePoolSize,
            BatchWindowMicroseconds = _options.BatchWindow.TotalMicroseconds,
            MaxBatch = _options.MaxBatch,
            SolveBudgetMs = _options.SolveBudget.TotalMilliseconds,
        };
    }

    /// <summary>Stops taking batches; what is queued is still planned.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private static double Milliseconds(long ticks, long frequency) => ticks * 1000.0 / frequency;

    private void RefreshThroughput() => _metrics.ThroughputTasksPerSecond.Set(_statistics.TasksPerSecond(_time.GetTimestamp()));

    /// <summary>The fast path on the caller's thread, with its bookkeeping.</summary>
    private Backend AnswerAlone(RouteRequest request, IReadOnlyList<Backend> candidates, long arrived)
    {
        Interlocked.Increment(ref _active);
        _metrics.SuperpositionTasksActive.Inc();
        try
        {
            var chosen = ChooseAlone(request, candidates);
            Record(request, chosen, arrived, alone: true);
            return chosen;
        }
        finally
        {
            _metrics.SuperpositionTasksActive.Dec();
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>The cheapest candidate on the cost model: what greedy picks for a batch of one.</summary>
    private Backend ChooseAlone(RouteRequest request, IReadOnlyList<Backend> candidates)
    {
        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        var capacity = 0.0;
        var inFlight = 0.0;
        foreach (var b in candidates)
        {
            capacity += b.Settings.MaxConcurrency;
            inFlight += b.InFlight;
        }

        var pressure = (inFlight + Volatile.Read(ref _pending)) / capacity;
        var context = new PlanningContext(_settings, _resources.MaxEntanglements, PlanningStrategies.ThroughputWeight(_strategy, pressure), _affinity, _time.GetTimestamp());
        _statistics.RecordMix(context.ThroughputWeight, pressure);
        return Cheapest(request, candidates, context, capacity / candidates.Count);
    }

    /// <summary>Affinity, planning time and throughput bookkeeping of one answered request.</summary>
    private void Record(RouteRequest request, Backend backend, long arrived, bool alone)
    {
        var now = _time.GetTimestamp();
        Remember(request, backend, now);
        var ms = Milliseconds(now - arrived, _time.TimestampFrequency);
        _statistics.RecordTask(ms, alone, now);
        _metrics.TaskPlanningTime.Observe(ms / 1000);
    }

    private static Backend Cheapest(RouteRequest request, IReadOnlyList<Backend> candidates, in PlanningContext context, double meanCapacity)
    {
        var priority = DepartmentPriority.Of(request.Department);
        var (prefixHolder, sessionHolder) = context.CacheHolders(request);
        Backend? best = null;
        var bestCost = double.PositiveInfinity;
        foreach (var backend in candidates)
        {
            var cached = backend.Id == prefixHolder || backend.Id == sessionHolder;
            var estimate = RouteCostModel.Estimate(request, backend, cached);
            var cost = RouteCostModel.Cost(estimate, priority, context.ThroughputWeight, meanCapacity / backend.Settings.MaxConcurrency);
            if (cost < bestCost)
            {
                best = backend;
                bestCost = cost;
            }
        }

        return best ?? candidates[0];
    }

    /// <summary>Marks the chosen backend as holding the request's prefix and session.</summary>
    private void Remember(RouteRequest request, Backend backend, long now)
    {
        _affinity.Record(AffinityMap.PrefixKey(request.PrefixFingerprint), backend.Id, now);
        _affinity.Record(AffinityMap.SessionKey(request.SessionId), backend.Id, now);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingRoute>(_options.MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            if (!reader.TryRead(out var first))
            {
                continue;
            }

            batch.Add(first);
            try
            {
                await FillAsync(reader, batch, first.Enqueued).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The loop must outlive anything that goes wrong while filling; plan what was read.
                _statistics.RecordError();
            }

            // Single-reader channels cannot count; what is pending and not in this batch is still queued.
            try
            {
                await PlanBatchAsync(batch, Math.Max(0, Volatile.Read(ref _pending) - batch.Count)).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The loop outlives anything PlanBatchAsync could not handle; every request of the batch gets an answer.
                _statistics.RecordError();
                foreach (var route in batch)
                {
                    route.Completion.TrySetResult(route.Candidates[0]);
                }
            }
        }
    }

    /// <summary>Adds what arrives until the window of the batch's first request closes or the batch is full.</summary>
    private async ValueTask FillAsync(ChannelReader<PendingRoute> reader, List<PendingRoute> batch, long opened)
    {
        var spinner = default(SpinWait);
        while (batch.Count < _options.MaxBatch)
        {
            if (reader.TryRead(out var next))
            {
                batch.Add(next);
                continue;
            }

            var remaining = _options.BatchWindow - _time.GetElapsedTime(opened);
            if (remaining <= TimeSpan.Zero || reader.Completion.IsCompleted)
            {
                return;
            }

            if (remaining > TimeSpan.FromMilliseconds(2))
            {
                // Long windows (tests, batch jobs) wait on a timer; short ones spin without sleeping.
                using var timeout = new CancellationTokenSource(remaining, _time);
                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    return;
                }
            }
            else
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    private async ValueTask PlanBatchAsync(List<PendingRoute> batch, int stillQueued)
    {
        var size = batch.Count;
        Interlocked.Add(ref _active, size);
        _metrics.SuperpositionTasksActive.Inc(size);
        try
        {
            // Requests cancelled while queued are dropped before planning.
            foreach (var route in batch)
            {
                if (route.Completion.Task.IsCompleted)
                {
                    route.Cancellation.Dispose();
                }
            }

            batch.RemoveAll(static r => r.Completion.Task.IsCompleted);
            if (batch.Count == 1)
            {
                var lone = batch[0];
                Complete(lone, ChooseAlone(lone.Request, lone.Candidates), alone: true);
            }
            else if (batch.Count > 1)
            {
                await PlanTogetherAsync(batch, stillQueued).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Planning must never fail a request: whatever was not answered gets the fast path.
            _statistics.RecordError();
            foreach (var route in batch)
            {
                if (route.Completion.Task.IsCompleted)
                {
                    continue;
                }

                try
                {
                    Complete(route, ChooseAlone(route.Request, route.Candidates), alone: true);
                }
                catch (Exception)
                {
                    // Even the fast path failed: any candidate is still a permitted, healthy answer, and no request may hang.
                    route.Completion.TrySetResult(route.Candidates[0]);
                }
            }
        }
        finally
        {
            foreach (var route in batch)
            {
                route.Cancellation.Dispose();
            }

            _metrics.SuperpositionTasksActive.Dec(size);
            Interlocked.Add(ref _active, -size);
            Interlocked.Add(ref _pending, -size);
        }
    }

    private async ValueTask PlanTogetherAsync(List<PendingRoute> batch, int stillQueued)
    {
        var now = _time.GetTimestamp();
        var pressure = _builder.Pressure(batch, stillQueued);
        var theta = PlanningStrategies.ThroughputWeight(_strategy, pressure);
        _statistics.RecordMix(theta, pressure);
        var context = new PlanningContext(_settings, _resources.MaxEntanglements, theta, _affinity, now);
        var problem = _builder.Build(batch, context);
        _statistics.RecordBatch(batch.Count, _builder.Couplings.Count);
        var greedy = GreedyAssigner.Assign(problem);
        IReadOnlyList<int> chosen = greedy;
        if (_settings.EnableSuperposition && await SolveWithinBudgetAsync(problem, now).ConfigureAwait(false) is { } plan)
        {
            var overran = plan.ElapsedMs > _options.SolveBudget.TotalMilliseconds;
            chosen = overran ? greedy : plan.BackendOfTask;
            var greedyObjective = plan.GreedyObjective;
            var returned = overran ? greedyObjective : plan.Objective;
            var gain = greedyObjective == 0 ? 0 : (greedyObjective - returned) / Math.Abs(greedyObjective);
            _statistics.RecordSolve(plan, overran, gain);
        }

        if (!double.IsNaN(_builder.EntanglementStrength(chosen, _groupStrengths)))
        {
            _statistics.RecordGroups(_groupStrengths);
        }

        for (var t = 0; t < batch.Count; t++)
        {
            Complete(batch[t], _builder.Backends[chosen[t]], alone: false);
        }

        PublishMeans();
    }

    /// <summary>
    /// The solver's plan, or null when there is none to use: the solver missed the budget (it is
    /// cancelled, and counted as a budget fallback) or threw (counted as an error). Either way the
    /// caller answers with the greedy plan. A synchronous solver costs no timer.
    /// </summary>
    private async ValueTask<AssignmentPlan?> SolveWithinBudgetAsync(AssignmentProblem problem, long started)
    {
        using var abandon = new CancellationTokenSource();
        try
        {
            var solving = _solver.SolveAsync(problem, _solveSettings, abandon.Token);
            if (solving.IsCompleted)
            {
                return solving.Result;
            }

            var remaining = _options.SolveBudget - _time.GetElapsedTime(started);
            return await solving.AsTask().WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await abandon.CancelAsync().ConfigureAwait(false);
            _statistics.RecordMissedSolve();
            return null;
        }
        catch (Exception)
        {
            // Whatever the solver did (a crash, a protocol error, a cancellation it made up), the batch is still answered.
            await abandon.CancelAsync().ConfigureAwait(false);
            _statistics.RecordError();
            return null;
        }
    }

    private void Complete(PendingRoute route, Backend backend, bool alone)
    {
        if (route.Completion.TrySetResult(backend))
        {
            Record(route.Request, backend, route.Enqueued, alone);
        }
    }

    private void PublishMeans()
    {
        var (coherence, gain, strength, efficiency, _) = _statistics.Means();
        if (!double.IsNaN(coherence))
        {
            _metrics.CoherenceUtilization.Set(coherence);
            _metrics.InterferenceOptimizationGain.Set(gain);
            _metrics.OptimizationEfficiency.Set(efficiency);
        }

        if (!double.IsNaN(strength))
        {
            _metrics.EntanglementStrengthAvg.Set(strength);
        }

        RefreshThroughput();
    }
}
