namespace QuantumEdge.Node.Hosting.LogLines;

/// <summary>
/// Lines for an unbuffered stream (standard output): appended lines gather in memory and a flush
/// hands them over in one write, so a batch costs one system call.
/// </summary>
internal sealed class StreamLineSink(Stream output) : ILineSink
{
    private readonly MemoryStream _buffer = new();

    public void Append(ReadOnlySpan<byte> line)
    {
        var start = (int)_buffer.Length;
        _buffer.SetLength(start + line.Length + 1);
        var span = _buffer.GetBuffer().AsSpan(start, line.Length + 1);
        line.CopyTo(span);
        span[line.Length] = (byte)'\n';
    }

    public void Flush()
    {
        try
        {
            output.Write(_buffer.GetBuffer(), 0, (int)_buffer.Length);
            output.Flush();
        }
        finally
        {
            // Written or refused, the batch is done with.
            _buffer.SetLength(0);
            if (_buffer.Capacity > 1 << 20)
            {
                // One burst must not pin a large buffer for the life of the process.
                _buffer.Capacity = 64 * 1024;
            }
        }
    }
}
