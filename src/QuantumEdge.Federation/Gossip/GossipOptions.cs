namespace QuantumEdge.Federation.Gossip;

/// <summary>Anti-entropy settings.</summary>
public sealed record GossipOptions
{
    /// <summary>Mean time between rounds (<c>federation.gossip_interval_seconds</c>).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Each interval (and each backoff) varies by ±this fraction, so nodes do not fall into lock-step.</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>Peers contacted per round, chosen at random among those not backing off.</summary>
    public int FanOut { get; init; } = 3;

    /// <summary>Bound on one whole exchange with one peer (digest, pulls, pushes).</summary>
    public TimeSpan ExchangeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Pull pages per origin per exchange (a page holds up to 32 envelopes).</summary>
    public int MaxPullPages { get; init; } = 8;

    /// <summary>Envelopes pushed per origin per exchange.</summary>
    public int MaxPushPerOrigin { get; init; } = 32;
}
