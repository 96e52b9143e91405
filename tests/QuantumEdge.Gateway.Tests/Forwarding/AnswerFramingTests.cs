using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Tests.Forwarding;

public sealed class AnswerFramingTests
{
    private static HttpResponseMessage Answer(Action<HttpResponseMessage> headers)
    {
        var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        headers(response);
        return response;
    }

    [Fact]
    public void A_plain_answer_with_its_length_is_relayed()
    {
        using var response = Answer(r => r.Content.Headers.ContentLength = 2);
        Assert.Null(AnswerFraming.Refusal(response));
    }

    [Fact]
    public void A_chunked_answer_without_a_length_is_relayed()
    {
        using var response = Answer(r => r.Headers.TransferEncodingChunked = true);
        Assert.Null(AnswerFraming.Refusal(response));
    }

    [Fact]
    public void An_answer_with_both_a_length_and_a_transfer_coding_is_refused_as_ambiguous()
    {
        using var response = Answer(r =>
        {
            r.Headers.TransferEncodingChunked = true;
            r.Content.Headers.ContentLength = 2;
        });
        var refusal = AnswerFraming.Refusal(response);
        Assert.Equal("bad_framing", refusal?.Kind);
        Assert.Contains("Content-Length and Transfer-Encoding", refusal?.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("IDENTITY")]
    public void An_identity_content_coding_is_relayed(string coding)
    {
        using var response = Answer(r => r.Content.Headers.ContentEncoding.Add(coding));
        Assert.Null(AnswerFraming.Refusal(response));
    }

    [Theory]
    [InlineData("gzip", "'gzip'")]
    [InlineData("identity, deflate", "'deflate'")]
    [InlineData("x-\u00e9vil\u0001coding-with-a-name-much-longer-than-anyone-needs", "'x-vilcoding-with-a-name-much-lon'")]
    public void A_content_coding_the_gateway_did_not_ask_for_is_refused_naming_it_in_token_characters_only(string coding, string shown)
    {
        using var response = Answer(r => r.Content.Headers.TryAddWithoutValidation("Content-Encoding", coding));
        var refusal = AnswerFraming.Refusal(response);
        Assert.Equal("bad_encoding", refusal?.Kind);
        Assert.Contains(shown, refusal?.Problem, StringComparison.Ordinal);
    }
}
