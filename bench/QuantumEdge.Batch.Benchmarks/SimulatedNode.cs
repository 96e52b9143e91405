using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Batch.Benchmarks;

/// <summary>
/// One backend in virtual time: the gateway's <see cref="Backend"/> (its slots are what the batch
/// scheduler reads), the simulated server's latency model, a token-bounded KV prefix cache, and the
/// gateway's wait for a free slot as a FIFO queue.
/// </summary>
internal sealed class SimulatedNode(Backend backend, SimulationProfile profile, int kvCacheTokens)
{
    private readonly LatencyModel _latency = new(profile, backend.Settings.MaxConcurrency);
    private readonly KvPrefixCache _cache = new(kvCacheTokens);

    public Backend Backend => backend;

    public Queue<SimJob> Waiting { get; } = new();

    public long PrefixHits { get; private set; }

    public long PrefixMisses { get; private set; }

    /// <summary>(in-flight + queued) / capacity: what least-loaded interactive routing compares.</summary>
    public double Load => (double)(backend.InFlight + Waiting.Count) / backend.Settings.MaxConcurrency;

    /// <summary>Takes a slot if one is free; returns the time to first token and the total service time, in ms.</summary>
    public (double FirstTokenMs, double ServiceMs)? TryStart(SimJob job)
    {
        if (!backend.TryAcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask().GetAwaiter().GetResult())
        {
            return null;
        }

        var running = backend.InFlight;
        var hit = job.PrefixKey != 0 && _cache.Touch(job.PrefixKey, job.PrefixTokens);
        if (job.PrefixKey != 0)
        {
            if (hit)
            {
                PrefixHits++;
            }
            else
            {
                PrefixMisses++;
            }
        }

        // The latency model's prefix saving applies to the whole prompt; scale it to the shared part.
        var full = _latency.TimeToFirstToken(job.PromptTokens, running, prefixHit: false).TotalMilliseconds;
        var cached = _latency.TimeToFirstToken(job.PromptTokens, running, prefixHit: true).TotalMilliseconds;
        var share = job.PromptTokens > 0 ? (double)job.PrefixTokens / job.PromptTokens : 0;
        var firstToken = hit ? full - ((full - cached) * share) : full;
        var decode = job.OutputTokens * _latency.PerToken(running).TotalMilliseconds;
        return (firstToken, firstToken + decode);
    }

    public void Finish() => backend.Release();
}
