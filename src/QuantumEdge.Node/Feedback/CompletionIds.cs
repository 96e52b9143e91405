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

    /// <summary>"qe-" and 32 lowercase hex digits, built as one string (no random-byte array, no second string).</summary>
    internal static string NewId() => string.Create(3 + 32, 0, static (chars, _) =>
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        "qe-".CopyTo(chars);
        Convert.TryToHexStringLower(random, chars[3..], out _);
    });
}
