using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Tests.Forwarding;

public sealed class PromptTextBufferTests
{
    [Fact]
    public void Text_past_the_expected_length_is_kept_whole_and_in_order()
    {
        using var buffer = new PromptTextBuffer(expectedLength: 4);
        var expected = new System.Text.StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            var part = $"part {i};";
            buffer.Append(part);
            buffer.Append('\n');
            expected.Append(part).Append('\n');
        }

        Assert.Equal(expected.ToString(), buffer.Text.ToString());
        Assert.Equal(expected.Length, buffer.Length);
    }
}
