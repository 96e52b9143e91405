using System.Diagnostics.Tracing;

namespace QuantumEdge.Benchmarks.Measurement;

/// <summary>
/// Diagnostic (the gateway bench's <c>--alloc-types</c>, the ledger bench's <c>--alloc --alloc-types</c>): the runtime's allocation-tick events (one per ~100 KB
/// allocated, naming the type of the object that crossed the mark) summed by type, so that a
/// pass's allocation per request can be traced to what allocates it without a profiler.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const int GcKeyword = 0x1;
    private const int AllocationTick = 10;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _bytesByType = new(StringComparer.Ordinal);
    private volatile bool _active;

    /// <summary>Counts allocation ticks from now on (until <see cref="Pause"/>).</summary>
    public void Start() => _active = true;

    /// <summary>Ignores allocation ticks until the next <see cref="Start"/> (setup and warm-up are not sampled).</summary>
    public void Pause() => _active = false;

    /// <summary>Stops sampling and returns the types that were sampled most, with their share of the sampled bytes.</summary>
    public IReadOnlyList<(string Type, double Share)> Stop(int top)
    {
        _active = false;
        Dispose();
        lock (_gate)
        {
            var total = (double)Math.Max(1, _bytesByType.Values.Sum());
            return _bytesByType.OrderByDescending(kv => kv.Value).Take(top).Select(kv => (kv.Key, kv.Value / total)).ToList();
        }
    }

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
        }
    }

    /// <inheritdoc />
    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_active || eventData.EventId != AllocationTick || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }

        var type = eventData.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload[t] as string : null;
        var amount = eventData.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 && eventData.Payload[a] is ulong bytes ? (long)bytes : 100_000;
        lock (_gate)
        {
            var key = type ?? "?";
            _bytesByType[key] = _bytesByType.GetValueOrDefault(key) + amount;
        }
    }
}
