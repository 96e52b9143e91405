namespace QuantumEdge.Gateway.Backends;

/// <summary>
/// A backend's circuit: it opens when at least half of the attempts in the sampling window
/// failed (and there were enough of them to judge), stays open for the break duration, then lets
/// one trial attempt through; the trial's outcome closes or reopens it. Outcomes are reported by
/// whoever saw them (the request path knows about idle timeouts and aborted streams that happen
/// long after the response headers), which is why this is not a wrapper around the send call.
/// </summary>
internal sealed class CircuitBreaker(TimeSpan breakDuration, TimeProvider time)
{
    /// <summary>Share of failed attempts in the window that opens the circuit.</summary>
    public const double FailureRatio = 0.5;
    /// <summary>Fewer attempts than this in the window never open the circuit.</summary>
    public const int MinimumThroughput = 4;
    /// <summary>Length of the window outcomes are counted in.</summary>
    public static readonly TimeSpan SamplingDuration = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private long _windowStart = time.GetTimestamp();
    private int _attempts;
    private int _failures;
    private long _openUntil;
    private bool _open;
    private bool _trialInFlight;

    /// <summary>True while no attempt may be sent: open and within the break, or a trial already in flight.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_lock)
            {
                return _open && (time.GetTimestamp() < _openUntil || _trialInFlight);
            }
        }
    }

    /// <summary>Claims permission for one attempt; after the break only one trial at a time gets it.</summary>
    public bool TryEnter()
    {
        lock (_lock)
        {
            if (!_open)
            {
                return true;
            }

            if (time.GetTimestamp() < _openUntil || _trialInFlight)
            {
                return false;
            }

            _trialInFlight = true;
            return true;
        }
    }

    public void RecordSuccess()
    {
        lock (_lock)
        {
            if (_open)
            {
                _open = false;
                _trialInFlight = false;
                ResetWindow(time.GetTimestamp());
                return;
            }

            Count(failed: false);
        }
    }

    /// <param name="opensAtOnce">True for a failure grave enough to open the circuit without waiting for the ratio (a timeout).</param>
    public void RecordFailure(bool opensAtOnce = false)
    {
        lock (_lock)
        {
            if (_open)
            {
                // The trial failed (or a straggler from before the break did): another full break.
                _trialInFlight = false;
                _openUntil = time.GetTimestamp() + ToTicks(breakDuration);
                return;
            }

            Count(failed: true);
            if (opensAtOnce || (_attempts >= MinimumThroughput && _failures >= FailureRatio * _attempts))
            {
                _open = true;
                _openUntil = time.GetTimestamp() + ToTicks(breakDuration);
            }
        }
    }

    /// <summary>An attempt that proved nothing about the backend (the client left): a trial slot is freed.</summary>
    public void RecordInconclusive()
    {
        lock (_lock)
        {
            _trialInFlight = false;
        }
    }

    private void Count(bool failed)
    {
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(_windowStart, now) > SamplingDuration)
        {
            ResetWindow(now);
        }

        _attempts++;
        if (failed)
        {
            _failures++;
        }
    }

    private void ResetWindow(long now)
    {
        _windowStart = now;
        _attempts = 0;
        _failures = 0;
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
