using QuantumEdge.Ledger.Writing;

namespace QuantumEdge.Ledger.Tests.Writing;

/// <summary>
/// Issue 7 item 22: under load (a group of <see cref="CommitLinger.LoadedGroupSize"/> writes or more) the
/// next group of outcome records lingers longer, so that a commit's fixed cost is shared by more of them;
/// the first smaller group brings the configured linger back.
/// </summary>
public sealed class CommitLingerTests
{
    private static readonly TimeSpan Configured = TimeSpan.FromMilliseconds(2);

    [Fact]
    public void A_new_writer_lingers_as_configured()
    {
        var linger = new CommitLinger(Configured);

        Assert.Equal(Configured, linger.Next);
    }

    [Fact]
    public void A_loaded_group_makes_the_next_linger_four_times_as_long_and_a_smaller_one_ends_it()
    {
        var linger = new CommitLinger(Configured);

        linger.Observe(CommitLinger.LoadedGroupSize - 1);
        Assert.Equal(Configured, linger.Next);

        linger.Observe(CommitLinger.LoadedGroupSize);
        Assert.Equal(TimeSpan.FromMilliseconds(8), linger.Next);

        linger.Observe(4096);
        Assert.Equal(TimeSpan.FromMilliseconds(8), linger.Next);

        linger.Observe(CommitLinger.LoadedGroupSize - 1);
        Assert.Equal(Configured, linger.Next);
    }

    [Fact]
    public void A_group_taken_for_an_exclusive_write_alone_is_not_load()
    {
        var linger = new CommitLinger(Configured);
        linger.Observe(500);

        linger.Observe(0);

        Assert.Equal(Configured, linger.Next);
    }

    [Fact]
    public void No_linger_stays_no_linger_under_load()
    {
        var linger = new CommitLinger(TimeSpan.Zero);

        linger.Observe(10_000);

        Assert.Equal(TimeSpan.Zero, linger.Next);
    }
}
