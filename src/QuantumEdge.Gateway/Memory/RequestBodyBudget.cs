namespace QuantumEdge.Gateway.Memory;

/// <summary>
/// How many bytes of request bodies the node holds at once, across all requests, against a cap
/// derived from <c>resources.memory_limit</c>. A body is read into memory whole and screened in
/// copies of several times its size, so without a node-wide bound enough concurrent large bodies
/// end in <see cref="OutOfMemoryException"/> (500s, and the collector thrashing for every other
/// request); with it the body that would cross the cap is refused at once with a 503 and
/// <c>Retry-After</c>, before it is read. One body is always admitted when no other is held, so a
/// cap below <c>server.max_request_body_bytes</c> still serves one at a time. Thread-safe.
/// </summary>
public sealed class RequestBodyBudget
{
    /// <summary>The share of <c>resources.memory_limit</c> that request bodies may hold: a sixteenth, since each needs several times its size while it is screened.</summary>
    public const int MemoryLimitShare = 16;

    private long _held;

    /// <summary>A budget of <paramref name="capacity"/> bytes.</summary>
    public RequestBodyBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    /// <summary>The budget for a node whose <c>resources.memory_limit</c> is <paramref name="memoryLimitBytes"/>.</summary>
    public static RequestBodyBudget ForMemoryLimit(double memoryLimitBytes) =>
        new((long)Math.Clamp(memoryLimitBytes / MemoryLimitShare, 1, long.MaxValue));

    /// <summary>The most body bytes held at once.</summary>
    public long Capacity { get; }

    /// <summary>Body bytes held now.</summary>
    public long Held => Volatile.Read(ref _held);

    /// <summary>Takes <paramref name="bytes"/> from the budget; false, taking nothing, when that would cross the cap while other bodies are held.</summary>
    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var after = Interlocked.Add(ref _held, bytes);
        if (after > Capacity && after != bytes)
        {
            Interlocked.Add(ref _held, -bytes);
            return false;
        }

        return true;
    }

    /// <summary>Gives back bytes taken by <see cref="TryReserve"/>.</summary>
    public void Release(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Interlocked.Add(ref _held, -bytes);
    }
}
