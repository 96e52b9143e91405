namespace QuantumEdge.Gateway.Auth;

/// <summary>The authenticated caller: the JWT's <c>sub</c>, <c>role</c> and <c>department</c>.</summary>
public sealed record CallerIdentity(string Subject, string Role, string Department, DateTimeOffset ExpiresAt);
