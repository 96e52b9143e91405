using System.Diagnostics;
using System.Text;
using Prometheus;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Tests.Telemetry;

public sealed class NodeMetricFactoryTests
{
    [Fact]
    public async Task Series_made_by_the_node_factory_record_no_exemplars_inside_a_trace()
    {
        var registry = new CollectorRegistry();
        var factory = NodeMetricFactory.For(registry);
        var counter = factory.CreateCounter("node_counter_total", "c", "route");
        var histogram = factory.CreateHistogram("node_duration_seconds", "h");

        // The same observations through prometheus-net's default factory: the control that shows this
        // trace does produce exemplars where they are not turned off.
        var control = Metrics.WithCustomRegistry(registry).CreateCounter("control_counter_total", "c");

        using (var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            counter.WithLabels("chat").Inc();
            histogram.Observe(0.002);
            control.Inc();
        }

        var text = await ExportOpenMetricsAsync(registry);
        var exemplarLines = text.Split('\n').Where(l => l.Contains("trace_id", StringComparison.Ordinal)).ToList();
        Assert.Single(exemplarLines);
        Assert.StartsWith("control_counter_total", exemplarLines[0], StringComparison.Ordinal);
        Assert.Contains("node_counter_total{route=\"chat\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("node_duration_seconds_count 1", text, StringComparison.Ordinal);
    }

    private static async Task<string> ExportOpenMetricsAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, ExpositionFormat.OpenMetricsText);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
