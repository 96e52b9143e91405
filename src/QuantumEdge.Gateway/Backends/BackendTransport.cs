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
            var key = (environment ?? Environment.GetEnvironmentVariable)(keyVar);
            if (string.IsNullOrEmpty(key))
            {
                UnusableKeyDetail = $"its api_key_env variable {keyVar} is not set";
            }
            else if (KeyValueProblem(key) is { } problem)
            {
                UnusableKeyDetail = $"its api_key_env variable {keyVar} {problem}";
            }
            else
            {
                _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        }
    }

    /// <summary>
    /// Why the backend's <c>api_key_env</c> key cannot be used (unset, empty, or a value no header can
    /// carry), for health and logs, naming the variable, never a value; null when it can: a backend with one cannot be used.
    /// </summary>
    public string? UnusableKeyDetail { get; }

    /// <summary>
    /// Why a key cannot go in an Authorization header (never quoting it), or null: only visible ASCII
    /// can; a line break (a secret file's trailing newline) would otherwise fail every request later.
    /// </summary>
    public static string? KeyValueProblem(string key) =>
        key.Any(c => c is < '!' or > '~')
            ? "holds a space, a line break, a control or a non-ASCII character, which an HTTP header cannot carry (a secret file's trailing newline?)"
            : null;

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
