using System.Text;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Tests.Forwarding;

public sealed class TokenUsageTests
{
    private static bool TryRead(string json, out TokenUsage usage) => TokenUsage.TryRead(Encoding.UTF8.GetBytes(json), out usage);

    [Fact]
    public void A_non_streamed_answer_yields_its_counts()
    {
        const string json = """
            {"id":"chatcmpl-1","object":"chat.completion","model":"clinical-7b",
             "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":42,"completion_tokens":7,"total_tokens":49,
                      "prompt_tokens_details":{"cached_tokens":32},"completion_tokens_details":{"reasoning_tokens":0}}}
            """;

        Assert.True(TryRead(json, out var usage));
        Assert.Equal(new TokenUsage(42, 7), usage);
    }

    [Fact]
    public void The_final_usage_chunk_of_a_stream_yields_its_counts()
    {
        Assert.True(TryRead("""{"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42}}""", out var usage));
        Assert.Equal(new TokenUsage(12, 30), usage);
    }

    [Fact]
    public void Usage_first_and_counts_in_any_order_are_read()
    {
        Assert.True(TryRead("""{"usage":{"total_tokens":9,"completion_tokens":4,"prompt_tokens":5},"choices":[]}""", out var usage));
        Assert.Equal(new TokenUsage(5, 4), usage);
    }

    [Fact]
    public void Embeddings_usage_without_completion_tokens_counts_zero_completion()
    {
        Assert.True(TryRead("""{"object":"list","data":[{"embedding":[0.1,0.2]}],"usage":{"prompt_tokens":8,"total_tokens":8}}""", out var usage));
        Assert.Equal(new TokenUsage(8, 0), usage);
    }

    [Theory]
    [InlineData("""{"id":"c","choices":[{"delta":{"content":"Hi"}}],"usage":null}""")]
    [InlineData("""{"id":"c","choices":[{"delta":{"content":"Hi"}}]}""")]
    [InlineData("""{"choices":[{"delta":{"usage":{"prompt_tokens":1,"completion_tokens":1}}}]}""")]
    [InlineData("""{"meta":{"usage":{"prompt_tokens":1,"completion_tokens":1}}}""")]
    [InlineData("""{"usage":"lots"}""")]
    [InlineData("""[{"usage":{"prompt_tokens":1}}]""")]
    [InlineData("""{"usage":{"prompt_tokens":1""")]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("[DONE]")]
    public void Anything_without_a_top_level_usage_object_yields_nothing(string json)
    {
        Assert.False(TryRead(json, out var usage));
        Assert.Equal(default, usage);
    }

    [Theory]
    [InlineData("""{"usage":{"prompt_tokens":12.0,"completion_tokens":3}}""", 12, 3)]
    [InlineData("""{"usage":{"prompt_tokens":99999999999,"completion_tokens":3}}""", int.MaxValue, 3)]
    [InlineData("""{"usage":{"prompt_tokens":-4,"completion_tokens":3}}""", 0, 3)]
    [InlineData("""{"usage":{"prompt_tokens":"12","completion_tokens":3}}""", 0, 3)]
    public void Odd_numbers_from_a_backend_never_throw(string json, int prompt, int completion)
    {
        Assert.True(TryRead(json, out var usage));
        Assert.Equal(new TokenUsage(prompt, completion), usage);
    }

    [Fact]
    public void A_usage_given_twice_counts_as_the_last_one_as_a_clients_parser_reads_it_whole_or_from_the_tail()
    {
        var twice = """{"usage":{"prompt_tokens":1,"completion_tokens":1},"choices":[],"usage":{"prompt_tokens":40,"completion_tokens":9}}""";
        Assert.True(TryRead(twice, out var usage));
        Assert.Equal(new TokenUsage(40, 9), usage);
        Assert.True(TokenUsage.TryReadFromTail(Encoding.UTF8.GetBytes(twice), out var fromTail));
        Assert.Equal(usage, fromTail);

        Assert.False(TryRead("""{"usage":{"prompt_tokens":1,"completion_tokens":1},"usage":null}""", out var none));
        Assert.Equal(default, none);
    }

    [Fact]
    public void A_last_usage_of_null_is_no_usage_from_the_tail_too()
    {
        var whole = """{"usage":{"prompt_tokens":1,"completion_tokens":1},"choices":[],"usage":null}""";
        Assert.False(TokenUsage.TryReadFromTail(Encoding.UTF8.GetBytes(whole), out var fromWhole));
        Assert.Equal(default, fromWhole);

        // The start of a large answer is not held: only its tail is read.
        var tail = ""","usage":{"prompt_tokens":1,"completion_tokens":1},"x":1,"usage":null}""";
        Assert.False(TokenUsage.TryReadFromTail(Encoding.UTF8.GetBytes(tail), out var fromTail));
        Assert.Equal(default, fromTail);
    }

    [Fact]
    public void A_key_escaping_a_lone_surrogate_is_refused_without_throwing()
    {
        Assert.False(TryRead("""{"\udc00x":1,"usage":{"prompt_tokens":1,"completion_tokens":1}}""", out _));
        Assert.Null(Record.Exception(() => TokenUsage.TryReadFromTail(Encoding.UTF8.GetBytes(""","usage":{"\udc00xxxxxxxxxxxxxx":1}}"""), out _)));
    }
}

