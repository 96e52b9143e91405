using System.Text.Json;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// The signed chain head kept next to the database (<c>ledger.head</c>). It lives outside the
/// database so that deleting the newest records together with their checkpoints is still seen.
/// Replaced atomically: temp file, fsync, rename, directory fsync.
/// </summary>
internal static class HeadFile
{
    private const int MaxBytes = 4096;

    public static void Write(string path, SignedChainPoint head)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", head.Seq);
            json.WriteString("hash", Convert.ToHexStringLower(head.Hash));
            json.WriteNumber("time_ticks", head.TimeTicks);
            json.WriteString("signature", Convert.ToBase64String(head.Signature));
            json.WriteEndObject();
        }

        DurableFiles.WriteAtomically(path, buffer.ToArray());
    }

    /// <summary>Null when the file does not exist; throws <see cref="FormatException"/> when it is unreadable.</summary>
    public static SignedChainPoint? Read(string path)
    {
        try
        {
            if (RegularFiles.ReadAllBytes(path, MaxBytes) is not { } content)
            {
                return null;
            }

            using var doc = JsonDocument.Parse(content);
            var root = doc.RootElement;
            return new SignedChainPoint(
                root.GetProperty("seq").GetInt64(),
                Convert.FromHexString(root.GetProperty("hash").GetString() ?? ""),
                root.GetProperty("time_ticks").GetInt64(),
                Convert.FromBase64String(root.GetProperty("signature").GetString() ?? ""));
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            throw new FormatException($"head file '{path}' is unreadable: {ex.Message}", ex);
        }
    }
}
