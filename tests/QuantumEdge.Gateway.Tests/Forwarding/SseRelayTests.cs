using System.Text;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Tests.Forwarding;

public sealed class SseRelayTests
{
    private const string UsageEvent =
        """data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1718000000,"model":"clinical-7b","choices":[],"usage":{"prompt_tokens":17,"completion_tokens":5,"total_tokens":22}}""";

    /// <summary>An OpenAI chat stream as vLLM sends it with include_usage, one string per event, delimiter excluded.</summary>
    private static readonly string[] ChatEvents =
    [
        """data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1718000000,"model":"clinical-7b","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}""",
        """data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1718000000,"model":"clinical-7b","choices":[{"index":0,"delta":{"content":"Patient"},"finish_reason":null}],"usage":null}""",
        """data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1718000000,"model":"clinical-7b","choices":[{"index":0,"delta":{"content":" is stable — café ☕"},"finish_reason":null}],"usage":null}""",
        ": keep-alive comment",
        "event: message\ndata: {\"id\":\"chatcmpl-9\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\n\\ndata: not an event\"},\"finish_reason\":null}],\"usage\":null}",
        """data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1718000000,"model":"clinical-7b","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}""",
        UsageEvent,
        "data: [DONE]",
    ];

    private sealed record Run(RelayResult Result, byte[] Output, List<(long ClientBytes, int UpstreamDelivered)> Flushes);

    private static async Task<Run> RelayAsync(byte[] input, int maxFragment, bool forwardUsage)
    {
        var upstream = new FragmentingStream(input, maxFragment);
        using var client = new RecordingClientStream(() => upstream.Delivered);
        var result = await SseRelay.RelayAsync(upstream, client, forwardUsage, TimeSpan.FromMinutes(5), CancellationToken.None);
        return new Run(result, client.Written, client.Flushes);
    }

    /// <summary>The events framed with <paramref name="delimiter"/> (two line ends), their inner lines ending in one.</summary>
    private static byte[] Join(IEnumerable<string> events, string delimiter) =>
        Encoding.UTF8.GetBytes(string.Concat(events.Select(e => e.Replace("\n", delimiter[..(delimiter.Length / 2)], StringComparison.Ordinal) + delimiter)));

