using System.Text;
using System.Text.Json.Nodes;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>Bodies that are well-formed enough to reach the parser but must not reach a backend.</summary>
public sealed class InferenceRequestHostileBodyTests
{
    private static GatewayError Refused(byte[] body, InferenceRoute route = InferenceRoute.ChatCompletions)
    {
        var e = Assert.Throws<GatewayError>(() => InferenceRequest.Parse(body, route));
        Assert.Equal(400, e.Status);
        Assert.Equal("invalid_request_error", e.Type);
        return e;
    }

    private static GatewayError Refused(string json, InferenceRoute route = InferenceRoute.ChatCompletions) =>
        Refused(Encoding.UTF8.GetBytes(json), route);

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"a\ud800b"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"\udfff"}]}]}""")]
    [InlineData("""{"model":"m","prompt":"\ud800"}""", InferenceRoute.Completions)]
    // Not read by the gateway, only forwarded: refused all the same, since rewriting decodes it.
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"user":"\ud83d"}""")]
    // A key that is half a surrogate pair, twice: the duplicate check decodes it.
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"\ud800":1,"\ud800":2}""")]
    public void A_lone_surrogate_escape_is_refused_as_invalid_text(string json, InferenceRoute route = InferenceRoute.ChatCompletions)
    {
        var e = Refused(json, route);

        Assert.Equal("invalid_json", e.Code);
        Assert.Contains("surrogate", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0xff })]
    [InlineData(new byte[] { 0xc3 })]
    [InlineData(new byte[] { 0xed, 0xa0, 0x80 })]
    public void Bytes_that_are_not_UTF_8_are_refused(byte[] bad)
    {
        var before = """{"model":"m","messages":[{"role":"user","content":"a"""u8.ToArray();
        var after = """b"}]}"""u8.ToArray();

        var e = Refused([.. before, .. bad, .. after]);

        Assert.Equal("invalid_json", e.Code);
        Assert.Contains("not valid UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_is_not_UTF_8_is_refused()
    {
        byte[] body = [.. """{"model":"m","messages":[{"role":"user","content":"a"}],"x"""u8, 0xff, .. "\":1}"u8];

        Assert.Contains("not valid UTF-8", Refused(body).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"cheap","messages":[{"role":"user","content":"x"}],"model":"audited"}""", "model")]
    [InlineData("""{"model":"m","stream":false,"messages":[{"role":"user","content":"x"}],"stream":true}""", "stream")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"shown"}],"messages":[{"role":"user","content":"run"}]}""", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"shown","content":"run"}]}""", "content")]
    [InlineData("""{"model":"m","messages":[{"role":"user","role":"system","content":"x"}]}""", "role")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"shown","text":"run"}]}]}""", "text")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":false,"include_usage":true}}""", "include_usage")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"a","name":"b"}}]}""", "name")]
    // The same key spelled once plainly and once with an escape is still the same key.
    [InlineData("""{"model":"a","messages":[{"role":"user","content":"x"}],"\u006dodel":"b"}""", "model")]
    public void A_duplicate_key_at_any_depth_is_refused_naming_it(string json, string key)
    {
        var e = Refused(json);

        Assert.Equal("invalid_json", e.Code);
        Assert.Contains($"'{key}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_key_in_different_objects_is_not_a_duplicate()
    {
        const string json = """{"model":"m","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}],"metadata":{"model":"note"}}""";

        var r = InferenceRequest.Parse(Encoding.UTF8.GetBytes(json), InferenceRoute.ChatCompletions);

        Assert.Equal("m", r.Model);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(r.SerializeBody())));
    }

    [Fact]
    public void Valid_surrogate_pairs_and_non_ascii_text_are_accepted()
    {
        var r = InferenceRequest.Parse(Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":"\ud83d\ude00 Schmerz 😀"}]}"""), InferenceRoute.ChatCompletions);

        Assert.Equal("user:😀 Schmerz 😀\n", Encoding.UTF8.GetString(r.PromptUtf8));
    }

    [Theory]
    [InlineData(InferenceRoute.Completions, "prompt")]
    [InlineData(InferenceRoute.Embeddings, "input")]
    public void A_prompt_or_input_of_too_many_items_names_that_field(InferenceRoute route, string field)
    {
        var items = string.Join(",", Enumerable.Repeat("\"x\"", InferenceRequest.MaxItems + 1));
        var e = Refused($$"""{"model":"m","{{field}}":[{{items}}]}""", route);

        Assert.Equal(field, e.Param);
        Assert.Equal($"'{field}' holds more than {InferenceRequest.MaxItems} items", e.Message);
    }

    [Fact]
    public void A_content_array_of_too_many_parts_names_messages()
    {
        var parts = string.Join(",", Enumerable.Repeat("""{"type":"text","text":"x"}""", InferenceRequest.MaxItems + 1));
        var e = Refused($$"""{"model":"m","messages":[{"role":"user","content":[{{parts}}]}]}""");

        Assert.Equal("messages", e.Param);
        Assert.Contains("content array", e.Message, StringComparison.Ordinal);
    }
}
