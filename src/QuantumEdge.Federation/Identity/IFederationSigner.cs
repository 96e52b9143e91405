namespace QuantumEdge.Federation.Identity;

/// <summary>
/// The node's identity key as federation sees it: the raw 32-byte Ed25519 public key and a way to
/// sign. The node adapts its own key (the ledger's NodeIdentity) to this, so this library never
/// touches key files.
/// </summary>
public interface IFederationSigner
{
    /// <summary>The raw 32-byte Ed25519 public key.</summary>
    ReadOnlyMemory<byte> PublicKey { get; }

    /// <summary>A 64-byte Ed25519 signature over <paramref name="data"/>.</summary>
    byte[] Sign(ReadOnlySpan<byte> data);
}
