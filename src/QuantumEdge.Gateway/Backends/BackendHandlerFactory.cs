using System.Net;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Backends;

/// <summary>
/// Makes the HTTP handler a backend's transport sends through. Composition picks it: production
/// uses <see cref="SocketsBackendHandlers.Create"/>; tests hand in an in-memory handler.
/// </summary>
public delegate HttpMessageHandler BackendHandlerFactory(BackendSettings settings);

/// <summary>The production handler: pooled sockets, bounded connect time, no proxy, cookies, decompression or redirects.</summary>
internal static class SocketsBackendHandlers
{
    /// <summary>Most response-header bytes read from a backend, in KiB.</summary>
    public const int MaxResponseHeadersKiB = 64;

    public static HttpMessageHandler Create(BackendSettings settings) => new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        MaxConnectionsPerServer = Math.Max(settings.MaxConcurrency * 2, 4),
        ConnectTimeout = TimeSpan.FromSeconds(Math.Min(5, settings.TimeoutSeconds)),
        // Response headers are bounded too: a backend cannot make the gateway hold megabytes of them.
        MaxResponseHeadersLength = MaxResponseHeadersKiB,
        MaxResponseDrainSize = 64 * 1024,
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = false,
        UseCookies = false,
        // A backend's redirect is never followed: it would send the prompt to an address no one
        // cleared for its data class (and costs every request a redirect-handler layer).
        AllowAutoRedirect = false,
        // No trace context (traceparent, tracestate, baggage) goes to a model server, whatever the caller sent.
        ActivityHeadersPropagator = null,
    };
}
