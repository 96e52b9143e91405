using QuantumEdge.Gateway.Backends;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Names what went wrong when a backend gave no usable answer head, so that an operator is not
/// sent to check the network for a backend that answered, only wrongly.
/// </summary>
internal static class SendFailure
{
    /// <summary>The metric kind and the problem, worded to follow the backend's name.</summary>
    public static (string Kind, string Problem) Describe(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.ConfigurationLimitExceeded =>
            ("headers_too_large", $"answered with more than {SocketsBackendHandlers.MaxResponseHeadersKiB} KiB of response headers"),
        HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError =>
            ("bad_response", "answered with something that is not a valid HTTP response"),
        HttpRequestError.ResponseEnded =>
            ("upstream_aborted", "closed the connection before its answer's headers"),
        _ => ("connect", "unreachable"),
    };
}
