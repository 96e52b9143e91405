using System.Security.Cryptography;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// Ids of files, batches and batch lines. Ids from a URL are checked against their exact shape
/// before they touch the disk, so no path can be smuggled in.
/// </summary>
internal static class BatchIds
{
    private const int HexLength = 24;

    public static string NewFileId() => "file-" + RandomHex();

    public static string NewBatchId() => "batch_" + RandomHex();

    public static bool IsFileId(string id) => Is(id, "file-");

    public static bool IsBatchId(string id) => Is(id, "batch_");

    /// <summary>The line's request id in the audit trail and its privacy charge: deterministic, so a resumed batch can find an earlier charge; no client text in it.</summary>
    public static string LineRequestId(string batchId, int index) => $"{batchId}-line-{index}";

    /// <summary>The <c>id</c> of a line's entry in the output or error file.</summary>
    public static string OutputLineId(string batchId, int index) => $"batch_req_{batchId["batch_".Length..]}_{index}";

    /// <summary>The fixed id of a batch's output or error file.</summary>
    public static string GeneratedFileId(string batchId, string kind) =>
        "file-" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(batchId + "/" + kind)))[..HexLength];

    private static string RandomHex() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(HexLength / 2));

    private static bool Is(string id, string prefix)
    {
        if (id.Length != prefix.Length + HexLength || !id.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in id.AsSpan(prefix.Length))
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
