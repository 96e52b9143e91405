using System.Security.Cryptography;
using System.Text;

namespace QuantumEdge.Ledger.Crypto;

/// <summary>
/// Computes the audit's <c>prompt_hmac</c>: HMAC-SHA256 of the prompt with a key derived from
/// MASTER_KEY, as lowercase hex. Equal prompts give equal fingerprints; the text is never stored.
/// </summary>
public sealed class PromptFingerprint
{
    private readonly byte[] _key;

    internal PromptFingerprint(byte[] key) => _key = key;

    public string Compute(string prompt) => Compute(Encoding.UTF8.GetBytes(prompt));

    public string Compute(ReadOnlySpan<byte> promptUtf8)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, promptUtf8, mac);
        return Convert.ToHexStringLower(mac);
    }
}
