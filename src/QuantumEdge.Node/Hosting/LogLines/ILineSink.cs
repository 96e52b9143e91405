namespace QuantumEdge.Node.Hosting.LogLines;

/// <summary>Where a <see cref="LineBatchWriter"/> puts lines: appended one by one, then flushed once per batch.</summary>
internal interface ILineSink
{
    /// <summary>Adds one line of UTF-8 (without its newline); may throw <see cref="IOException"/>.</summary>
    void Append(ReadOnlySpan<byte> line);

    /// <summary>Hands what was appended to the operating system; may throw <see cref="IOException"/>.</summary>
    void Flush();
}
