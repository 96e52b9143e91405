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

    /// <summary>Polls until the writer is registered as lingering: only then does a queued write exercise the wake-up.</summary>
    private static async Task UntilLingeringAsync(WriteQueue<Write> queue, Task writer)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!queue.IsLingering)
        {
            Assert.False(writer.IsCompleted, "the writer returned without lingering");
            Assert.True(DateTime.UtcNow < deadline, "the writer never started lingering");
            await Task.Delay(1);
        }
    }

    [Fact]
    public async Task An_immediate_write_queued_while_the_writer_lingers_wakes_it()
    {
        var queue = Queued(Deferred("a"));
        var group = new List<Write>();
        var lingering = Task.Run(() => queue.TakeGroup(group, 100, Forever, out _));
        await UntilLingeringAsync(queue, lingering);

        Assert.True(queue.TryWrite(new Write("charge")));

        Assert.True(await lingering.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(["a", "charge"], group.Select(w => w.Name));
        Assert.False(queue.IsLingering);
    }

    [Fact]
    public async Task An_immediate_write_queued_while_the_async_writer_lingers_wakes_it()
    {
        var queue = Queued(Deferred("a"));
        var group = new List<Write>();
        var lingering = queue.TakeGroupAsync(group, 100, Forever).AsTask();
        await UntilLingeringAsync(queue, lingering);

        Assert.True(queue.TryWrite(new Write("charge")));

        var (taken, exclusive) = await lingering.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(taken);
        Assert.Null(exclusive);
        Assert.Equal(["a", "charge"], group.Select(w => w.Name));
    }

    [Fact]
    public async Task A_deferrable_write_queued_while_the_async_writer_lingers_joins_the_group_and_a_full_group_wakes_it()
    {
        var queue = Queued(Deferred("a"));
        var group = new List<Write>();
        var lingering = queue.TakeGroupAsync(group, 3, Forever).AsTask();
        await UntilLingeringAsync(queue, lingering);

        Assert.True(queue.TryWrite(Deferred("b")));
        Assert.True(queue.TryWrite(Deferred("c")));

        var (taken, _) = await lingering.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(taken);
        Assert.Equal(["a", "b", "c"], group.Select(w => w.Name));
    }

    [Fact]
    public async Task Completing_the_queue_while_the_async_writer_lingers_hands_over_everything_then_ends()
    {
        var queue = Queued(Deferred("a"), Deferred("b"));
        var group = new List<Write>();
        var lingering = queue.TakeGroupAsync(group, 100, Forever).AsTask();
        await UntilLingeringAsync(queue, lingering);

        queue.Complete();

        var (taken, _) = await lingering.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(taken);
        Assert.Equal(["a", "b"], group.Select(w => w.Name));
        var end = await queue.TakeGroupAsync(group, 100, Forever).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(end.Taken);
        Assert.Empty(group);
    }

    [Fact]
    public async Task An_async_linger_ends_by_itself()
    {
        var queue = Queued(Deferred("a"));
        var group = new List<Write>();

        // Nothing else is queued and nothing completes the queue: only the linger's end returns it.
        var (taken, exclusive) = await queue.TakeGroupAsync(group, 100, TimeSpan.FromMilliseconds(20)).AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(taken);
        Assert.Null(exclusive);
        Assert.Equal(["a"], group.Select(w => w.Name));
        Assert.False(queue.IsLingering);
    }

    /// <summary>
    /// Several producers race a writer lingering 1 ms at a time: every write is taken exactly once, each
    /// producer's in the order it queued them, exclusive ones never inside a group, and no group exceeds its bound.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Producers_racing_a_writer_that_lingers_lose_nothing_and_keep_their_order(bool asyncWriter)
    {
        const int producers = 4;
        const int perProducer = 3000;
        const int maxGroup = 16;
        var linger = TimeSpan.FromMilliseconds(1);
        var queue = new WriteQueue<Write>();
        var taken = new List<Write>();
        var malformed = 0;

        async Task WriteAsync()
        {
            var group = new List<Write>();
            while (true)
            {
                Write? exclusive;
                if (asyncWriter)
                {
                    var (more, ex) = await queue.TakeGroupAsync(group, maxGroup, linger).ConfigureAwait(false);
                    if (!more)
                    {
                        return;
                    }

                    exclusive = ex;
                }
                else if (!queue.TakeGroup(group, maxGroup, linger, out exclusive))
                {
                    return;
                }

                malformed += group.Count > maxGroup || group.Exists(w => w.IsExclusive) ? 1 : 0;
                taken.AddRange(group);
                if (exclusive is not null)
                {
                    taken.Add(exclusive);
                }
            }
        }

        var writer = asyncWriter ? Task.Run(WriteAsync) : Task.Factory.StartNew(() => WriteAsync().GetAwaiter().GetResult(), TaskCreationOptions.LongRunning);
        var producing = Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                var name = $"{p}:{i}";
                var write = (i % 97) switch
                {
                    0 => new Write(name, IsExclusive: true),
                    _ when i % 7 == 0 => new Write(name),
                    _ => Deferred(name),
                };
                Assert.True(queue.TryWrite(write));
            }
        })).ToArray();

        await Task.WhenAll(producing).WaitAsync(TimeSpan.FromSeconds(120));
        queue.Complete();
        await writer.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(0, malformed);
        Assert.Equal(producers * perProducer, taken.Count);
        for (var p = 0; p < producers; p++)
        {
            var prefix = $"{p}:";
            var order = taken.Where(w => w.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(w => int.Parse(w.Name[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(0, perProducer), order);
        }
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
