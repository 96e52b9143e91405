namespace QuantumEdge.Gateway.Auth;

/// <summary>A bearer token that was refused, with a reason safe to show the caller.</summary>
public sealed class TokenRejectedException : Exception
{
    public TokenRejectedException() : this("invalid token") { }

    public TokenRejectedException(string message) : base(message) { }

    public TokenRejectedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The error code the caller is answered with (401).</summary>
    public string Code { get; init; } = "invalid_api_key";
}
