using System.Net.Http.Headers;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Backends;

/// <summary>
/// How the gateway talks to one backend: an HTTP client over an injected handler, with the
/// backend's own API key (never the caller's token). Holds no routing state; that is
/// <see cref="Backend"/>, which is all a planner ever sees.
/// </summary>
public sealed class BackendTransport : IDisposable
{
    private readonly HttpClient _client;

    public BackendTransport(BackendSettings settings, HttpMessageHandler handler, Func<string, string?>? environment = null)
    {
        _client = new HttpClient(handler, disposeHandler: true) { BaseAddress = settings.Url, Timeout = Timeout.InfiniteTimeSpan };
        // Answers the gateway buffers itself are read through BoundedBody; this caps any other buffered read.
        _client.MaxResponseContentBufferSize = 1024 * 1024;
        if (settings.ApiKeyEnv is { } keyVar)
        {
            if ((environment ?? Environment.GetEnvironmentVariable)(keyVar) is { Length: > 0 } key)
            {
                _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
            else
            {
                MissingKeyVariable = keyVar;
            }
        }
    }

    /// <summary>The backend's <c>api_key_env</c> variable when it is unset or empty: the backend cannot be used.</summary>
    public string? MissingKeyVariable { get; }

    /// <summary>The health detail of a backend whose key variable is missing (names the variable, never a value).</summary>
    public static string MissingKeyDetail(string variable) => $"its api_key_env variable {variable} is not set";

    /// <summary>Sends and returns once the response headers are in; the body is read by the caller.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
        _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);

    /// <summary>A GET whose body the caller reads (bounded: see <see cref="BoundedBody"/>).</summary>
    public Task<HttpResponseMessage> GetAsync(string relative, CancellationToken ct) =>
        _client.GetAsync(relative, HttpCompletionOption.ResponseHeadersRead, ct);

    /// <inheritdoc cref="GetAsync(string, CancellationToken)"/>
    public Task<HttpResponseMessage> GetAsync(Uri uri, CancellationToken ct) =>
        _client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct);

    public void Dispose() => _client.Dispose();
}
