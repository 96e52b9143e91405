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

        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-a", "id-1", now, now));
        Assert.Equal(LendingReplayWindow.Outcome.Replay, window.TryRemember("hospital-a", "id-1", now, now + Skew + Skew - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-b", "id-1", now, now));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-a", "id-1", now, now + Skew + Skew));
    }

    [Fact]
    public void A_full_window_refuses_new_ids_rather_than_forgetting_old_ones_early()
    {
        var window = new LendingReplayWindow(Skew, maxIdsPerPeer: 3);
        var now = Samples.Now;
        foreach (var id in new[] { "a", "b", "c" })
        {
            Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-a", id, now, now));
        }

        Assert.Equal(LendingReplayWindow.Outcome.Full, window.TryRemember("hospital-a", "d", now, now.AddSeconds(1)));
        Assert.Equal(LendingReplayWindow.Outcome.Replay, window.TryRemember("hospital-a", "a", now, now.AddSeconds(1)));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-b", "d", now, now.AddSeconds(1)));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-a", "d", now, now + Skew + Skew));
        Assert.Equal(1, window.Count("hospital-a"));
    }

    [Fact]
    public void Ids_handed_over_at_a_stop_are_refused_by_the_next_window_until_they_expire()
    {
        var now = Samples.Now;
        var before = new LendingReplayWindow(Skew);
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, before.TryRemember("hospital-a", "early", now, now));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, before.TryRemember("hospital-a", "late", now, now.AddMinutes(3)));
        var handedOver = before.Close(now.AddMinutes(3));
        Assert.Equal(LendingReplayWindow.Outcome.Closed, before.TryRemember("hospital-a", "after-close", now.AddMinutes(3), now.AddMinutes(3)));

        var after = new LendingReplayWindow(Skew);
        after.Restore(handedOver, now.AddMinutes(3.5));
        var restart = now.AddMinutes(3.5);
        Assert.Equal(LendingReplayWindow.Outcome.Replay, after.TryRemember("hospital-a", "early", restart, restart));
        Assert.Equal(LendingReplayWindow.Outcome.Replay, after.TryRemember("hospital-a", "late", restart, restart));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, after.TryRemember("hospital-a", "early", now.AddMinutes(4), now.AddMinutes(4)));
        Assert.Equal(LendingReplayWindow.Outcome.Replay, after.TryRemember("hospital-a", "late", now.AddMinutes(6.9), now.AddMinutes(6.9)));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, after.TryRemember("hospital-a", "late", now.AddMinutes(7), now.AddMinutes(7)));
    }

    [Fact]
    public void After_a_lost_history_requests_signed_up_to_the_distrusted_instant_are_refused_and_later_ones_pass()
    {
        var start = Samples.Now;
        var window = new LendingReplayWindow(Skew);
        window.DistrustSignedUpTo(start + Skew);

        // A request captured before the crash, signed by a clock running a whole skew ahead.
        Assert.Equal(LendingReplayWindow.Outcome.HistoryLost, window.TryRemember("hospital-a", "captured", start + Skew, start + TimeSpan.FromSeconds(5)));
        Assert.Equal(LendingReplayWindow.Outcome.HistoryLost, window.TryRemember("hospital-a", "fresh-too-early", start.AddSeconds(30), start.AddSeconds(30)));
        Assert.Equal(0, window.Count("hospital-a"));
        var later = start + Skew + TimeSpan.FromMilliseconds(1);
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-a", "fresh", later, later));
    }

    [Fact]
    public void Restore_keeps_the_per_peer_bound_distrusting_what_it_cannot_keep_and_drops_expired_ids()
    {
        var now = Samples.Now;
        RememberedId[] saved =
        [
            new("hospital-a", "gone", now),
            new("hospital-a", "z", now.AddMinutes(3)),
            new("hospital-a", "x", now.AddMinutes(1)),
            new("hospital-a", "y", now.AddMinutes(2)),
        ];
        var roomy = new LendingReplayWindow(Skew);
        roomy.Restore(saved, now);
        Assert.Equal(3, roomy.Count("hospital-a"));
        Assert.Equal(LendingReplayWindow.Outcome.Replay, roomy.TryRemember("hospital-a", "z", now, now));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, roomy.TryRemember("hospital-a", "gone", now, now));

        var bounded = new LendingReplayWindow(Skew, maxIdsPerPeer: 2);
        bounded.Restore(saved, now);
        Assert.Equal(2, bounded.Count("hospital-a"));
        var signedLater = now.AddMinutes(1.5);
        Assert.Equal(LendingReplayWindow.Outcome.Replay, bounded.TryRemember("hospital-a", "y", signedLater, now));
        Assert.Equal(LendingReplayWindow.Outcome.Full, bounded.TryRemember("hospital-a", "z", signedLater, now));
        // "z" did not fit: it was first seen at most two skews before it expires, so it was signed at most one skew before.
        Assert.Equal(now.AddMinutes(1), bounded.DistrustedUpTo);
        Assert.Equal(LendingReplayWindow.Outcome.HistoryLost, bounded.TryRemember("hospital-b", "z", now.AddMinutes(1), now));
    }

    [Fact]
    public void Restore_brings_an_expiry_further_ahead_than_two_skews_back_to_it()
    {
        var now = Samples.Now;
        var window = new LendingReplayWindow(Skew);
        window.Restore([new RememberedId("hospital-a", "far", now.AddDays(1)), new RememberedId("hospital-a", "near", now.AddMinutes(1))], now);

        Assert.Equal(LendingReplayWindow.Outcome.Replay, window.TryRemember("hospital-a", "far", now, now.AddMinutes(3.9)));
        var expired = now + Skew + Skew;
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-a", "far", expired, expired));
        Assert.Equal(LendingReplayWindow.Outcome.Remembered, window.TryRemember("hospital-a", "near", expired, expired));
    }
}
