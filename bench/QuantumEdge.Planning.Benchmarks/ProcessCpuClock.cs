namespace QuantumEdge.Planning.Benchmarks;

/// <summary>
/// Process CPU time (user + system) as a clock: a solve given one second on it gets what one
/// second on an idle core would give it, however many other builds share the machine. A read
/// costs a system call (about 2 µs), which the solver's clock polling is sized for.
/// </summary>
internal sealed class ProcessCpuClock : TimeProvider
{
    public static readonly ProcessCpuClock Instance = new();

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Environment.CpuUsage.TotalTime.Ticks;
}
