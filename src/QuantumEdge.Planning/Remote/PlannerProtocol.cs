namespace QuantumEdge.Planning.Remote;

/// <summary>
/// Constants of the node ↔ <c>quantumedge-planner</c> protocol (src/QuantumEdge.Planning.Gpu/PROTOCOL.md):
/// frames of <c>u32 length | u8 type | u32 request id | body</c>, little-endian, over a Unix socket.
/// </summary>
internal static class PlannerProtocol
{
    public const ushort Version = 2;

    /// <summary>Bytes of type + request id, counted in the length prefix.</summary>
    public const int HeaderBytes = 5;

    /// <summary>
    /// The largest frame either side accepts (64 MiB: a 16,384×128 assignment is about 25 MiB).
    /// A longer declared length is refused before anything is allocated.
    /// </summary>
    public const int MaxFrameBytes = 64 << 20;
}

/// <summary>What a frame carries.</summary>
internal enum FrameType : byte
{
    Hello = 1,
    Welcome = 2,
    SolveAssignment = 3,
    AssignmentResult = 4,
    SolveIsing = 5,
    IsingResult = 6,
    Error = 7,
}

/// <summary>Why the planner refused or failed a request (the error frame's code).</summary>
internal enum PlannerErrorCode : ushort
{
    Malformed = 1,
    UnsupportedVersion = 2,
    TooLarge = 3,
    Failed = 4,
    HandshakeFirst = 5,
    Busy = 6,
}

/// <summary>A frame that breaks the protocol: truncated, oversized, of an unknown type or with invalid content.</summary>
internal sealed class PlannerProtocolException(string message, PlannerErrorCode code = PlannerErrorCode.Malformed) : Exception(message)
{
    public PlannerErrorCode Code { get; } = code;
}

/// <summary>The planner answered a request with an error frame.</summary>
internal sealed class PlannerErrorException(PlannerErrorCode code, string message) : Exception($"planner error {code}: {message}")
{
    public PlannerErrorCode Code { get; } = code;
}
