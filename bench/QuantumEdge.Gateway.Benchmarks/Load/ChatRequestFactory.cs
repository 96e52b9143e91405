using System.Net.Http.Headers;
using System.Text;

namespace QuantumEdge.Gateway.Benchmarks.Load;

/// <summary>
/// Builds the chat-completion requests of one pass. Direct and gateway passes send byte-identical
/// bodies and the same headers (the simulated backend ignores the token and the classification),
/// so the only difference between them is the hop through the gateway.
/// </summary>
internal sealed class ChatRequestFactory
{
    // A short clinical-style prompt: big enough that the gateway parses, hashes and forwards real JSON.
    private const string Prompt =
        "Summarise the overnight handover for bed 12: post-op day 2 after laparoscopic cholecystectomy, " +
        "afebrile, pain controlled on oral analgesia, tolerating diet, drain output 40 ml serous. Plan?";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly Uri _endpoint;
    private readonly byte[] _body;
    private readonly string? _classification;
    private readonly AuthenticationHeaderValue[] _tokens;
    private readonly bool _freshConnections;

    public ChatRequestFactory(Uri endpoint, string model, string? classification, bool stream, IReadOnlyList<string> tokens, bool freshConnections = false)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _endpoint = endpoint;
        _classification = classification;
        _tokens = [.. tokens.Select(t => new AuthenticationHeaderValue("Bearer", t))];
        var json = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{Prompt}}"}],"max_tokens":32,"stream":{{(stream ? "true" : "false")}}}""";
        _body = Encoding.UTF8.GetBytes(json);
        Streaming = stream;
        _freshConnections = freshConnections;
    }

    public bool Streaming { get; }

    /// <summary>Request number <paramref name="sequence"/>; the callers (tokens) rotate round-robin.</summary>
    public HttpRequestMessage Create(long sequence)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new ByteArrayContent(_body) { Headers = { ContentType = Json } },
            Version = System.Net.HttpVersion.Version11,
        };
        if (_tokens.Length > 0)
        {
            request.Headers.Authorization = _tokens[(int)(sequence % _tokens.Length)];
        }

        if (_classification is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Data-Classification", _classification);
        }

        if (_freshConnections)
        {
            // Diagnostic: no keep-alive, so no request waits for the previous one's server-side tail.
            request.Headers.ConnectionClose = true;
        }

        if (Streaming)
        {
            request.Headers.TryAddWithoutValidation("Accept", "text/event-stream");
        }

        return request;
    }
}
