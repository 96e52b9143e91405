namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// The deployment guide's <c>performance</c> block, validated so that a typo is caught early. The node does not
/// scale itself and no Kubernetes HPA manifest is generated from it yet: the README says so.
/// </summary>
public sealed record PerformanceSettings
{
    public bool EnableAutoScaling { get; init; } = true;
    public IReadOnlyList<ScalingPolicy> ScalingPolicies { get; init; } = [];

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
            ScalingPolicies = policies,
        };
        s.RejectUnknownKeys();
        return result;
    }
}

/// <summary>One autoscaling rule from <c>performance.scaling_policies</c>.</summary>
public sealed record ScalingPolicy(string Trigger, double ScaleUpThreshold, double ScaleDownThreshold, int MinInstances, int MaxInstances);
