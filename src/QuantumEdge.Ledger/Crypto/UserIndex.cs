using System.Security.Cryptography;
using System.Text;

namespace QuantumEdge.Ledger.Crypto;

/// <summary>Keyed hash of a user id used for lookups, so the plain id is never an index key.</summary>
internal sealed class UserIndex
{
    private const int CacheLimit = 65_536;
    private readonly byte[] _key;
    private readonly Dictionary<string, byte[]> _cache = new(StringComparer.Ordinal);
    private readonly Lock _cacheLock = new();

    public UserIndex(byte[] key) => _key = key;

    public byte[] Hash(string userId)
    {
        lock (_cacheLock)
        {
            if (_cache.TryGetValue(userId, out var cached))
            {
                return cached;
            }

            if (_cache.Count >= CacheLimit)
            {
                _cache.Clear();
            }

            var hash = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(userId));
            _cache[userId] = hash;
            return hash;
        }
    }
}
