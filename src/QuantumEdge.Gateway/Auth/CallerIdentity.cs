namespace QuantumEdge.Gateway.Auth;

/// <summary>The authenticated caller: the JWT's <c>sub</c>, <c>role</c> and <c>department</c>.</summary>
public sealed record CallerIdentity(string Subject, string Role, string Department, DateTimeOffset ExpiresAt)
{
    /// <summary>The token's <c>iat</c>, or null when it carries none (token revocation refuses such tokens).</summary>
    public DateTimeOffset? IssuedAt { get; init; }
}
