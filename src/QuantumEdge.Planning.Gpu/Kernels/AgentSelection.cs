using ILGPU;

namespace QuantumEdge.Planning.Gpu.Kernels;

/// <summary>
/// Best-agent reduction: each agent's energy becomes a 64-bit key whose high half orders like the
/// float and whose low half is the agent, so one min-reduction (ILGPU.Algorithms' MinUInt64) gives
/// the lowest energy and its agent at once, ties going to the lower agent as on the CPU.
/// </summary>
internal static class AgentSelection
{
    public static void PackKeys(Index1D a, ArrayView<float> energies, ArrayView<ulong> keys) =>
        keys[a] = ((ulong)Ordered(energies[a]) << 32) | (uint)a.X;

    public static (float Energy, int Agent) Unpack(ulong key)
    {
        var ordered = (uint)(key >> 32);
        var bits = (ordered & 0x8000_0000u) != 0 ? ordered & 0x7FFF_FFFFu : ~ordered;
        return (BitConverter.Int32BitsToSingle(unchecked((int)bits)), (int)(key & 0xFFFF_FFFFu));
    }

    /// <summary>Maps a float's bits to an unsigned integer with the same order (NaN sorts last).</summary>
    internal static uint Ordered(float value)
    {
        var bits = (uint)Interop.FloatAsInt(value);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }
}
