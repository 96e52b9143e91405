using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Gateway.Tests.Simulation;

public sealed class PrefixCacheTests
{
    private static readonly long T0 = new DateTime(2025, 1, 1, 8, 0, 0, DateTimeKind.Utc).Ticks;

    [Fact]
    public void The_first_sight_of_a_prefix_misses_and_the_second_hits()
    {
        var cache = new PrefixCache();

        Assert.False(cache.TouchAndCheck(42, T0));
        Assert.True(cache.TouchAndCheck(42, T0 + TimeSpan.TicksPerSecond));
        Assert.False(cache.TouchAndCheck(43, T0 + TimeSpan.TicksPerSecond));
    }

    [Fact]
    public void A_prefix_not_seen_within_the_ttl_has_left_the_cache()
    {
        var cache = new PrefixCache(ttlSeconds: 120);
        cache.TouchAndCheck(42, T0);

        Assert.False(cache.TouchAndCheck(42, T0 + (121 * TimeSpan.TicksPerSecond)));
        Assert.True(cache.TouchAndCheck(42, T0 + (122 * TimeSpan.TicksPerSecond)));
    }

    [Fact]
    public void The_oldest_prefixes_are_evicted_past_capacity()
    {
        var cache = new PrefixCache(capacity: 3);
        for (ulong p = 1; p <= 4; p++)
        {
            cache.TouchAndCheck(p, T0);
        }

        Assert.Equal(1.0, cache.Usage);
        Assert.False(cache.TouchAndCheck(1, T0));
        Assert.True(cache.TouchAndCheck(4, T0));
    }

    [Fact]
    public void Simulated_text_is_deterministic_and_bounded()
    {
        var h = SimulatedText.Hash("same prompt");

        Assert.Equal(h, SimulatedText.Hash("same prompt"));
        Assert.NotEqual(h, SimulatedText.Hash("same prompt!"));
        Assert.Equal(SimulatedText.Token(h, 3), SimulatedText.Token(h, 3));
        Assert.InRange(SimulatedText.OutputTokens(h, null), 16, 63);
        Assert.Equal(2, SimulatedText.OutputTokens(h, 2));
        Assert.Equal(1, SimulatedText.OutputTokens(h, 0));
        Assert.False(SimulatedText.Token(h, 0).StartsWith(' '));
        Assert.StartsWith(" ", SimulatedText.Token(h, 1), StringComparison.Ordinal);
    }
}
