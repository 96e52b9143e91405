namespace QuantumEdge.Gateway.Auth;

/// <summary>
/// Consulted on every authenticated request, including tokens served from the validated-token
/// cache, so that a revocation takes effect on the next request.
/// </summary>
public interface ITokenRevocation
{
    /// <summary>Why this caller's token is revoked, or null when it is not.</summary>
    string? RevokedReason(CallerIdentity caller);
}
