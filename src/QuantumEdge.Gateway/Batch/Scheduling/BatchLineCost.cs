using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Planning;

namespace QuantumEdge.Gateway.Batch.Scheduling;

/// <summary>
/// The placement cost of one batch line on one backend, in milliseconds of the backend's time:
/// TTFT₀ · (0.2 + 0.8 · tokens / 512) · (1 − 0.6 when the backend holds the line's prefix) · (1 + ℓ),
/// with TTFT₀ the backend's observed time to response headers (50 ms before its first answer) and ℓ
/// its load fraction. The constants are <see cref="RouteCostModel"/>'s, so batch and interactive
/// planning read a backend's speed and a cache hit the same way.
/// </summary>
internal static class BatchLineCost
{
    public static double Of(int estimatedTokens, Backend backend, bool prefixCached)
    {
        var observed = backend.LatencyEwmaMs;
        var baseline = observed > 0 ? observed : RouteCostModel.DefaultFirstTokenMs;
        var size = Math.Max(0, estimatedTokens) / RouteCostModel.ReferencePromptTokens;
        var firstToken = baseline * (RouteCostModel.FixedFirstTokenShare + ((1 - RouteCostModel.FixedFirstTokenShare) * size));
        var load = backend.LoadFraction;
        return firstToken * (prefixCached ? 1 - RouteCostModel.CacheDiscount : 1) * (1 + (double.IsFinite(load) ? Math.Clamp(load, 0, 4) : 4));
    }
}
