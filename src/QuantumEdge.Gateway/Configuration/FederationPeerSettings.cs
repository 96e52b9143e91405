namespace QuantumEdge.Gateway.Configuration;

/// <summary>One entry of <c>federation.peers</c>: a trusted hospital node, its listener and its Ed25519 key.</summary>
public sealed record FederationPeerSettings
{
    public required string Id { get; init; }
    /// <summary>The peer's federation listener; null for a peer reached only through relay.</summary>
    public Uri? Url { get; init; }
    /// <summary>The key as <c>quantumedge federation pubkey</c> printed it (<c>ed25519:</c> + base64).</summary>
    public required string PublicKey { get; init; }
    /// <summary>The raw 32-byte key parsed from <see cref="PublicKey"/>.</summary>
    public required byte[] PublicKeyBytes { get; init; }
}
