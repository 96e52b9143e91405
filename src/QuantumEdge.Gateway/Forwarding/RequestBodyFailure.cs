using Microsoft.AspNetCore.Http;
using QuantumEdge.Gateway.Contracts;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// What a failed read of a request body means for the client. Kestrel reports a body cut short, sent
/// too slowly or framed wrongly as <see cref="BadHttpRequestException"/>, but a chunk size too large
/// to parse (<c>ffffffffffffffffffff</c>) as a plain <see cref="IOException"/> around an
/// <see cref="OverflowException"/>. Both are the client's doing: a 4xx naming it, never a 500 with
/// the server's stack trace in the log.
/// </summary>
public static class RequestBodyFailure
{
    /// <summary>
    /// The error to answer with, or null when <paramref name="exception"/> is not a failed body read
    /// (or the client is already gone, which the caller treats as it did before).
    /// </summary>
    public static GatewayError? Translate(Exception exception, CancellationToken requestAborted) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } =>
            new GatewayError(408, "invalid_request_error", "request_timeout", "the request body arrived too slowly; send it whole and promptly"),
        BadHttpRequestException e =>
            new GatewayError(e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, "invalid_request_error", "incomplete_body",
                "the request body is shorter than its declared Content-Length or malformed"),
        // Only that case: a client resetting the connection or the stream is an IOException too, and is the caller's 499.
        IOException { InnerException: OverflowException } when !requestAborted.IsCancellationRequested =>
            new GatewayError(400, "invalid_request_error", "malformed_body",
                "the request body's chunked framing is malformed (a chunk size that cannot be read); send it again with valid framing"),
        _ => null,
    };
}
