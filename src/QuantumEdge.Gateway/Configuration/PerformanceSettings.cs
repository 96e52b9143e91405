namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// The deployment guide's <c>performance</c> block. One appliance cannot add instances of itself, so each
/// scaling policy becomes a signal the node exports (<c>quantumedge_scaling_recommendation{trigger}</c>:
/// +1 scale up, −1 scale down, 0 hold, from the trigger's live value and the policy's thresholds) for the
/// shipped alert rule, an operator or an orchestrator to act on; <c>enable_auto_scaling: false</c> exports none.
/// </summary>
public sealed record PerformanceSettings
{
    /// <summary>The guide's two policies, used when <c>scaling_policies</c> is absent.</summary>
    public static readonly IReadOnlyList<ScalingPolicy> GuidePolicies =
    [
        new("cpu_utilization", 0.8, 0.3, 3, 20),
        new("quantum_coherence_loss", 0.7, 0.9, 2, 10),
    ];

    public bool EnableAutoScaling { get; init; } = true;
    public IReadOnlyList<ScalingPolicy> ScalingPolicies { get; init; } = GuidePolicies;

    internal static PerformanceSettings Read(YamlSection s)
    {
        var policies = new List<ScalingPolicy>();
        foreach (var p in s.SectionList("scaling_policies"))
        {
            var policy = new ScalingPolicy(
                p.Choice("trigger", "cpu_utilization", "cpu_utilization", "memory_utilization", "quantum_coherence_loss"),
                p.Double("scale_up_threshold", 0.8, 0, 1),
                p.Double("scale_down_threshold", 0.3, 0, 1),
                p.Int("min_instances", 1, 0, 10_000),
                p.Int("max_instances", 1, 1, 10_000));
            p.RejectUnknownKeys();
            if (policy.MinInstances > policy.MaxInstances)
            {
                throw new ConfigurationException(p.KeyPath("min_instances"), "must not exceed max_instances");
            }

            policies.Add(policy);
        }

        var result = new PerformanceSettings
        {
            EnableAutoScaling = s.Bool("enable_auto_scaling", true),
            ScalingPolicies = s.Raw("scaling_policies") is null ? GuidePolicies : policies,
        };
        s.RejectUnknownKeys();
        return result;
    }
}

/// <summary>One autoscaling rule from <c>performance.scaling_policies</c>.</summary>
public sealed record ScalingPolicy(string Trigger, double ScaleUpThreshold, double ScaleDownThreshold, int MinInstances, int MaxInstances);
