using Prometheus;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Batch.Scheduling;

/// <summary>
/// <c>quantumedge_batch_spare_capacity_utilization</c>: batch lines in flight / spare slots (what
/// interactive traffic and its reserve leave), 0 when there are none;
/// <c>quantumedge_batch_spare_slots</c> and <c>quantumedge_batch_headroom_slots</c>: those spare
/// slots, and the part still open to new lines; <c>quantumedge_batch_scheduled_in_flight</c>: lines
/// dispatched and not completed; <c>quantumedge_batch_dispatches_total</c>;
/// <c>quantumedge_batch_yields_total</c>: scheduling calls that had lines waiting and no headroom
/// (batch yielding to interactive load); <c>quantumedge_batch_unmeetable_total</c>: lines reported
/// past their deadline; <c>quantumedge_batch_solve_seconds</c> and
/// <c>quantumedge_batch_solve_lines</c>: placement solves' time and size.
/// </summary>
internal sealed class BatchSchedulerMetrics
{
    public BatchSchedulerMetrics(CollectorRegistry registry)
    {
        var factory = NodeMetricFactory.For(registry);
        Utilization = factory.CreateGauge("quantumedge_batch_spare_capacity_utilization", "Batch lines in flight over the spare slots interactive traffic and its reserve leave (0 when there are none).");
        SpareSlots = factory.CreateGauge("quantumedge_batch_spare_slots", "Backend slots left by interactive traffic and its reserve.");
        HeadroomSlots = factory.CreateGauge("quantumedge_batch_headroom_slots", "Spare slots still open to new batch lines.");
        InFlight = factory.CreateGauge("quantumedge_batch_scheduled_in_flight", "Batch lines dispatched by the scheduler and not completed.");
        Dispatches = factory.CreateCounter("quantumedge_batch_dispatches_total", "Batch lines dispatched to a backend.");
        Yields = factory.CreateCounter("quantumedge_batch_yields_total", "Scheduling calls with lines waiting and no headroom: batch yielding to interactive load.");
        Unmeetable = factory.CreateCounter("quantumedge_batch_unmeetable_total", "Batch lines reported as unable to meet their deadline.");
        SolveSeconds = factory.CreateHistogram("quantumedge_batch_solve_seconds", "Time of one batch placement solve.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16) });
        SolveLines = factory.CreateHistogram("quantumedge_batch_solve_lines", "Lines placed jointly by one batch placement solve.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 12) });
    }

    public Gauge Utilization { get; }

    public Gauge SpareSlots { get; }

    public Gauge HeadroomSlots { get; }

    public Gauge InFlight { get; }

    public Counter Dispatches { get; }

    public Counter Yields { get; }

    public Counter Unmeetable { get; }

    public Histogram SolveSeconds { get; }

    public Histogram SolveLines { get; }
}
