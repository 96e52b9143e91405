namespace QuantumEdge.Planning.Remote;

/// <summary>
/// Keeps a failing planner process out of the request path: after a failure the breaker is open
/// for a cool-down (doubling per consecutive failure up to a cap) during which callers go straight
/// to the CPU without touching the socket; then one caller may try again.
/// </summary>
internal sealed class PlannerBreaker(TimeProvider time, TimeSpan coolDown, TimeSpan maxCoolDown)
{
    private readonly Lock _gate = new();
    private long _openUntil;
    private int _failures;
    private bool _probing;

    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _failures > 0 && time.GetTimestamp() < _openUntil;
            }
        }
    }

    /// <summary>Whether this caller may use the planner now (closed, or the one half-open try).</summary>
    public bool TryEnter()
    {
        lock (_gate)
        {
            if (_failures == 0)
            {
                return true;
            }

            if (_probing || time.GetTimestamp() < _openUntil)
            {
                return false;
            }

            _probing = true;
            return true;
        }
    }

    public void Succeeded()
    {
        lock (_gate)
        {
            _failures = 0;
            _probing = false;
        }
    }

    public void Failed()
    {
        lock (_gate)
        {
            _failures = Math.Min(_failures + 1, 16);
            _probing = false;
            var wait = TimeSpan.FromTicks(Math.Min(maxCoolDown.Ticks, coolDown.Ticks << (_failures - 1)));
            _openUntil = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
        }
    }
}
