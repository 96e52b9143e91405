namespace QuantumEdge.Planning.Remote;

/// <summary>
/// What the node knows about the planner process, for /quantum/status and metrics: the device from
/// the last handshake, solves per device, fallbacks by reason, IPC overhead (round trip minus the
/// planner's own solve time) and the last solve. Counters only; thread-safe.
/// </summary>
public sealed class PlannerClientStats
{
    private long _gpuSolves;
    private long _cpuSolves;
    private long _fallbacks;
    private long _bypassed;
    private long _ipcMicrosTotal;
    private long _ipcSamples;

    public PlannerDeviceInfo? Device { get; set; }

    public long GpuSolves => Interlocked.Read(ref _gpuSolves);

    public long CpuSolves => Interlocked.Read(ref _cpuSolves);

    /// <summary>Solves that tried the planner and answered from the CPU instead.</summary>
    public long Fallbacks => Interlocked.Read(ref _fallbacks);

    /// <summary>Solves that skipped the planner because its breaker was open.</summary>
    public long Bypassed => Interlocked.Read(ref _bypassed);

    public string? LastFallbackReason { get; private set; }

    public double LastIpcMs { get; private set; }

    public double MeanIpcMs => Interlocked.Read(ref _ipcSamples) is var n and > 0 ? Interlocked.Read(ref _ipcMicrosTotal) / 1000.0 / n : 0;

    public DateTimeOffset? LastSolveAt { get; private set; }

    public double LastSolveMs { get; private set; }

    public string LastSolveDevice { get; private set; } = "none";

    /// <summary>Raised on every fallback with its reason ("timeout", "crash", "protocol", "unavailable", "refused").</summary>
    public event Action<string>? FellBack;

    /// <summary>Raised on every answered solve with the device that answered it ("gpu" or "cpu").</summary>
    public event Action<string>? Solved;

    /// <summary>Raised on every planner round trip with the IPC overhead in seconds.</summary>
    public event Action<double>? Ipc;

    public void RecordGpu(double roundTripMs, double solveMs, DateTimeOffset at)
    {
        Interlocked.Increment(ref _gpuSolves);
        var overhead = Math.Max(0, roundTripMs - solveMs);
        LastIpcMs = overhead;
        Interlocked.Add(ref _ipcMicrosTotal, (long)(overhead * 1000));
        Interlocked.Increment(ref _ipcSamples);
        Last("gpu", roundTripMs, at);
        Ipc?.Invoke(overhead / 1000);
    }

    public void RecordCpu(double ms, DateTimeOffset at)
    {
        Interlocked.Increment(ref _cpuSolves);
        Last("cpu", ms, at);
    }

    public void RecordFallback(string reason)
    {
        Interlocked.Increment(ref _fallbacks);
        LastFallbackReason = reason;
        FellBack?.Invoke(reason);
    }

    public void RecordBypass() => Interlocked.Increment(ref _bypassed);

    private void Last(string device, double ms, DateTimeOffset at)
    {
        LastSolveDevice = device;
        LastSolveMs = ms;
        LastSolveAt = at;
        Solved?.Invoke(device);
    }
}
