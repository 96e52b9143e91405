using System.Globalization;
using System.Text.RegularExpressions;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Hosting.Scaling;

/// <summary><c>performance.scaling_policies</c> become exported signals; <c>enable_auto_scaling: false</c> exports none.</summary>
public sealed partial class ScalingSignalsTests
{
    [Fact]
    public async Task Each_policy_exports_its_trigger_value_and_recommendation()
    {
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("gpu", TestNode.AllLevels)],
            configure: c => c with
            {
                Performance = new PerformanceSettings
                {
                    ScalingPolicies = [new("cpu_utilization", 0.8, 0.3, 3, 20), new("memory_utilization", 0.0001, 0.00001, 1, 4), new("quantum_coherence_loss", 0.7, 0.9, 2, 10)],
                },
            });
        using var http = new HttpClient();
        var text = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");

        // Any working set is above 0.01% of the default 8Gi limit: the memory policy must say "up".
        Assert.Equal(1, Value(text, "quantumedge_scaling_recommendation", "1", "memory_utilization"));
        Assert.InRange(Value(text, "quantumedge_scaling_trigger_value", "1", "memory_utilization"), 0.0001, 1);
        // Nothing solved yet: the coherence trigger has no value and holds.
        Assert.True(double.IsNaN(Value(text, "quantumedge_scaling_trigger_value", "2", "quantum_coherence_loss")));
        Assert.Equal(0, Value(text, "quantumedge_scaling_recommendation", "2", "quantum_coherence_loss"));
        Assert.InRange(Value(text, "quantumedge_scaling_recommendation", "0", "cpu_utilization"), -1, 1);
    }

    [Fact]
    public async Task Auto_scaling_off_exports_no_signal()
    {
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("gpu", TestNode.AllLevels)],
            configure: c => c with { Performance = new PerformanceSettings { EnableAutoScaling = false } });
        using var http = new HttpClient();
        var text = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        Assert.DoesNotContain("quantumedge_scaling_recommendation{", text, StringComparison.Ordinal);
    }

    private static double Value(string metrics, string name, string policy, string trigger)
    {
        var m = Regex.Match(metrics, $"^{name}\\{{policy=\"{policy}\",trigger=\"{trigger}\"\\}} (\\S+)$", RegexOptions.Multiline);
        Assert.True(m.Success, $"{name} for policy {policy} ({trigger}) is not exported");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
