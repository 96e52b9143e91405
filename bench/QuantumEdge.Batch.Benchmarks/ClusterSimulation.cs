using System.Diagnostics;
using Prometheus;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Batch.Scheduling;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Batch.Benchmarks;

/// <summary>How batch lines are placed in one run.</summary>
internal enum BatchMode
{
    /// <summary>No batch: the interactive baseline.</summary>
    None,

    /// <summary>The real <see cref="BatchScheduler"/>: joint placement, shared prefixes co-located.</summary>
    Joint,

    /// <summary>File order, each line to the backend with most headroom.</summary>
    FirstComeFirstServed,
}

/// <summary>What one run measured.</summary>
internal sealed record SimResult(
    BatchMode Mode,
    double Reserve,
    List<(double ArrivalMs, double FirstTokenMs)> Interactive,
    double MakespanMs,
    long PrefixHits,
    long PrefixMisses,
    int SchedulingCalls,
    int Solves,
    double SchedulingWallMs,
    int QueuedBatchStarts);

/// <summary>
/// Discrete-event simulation in virtual time: the interactive stream routed least-loaded, batch
/// lines dispatched every executor tick by the scheduler or the
/// FCFS baseline, backends as <see cref="SimulatedNode"/>s. Deterministic for a seed; the only
/// wall-clock work is the scheduler's own solves.
/// </summary>
internal sealed class ClusterSimulation
{
    private static readonly DateTimeOffset Epoch = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    private readonly Workload _workload;
    private readonly int _backends;
    private readonly int _concurrency;
    private readonly int _kvCacheTokens;
    private readonly double _tickMs;

    public ClusterSimulation(Workload workload, int backends, int concurrency, int kvCacheTokens, double tickMs)
    {
        _workload = workload;
        _backends = backends;
        _concurrency = concurrency;
        _kvCacheTokens = kvCacheTokens;
        _tickMs = tickMs;
    }

    public SimResult Run(BatchMode mode, double reserve, double horizonMs)
    {
        var backends = Enumerable.Range(0, _backends).Select(i => new Backend(new BackendSettings
        {
            Id = $"sim{i}",
            Url = new Uri($"http://127.0.0.1:9/sim{i}/v1/"),
            Models = ["clinical-7b"],
            MaxConcurrency = _concurrency,
            AllowedClassifications = [DataClassification.Public, DataClassification.Internal, DataClassification.Confidential, DataClassification.Restricted],
        }, TimeSpan.FromSeconds(10))).ToArray();
        try
        {
            return Simulate(mode, reserve, horizonMs, backends);
        }
        finally
        {
            foreach (var b in backends)
            {
                b.Dispose();
            }
        }
    }

    private SimResult Simulate(BatchMode mode, double reserve, double horizonMs, Backend[] backends)
    {
        var nodes = backends.Select(b => new SimulatedNode(b, SimulationProfile.Vllm, _kvCacheTokens)).ToArray();
        var byId = nodes.ToDictionary(n => n.Backend.Id, StringComparer.Ordinal);
        var options = new BatchSchedulerOptions { InteractiveReserve = reserve };
        var scheduler = new BatchScheduler(() => backends, new AssignmentPlanner(), options, Metrics.NewCustomRegistry());
        var fcfs = new FcfsPlacement(backends, options);
        var fileOrder = new Queue<SimJob>(mode == BatchMode.None ? [] : _workload.Batch);
        var pending = new Dictionary<string, (SimJob Job, BatchLineDemand Demand)>(StringComparer.Ordinal);
        if (mode == BatchMode.Joint)
        {
            foreach (var job in _workload.Batch)
            {
                pending[job.LineId!] = (job, new BatchLineDemand(job.LineId!, "clinical-7b", job.PrefixKey, job.PromptTokens + job.OutputTokens, Epoch.AddHours(24)));
            }
        }

        var events = new PriorityQueue<(int Kind, SimJob Job, SimulatedNode? Node), (double At, long Seq)>();
        long seq = 0;
        const int Arrival = 0, Finish = 1, Tick = 2;
        foreach (var job in _workload.Interactive)
        {
            if (job.ArrivalMs <= horizonMs)
            {
                events.Enqueue((Arrival, job, null), (job.ArrivalMs, seq++));
            }
        }

        var batchLeft = mode == BatchMode.None ? 0 : _workload.Batch.Count;
        if (batchLeft > 0)
        {
            events.Enqueue((Tick, null!, null), (0, seq++));
        }

        var interactive = new List<(double, double)>();
        var makespan = 0.0;
        int calls = 0, solves = 0, queuedBatch = 0;
        var wall = Stopwatch.StartNew();
        wall.Stop();

        void Start(SimulatedNode node, SimJob job, double now)
        {
            if (node.TryStart(job) is not { } timing)
            {
                node.Waiting.Enqueue(job);
                return;
            }

            if (!job.IsBatch)
            {
                interactive.Add((job.ArrivalMs, now - job.ArrivalMs + timing.FirstTokenMs));
            }

            events.Enqueue((Finish, job, node), (now + timing.ServiceMs, seq++));
        }

        void Schedule(double now)
        {
            calls++;
            wall.Start();
            List<BatchDispatch> dispatches;
            if (mode == BatchMode.Joint)
            {
                var demands = pending.Values.Select(p => p.Demand).ToList();
                dispatches = [.. scheduler.NextDispatches(demands, Epoch.AddMilliseconds(now))];
                foreach (var d in dispatches)
                {
                    pending.Remove(d.LineId, out var line);
                    Start(byId[d.BackendId], line.Job, now);
                }
            }
            else
            {
                var lines = fileOrder.ToDictionary(j => j.LineId!, StringComparer.Ordinal);
                dispatches = fcfs.Next(fileOrder, Epoch.AddMilliseconds(now));
                foreach (var d in dispatches)
                {
                    Start(byId[d.BackendId], lines[d.LineId], now);
                }
            }

            wall.Stop();
            solves += dispatches.Count > 0 ? 1 : 0;
            foreach (var d in dispatches)
            {
                queuedBatch += byId[d.BackendId].Waiting.Any(j => j.LineId == d.LineId) ? 1 : 0;
            }
        }

        while (events.TryDequeue(out var e, out var at))
        {
            var now = at.At;
            switch (e.Kind)
            {
                case Arrival:
                    if (batchLeft == 0 && mode != BatchMode.None)
                    {
                        continue;
                    }

                    var least = nodes[0];
                    foreach (var n in nodes)
                    {
                        least = n.Load < least.Load ? n : least;
                    }

                    Start(least, e.Job, now);
                    break;
                case Finish:
                    e.Node!.Finish();
                    if (e.Job.IsBatch)
                    {
                        scheduler.Completed(e.Job.LineId!);
                        fcfs.Completed(e.Job.LineId!);
                        batchLeft--;
                        makespan = now;
                    }

                    if (e.Node.Waiting.TryDequeue(out var next))
                    {
                        Start(e.Node, next, now);
                    }

                    break;
                case Tick:
                    Schedule(now);
                    if (batchLeft > 0)
                    {
                        events.Enqueue((Tick, null!, null), (now + _tickMs, seq++));
                    }

                    break;
            }
        }

        var hits = nodes.Sum(n => n.PrefixHits);
        var misses = nodes.Sum(n => n.PrefixMisses);
        return new SimResult(mode, reserve, interactive, makespan, hits, misses, calls, solves, wall.Elapsed.TotalMilliseconds, queuedBatch);
    }
}
