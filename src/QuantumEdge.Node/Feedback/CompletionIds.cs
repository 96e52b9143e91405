using System.Security.Cryptography;

namespace QuantumEdge.Node.Feedback;

/// <summary>
/// The id a client rates an answer by: the request id of its audit records, handed out in the
/// <c>X-QuantumEdge-Completion-Id</c> response header of every inference request. Random (128
/// bits), so it is unique across restarts and nodes and cannot be guessed; the audit records
/// carry it as their request id, which is how feedback finds the completion it rates.
/// </summary>
internal static class CompletionIds
{
    public const string HeaderName = "X-QuantumEdge-Completion-Id";

    /// <summary>Gives the request a fresh id (its trace identifier, which becomes the audit request id) and announces it.</summary>
    public static void Assign(HttpContext ctx)
    {
        var id = NewId();
        ctx.TraceIdentifier = id;
        ctx.Response.Headers[HeaderName] = id;
    }

    /// <summary>How many random bytes one call into the system's generator fetches: the ids of 256 requests.</summary>
    private const int RandomPoolBytes = 16 * 256;

    // Each call into OpenSSL's generator costs ≈ 0.8 µs whatever it fetches (locks, a fork check); per request that was
    // a measurable share of the request path. A thread's pool is filled in one call and each slice used once.
    [ThreadStatic]
    private static byte[]? _randomPool;

    [ThreadStatic]
    private static int _randomUsed;

    /// <summary>"qe-" and 32 lowercase hex digits, built as one string (no random-byte array, no second string).</summary>
    internal static string NewId() => string.Create(3 + 32, 0, static (chars, _) =>
    {
        "qe-".CopyTo(chars);
        Convert.TryToHexStringLower(TakeRandom(), chars[3..], out _);
    });

    /// <summary>16 bytes from the system's cryptographic generator that no other id was or will be made from.</summary>
    private static ReadOnlySpan<byte> TakeRandom()
    {
        var pool = _randomPool;
        if (pool is null || _randomUsed == pool.Length)
        {
            // Published and marked unused only once filled: a generator that throws leaves no zeroed or spent pool to make ids from.
            var target = pool ?? new byte[RandomPoolBytes];
            RandomNumberGenerator.Fill(target);
            _randomPool = pool = target;
            _randomUsed = 0;
        }

        var slice = pool.AsSpan(_randomUsed, 16);
        _randomUsed += 16;
        return slice;
    }
}
