using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Tests.Gossip;

public sealed class PeerStatesTests
{
    [Fact]
    public void Backoff_doubles_per_failure_within_the_jitter_caps_at_the_maximum_and_resets_on_success()
    {
        var options = new GossipOptions { InitialBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromSeconds(60), Jitter = 0.2 };
        var states = new PeerStates([new TrustedPeer("b", new byte[32], new Uri("http://b.test/"))]);
        var random = new Random(3);
        var now = Samples.Now;
        Assert.True(states.IsDue("b", now));
        for (var failure = 1; failure <= 8; failure++)
        {
            states.Failed("b", now, "connection refused", options, random);
            var expected = Math.Min(60, 2 * Math.Pow(2, failure - 1));
            var wait = (states.All[0].NextAttempt - now).TotalSeconds;
            Assert.InRange(wait, expected * 0.8, expected * 1.2);
            Assert.False(states.IsDue("b", now.AddSeconds(expected * 0.8 - 0.001)));
            Assert.True(states.IsDue("b", now.AddSeconds(expected * 1.2)));
            Assert.Equal(failure, states.All[0].ConsecutiveFailures);
        }

        states.Succeeded("b", now);
        Assert.True(states.IsDue("b", now));
        Assert.True(states.All[0].Reachable);
        Assert.Equal(0, states.All[0].ConsecutiveFailures);
    }
}
