using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Hosting.Scaling;

namespace QuantumEdge.Node.Tests.Hosting.Scaling;

/// <summary>A scaling policy's recommendation for a trigger value: load policies and quality policies.</summary>
public sealed class ScalingRuleTests
{
    private static readonly ScalingPolicy Cpu = new("cpu_utilization", 0.8, 0.3, 3, 20);
    private static readonly ScalingPolicy Coherence = new("quantum_coherence_loss", 0.7, 0.9, 2, 10);

    [Theory]
    [InlineData(0.95, 1)]
    [InlineData(0.8, 1)]
    [InlineData(0.5, 0)]
    [InlineData(0.3, -1)]
    [InlineData(0.05, -1)]
    public void A_load_policy_scales_up_above_its_upper_threshold_and_down_below_its_lower(double value, int expected) =>
        Assert.Equal(expected, ScalingRule.Recommend(Cpu, value));

    [Theory]
    [InlineData(0.4, 1)]
    [InlineData(0.7, 1)]
    [InlineData(0.8, 0)]
    [InlineData(0.95, -1)]
    public void A_quality_policy_scales_up_when_the_value_falls_under_its_scale_up_threshold(double value, int expected) =>
        Assert.Equal(expected, ScalingRule.Recommend(Coherence, value));

    [Fact]
    public void No_value_holds()
    {
        Assert.Equal(0, ScalingRule.Recommend(Cpu, null));
        Assert.Equal(0, ScalingRule.Recommend(Coherence, double.NaN));
    }
}
