using System.Runtime.CompilerServices;
using QuantumEdge.Gateway.Memory;

namespace QuantumEdge.Gateway.Tests.Memory;

/// <summary>Arrays up to 1 MiB come from and go back to the shared pool; larger ones are fresh and left to the collector.</summary>
public sealed class SmallArrayPoolTests
{
    [Fact]
    public void The_pooled_limit_is_one_MiB_whatever_the_element_size()
    {
        Assert.Equal(1 << 20, SmallArrayPool<byte>.MaxPooledLength);
        Assert.Equal(1 << 19, SmallArrayPool<char>.MaxPooledLength);
    }

    [Fact]
    public void A_large_array_returned_is_not_kept_alive_by_the_pool()
    {
        var returned = RentAndReturn(4 << 20);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // ArrayPool<char>.Shared would hold it in this thread's slot for its size class until trimmed.
        Assert.False(returned.IsAlive, "a returned 8 MiB array is still referenced after a full collection");
    }

    [Fact]
    public void A_small_array_is_pooled()
    {
        var first = SmallArrayPool<char>.Rent(1000);
        SmallArrayPool<char>.Return(first);
        var second = SmallArrayPool<char>.Rent(1000);
        SmallArrayPool<char>.Return(second);
        Assert.Same(first, second);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1 << 19)]
    [InlineData((1 << 19) + 1)]
    [InlineData(3_000_001)]
    public void Every_rented_array_is_at_least_the_length_asked(int length) =>
        Assert.True(SmallArrayPool<char>.Rent(length).Length >= length);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference RentAndReturn(int length)
    {
        var array = SmallArrayPool<char>.Rent(length);
        array[^1] = 'x';
        SmallArrayPool<char>.Return(array);
        return new WeakReference(array);
    }
}
