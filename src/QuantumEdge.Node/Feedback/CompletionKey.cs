using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace QuantumEdge.Node.Feedback;

/// <summary>
/// A completion id as 128 bits, so that the <see cref="CompletionBook"/> can hold its completions
/// without one heap object (the id's string) per completion. The node's own ids (<c>qe-</c> and 32
/// lowercase hex digits, <see cref="CompletionIds"/>) are their random bits; any other text is hashed
/// with a key made when the process starts, so neither form can be steered into another's key.
/// </summary>
internal static class CompletionKey
{
    private const string Prefix = "qe-";
    private const int HexDigits = 32;

    private static readonly byte[] HashKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>The key of <paramref name="completionId"/>; the same text always gives the same key within a process.</summary>
    public static UInt128 Of(string completionId)
    {
        if (IsCanonical(completionId))
        {
            return UInt128.Parse(completionId.AsSpan(Prefix.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }

        Span<byte> digest = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(HashKey, Encoding.UTF8.GetBytes(completionId), digest);
        return new UInt128(BitConverter.ToUInt64(digest), BitConverter.ToUInt64(digest[8..]));
    }

    /// <summary>Only lowercase digits: ids are compared as text (ordinal), so an uppercase spelling is another id.</summary>
    private static bool IsCanonical(string id)
    {
        if (id.Length != Prefix.Length + HexDigits || !id.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in id.AsSpan(Prefix.Length))
        {
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
