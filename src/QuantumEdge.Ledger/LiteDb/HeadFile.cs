using System.Buffers;
using System.Text.Json;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// The signed chain head kept next to the database (<c>ledger.head</c>). It lives outside the
/// database so that deleting the newest records together with their checkpoints is still seen.
/// Replaced atomically: temp file, fsync, rename, directory fsync. Rewritten after every group
/// commit that appended records, so the write reuses its buffers (one per thread: in practice the
/// ledger's writer thread) instead of allocating a stream, a JSON writer and strings each time.
/// </summary>
internal static class HeadFile
{
    private const int MaxBytes = 4096;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _threadJson;

    public static void Write(string path, SignedChainPoint head)
    {
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var json = _threadJson ??= new Utf8JsonWriter(buffer);
        json.Reset(buffer);
        Span<char> hash = stackalloc char[head.Hash.Length * 2];
        Span<char> signature = stackalloc char[((head.Signature.Length + 2) / 3) * 4];
        if (!Convert.TryToHexStringLower(head.Hash, hash, out var hashChars)
            || !Convert.TryToBase64Chars(head.Signature, signature, out var signatureChars))
        {
            throw new InvalidOperationException("the head's hash or signature did not fit its encoding buffer");
        }

        json.WriteStartObject();
        json.WriteNumber("seq", head.Seq);
        json.WriteString("hash", hash[..hashChars]);
        json.WriteNumber("time_ticks", head.TimeTicks);
        json.WriteString("signature", signature[..signatureChars]);
        json.WriteEndObject();
        json.Flush();
        DurableFiles.WriteAtomically(path, buffer.WrittenSpan);
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
