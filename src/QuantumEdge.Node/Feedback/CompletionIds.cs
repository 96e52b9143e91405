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
        var id = "qe-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        ctx.TraceIdentifier = id;
        ctx.Response.Headers[HeaderName] = id;
    }
}
