using System.Diagnostics.CodeAnalysis;
using NSec.Cryptography;

namespace QuantumEdge.Federation.Identity;

/// <summary>
/// The text form of a node's public key that peers paste into their trust list:
/// <c>ed25519:</c> followed by the standard base64 of the raw 32-byte key.
/// </summary>
public static class FederationPublicKey
{
    public const string Prefix = "ed25519:";
    public const int Size = 32;
    public const int SignatureSize = 64;

    public static string Format(ReadOnlySpan<byte> rawPublicKey)
    {
        if (rawPublicKey.Length != Size)
        {
            throw new ArgumentException($"An Ed25519 public key has {Size} bytes, not {rawPublicKey.Length}.", nameof(rawPublicKey));
        }

        return Prefix + Convert.ToBase64String(rawPublicKey);
    }

    /// <summary>Parses the text form; <paramref name="problem"/> names what is wrong when it fails.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out byte[]? rawPublicKey, [NotNullWhen(false)] out string? problem)
    {
        rawPublicKey = null;
        if (string.IsNullOrWhiteSpace(text) || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            problem = $"a federation public key starts with '{Prefix}'";
            return false;
        }

        var bytes = new byte[Size + 1];
        if (!Convert.TryFromBase64String(text[Prefix.Length..].Trim(), bytes, out var written) || written != Size)
        {
            problem = $"after '{Prefix}' a federation public key is the base64 of {Size} bytes";
            return false;
        }

        var raw = bytes[..Size];
        if (!NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out _))
        {
            problem = "the bytes are not a valid Ed25519 public key";
            return false;
        }

        rawPublicKey = raw;
        problem = null;
        return true;
    }

    /// <summary>True when <paramref name="signature"/> is a valid Ed25519 signature of <paramref name="data"/> by <paramref name="rawPublicKey"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> rawPublicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (rawPublicKey.Length != Size || signature.Length != SignatureSize)
        {
            return false;
        }

        if (!NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, rawPublicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
        {
            return false;
        }

        return SignatureAlgorithm.Ed25519.Verify(key, data, signature);
    }
}
