using System.Buffers;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// The data of one server-sent event as a client's SSE parser assembles it: every <c>data:</c>
/// line (lines end in CRLF, LF or CR), without its field name and one leading space, joined by line feeds. Other fields
/// (<c>event:</c>, <c>id:</c>) and comments (<c>:</c>) are not data.
/// </summary>
internal static class SseEventData
{
    /// <summary>
    /// The event's data: a slice of <paramref name="sseEvent"/> when it has one data line (the usual
    /// case, nothing copied), else the lines joined into <paramref name="scratch"/>.
    /// </summary>
    public static ReadOnlySpan<byte> Of(ReadOnlySpan<byte> sseEvent, ref ArrayBufferWriter<byte>? scratch)
    {
        ReadOnlySpan<byte> first = default;
        var lines = 0;
        var rest = sseEvent;
        while (!rest.IsEmpty)
        {
            // A line ends in CRLF, LF or a lone CR, as the SDKs' parsers read it.
            var length = rest.IndexOfAny((byte)'\r', (byte)'\n');
            var line = length < 0 ? rest : rest[..length];
            rest = length < 0 ? default : rest[(length + (rest[length] == (byte)'\r' && length + 1 < rest.Length && rest[length + 1] == (byte)'\n' ? 2 : 1))..];
            if (!line.StartsWith("data:"u8))
            {
                continue;
            }

            line = line["data:".Length..];
            if (line.Length > 0 && line[0] == (byte)' ')
            {
                line = line[1..];
            }

            if (lines == 0)
            {
                first = line;
            }
            else
            {
                scratch ??= new ArrayBufferWriter<byte>(sseEvent.Length);
                if (lines == 1)
                {
                    scratch.Clear();
                    scratch.Write(first);
                }

                scratch.Write("\n"u8);
                scratch.Write(line);
            }

            lines++;
        }

        return lines <= 1 ? first : scratch!.WrittenSpan;
    }
}
