using QuantumEdge.Federation.Payloads;

namespace QuantumEdge.Federation.Envelopes;

/// <summary>
/// A signed federation message. <see cref="Signature"/> is Ed25519 by the origin over
/// <c>"quantumedge-federation-envelope-v1" || 0x00 || JCS(envelope without "signature")</c>;
/// <see cref="Hash"/> is SHA-256 of <see cref="CanonicalBytes"/>, the JCS form of the whole
/// envelope, signature included — what is stored, relayed, and named by the next envelope's
/// <see cref="PrevHash"/>. Obtain one from <see cref="EnvelopeCodec"/>; a parsed envelope is
/// well-formed but not yet authenticated (see the verification pipeline).
/// </summary>
public sealed class Envelope
{
    internal Envelope(string origin, string federationId, long epoch, long seq, byte[] prevHash, DateTimeOffset createdAt,
        SchemaVersion schemaVersion, FederationPayload payload, byte[] signature, byte[] signingBytes, byte[] canonicalBytes, byte[] hash)
    {
        Origin = origin;
        FederationId = federationId;
        Epoch = epoch;
        Seq = seq;
        PrevHash = prevHash;
        CreatedAt = createdAt;
        SchemaVersion = schemaVersion;
        Payload = payload;
        Signature = signature;
        SigningBytes = signingBytes;
        CanonicalBytes = canonicalBytes;
        Hash = hash;
    }

    public string Origin { get; }

    public string FederationId { get; }

    /// <summary>The origin's sequence generation: starts at the time its sequence file was created; (epoch, seq) only grows.</summary>
    public long Epoch { get; }

    /// <summary>1, 2, 3, … within an epoch; never reused.</summary>
    public long Seq { get; }

    /// <summary>Hash of the origin's previous envelope (32 zero bytes for the first of an epoch).</summary>
    public byte[] PrevHash { get; }

    public DateTimeOffset CreatedAt { get; }

    public SchemaVersion SchemaVersion { get; }

    public FederationPayload Payload { get; }

    public byte[] Signature { get; }

    /// <summary>The exact bytes the signature covers (domain tag included).</summary>
    internal byte[] SigningBytes { get; }

    /// <summary>The JCS form of the whole envelope: the wire form this node sends and relays.</summary>
    public byte[] CanonicalBytes { get; }

    /// <summary>SHA-256 of <see cref="CanonicalBytes"/>.</summary>
    public byte[] Hash { get; }

    public bool SameAs(Envelope other) => other is not null && Hash.AsSpan().SequenceEqual(other.Hash);

    public override string ToString() => $"{Origin}#{Epoch}.{Seq}";
}
