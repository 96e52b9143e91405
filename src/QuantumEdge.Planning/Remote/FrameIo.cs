using System.Buffers.Binary;

namespace QuantumEdge.Planning.Remote;

/// <summary>One received frame: its type byte (not yet checked), request id and body.</summary>
internal readonly record struct Frame(byte Type, uint RequestId, byte[] Body);

/// <summary>Reads whole frames from a stream, refusing a declared length before allocating for it.</summary>
internal static class FrameIo
{
    /// <summary>The next frame, or null at a clean end of stream (between frames).</summary>
    /// <exception cref="PlannerProtocolException">A length shorter than the header or over the limit.</exception>
    /// <exception cref="EndOfStreamException">The stream ended inside a frame.</exception>
    public static async ValueTask<Frame?> ReadAsync(Stream stream, int maxFrameBytes, CancellationToken cancellationToken)
    {
        var header = new byte[4 + PlannerProtocol.HeaderBytes];
        var got = await stream.ReadAtLeastAsync(header.AsMemory(0, 4), 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }

        if (got < 4)
        {
            throw new EndOfStreamException("stream ended inside a frame's length");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length < PlannerProtocol.HeaderBytes)
        {
            throw new PlannerProtocolException($"frame length {length} is shorter than the {PlannerProtocol.HeaderBytes}-byte header");
        }

        if (length > maxFrameBytes)
        {
            throw new PlannerProtocolException($"frame of {length} bytes exceeds the {maxFrameBytes}-byte limit", PlannerErrorCode.TooLarge);
        }

        await stream.ReadExactlyAsync(header.AsMemory(4, PlannerProtocol.HeaderBytes), cancellationToken).ConfigureAwait(false);
        var body = new byte[length - PlannerProtocol.HeaderBytes];
        await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        return new Frame(header[4], BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(5)), body);
    }
}
