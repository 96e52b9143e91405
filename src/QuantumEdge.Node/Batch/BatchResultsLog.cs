using System.Buffers;
using System.Text.Json;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// A batch's finished lines, one JSON record per line appended and fsync'd before the line counts
/// as done: <c>{"i":index,"ok":bool,"line":{...the output or error file entry...}}</c>. A crash can
/// only tear the last record; opening the log truncates such a tail, so a line is either wholly
/// recorded (and never run again) or not at all (and run again on resume).
/// </summary>
internal sealed class BatchResultsLog : IDisposable
{
    private readonly FileStream _file;

    private BatchResultsLog(FileStream file) => _file = file;

    /// <summary>Opens (creating) the log and reads which lines are already recorded.</summary>
    public static BatchResultsLog Open(string path, Action<int, bool> recorded)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var file = new FileStream(path, options);
        try
        {
            long whole = 0;
            ForEach(file, (offset, record) =>
            {
                using var doc = JsonDocument.Parse(record);
                recorded(doc.RootElement.GetProperty("i").GetInt32(), doc.RootElement.GetProperty("ok").GetBoolean());
                whole = offset + record.Length + 1;
            });
            if (whole != file.Length)
            {
                file.SetLength(whole);
                file.Flush(flushToDisk: true);
            }

            file.Position = whole;
            return new BatchResultsLog(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Appends one record and makes it durable.</summary>
    public void Append(int index, bool ok, ReadOnlySpan<byte> line)
    {
        var buffer = new ArrayBufferWriter<byte>(line.Length + 32);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("i", index);
            w.WriteBoolean("ok", ok);
            w.WritePropertyName("line");
            w.WriteRawValue(line, skipInputValidation: true);
            w.WriteEndObject();
        }

        buffer.Write("\n"u8);
        _file.Write(buffer.WrittenSpan);
        _file.Flush(flushToDisk: true);
    }

    /// <summary>Calls <paramref name="each"/> with the entry (<c>line</c>) of every record, in log order.</summary>
    public static void ReadEntries(string path, Action<bool, ReadOnlyMemory<byte>> each)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        ForEach(file, (_, record) =>
        {
            using var doc = JsonDocument.Parse(record);
            each(doc.RootElement.GetProperty("ok").GetBoolean(),
                System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(doc.RootElement.GetProperty("line")).ToArray());
        });
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Every complete (newline-terminated) record with its offset; a torn tail is left out.</summary>
    private static void ForEach(FileStream file, Action<long, ReadOnlyMemory<byte>> each)
    {
        file.Position = 0;
        var pending = new ArrayBufferWriter<byte>();
        var chunk = new byte[64 * 1024];
        long offset = 0;
        int read;
        while ((read = file.Read(chunk)) > 0)
        {
            var span = chunk.AsSpan(0, read);
            int end;
            while ((end = span.IndexOf((byte)'\n')) >= 0)
            {
                pending.Write(span[..end]);
                var record = pending.WrittenMemory.ToArray();
                each(offset, record);
                offset += record.Length + 1;
                pending.ResetWrittenCount();
                span = span[(end + 1)..];
            }

            pending.Write(span);
        }
    }
}
