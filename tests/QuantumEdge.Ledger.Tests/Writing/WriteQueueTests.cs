using QuantumEdge.Ledger.Writing;

namespace QuantumEdge.Ledger.Tests.Writing;

/// <summary>
/// How the writer's queue forms groups (issue 7 item 22). Every case here has its reason to stop
/// lingering already queued, so <see cref="WriteQueue{T}.TakeGroup"/> must return at once even
/// with a ten-minute linger; a queue that lingered anyway would miss the test's deadline.
/// </summary>
public sealed class WriteQueueTests
{
    private static readonly TimeSpan Forever = TimeSpan.FromMinutes(10);

    private sealed record Write(string Name, bool IsDeferrable = false, bool IsExclusive = false) : IQueuedWrite;

    private static Write Deferred(string name) => new(name, IsDeferrable: true);

    private static async Task<(List<Write> Group, Write? Exclusive, bool Taken)> TakeAsync(WriteQueue<Write> queue, int maxGroup = 100)
    {
        var group = new List<Write>();
        var taken = await Task.Run(() => queue.TakeGroup(group, maxGroup, Forever, out var exclusive) ? (true, exclusive) : (false, null))
            .WaitAsync(TimeSpan.FromSeconds(60));
        return (group, taken.Item2, taken.Item1);
    }

    private static WriteQueue<Write> Queued(params Write[] writes)
    {
        var queue = new WriteQueue<Write>();
        foreach (var w in writes)
        {
            Assert.True(queue.TryWrite(w));
        }

        return queue;
    }

    [Fact]
    public async Task A_group_with_an_immediate_write_is_taken_at_once_with_the_deferrable_ones_before_it()
    {
        var queue = Queued(Deferred("a"), Deferred("b"), new Write("charge"));

        var (group, exclusive, taken) = await TakeAsync(queue);

        Assert.True(taken);
        Assert.Equal(["a", "b", "charge"], group.Select(w => w.Name));
        Assert.Null(exclusive);
    }

    [Fact]
    public async Task An_exclusive_write_ends_the_group_and_runs_after_it()
    {
        var queue = Queued(Deferred("a"), new Write("verify", IsExclusive: true), Deferred("b"), new Write("c"));

        var first = await TakeAsync(queue);
        var second = await TakeAsync(queue);

        Assert.Equal(["a"], first.Group.Select(w => w.Name));
        Assert.Equal("verify", first.Exclusive?.Name);
        Assert.Equal(["b", "c"], second.Group.Select(w => w.Name));
        Assert.Null(second.Exclusive);
    }

    [Fact]
    public async Task A_full_group_of_deferrable_writes_is_taken_at_once_and_the_rest_waits_for_the_next()
    {
        var queue = Queued(Deferred("a"), Deferred("b"), Deferred("c"), new Write("d"));

        var first = await TakeAsync(queue, maxGroup: 2);
        var second = await TakeAsync(queue, maxGroup: 2);

        Assert.Equal(["a", "b"], first.Group.Select(w => w.Name));
        Assert.Equal(["c", "d"], second.Group.Select(w => w.Name));
    }

    [Fact]
    public async Task A_completed_queue_hands_over_its_deferrable_writes_without_lingering_then_ends()
    {
        var queue = Queued(Deferred("a"), Deferred("b"));
        queue.Complete();

        var last = await TakeAsync(queue);
        var end = await TakeAsync(queue);

        Assert.Equal(["a", "b"], last.Group.Select(w => w.Name));
        Assert.False(end.Taken);
        Assert.False(queue.TryWrite(new Write("late")));
    }

    [Fact]
    public async Task An_immediate_write_queued_while_the_writer_lingers_wakes_it()
    {
        var queue = Queued(Deferred("a"));
        var group = new List<Write>();
        var lingering = Task.Run(() => queue.TakeGroup(group, 100, Forever, out _));

        // Wherever the writer is (not yet waiting, or lingering), the charge ends the group.
        Assert.True(queue.TryWrite(new Write("charge")));

        Assert.True(await lingering.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("charge", group[^1].Name);
        Assert.Equal("a", group[0].Name);
    }

    [Fact]
    public async Task The_async_take_forms_the_same_groups()
    {
        var queue = Queued(Deferred("a"), new Write("b"), new Write("x", IsExclusive: true));

        var (taken, exclusive) = await queue.TakeGroupAsync([], 100, Forever).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        var group = new List<Write>();
        queue.Complete();
        var end = await queue.TakeGroupAsync(group, 100, Forever).AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(taken);
        Assert.Equal("x", exclusive?.Name);
        Assert.False(end.Taken);
    }
}
