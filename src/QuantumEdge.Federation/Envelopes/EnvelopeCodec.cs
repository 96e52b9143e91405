using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using QuantumEdge.Federation.Canonical;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;

namespace QuantumEdge.Federation.Envelopes;

/// <summary>
/// Builds and signs envelopes, and reads untrusted bytes into one. Reading checks form only
/// (JSON, limits, field types, schema version); authenticity is the verifier's job.
/// </summary>
internal static class EnvelopeCodec
{
    public const int HashSize = 32;

    /// <summary>Domain separation: a signature over an envelope can never be mistaken for any other signed statement of the node.</summary>
    private static readonly byte[] SignatureDomain = Encoding.ASCII.GetBytes("quantumedge-federation-envelope-v1\0");

    /// <summary>The newest schema major version this code understands.</summary>
    public const int SupportedMajor = 1;

    public static byte[] GenesisHash => new byte[HashSize];

    /// <summary>Builds, signs and hashes an envelope of <paramref name="signer"/>.</summary>
    public static Envelope Create(IFederationSigner signer, string origin, string federationId, long epoch, long seq,
        ReadOnlySpan<byte> prevHash, DateTimeOffset createdAt, FederationPayload payload)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(payload);
        if (!NodeId.IsValid(origin) || !NodeId.IsValid(federationId))
        {
            throw new ArgumentException("origin and federation id must be valid node ids.");
        }

        if (epoch < 1 || seq < 1 || epoch > Fields.MaxSafeInteger || seq > Fields.MaxSafeInteger || prevHash.Length != HashSize)
        {
            throw new ArgumentException("epoch and seq must be in [1, 2^53-1] and prev_hash 32 bytes.");
        }

