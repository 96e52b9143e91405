using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>A backend that never ends an event cannot make the relay buffer without bound.</summary>
public sealed class SseRelayLimitTests
{
    [Fact]
    public async Task An_event_larger_than_the_cap_is_refused()
    {
        var endless = new byte[SseRelay.MaxEventBytes + 4096];
        "data: "u8.CopyTo(endless);
        endless.AsSpan(6).Fill((byte)'x');
        using var upstream = new MemoryStream(endless);
        using var client = new MemoryStream();
        var result = await SseRelay.RelayAsync(upstream, client, forwardUsageChunk: false, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(RelayOutcome.TooLarge, result.Outcome);
        Assert.True(result.NothingSent);
        Assert.Equal(0, client.Length);
    }

    [Fact]
    public async Task An_event_just_under_the_cap_is_relayed_whole()
    {
        var big = new byte[SseRelay.MaxEventBytes - 64];
        "data: "u8.CopyTo(big);
        big.AsSpan(6).Fill((byte)'y');
        // One JSON string, as a client's parser can read it.
        big[6] = (byte)'"';
        big[^3] = (byte)'"';
        big[^2] = (byte)'\n';
        big[^1] = (byte)'\n';
        using var upstream = new MemoryStream(big);
        using var client = new MemoryStream();
        var result = await SseRelay.RelayAsync(upstream, client, forwardUsageChunk: false, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(big.Length, client.Length);
        Assert.Equal(1, result.Events);
    }
}
