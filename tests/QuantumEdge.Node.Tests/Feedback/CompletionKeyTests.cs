using QuantumEdge.Node.Feedback;

namespace QuantumEdge.Node.Tests.Feedback;

/// <summary>A completion id as 128 bits: the node's own ids are their random bits, any other text a keyed hash.</summary>
public sealed class CompletionKeyTests
{
    [Fact]
    public void The_nodes_own_ids_are_their_hex_digits()
    {
        Assert.Equal(new UInt128(0x0123456789abcdef, 0xfedcba9876543210), CompletionKey.Of("qe-0123456789abcdeffedcba9876543210"));
        var a = CompletionIds.NewId();
        var b = CompletionIds.NewId();
        Assert.NotEqual(CompletionKey.Of(a), CompletionKey.Of(b));
        Assert.Equal(CompletionKey.Of(a), CompletionKey.Of(new string(a.AsSpan())));
    }

    [Theory]
    [InlineData("qe-0123456789ABCDEFFEDCBA9876543210")]
    [InlineData("QE-0123456789abcdeffedcba9876543210")]
    [InlineData("qe-0123456789abcdeffedcba987654321")]
    [InlineData("qe-0123456789abcdeffedcba98765432100")]
    [InlineData("qe-0123456789abcdeffedcba987654321g")]
    [InlineData("qe-+123456789abcdeffedcba9876543210")]
    public void Another_spelling_is_another_id(string other)
    {
        var canonical = CompletionKey.Of("qe-0123456789abcdeffedcba9876543210");
        Assert.NotEqual(canonical, CompletionKey.Of(other));
        Assert.Equal(CompletionKey.Of(other), CompletionKey.Of(other));
    }

    [Fact]
    public void Any_other_text_is_keyed_and_stable()
    {
        Assert.Equal(CompletionKey.Of("chatcmpl-1"), CompletionKey.Of("chatcmpl-1"));
        Assert.NotEqual(CompletionKey.Of("chatcmpl-1"), CompletionKey.Of("chatcmpl-2"));
        Assert.NotEqual(CompletionKey.Of(""), CompletionKey.Of(" "));
    }
}