        var time = Timestamps.Truncate(createdAt);
        var unsigned = CanonicalNode.Object(
        [
            new("origin", CanonicalNode.String(origin)),
            new("federation_id", CanonicalNode.String(federationId)),
            new("epoch", CanonicalNode.FromNumber(epoch)),
            new("seq", CanonicalNode.FromNumber(seq)),
            new("prev_hash", CanonicalNode.String(Convert.ToHexStringLower(prevHash))),
            new("created_at", CanonicalNode.String(Timestamps.Format(time))),
            new("schema_version", CanonicalNode.String(SchemaVersion.Current.ToString())),
            new("payload", PayloadCodec.ToNode(payload)),
        ]);
        var signingBytes = SigningMessage(CanonicalJson.Serialize(unsigned));
        var signature = signer.Sign(signingBytes);
        var signed = CanonicalNode.Object(unsigned.Members.Append(new("signature", CanonicalNode.String(Convert.ToBase64String(signature)))));
        var canonical = CanonicalJson.Serialize(signed);
        return new Envelope(origin, federationId, epoch, seq, prevHash.ToArray(), time, SchemaVersion.Current, payload,
            signature, signingBytes, canonical, SHA256.HashData(canonical));
    }

    /// <summary>
    /// Reads untrusted bytes. On failure <paramref name="refusal"/> is a 400 naming the problem:
    /// a JSON/limit error (too_large, malformed_json, too_deep, too_many_values, string_too_long,
    /// duplicate_key, invalid_number, invalid_string), a field error (missing_field, wrong_type,
    /// invalid_value) or unsupported_schema_version.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8, CanonicalJsonLimits limits, [NotNullWhen(true)] out Envelope? envelope,
        [NotNullWhen(false)] out Refusal? refusal)
    {
        ArgumentNullException.ThrowIfNull(limits);
        envelope = null;
        if (!CanonicalJson.TryParse(utf8, limits, out var root, out var jsonError, out var detail))
        {
            refusal = Refusal.Malformed(RefusalReason.For(jsonError), detail);
            return false;
        }

        try
        {
            var read = Read(root);
            // What is kept is the canonical form, which can be longer than what arrived ("1e20" becomes 21 digits):
            // the size limit holds for what this node stores and relays, not only for what it received.
            if (read.CanonicalBytes.Length > limits.MaxBytes)
            {
                refusal = Refusal.Malformed(RefusalReason.TooLarge,
                    $"the envelope's canonical form is {read.CanonicalBytes.Length} bytes; the limit is {limits.MaxBytes}");
                return false;
            }

            envelope = read;
            refusal = null;
            return true;
        }
        catch (EnvelopeFormatException ex)
        {
            refusal = Refusal.Malformed(ex.Reason, ex.Message);
            return false;
        }
        catch (CanonicalJsonException ex)
        {
            refusal = Refusal.Malformed(RefusalReason.For(ex.Error), ex.Message);
            return false;
        }
    }

    /// <summary>Reads with the default limits.</summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out Envelope? envelope, [NotNullWhen(false)] out Refusal? refusal) =>
        TryRead(utf8, CanonicalJsonLimits.Default, out envelope, out refusal);

    /// <summary>True when the envelope's signature verifies under <paramref name="rawPublicKey"/>.</summary>
    public static bool VerifySignature(Envelope envelope, ReadOnlySpan<byte> rawPublicKey)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return FederationPublicKey.Verify(rawPublicKey, envelope.SigningBytes, envelope.Signature);
    }

    private static Envelope Read(CanonicalNode root)
    {
        if (root.Kind != CanonicalKind.Object)
        {
            throw new EnvelopeFormatException(RefusalReason.WrongType, "an envelope must be a JSON object");
        }

        // The schema version first: a newer major version may have changed any other field.
        var versionText = Fields.String(Fields.Required(root, "schema_version", ""), "schema_version", 16);
        if (!SchemaVersion.TryParse(versionText, out var version))
        {
            throw new EnvelopeFormatException(RefusalReason.InvalidValue, "schema_version must be \"MAJOR.MINOR\"");
        }

        if (version.Major != SupportedMajor)
        {
            throw new EnvelopeFormatException(RefusalReason.UnsupportedSchemaVersion,
                $"schema_version {version} has major version {version.Major}; this node reads major version {SupportedMajor} only (upgrade to read it)");
        }

        var origin = Fields.String(Fields.Required(root, "origin", ""), "origin", NodeId.MaxLength);
        var federationId = Fields.String(Fields.Required(root, "federation_id", ""), "federation_id", NodeId.MaxLength);
        if (!NodeId.IsValid(origin) || !NodeId.IsValid(federationId))
        {
            throw new EnvelopeFormatException(RefusalReason.InvalidValue, "origin and federation_id must be 1-64 characters of a-z, 0-9, '.', '_', '-'");
        }

        var epoch = Fields.Integer(Fields.Required(root, "epoch", ""), "epoch", 1);
        var seq = Fields.Integer(Fields.Required(root, "seq", ""), "seq", 1);
        var prevHash = Fields.Hex(Fields.Required(root, "prev_hash", ""), "prev_hash", HashSize);
        var createdAt = Fields.Timestamp(Fields.Required(root, "created_at", ""), "created_at");
        var payload = PayloadCodec.Read(Fields.Required(root, "payload", ""));
        var signature = Fields.Base64(Fields.Required(root, "signature", ""), "signature", FederationPublicKey.SignatureSize);

        // Unknown top-level members are kept: they are covered by the signature and by the hash.
        var signingBytes = SigningMessage(CanonicalJson.Serialize(root.Without("signature")));
        var canonical = CanonicalJson.Serialize(root);
        return new Envelope(origin, federationId, epoch, seq, prevHash, createdAt, version, payload, signature, signingBytes,
            canonical, SHA256.HashData(canonical));
    }

    internal static byte[] SigningMessage(byte[] canonicalWithoutSignature)
    {
        var message = new byte[SignatureDomain.Length + canonicalWithoutSignature.Length];
        SignatureDomain.CopyTo(message, 0);
        canonicalWithoutSignature.CopyTo(message, SignatureDomain.Length);
        return message;
    }
}
