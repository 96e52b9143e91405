using Prometheus;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// <c>quantumedge_batch_lines{state=queued|running|done|failed}</c> (lines of the batches this node
/// holds: queued and running of unfinished batches, done and failed of all) and
/// <c>quantumedge_batches{status}</c>, refreshed whenever a batch or line changes state.
/// </summary>
internal sealed class BatchMetrics
{
    private static readonly string[] Statuses =
    [
        BatchStatuses.Validating, BatchStatuses.Failed, BatchStatuses.InProgress, BatchStatuses.Finalizing,
        BatchStatuses.Completed, BatchStatuses.Expired, BatchStatuses.Cancelling, BatchStatuses.Cancelled,
    ];

    private readonly Gauge _lines;
    private readonly Gauge _batches;

    public BatchMetrics(CollectorRegistry registry)
    {
        var f = NodeMetricFactory.For(registry);
        _lines = f.CreateGauge("quantumedge_batch_lines", "Batch lines by state: queued and running (unfinished batches), done and failed.", "state");
        _batches = f.CreateGauge("quantumedge_batches", "Batches this node holds, by status.", "status");
        Update([]);
    }

    public void Update(IEnumerable<BatchRun> runs)
    {
        long queued = 0, running = 0, done = 0, failed = 0;
        var byStatus = Statuses.ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
        foreach (var run in runs)
        {
            lock (run)
            {
                var counts = run.View().RequestCounts;
                done += counts.Completed;
                failed += counts.Failed;
                if (!run.Terminal)
                {
                    running += run.Running.Count;
                    queued += counts.Total - counts.Completed - counts.Failed - run.Running.Count;
                }

                byStatus[run.Status] = byStatus.GetValueOrDefault(run.Status) + 1;
            }
        }

        _lines.WithLabels("queued").Set(queued);
        _lines.WithLabels("running").Set(running);
        _lines.WithLabels("done").Set(done);
        _lines.WithLabels("failed").Set(failed);
        foreach (var (status, count) in byStatus)
        {
            _batches.WithLabels(status).Set(count);
        }
    }
}
