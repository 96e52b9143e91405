using System.Buffers;
using System.Runtime.CompilerServices;

namespace QuantumEdge.Gateway.Memory;

/// <summary>
/// <see cref="ArrayPool{T}.Shared"/> for arrays of up to 1 MiB, fresh arrays beyond. The shared pool
/// keeps returned arrays per thread and per core for every size class and trims them only after full
/// collections, so the 4–16 MiB scratch buffers of one 4 MiB request body (the read buffer, the
/// prompt's text, the PHI screen's copies) stayed referenced on each thread that had handled one: an
/// idle node held hundreds of MiB, and under <c>resources.memory_limit</c> the collector could not
/// reclaim them before an <see cref="OutOfMemoryException"/> turned requests into 500s. A fresh large
/// array is the collector's once the request is done with it.
/// </summary>
public static class SmallArrayPool<T>
{
    /// <summary>The largest array pooled, in elements: a power of two, so the pool's rounding never crosses it.</summary>
    public static readonly int MaxPooledLength = (1 << 20) / Unsafe.SizeOf<T>();

    /// <summary>An array of at least <paramref name="minimumLength"/> elements, not cleared.</summary>
    public static T[] Rent(int minimumLength) =>
        minimumLength <= MaxPooledLength ? ArrayPool<T>.Shared.Rent(minimumLength) : GC.AllocateUninitializedArray<T>(minimumLength);

    /// <summary>Gives a small array back to the pool; a large one is left to the collector.</summary>
    public static void Return(T[] array)
    {
        if (array.Length <= MaxPooledLength)
        {
            ArrayPool<T>.Shared.Return(array);
        }
    }
}
