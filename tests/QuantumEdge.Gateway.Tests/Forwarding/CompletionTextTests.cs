using System.Text;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>
/// Whether a streamed event carries completion text decides whether a stream broken off keeps its
/// privacy charge: a wrong "no" releases the charge for text the client read. Events are read as the
/// client's JSON parser reads them; what is not one complete JSON value counts as text.
/// </summary>
public sealed class CompletionTextTests
{
    [Theory]
    [InlineData("""data: {"choices":[{"index":0,"delta":{"content":"Patient"}}]}""")]
    [InlineData("""data: {"choices":[{"index":0,"text":"Patient"}]}""")]
    [InlineData("""data: {"choices":[{"delta":{"refusal":"no"}}]}""")]
    [InlineData("""data: {"choices":[{"delta":{"reasoning_content":"so"}}]}""")]
    [InlineData("""data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\""}}]}}]}""")]
    [InlineData("event: message\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}")]
    public void Plain_text_keys_with_a_string_are_text(string sseEvent) =>
        Assert.True(CompletionText.In(Encoding.UTF8.GetBytes(sseEvent)));

    [Theory]
    [InlineData("""data: {"choices":[{"delta":{"con\u0074ent":"Patient"}}]}""")]
    [InlineData("""data: {"choices":[{"delta":{"\u0063ontent":"Patient"}}]}""")]
    [InlineData("""data: {"choices":[{"t\u0065xt":"Patient"}]}""")]
    [InlineData("data: {\"choices\":[{\"delta\":{\"content\"\ndata: :\"Patient\"}}]}")]
    [InlineData("data: {\"choices\":[{\"delta\":{\"content\":\r\ndata: \"Patient\"}}]}")]
    [InlineData("data: {\"choices\":[{\"delta\":\ndata: {\"content\":\"Patient\"}}]}")]
    [InlineData("data:{\"choices\":[{\"delta\":{\"content\"\ndata:\t:\"Patient\"}}]}")]
    [InlineData("event: message\rdata: {\"choices\":[{\"delta\":{\"con\\u0074ent\":\"Patient\"}}]}")]
    [InlineData("""data: {"choices":[{"delta":{"con\u0074ent":"Pat""")]
    [InlineData("data: not json at all")]
    [InlineData("data: \"Patient has fever")]
    [InlineData("data: \"Patient has fever\"")]
    [InlineData("""data: {"choices":[{"index":0,"delta":{"role":"assist""")]
    [InlineData("""data: {"choices":[{"delta":{"con\u0074ent":""")]
    [InlineData("""data: {"choices":[{"delta":{"content":"Patient"}}]} {"more":1}""")]
    [InlineData("""data: {"\udc00xx":1}""")]
    public void Text_spelled_any_way_a_json_parser_reads_is_text(string sseEvent) =>
        Assert.True(CompletionText.In(Encoding.UTF8.GetBytes(sseEvent)));

    [Theory]
    [InlineData("""data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""")]
    [InlineData("""data: {"choices":[{"index":0,"delta":{"role":"assistant","con\u0074ent":""}}]}""")]
    [InlineData("""data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""")]
    [InlineData("""data: {"choices":[],"usage":{"prompt_tokens":17,"completion_tokens":5,"total_tokens":22}}""")]
    [InlineData("""data: {"choices":[{"delta":{"content":null}}]}""")]
    [InlineData("""data: {"choices":[{"delta":{"role":"assistant","content":""}}],"note":"content"}""")]
    [InlineData("data: [DONE]")]
    [InlineData(": keep-alive comment")]
    [InlineData("event: ping")]
    [InlineData("data: 42")]
    [InlineData("data: \"\"")]
    public void Events_without_text_are_not_text(string sseEvent) =>
        Assert.False(CompletionText.In(Encoding.UTF8.GetBytes(sseEvent)));
}
