using QuantumEdge.Planning.Gpu.Kernels;

namespace QuantumEdge.Planning.Gpu.Tests.Kernels;

public sealed class AgentSelectionTests
{
    [Fact]
    public void Ordered_keys_sort_like_the_floats_and_round_trip()
    {
        float[] values = [-1e9f, -3.5f, -0f, 0f, 1e-30f, 2.25f, 7e8f];
        var keys = values.Select((v, a) => ((ulong)AgentSelection.Ordered(v) << 32) | (uint)a).ToArray();
        for (var k = 1; k < keys.Length; k++)
        {
            Assert.True(keys[k - 1] < keys[k], $"{values[k - 1]} should sort before {values[k]}");
        }

        for (var a = 0; a < values.Length; a++)
        {
            var (energy, agent) = AgentSelection.Unpack(keys[a]);
            Assert.Equal(values[a], energy);
            Assert.Equal(a, agent);
        }
    }
}
