using System.Text;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Tests.Forwarding;

public sealed class BodyRelayTests
{
    private static byte[] Answer(int contentBytes, string usage = """{"prompt_tokens":11,"completion_tokens":22,"total_tokens":33}""") =>
        Encoding.UTF8.GetBytes("""{"id":"a","choices":[{"index":0,"message":{"role":"assistant","content":" """ + new string('x', contentBytes)
            + "\"}}],\"usage\":" + usage + "}");

    [Theory]
    [InlineData(10, 1)]
    [InlineData(3 * 1024 * 1024, 7)]
    [InlineData(3 * 1024 * 1024, 100_000)]
    public async Task Every_byte_is_relayed_and_the_usage_is_read_from_the_tail(int contentBytes, int maxFragment)
    {
        var answer = Answer(contentBytes);
        var upstream = new FragmentingStream(answer, maxFragment);
        using var client = new MemoryStream();
        var started = 0;

        var result = await BodyRelay.RelayAsync(upstream, client, long.MaxValue, TimeSpan.FromMinutes(1), CancellationToken.None, () => started++);

        Assert.Equal(RelayOutcome.Completed, result.Outcome);
        Assert.Equal(answer, client.ToArray());
        Assert.Equal(new TokenUsage(11, 22), result.Usage);
        Assert.Equal(1, started);
    }

    [Fact]
    public async Task A_usage_key_inside_the_completion_text_is_not_taken_for_the_real_one()
    {
        var answer = Encoding.UTF8.GetBytes(new string(' ', 40_000) + """{"choices":[{"message":{"content":"see \"usage\": {\"prompt_tokens\": 999}"}}],"usage":{"prompt_tokens":1,"completion_tokens":2}}""");
        using var client = new MemoryStream();

        var result = await BodyRelay.RelayAsync(new MemoryStream(answer), client, long.MaxValue, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(new TokenUsage(1, 2), result.Usage);
    }

    [Fact]
    public async Task An_answer_past_the_cap_stops_with_too_large()
    {
        using var client = new MemoryStream();

        var result = await BodyRelay.RelayAsync(new MemoryStream(new byte[1000]), client, 100, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(RelayOutcome.TooLarge, result.Outcome);
        Assert.True(result.NothingSent);
    }

    [Fact]
    public async Task A_backend_that_breaks_off_is_upstream_aborted_with_what_was_sent_counted()
    {
        using var client = new MemoryStream();

        var result = await BodyRelay.RelayAsync(new BreakingStream("{\"id\":"u8.ToArray()), client, long.MaxValue, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(RelayOutcome.UpstreamAborted, result.Outcome);
        Assert.Equal(6, result.BytesForwarded);
    }

    [Fact]
    public async Task A_silent_backend_is_an_idle_timeout()
    {
        using var client = new MemoryStream();
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream();
        using var silent = new System.IO.Pipes.AnonymousPipeClientStream(pipe.GetClientHandleAsString());

        var result = await BodyRelay.RelayAsync(silent, client, long.MaxValue, TimeSpan.FromMilliseconds(50), CancellationToken.None);

        Assert.Equal(RelayOutcome.IdleTimeout, result.Outcome);
        Assert.True(result.NothingSent);
    }

    [Fact]
    public async Task A_body_trickled_for_ever_is_cut_at_the_answer_time_limit_though_it_is_never_silent()
    {
        using var client = new MemoryStream();
        var trickle = new TricklingStream("x"u8.ToArray(), TimeSpan.FromMilliseconds(20));

        var result = await BodyRelay.RelayAsync(trickle, client, long.MaxValue, TimeSpan.FromSeconds(30), CancellationToken.None, answerLimit: TimeSpan.FromSeconds(1))
            .AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(RelayOutcome.AnswerTimeLimit, result.Outcome);
        Assert.True(result.BytesForwarded > 0);
    }
}
