using System.Text;
using QuantumEdge.Node.Hosting.LogLines;

namespace QuantumEdge.Node.Tests.Hosting.LogLines;

/// <summary>Lines reach the stream whole, in order, many per write; a full queue or a broken stream never blocks or throws at the caller.</summary>
public sealed class LineBatchWriterTests
{
    [Fact]
    public void A_burst_of_lines_arrives_whole_and_in_order_in_far_fewer_writes_than_lines()
    {
        var output = new CountingStream();
        var writer = new LineBatchWriter(new StreamLineSink(output), capacity: 100_000);
        for (var i = 0; i < 5_000; i++)
        {
            Assert.True(writer.Offer($"line {i} é"));
        }

        writer.Dispose();

        var lines = output.Text().Split('\n');
        Assert.Equal(5_001, lines.Length);
        Assert.Equal("", lines[^1]);
        for (var i = 0; i < 5_000; i++)
        {
            Assert.Equal($"line {i} é", lines[i]);
        }

        // One write per line is what the framework's console logger does; a burst must share writes.
        Assert.InRange(output.Writes, 1, 500);
        Assert.Equal(output.Writes, writer.Writes);
        Assert.Equal(0, writer.Dropped);
    }

    [Fact]
    public void An_idle_writer_wakes_for_each_new_line()
    {
        var output = new CountingStream();
        using var writer = new LineBatchWriter(new StreamLineSink(output), capacity: 16);
        for (var i = 0; i < 3; i++)
        {
            writer.Offer($"after a pause {i}");
            WaitFor(() => output.Text().Contains($"after a pause {i}\n", StringComparison.Ordinal));
            // The writer has finished its pause and sleeps on the semaphore: the next line must wake it.
            WaitFor(() => writer.IsIdle);
        }

        Assert.Equal("after a pause 0\nafter a pause 1\nafter a pause 2\n", output.Text());
    }

    [Fact]
    public void A_full_queue_drops_and_counts_lines_without_blocking_then_the_rest_are_written()
    {
        var output = new CountingStream();
        var counted = 0;
        var writer = new LineBatchWriter(new StreamLineSink(output), capacity: 4, onDrop: () => Interlocked.Increment(ref counted), start: false);
        var taken = Enumerable.Range(0, 10).Count(i => writer.Offer($"line {i}"));

        Assert.Equal(4, taken);
        Assert.Equal(6, writer.Dropped);
        Assert.Equal(6, counted);
        writer.Start();
        writer.Dispose();
        Assert.Equal("line 0\nline 1\nline 2\nline 3\n", output.Text());
        Assert.False(writer.Offer("after close"));
    }

    [Fact]
    public void A_stream_that_fails_counts_the_failure_and_the_caller_never_sees_it()
    {
        var writer = new LineBatchWriter(new StreamLineSink(new BrokenStream()), capacity: 16);
        writer.Offer("lost");
        WaitFor(() => writer.Failed > 0);
        Assert.True(writer.Offer("still taken"));
        writer.Dispose();
        Assert.True(writer.Failed >= 1);
    }

    [Fact]
    public async Task A_stdout_that_never_returns_from_a_write_never_blocks_the_callers()
    {
        // The framework's console logger waits when its queue is full: a stalled journald would stall requests.
        using var unblock = new ManualResetEventSlim();
        var output = new StalledStream(unblock);
        var writer = new LineBatchWriter(new StreamLineSink(output), capacity: 100);
        writer.Offer("first");
        WaitFor(() => output.Entered);

        var offered = await Task.Run(() => Enumerable.Range(0, 1_000).Count(i => writer.Offer($"line {i}"))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(100, offered);
        Assert.Equal(900, writer.Dropped);

        unblock.Set();
        writer.Dispose();
        Assert.Equal(101, output.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private static void WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            Thread.Sleep(5);
        }
    }

    private sealed class CountingStream : MemoryStream
    {
        private readonly Lock _sync = new();
        private int _writes;

        public int Writes => Volatile.Read(ref _writes);

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_sync)
            {
                base.Write(buffer, offset, count);
                _writes++;
            }
        }

        public string Text()
        {
            lock (_sync)
            {
                return Encoding.UTF8.GetString(GetBuffer(), 0, (int)Length);
            }
        }
    }

    private sealed class StalledStream(ManualResetEventSlim unblock) : MemoryStream
    {
        private readonly Lock _sync = new();
        private volatile bool _entered;

        public bool Entered => _entered;

        public override void Write(byte[] buffer, int offset, int count)
        {
            _entered = true;
            unblock.Wait();
            lock (_sync)
            {
                base.Write(buffer, offset, count);
            }
        }

        public string Text()
        {
            lock (_sync)
            {
                return Encoding.UTF8.GetString(GetBuffer(), 0, (int)Length);
            }
        }
    }

    private sealed class BrokenStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("broken pipe");
    }
}
