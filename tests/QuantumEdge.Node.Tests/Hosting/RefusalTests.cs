using System.Net;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>Every refusal in the request path: right status, OpenAI error shape, and no backend touched.</summary>
public sealed class RefusalTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() =>
        _node = await TestNode.StartAsync(
            [new TestNode.Sim("open", TestNode.OpenLevels)],
            server: s => s with { MaxRequestBodyBytes = 4096 });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private long BackendHits => _node.Sims.Sum(s => s.Received);

    [Fact]
    public async Task Missing_token_is_401()
    {
        using var response = await _node.Http.SendAsync(_node.Chat(token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var (message, type, _) = await ErrorShape.ReadAsync(response);
        Assert.Equal("authentication_error", type);
        Assert.Contains("missing bearer token", message, StringComparison.Ordinal);
        Assert.Equal(0, BackendHits);
    }

    [Theory]
    [InlineData("expired", "expired")]
    [InlineData("future", "not yet valid")]
    [InlineData("wrong-key", "signature")]
    [InlineData("malformed", "malformed")]
    public async Task Bad_tokens_are_401_naming_the_problem(string kind, string expected)
    {
        var token = kind switch
        {
            "expired" => _node.Auth.Issue("u", "doctor", "icu", TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow.AddHours(-1)),
            "future" => _node.Auth.Issue("u", "doctor", "icu", TimeSpan.FromHours(1), DateTimeOffset.UtcNow.AddHours(1)),
            "wrong-key" => new Gateway.Auth.JwtAuthenticator(new Gateway.Configuration.AuthSettings { JwtSecret = new string('z', 40) })
                .Issue("u", "doctor", "icu", TimeSpan.FromHours(1)),
            _ => "abc.def",
        };
        using var response = await _node.Http.SendAsync(_node.Chat(token));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var (message, _, _) = await ErrorShape.ReadAsync(response);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Equal(0, BackendHits);
    }

    [Fact]
    public async Task Role_without_query_permission_is_403()
    {
        using var response = await _node.Http.SendAsync(_node.Chat(_node.Token(role: "visitor")));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var (message, type, _) = await ErrorShape.ReadAsync(response);
        Assert.Equal("permission_error", type);
        Assert.Contains("visitor", message, StringComparison.Ordinal);
        Assert.Equal(0, BackendHits);
    }

    [Theory]
    [InlineData("{\"model\":", "not valid JSON")]
    [InlineData("[1,2]", "JSON object")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "'model' is required")]
    [InlineData("{\"model\":\"clinical-7b\",\"messages\":[]}", "'messages'")]
    [InlineData("{\"model\":\"clinical-7b\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "'stream'")]
    public async Task Malformed_bodies_are_400(string body, string expected)
    {
        using var response = await _node.Http.SendAsync(TestNode.Raw("/v1/chat/completions", body, _node.Token()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (message, type, _) = await ErrorShape.ReadAsync(response);
        Assert.Equal("invalid_request_error", type);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Equal(0, BackendHits);
    }

    [Fact]
    public async Task Oversized_body_is_413()
    {
        using var response = await _node.Http.SendAsync(_node.Chat(_node.Token(), content: new string('a', 10_000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var (message, _, code) = await ErrorShape.ReadAsync(response);
        Assert.Equal("request_too_large", code);
        Assert.Contains("4096", message, StringComparison.Ordinal);
        Assert.Equal(0, BackendHits);
    }

    [Fact]
    public async Task Unknown_model_is_404()
    {
        using var response = await _node.Http.SendAsync(_node.Chat(_node.Token(), model: "gpt-17"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var (message, _, code) = await ErrorShape.ReadAsync(response);
        Assert.Equal("model_not_found", code);
        Assert.Contains("gpt-17", message, StringComparison.Ordinal);
        Assert.Equal(0, BackendHits);
    }

    [Theory]
    [InlineData("phi")]
    [InlineData("clinical_notes")]
    [InlineData("restricted")]
    [InlineData("no-such-class")]
    [InlineData(null)]
    public async Task Data_no_backend_is_cleared_for_is_503_and_never_sent(string? classification)
    {
        using var response = await _node.Http.SendAsync(_node.Chat(_node.Token(), classification));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var (message, _, code) = await ErrorShape.ReadAsync(response);
        Assert.Equal("no_permitted_backend", code);
        Assert.Contains("no backend is permitted", message, StringComparison.Ordinal);
        Assert.Equal(0, BackendHits);
    }

    [Fact]
    public async Task Public_data_goes_through_to_the_open_backend()
    {
        using var response = await _node.Http.SendAsync(_node.Chat(_node.Token(), "public"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("open", response.Headers.GetValues("X-QuantumEdge-Backend").Single());
        Assert.Equal(1, BackendHits);
    }

    [Fact]
    public async Task Unknown_path_is_404_in_openai_shape()
    {
        using var response = await _node.Http.GetAsync("/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var (_, _, code) = await ErrorShape.ReadAsync(response);
        Assert.Equal("unknown_url", code);
    }
}
