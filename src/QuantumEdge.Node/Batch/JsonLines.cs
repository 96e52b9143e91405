using QuantumEdge.Gateway.Memory;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// Reads a JSONL stream line by line with bounded memory: a line longer than the cap is an error
/// naming it, never a growing buffer. Blank lines are skipped but still numbered. A UTF-8 byte-order
/// mark at the start of the stream (as Windows editors write one) is not part of line 1.
/// </summary>
internal static class JsonLines
{
    /// <summary>One non-blank line: its 1-based number, its byte offset in the stream and its bytes (without the line break).</summary>
    public delegate ValueTask LineHandler(int number, long offset, ReadOnlyMemory<byte> line);

    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    public static async Task ReadAsync(Stream input, int maxLineBytes, LineHandler handle, CancellationToken ct)
    {
        var line = SmallArrayPool<byte>.Rent(Math.Min(maxLineBytes, 64 * 1024) + 1);
        var chunk = SmallArrayPool<byte>.Rent(64 * 1024);
        try
        {
            var length = 0;
            var number = 1;
            long position = 0;
            long lineStart = 0;
            int read;
            while ((read = await input.ReadAsync(chunk.AsMemory(), ct).ConfigureAwait(false)) > 0)
            {
                var start = 0;
                while (start < read)
                {
                    var end = chunk.AsSpan(start, read - start).IndexOf((byte)'\n');
                    var pieceLength = end < 0 ? read - start : end;
                    if (length + pieceLength > maxLineBytes)
                    {
                        throw new BatchInputException(number, $"line {number} is longer than {maxLineBytes} bytes");
                    }

                    if (length + pieceLength > line.Length)
                    {
                        var larger = SmallArrayPool<byte>.Rent(Math.Min(maxLineBytes, Math.Max(line.Length * 2, length + pieceLength)));
                        line.AsSpan(0, length).CopyTo(larger);
                        SmallArrayPool<byte>.Return(line);
                        line = larger;
                    }

                    chunk.AsSpan(start, pieceLength).CopyTo(line.AsSpan(length));
                    length += pieceLength;
                    position += pieceLength;
                    if (end < 0)
                    {
                        break;
                    }

                    await EmitAsync(handle, number, lineStart, line, length).ConfigureAwait(false);
                    position++;
                    lineStart = position;
                    number++;
                    length = 0;
                    start += pieceLength + 1;
                }
            }

            await EmitAsync(handle, number, lineStart, line, length).ConfigureAwait(false);
        }
        finally
        {
            SmallArrayPool<byte>.Return(line);
            SmallArrayPool<byte>.Return(chunk);
        }
    }

    private static ValueTask EmitAsync(LineHandler handle, int number, long offset, byte[] line, int length)
    {
        var content = line.AsMemory(0, length);
        if (offset == 0 && content.Span.StartsWith(Utf8ByteOrderMark))
        {
            // The offset moves past the mark too: a batch run reads each line back from the file at its offset.
            content = content[Utf8ByteOrderMark.Length..];
            offset = Utf8ByteOrderMark.Length;
        }

        if (content.Length > 0 && content.Span[^1] == (byte)'\r')
        {
            content = content[..^1];
        }

        return content.Span.Trim(" \t"u8).IsEmpty ? ValueTask.CompletedTask : handle(number, offset, content);
    }
}

/// <summary>An input file's line is not a valid batch request; the message names the line and the problem.</summary>
internal sealed class BatchInputException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}
