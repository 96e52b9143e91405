using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Batch;

/// <summary>A batch that cannot finish inside its completion window expires as the Batch API defines.</summary>
public sealed class BatchExpiryTests
{
    [Fact]
    public async Task A_batch_past_its_completion_window_expires_with_every_unrun_line_in_the_error_file()
    {
        // The backend never answers, so no line can complete; then the node's batch clock passes the 24 h window.
        await using var hung = await HostileBackend.StartAsync((ctx, _) => HostileBackend.HangAsync(ctx));
        var clock = new MovableClock();
        await using var node = await TestNode.StartAsync([new TestNode.Sim("hung", TestNode.AllLevels, TimeoutSeconds: 0.5, Url: hung.BaseUrl)], batchClock: clock);
        var token = node.Token(sub: "dr.expiry");
        var fileId = await BatchCalls.UploadOkAsync(node.Http, token, BatchCalls.Lines(5));
        var created = await BatchCalls.CreateBatchAsync(node.Http, token, fileId, """{"data_classification":"internal"}""");
        var batchId = created.GetProperty("id").GetString()!;

        clock.Advance(TimeSpan.FromHours(25));
        var done = await BatchCalls.WaitFinalAsync(node.Http, token, batchId);

        Assert.Equal("expired", done.GetProperty("status").GetString());
        Assert.True(done.GetProperty("expired_at").GetInt64() >= created.GetProperty("expires_at").GetInt64());
        var counts = done.GetProperty("request_counts");
        Assert.Equal(5, counts.GetProperty("total").GetInt32());
        Assert.Equal(0, counts.GetProperty("completed").GetInt32());
        Assert.Equal(5, counts.GetProperty("failed").GetInt32());
        var errors = await BatchCalls.ContentAsync(node.Http, token, done.GetProperty("error_file_id").GetString()!);
        Assert.Equal(5, errors.Select(l => l.GetProperty("custom_id").GetString()).Distinct().Count());
        Assert.All(errors, l => Assert.Contains("batch_expired", l.GetRawText(), StringComparison.Ordinal));
    }

    /// <summary>The system clock plus an offset the test moves forward.</summary>
    private sealed class MovableClock : TimeProvider
    {
        private long _offsetTicks;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
    }
}
