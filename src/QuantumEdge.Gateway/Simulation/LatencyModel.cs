namespace QuantumEdge.Gateway.Simulation;

/// <summary>
/// Time to first token and per-token decode time of the simulated server. Prefill grows with
/// prompt length and with how busy the server is; a cached prefix removes most of it; decode
/// slows as more requests share the GPU.
/// </summary>
internal sealed class LatencyModel(SimulationProfile profile, int capacity)
{
    public TimeSpan TimeToFirstToken(int promptTokens, int running, bool prefixHit)
    {
        var prefill = promptTokens * profile.PrefillMsPerToken * (prefixHit ? 1 - profile.PrefixCacheSaving : 1);
        var busy = 1 + ((double)Math.Max(0, running - 1) / capacity);
        return TimeSpan.FromMilliseconds((profile.BaseTtftMs + prefill) * busy);
    }

    public TimeSpan PerToken(int running)
    {
        var share = (double)Math.Max(0, running - 1) / Math.Max(1, capacity - 1);
        return TimeSpan.FromMilliseconds(profile.DecodeMsPerToken * (1 + (profile.DecodeSlowdownAtCapacity * share)));
    }
}
