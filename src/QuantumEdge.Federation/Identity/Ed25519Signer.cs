using NSec.Cryptography;

namespace QuantumEdge.Federation.Identity;

/// <summary>An in-memory Ed25519 key pair (tests, the demo, and nodes that keep the key themselves).</summary>
internal sealed class Ed25519Signer : IFederationSigner, IDisposable
{
    private readonly Key _key;

    private Ed25519Signer(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <inheritdoc />
    public ReadOnlyMemory<byte> PublicKey { get; }

    /// <summary>A fresh random key pair.</summary>
    public static Ed25519Signer Generate() => new(Key.Create(SignatureAlgorithm.Ed25519));

    /// <summary>A key pair from a 32-byte seed (deterministic keys for tests and benchmarks).</summary>
    public static Ed25519Signer FromSeed(ReadOnlySpan<byte> seed) =>
        new(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey));

    /// <inheritdoc />
    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_key, data);

    public void Dispose() => _key.Dispose();
}
