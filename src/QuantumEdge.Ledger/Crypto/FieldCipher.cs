using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace QuantumEdge.Ledger.Crypto;

/// <summary>
/// Encrypts sensitive string fields (user id, department) with XChaCha20-Poly1305.
/// Blob layout: 24-byte random nonce, then ciphertext with tag. The field name is the
/// associated data, so a user blob cannot be passed off as a department.
/// </summary>
internal sealed class FieldCipher
{
    private const int CacheLimit = 65_536;
    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;

    private readonly Key _key;
    private readonly Dictionary<(string Field, string Value), byte[]> _cache = [];
    private readonly Lock _cacheLock = new();

    public FieldCipher(Key key) => _key = key;

    public byte[] Encrypt(string field, string plaintext)
    {
        var nonce = new byte[Aead.NonceSize];
        RandomNumberGenerator.Fill(nonce);
        var ciphertext = Aead.Encrypt(_key, nonce, Encoding.UTF8.GetBytes(field), Encoding.UTF8.GetBytes(plaintext));
        var blob = new byte[nonce.Length + ciphertext.Length];
        nonce.CopyTo(blob, 0);
        ciphertext.CopyTo(blob, nonce.Length);
        return blob;
    }

    /// <summary>
    /// Reuses one ciphertext per distinct value: the per-charge path stays cheap, and it reveals
    /// no more than the user-index HMAC that is stored anyway.
    /// </summary>
    public byte[] EncryptCached(string field, string plaintext)
    {
        lock (_cacheLock)
        {
            if (_cache.TryGetValue((field, plaintext), out var cached))
            {
                return cached;
            }

            if (_cache.Count >= CacheLimit)
            {
                _cache.Clear();
            }

            var blob = Encrypt(field, plaintext);
            _cache[(field, plaintext)] = blob;
            return blob;
        }
    }

    public string Decrypt(string field, ReadOnlySpan<byte> blob)
    {
        if (blob.Length < Aead.NonceSize + Aead.TagSize)
        {
            throw new LedgerCorruptException($"Encrypted field '{field}' is too short.");
        }

        var nonce = blob[..Aead.NonceSize];
        var plaintext = Aead.Decrypt(_key, nonce, Encoding.UTF8.GetBytes(field), blob[Aead.NonceSize..]);
        return plaintext is null
            ? throw new LedgerCorruptException($"Encrypted field '{field}' failed authentication (modified, or another MASTER_KEY).")
            : Encoding.UTF8.GetString(plaintext);
    }
}
