using QuantumEdge.Federation.Identity;
using QuantumEdge.Ledger.Crypto;

namespace QuantumEdge.Node.Federation;

/// <summary>The node's Ed25519 identity (the ledger's <see cref="NodeIdentity"/>, from <c>keygen</c>) as the federation's signer.</summary>
internal sealed class NodeIdentitySigner(NodeIdentity identity) : IFederationSigner
{
    /// <inheritdoc />
    public ReadOnlyMemory<byte> PublicKey => identity.PublicKeyBytes;

    /// <inheritdoc />
    public byte[] Sign(ReadOnlySpan<byte> data) => identity.Sign(data);
}