    [Theory]
    [InlineData(1, "\n\n")]
    [InlineData(7, "\n\n")]
    [InlineData(3, "\r\n\r\n")]
    [InlineData(7, "\r\n\r\n")]
    [InlineData(1_000_000, "\n\n")]
    [InlineData(1, "\r\r")]
    [InlineData(6, "\r\r")]
    [InlineData(1_000_000, "\r\r")]
    public async Task Every_event_passes_intact_and_in_order_and_the_usage_chunk_is_dropped_when_not_asked_for(int maxFragment, string delimiter)
    {
        var input = Join(ChatEvents, delimiter);
        var expected = Join(ChatEvents.Where(e => e != UsageEvent), delimiter);

        var run = await RelayAsync(input, maxFragment, forwardUsage: false);

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(run.Output));
        Assert.Equal(new TokenUsage(17, 5), run.Result.Usage);
        Assert.Equal(ChatEvents.Length - 1, run.Result.Events);
        Assert.Equal(expected.Length, run.Result.BytesForwarded);
        Assert.EndsWith("data: [DONE]" + delimiter, Encoding.UTF8.GetString(run.Output), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "\n\n")]
    [InlineData(7, "\n\n")]
    [InlineData(5, "\r\n\r\n")]
    [InlineData(5, "\r\r")]
    public async Task The_usage_chunk_is_kept_and_metered_when_the_client_asked_for_it(int maxFragment, string delimiter)
    {
        var input = Join(ChatEvents, delimiter);

        var run = await RelayAsync(input, maxFragment, forwardUsage: true);

        Assert.Equal(input, run.Output);
        Assert.Equal(new TokenUsage(17, 5), run.Result.Usage);
        Assert.Equal(ChatEvents.Length, run.Result.Events);
        Assert.Equal(input.Length, run.Result.BytesForwarded);
    }

    [Theory]
    [InlineData(1, "\n\n", false)]
    [InlineData(7, "\n\n", false)]
    [InlineData(7, "\n\n", true)]
    [InlineData(4, "\r\n\r\n", false)]
    [InlineData(1, "\r\r", false)]
    [InlineData(7, "\r\r", true)]
    public async Task Each_event_is_flushed_to_the_client_before_the_next_one_is_read(int maxFragment, string delimiter, bool forwardUsage)
    {
        var input = Join(ChatEvents, delimiter);
        var run = await RelayAsync(input, maxFragment, forwardUsage);

        long clientEnd = 0;
        var upstreamEnd = 0;
        foreach (var e in ChatEvents)
        {
            var size = Join([e], delimiter).Length;
            upstreamEnd += size;
            if (e == UsageEvent && !forwardUsage)
            {
                continue;
            }

            clientEnd += size;
            var flush = run.Flushes.FirstOrDefault(f => f.ClientBytes >= clientEnd);
            Assert.True(flush != default, $"event ending at client byte {clientEnd} was never flushed");
            Assert.Equal(clientEnd, flush.ClientBytes);

            // The read that completed this event delivered at most maxFragment bytes, and nothing
            // more was read before the flush: the relay did not wait for later events.
            Assert.InRange(flush.UpstreamDelivered, upstreamEnd, upstreamEnd + maxFragment - 1);
        }
    }

    [Fact]
    public async Task An_event_larger_than_the_relays_buffer_passes_intact()
    {
        var big = "data: {\"choices\":[{\"delta\":{\"content\":\"" + new string('x', 40_000) + "\"}}],\"usage\":null}";
        string[] events = ["data: {\"choices\":[]}", big, UsageEvent, "data: [DONE]"];
        var input = Join(events, "\n\n");

        var run = await RelayAsync(input, 7, forwardUsage: false);

        Assert.Equal(Join(events.Where(e => e != UsageEvent), "\n\n"), run.Output);
        Assert.Equal(new TokenUsage(17, 5), run.Result.Usage);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(1_000)]
    public async Task Events_framed_with_any_mix_of_line_ends_are_read_as_the_sdks_read_them(int maxFragment)
    {
        // LF then CRLF, CRLF then LF, CR then CRLF (the LF may come in a read of its own), CR then CR.
        var input = Encoding.UTF8.GetBytes(
            "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\r\n"
            + "event: message\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\r\n\n"
            + "data: {\"choices\":[{\"delta\":{\"content\":\"c\"}}]}\r\r\n"
            + UsageEvent + "\r\r"
            + "data: [DONE]\r\r");

        var run = await RelayAsync(input, maxFragment, forwardUsage: true);

        Assert.Equal(RelayOutcome.Completed, run.Result.Outcome);
        Assert.Equal(input, run.Output);
        Assert.Equal(5, run.Result.Events);
        Assert.Equal(new TokenUsage(17, 5), run.Result.Usage);
        Assert.True(run.Result.TextDisclosed);
    }

    [Fact]
    public async Task A_stream_framed_with_lone_carriage_returns_is_not_held_as_one_oversized_event()
    {
        // Larger than the relay's largest event in all: read as one event, it was cut off as too large.
        var chunk = "data: {\"choices\":[{\"delta\":{\"content\":\"" + new string('x', 2_000) + "\"}}]}";
        var events = Enumerable.Repeat(chunk, (SseRelay.MaxEventBytes / chunk.Length) + 10).Append("data: [DONE]").ToList();
        var input = Join(events, "\r\r");

        var run = await RelayAsync(input, 16 * 1024, forwardUsage: false);

        Assert.Equal(RelayOutcome.Completed, run.Result.Outcome);
        Assert.Equal(events.Count, run.Result.Events);
        Assert.Equal(input.Length, run.Output.Length);
    }

    [Fact]
    public void A_line_arriving_a_few_bytes_at_a_time_is_searched_for_its_end_once()
    {
        // Searching the whole unfinished line again on every read made a 1 MiB line in small reads cost its length squared.
        var bytes = Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"" + new string('x', 200) + "\"}}]}\r\r");
        int lineStart = 0, scanned = 0;
        for (var arrived = 1; arrived < bytes.Length - 2; arrived++)
        {
            Assert.Equal(-1, SseRelay.FindEventEnd(bytes.AsSpan(0, arrived), ref lineStart, ref scanned));
            Assert.Equal(0, lineStart);
            Assert.Equal(arrived, scanned);
        }

        // The line's CR arrives last: where the next line starts is not known, and the CR is looked at again.
        Assert.Equal(-1, SseRelay.FindEventEnd(bytes.AsSpan(0, bytes.Length - 1), ref lineStart, ref scanned));
        Assert.Equal(bytes.Length - 2, scanned);
        Assert.Equal(bytes.Length, SseRelay.FindEventEnd(bytes, ref lineStart, ref scanned));
    }

    [Fact]
    public async Task A_last_event_without_its_blank_line_is_still_forwarded()
    {
        var input = Encoding.UTF8.GetBytes("data: {\"choices\":[]}\n\ndata: [DONE]\n");

        var run = await RelayAsync(input, 3, forwardUsage: false);

        Assert.Equal(input, run.Output);
        Assert.Equal(input.Length, run.Result.BytesForwarded);
        Assert.Null(run.Result.Usage);
    }

    [Fact]
    public async Task The_relay_ends_at_done_though_the_backend_keeps_the_stream_open_and_forwards_nothing_after_it()
    {
        const string After = """data: {"choices":[{"index":0,"delta":{"content":"after the end"}}]}""";
        var upstream = new OpenEndedStream(Join([ChatEvents[1], "data: [DONE]", After], "\n\n"));
        using var client = new RecordingClientStream(() => 0);

        // Well inside the idle timeout: the relay must not wait for the backend to close or go silent.
        var result = await SseRelay.RelayAsync(upstream, client, false, TimeSpan.FromMinutes(5), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RelayOutcome.Completed, result.Outcome);
        Assert.Equal(Join([ChatEvents[1], "data: [DONE]"], "\n\n"), client.Written);
        Assert.Equal(2, result.Events);
    }

    [Theory]
    [InlineData("\r\r")]
    [InlineData("\n\n")]
    [InlineData("\r\n\r\n")]
    public async Task The_relay_ends_at_done_when_it_is_the_last_byte_the_backend_sends_before_going_silent(string delimiter)
    {
        // A lone CR ends the blank line whether or not an LF follows: the relay must not wait for one.
        var upstream = new OpenEndedStream(Join([ChatEvents[1], "data: [DONE]"], delimiter));
        using var client = new RecordingClientStream(() => 0);

        var result = await SseRelay.RelayAsync(upstream, client, false, TimeSpan.FromMinutes(5), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RelayOutcome.Completed, result.Outcome);
        Assert.Equal(Join([ChatEvents[1], "data: [DONE]"], delimiter), client.Written);
    }

    [Theory]
    [InlineData("data: [DONE]\n\n", true)]
    [InlineData("data:[DONE]\r\n\r\n", true)]
    [InlineData("event: end\ndata: [DONE]\n\n", true)]
    [InlineData("data: [DONE]", true)]
    [InlineData("event: end\rdata: [DONE]\r\r", true)]
    [InlineData("id: 7\r\ndata: [DONE]\n\n", true)]
    [InlineData(": keep-alive [DONE]\n\n", false)]
    [InlineData("event: [DONE]\n\n", false)]
    [InlineData("id: [DONE]\n\n", false)]
    [InlineData("data: {\"choices\":[{\"delta\":{\"content\":\"[DONE]\"}}]}\n\n", false)]
    [InlineData("data: {\"x\":1}\n\n", false)]
    public void The_end_of_a_stream_is_an_event_whose_data_starts_with_done_as_the_sdks_read_it(string sseEvent, bool done) =>
        Assert.Equal(done, SseRelay.IsDone(Encoding.UTF8.GetBytes(sseEvent)));

    [Fact]
    public async Task A_comment_ending_in_done_does_not_end_the_stream()
    {
        var events = new[] { ChatEvents[1], ": proxy heartbeat [DONE]", ChatEvents[2], "data: [DONE]" };
        var run = await RelayAsync(Join(events, "\n\n"), 7, forwardUsage: false);

        Assert.Equal(RelayOutcome.Completed, run.Result.Outcome);
        Assert.Equal(Encoding.UTF8.GetString(Join(events, "\n\n")), Encoding.UTF8.GetString(run.Output));
        Assert.Equal(4, run.Result.Events);
    }

    [Fact]
    public async Task A_stream_that_never_ends_is_cut_at_the_answer_time_limit_though_it_is_never_silent()
    {
        var trickle = new TricklingStream(Encoding.UTF8.GetBytes(ChatEvents[1] + "\n\n"), TimeSpan.FromMilliseconds(20));
        using var client = new RecordingClientStream(() => 0);

        var result = await SseRelay.RelayAsync(trickle, client, false, TimeSpan.FromSeconds(30), CancellationToken.None, answerLimit: TimeSpan.FromSeconds(1))
            .WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(RelayOutcome.AnswerTimeLimit, result.Outcome);
        Assert.True(result.Events > 1);
        Assert.True(result.TextDisclosed);
    }

    [Fact]
    public async Task A_stream_without_a_usage_chunk_meters_nothing()
    {
        string[] events = [ChatEvents[0], ChatEvents[1], "data: [DONE]"];
        var input = Join(events, "\n\n");

        var run = await RelayAsync(input, 7, forwardUsage: false);

        Assert.Equal(input, run.Output);
        Assert.Null(run.Result.Usage);
        Assert.Equal(3, run.Result.Events);
    }

    [Fact]
    public async Task An_empty_upstream_forwards_nothing()
    {
        var run = await RelayAsync([], 7, forwardUsage: false);

        Assert.Empty(run.Output);
        Assert.Equal(new RelayResult(RelayOutcome.Completed, null, 0, 0, false), run.Result);
    }

    [Fact]
    public async Task Cancellation_stops_the_relay()
    {
        var upstream = new FragmentingStream(Join(ChatEvents, "\n\n"), 7);
        using var client = new RecordingClientStream(() => upstream.Delivered);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var result = await SseRelay.RelayAsync(upstream, client, false, TimeSpan.FromMinutes(5), cancelled.Token);
        Assert.Equal(RelayOutcome.ClientGone, result.Outcome);
        Assert.Empty(client.Written);
    }

    [Theory]
    [InlineData("data: {\"choices\":[],\"u\\u0073age\":{\"prompt_tokens\":17,\"completion_tokens\":5}}")]
    [InlineData("data: {\"choices\":[],\ndata: \"usage\":{\"prompt_tokens\":17,\"completion_tokens\":5}}")]
    [InlineData("event: usage\r\ndata:{\"choices\":[],\"usage\":{\"prompt_tokens\":17,\"completion_tokens\":5}}")]
    [InlineData("event: usage\rdata: {\"choices\":[],\"usage\":{\"prompt_tokens\":17,\"completion_tokens\":5}}\r\r")]
    public void A_usage_chunk_is_read_as_the_clients_parser_reads_it(string sseEvent)
    {
        Assert.True(SseRelay.TryReadUsage(Encoding.UTF8.GetBytes(sseEvent), out var usage, out var usageOnly));
        Assert.Equal(new TokenUsage(17, 5), usage);
        Assert.True(usageOnly);
    }

    [Fact]
    public void A_chunk_whose_last_choices_carry_text_is_not_usage_only_and_is_never_dropped()
    {
        var sseEvent = """data: {"choices":[],"usage":{"prompt_tokens":17,"completion_tokens":5},"choices":[{"index":0,"delta":{"content":"x"}}]}""";

        Assert.True(SseRelay.TryReadUsage(Encoding.UTF8.GetBytes(sseEvent), out _, out var usageOnly));
        Assert.False(usageOnly);
    }

    [Fact]
    public async Task An_event_whose_key_escapes_a_lone_surrogate_is_relayed_without_throwing_and_the_text_before_it_stays_disclosed()
    {
        string[] events = [ChatEvents[1], """data: {"\udc00xx":1,"usage":{"prompt_tokens":1}}""", "data: [DONE]"];

        var run = await RelayAsync(Join(events, "\n\n"), 64, forwardUsage: false);

        Assert.Equal(RelayOutcome.Completed, run.Result.Outcome);
        Assert.True(run.Result.TextDisclosed);
        Assert.False(SseRelay.TryReadUsage(Encoding.UTF8.GetBytes(events[1]), out _));
        Assert.True(CompletionText.In(Encoding.UTF8.GetBytes(events[1])));
    }

    [Theory]
    [InlineData(": keep-alive")]
    [InlineData("event: ping")]
    [InlineData("data:")]
    [InlineData("data: [DONE]")]
    [InlineData("data: {}")]
    [InlineData("data: {\"choices\":[],\ndata: \"usage\":null}")]
    [InlineData("event: error\r\ndata: {\"error\":{\"message\":\"overloaded\"}}")]
    [InlineData("data:  {\"a\":1}  ")]
    public void An_event_the_sdks_can_read_is_readable(string sseEvent) =>
        Assert.True(SseRelay.IsReadable(Encoding.UTF8.GetBytes(sseEvent)));

    [Theory]
    [InlineData("data: <html>502 Bad Gateway</html>")]
    [InlineData("data: upstream connect error")]
    [InlineData("data: {\"choices\":[")]
    [InlineData("data: {} {}")]
    [InlineData("data: {\"a\":1}x")]
    [InlineData("data: {\"a\":1,}")]
    [InlineData("event: message\ndata: not json")]
    public void An_event_whose_data_is_not_json_is_not_readable(string sseEvent) =>
        Assert.False(SseRelay.IsReadable(Encoding.UTF8.GetBytes(sseEvent)));

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(1_000_000)]
    public async Task A_malformed_event_mid_stream_ends_the_relay_and_is_not_forwarded(int maxFragment)
    {
        string[] events = [ChatEvents[0], ChatEvents[1], "data: <html>502 Bad Gateway</html>", ChatEvents[2], "data: [DONE]"];

        var run = await RelayAsync(Join(events, "\n\n"), maxFragment, forwardUsage: false);

        Assert.Equal(RelayOutcome.MalformedEvent, run.Result.Outcome);
        Assert.Equal(Join(events[..2], "\n\n"), run.Output);
        Assert.Equal(2, run.Result.Events);
        Assert.True(run.Result.TextDisclosed);
    }

    [Fact]
    public async Task A_stream_whose_first_event_is_malformed_forwards_nothing_so_it_can_go_elsewhere()
    {
        var run = await RelayAsync(Join(["data: upstream connect error", "data: [DONE]"], "\n\n"), 7, forwardUsage: false);

        Assert.Equal(RelayOutcome.MalformedEvent, run.Result.Outcome);
        Assert.Empty(run.Output);
        Assert.True(run.Result.NothingSent);
        Assert.False(run.Result.TextDisclosed);
    }

    [Fact]
    public async Task A_malformed_last_event_without_its_blank_line_is_not_forwarded_either()
    {
        var first = Join([ChatEvents[1]], "\n\n");
        var input = first.Concat(Encoding.UTF8.GetBytes("data: Internal Server Error")).ToArray();

        var run = await RelayAsync(input, 5, forwardUsage: false);

        Assert.Equal(RelayOutcome.MalformedEvent, run.Result.Outcome);
        Assert.Equal(first, run.Output);
    }

    [Theory]
    [InlineData("data: {\"choices\":[{\"delta\":{\"content\":\"Hel")]
    [InlineData("data: {\"choices\":[")]
    [InlineData("data: tru")]
    public async Task A_last_event_cut_off_mid_json_is_a_broken_off_stream_not_a_malformed_one(string tail)
    {
        var first = Join([ChatEvents[1]], "\n\n");
        var input = first.Concat(Encoding.UTF8.GetBytes(tail)).ToArray();

        var run = await RelayAsync(input, 5, forwardUsage: false);

        Assert.Equal(RelayOutcome.UpstreamAborted, run.Result.Outcome);
        Assert.Equal(first, run.Output);
    }

    [Theory]
    [InlineData("data: {\"choices\":[", true)]
    [InlineData("data: {\"a\":\"unterminated", true)]
    [InlineData("data: Internal Server Error", false)]
    [InlineData("data: {\"a\":1}", false)]
    [InlineData("data: {\"a\":1,}", false)]
    [InlineData(": comment", false)]
    public void Json_that_stops_mid_value_is_cut_short(string sseEvent, bool cutShort) =>
        Assert.Equal(cutShort, SseRelay.IsCutShort(Encoding.UTF8.GetBytes(sseEvent)));
}
