namespace QuantumEdge.Gateway.Benchmarks.Load;

/// <summary>Outcome counts of one pass, updated from many requests at once.</summary>
internal sealed class PassCounters
{
    private long _sent;
    private long _ok;
    private long _failed;
    private string? _firstError;

    public long Sent => Interlocked.Read(ref _sent);

    public long Ok => Interlocked.Read(ref _ok);

    public long Failed => Interlocked.Read(ref _failed);

    public string? FirstError => Volatile.Read(ref _firstError);

    public void Started() => Interlocked.Increment(ref _sent);

    public void Succeeded() => Interlocked.Increment(ref _ok);

    public void Failure(string error)
    {
        Interlocked.Increment(ref _failed);
        Interlocked.CompareExchange(ref _firstError, error, null);
    }
}
