using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Hosting.Scaling;

/// <summary>
/// What one <c>performance.scaling_policies</c> entry says about a trigger's current value: +1 scale up,
/// −1 scale down, 0 hold. A policy whose scale-up threshold lies above its scale-down threshold reads a
/// load (higher is busier: the guide's CPU 0.8 / 0.3); one whose scale-up threshold lies below reads a
/// quality (lower is worse: the guide's coherence policy, 0.7 / 0.9 — scale up when the planner's
/// coherence falls under 0.7, down when it holds above 0.9).
/// </summary>
internal static class ScalingRule
{
    public static int Recommend(ScalingPolicy policy, double? value)
    {
        if (value is not { } v || double.IsNaN(v))
        {
            return 0;
        }

        if (policy.ScaleUpThreshold >= policy.ScaleDownThreshold)
        {
            return v >= policy.ScaleUpThreshold ? 1 : v <= policy.ScaleDownThreshold ? -1 : 0;
        }

        return v <= policy.ScaleUpThreshold ? 1 : v >= policy.ScaleDownThreshold ? -1 : 0;
    }
}
