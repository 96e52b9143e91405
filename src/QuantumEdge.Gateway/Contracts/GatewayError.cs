namespace QuantumEdge.Gateway.Contracts;

/// <summary>
/// A refusal or failure the gateway answers with an OpenAI-shaped error body. Thrown inside the
/// request path and turned into a response in one place.
/// </summary>
public sealed class GatewayError : Exception
{
    public GatewayError(int status, string type, string? code, string message, string? param = null)
        : base(message)
    {
        Status = status;
        Type = type;
        Code = code;
        Param = param;
    }

    public GatewayError() : this(500, "server_error", null, "internal error") { }

    public GatewayError(string message) : this(500, "server_error", null, message) { }

    public GatewayError(string message, Exception innerException) : base(message, innerException)
    {
        Status = 500;
        Type = "server_error";
    }

    public int Status { get; }
    public string Type { get; } = "server_error";
    public string? Code { get; }
    public string? Param { get; }
    /// <summary>Seconds for a <c>Retry-After</c> header, when the caller should come back later.</summary>
    public int? RetryAfterSeconds { get; init; }

    public OpenAiErrorEnvelope ToEnvelope() => new(new OpenAiError(Message, Type, Param, Code));

    public static GatewayError BadRequest(string message, string? param = null, string code = "invalid_request") =>
        new(400, "invalid_request_error", code, message, param);

    public static GatewayError Unauthorized(string message, string code = "invalid_api_key") =>
        new(401, "authentication_error", code, message);

    public static GatewayError Forbidden(string message, string code = "permission_denied") =>
        new(403, "permission_error", code, message);

    public static GatewayError NotFound(string message, string? param = null, string code = "model_not_found") =>
        new(404, "invalid_request_error", code, message, param);

    public static GatewayError TooLarge(long limit) =>
        new(413, "invalid_request_error", "request_too_large", $"request body exceeds the limit of {limit} bytes");

    public static GatewayError Unavailable(string message, string code = "no_backend_available", int? retryAfter = null) =>
        new(503, "server_error", code, message) { RetryAfterSeconds = retryAfter };

    public static GatewayError Timeout(string message) =>
        new(504, "server_error", "backend_timeout", message);

    /// <summary>An unexpected failure; the message names the request id for the node's log, nothing more.</summary>
    public static GatewayError Internal(string requestId) =>
        new(500, "server_error", "internal_error", "internal error; see the node's log for the request id " + requestId);

    public static GatewayError BadGateway(string message) =>
        new(502, "server_error", "backend_error", message);
}
