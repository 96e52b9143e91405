using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Backends;

/// <summary>
/// One configured LLM backend's state at run time: its concurrency slots, circuit, last health
/// probe, observed latency and last reading of its own load gauges. It holds no transport (that
/// is <see cref="BackendTransport"/>): planners and the cost model see state only.
/// </summary>
public sealed class Backend : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly CircuitBreaker _circuit;
    private readonly HashSet<string> _models;
    private int _inFlight;
    private long _requests;
    private long _failures;
    private double _latencyEwmaMs;

    public Backend(BackendSettings settings, TimeSpan circuitBreak, TimeProvider? time = null)
    {
        Settings = settings;
        _slots = new SemaphoreSlim(settings.MaxConcurrency, settings.MaxConcurrency);
        _models = new HashSet<string>(settings.Models, StringComparer.Ordinal);
        _circuit = new CircuitBreaker(circuitBreak, time ?? TimeProvider.System);
    }

    public BackendSettings Settings { get; }
    public string Id => Settings.Id;
    public int InFlight => Volatile.Read(ref _inFlight);
    public long Requests => Interlocked.Read(ref _requests);
    /// <summary>Attempts that failed (unreachable, 5xx, timeouts, aborted or oversized answers).</summary>
    public long Failures => Interlocked.Read(ref _failures);
    /// <summary>
    /// Exponentially weighted time to response headers, in ms (0 until the first answer). A
    /// timed-out attempt counts with the time it was given, so a hung backend looks slow.
    /// </summary>
    public double LatencyEwmaMs => Volatile.Read(ref _latencyEwmaMs);
    /// <summary>False after a failed health probe, until one succeeds.</summary>
    public bool Healthy { get; set; } = true;
    public string HealthDetail { get; set; } = "not probed yet";
    /// <summary>Whether a health probe has judged this backend yet (until then <see cref="Healthy"/> is only the optimistic default).</summary>
    internal bool Probed { get; set; }
    public BackendLoad? ExternalLoad { get; set; }
    public bool CircuitOpen => _circuit.IsOpen;

    public bool Serves(string model) => _models.Contains(model);

    /// <summary>Whether this backend may receive data of this class; a peer's lent capacity never takes restricted or confidential data, whatever its settings say.</summary>
    public bool Permits(DataClassification classification) =>
        Settings.AllowedClassifications.Contains(classification) && (Settings.LendingPeer is null || Lending.LendingPolicy.IsLendable(classification));

    /// <summary>
    /// Load as a fraction of capacity: the larger of our in-flight count and the backend's own
    /// running count, plus its queue, plus a share for a nearly full KV cache. Never below our
    /// own in-flight share, whatever the backend's gauges say.
    /// </summary>
    public double LoadFraction
    {
        get
        {
            var ours = (double)InFlight;
            var load = ExternalLoad;
            var stale = load is null || DateTimeOffset.UtcNow - load.Value.ReadAt > TimeSpan.FromSeconds(30);
            var running = stale ? ours : Math.Max(ours, load!.Value.Running);
            var waiting = stale ? 0 : Math.Max(0, load!.Value.Waiting);
            var kv = stale ? 0 : Math.Clamp(load!.Value.KvCacheUsage, 0, 1);
            return (running + waiting) / Settings.MaxConcurrency + (0.5 * kv);
        }
    }

    /// <summary>Waits for a concurrency slot; false when none frees up in time.</summary>
    public async ValueTask<bool> TryAcquireAsync(TimeSpan wait, CancellationToken ct)
    {
        if (!await _slots.WaitAsync(wait, ct).ConfigureAwait(false))
        {
            return false;
        }

        Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _requests);
        return true;
    }

    public void Release()
    {
        Interlocked.Decrement(ref _inFlight);
        _slots.Release();
    }

    /// <summary>Claims the circuit's permission for one attempt (false while open, or while its one trial runs).</summary>
    public bool TryEnterCircuit() => _circuit.TryEnter();

    /// <summary>Folds a time to response headers (or the time an attempt was given before it timed out) into the latency average.</summary>
    public void ObserveLatency(TimeSpan elapsed)
    {
        var ms = elapsed.TotalMilliseconds;
        var old = LatencyEwmaMs;
        Volatile.Write(ref _latencyEwmaMs, old == 0 ? ms : (0.8 * old) + (0.2 * ms));
    }

    /// <summary>
    /// Seeds the latency average from the persisted quantum state, only while the backend has not answered since start;
    /// a value that is not a plausible time (not finite, not positive, over an hour) is ignored.
    /// </summary>
    public void SeedLatency(double ms)
    {
        if (double.IsFinite(ms) && ms > 0 && ms <= 3_600_000)
        {
            Interlocked.CompareExchange(ref _latencyEwmaMs, ms, 0);
        }
    }

    /// <summary>Reports how an attempt ended; failures (timeouts included) count towards opening the circuit.</summary>
    public void Report(BackendAttemptOutcome outcome)
    {
        switch (outcome)
        {
            case BackendAttemptOutcome.Succeeded:
                _circuit.RecordSuccess();
                break;
            case BackendAttemptOutcome.Failed or BackendAttemptOutcome.TimedOut:
                Interlocked.Increment(ref _failures);
                _circuit.RecordFailure(opensAtOnce: outcome == BackendAttemptOutcome.TimedOut);
                break;
            default:
                _circuit.RecordInconclusive();
                break;
        }
    }

    public void Dispose() => _slots.Dispose();
}
