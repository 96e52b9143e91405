using QuantumEdge.Federation.Lending;

namespace QuantumEdge.Federation.Tests.Lending;

public sealed class LendingReplayWindowTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(2);

    [Fact]
    public void An_id_is_refused_again_until_twice_the_skew_has_passed_and_peers_do_not_share_ids()
    {
        var window = new LendingReplayWindow(Skew);
        var now = Samples.Now;

        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-a", "id-1", now));
        Assert.Equal(LendingReplayWindow.Outcome.Replay, window.TryRemember("hospital-a", "id-1", now + Skew + Skew - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-b", "id-1", now));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-a", "id-1", now + Skew + Skew));
    }

    [Fact]
    public void A_full_window_refuses_new_ids_rather_than_forgetting_old_ones_early()
    {
        var window = new LendingReplayWindow(Skew, maxIdsPerPeer: 3);
        var now = Samples.Now;
        foreach (var id in new[] { "a", "b", "c" })
        {
            Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-a", id, now));
        }

        Assert.Equal(LendingReplayWindow.Outcome.Full, window.TryRemember("hospital-a", "d", now.AddSeconds(1)));
        Assert.Equal(LendingReplayWindow.Outcome.Replay, window.TryRemember("hospital-a", "a", now.AddSeconds(1)));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-b", "d", now.AddSeconds(1)));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-a", "d", now + Skew + Skew));
        Assert.Equal(1, window.Count("hospital-a"));
    }
}
