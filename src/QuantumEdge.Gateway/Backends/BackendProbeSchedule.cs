namespace QuantumEdge.Gateway.Backends;

/// <summary>
/// When each backend is probed next. A healthy backend waits the configured interval; an unhealthy
/// one is asked again after <see cref="FirstRetry"/>, doubling after each failed probe up to the
/// interval, and back to the interval once a probe succeeds. One lost probe (a timeout on a loaded
/// host) then costs about a second out of rotation, not a whole interval, while a backend that stays
/// down is not asked more than about once per interval for long.
/// </summary>
internal sealed class BackendProbeSchedule(TimeSpan interval)
{
    /// <summary>The wait before the first re-probe of a backend found unhealthy.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    private readonly Dictionary<Backend, (DateTimeOffset Probed, TimeSpan? Retry)> _last = new(ReferenceEqualityComparer.Instance);

    /// <summary>The backends whose probe is due at <paramref name="now"/>; one never probed is due at once.</summary>
    public List<Backend> Due(IReadOnlyList<Backend> all, DateTimeOffset now)
    {
        // A configuration reload replaces backends: forget the ones no longer configured.
        foreach (var gone in _last.Keys.Where(b => !all.Contains(b)).ToList())
        {
            _last.Remove(gone);
        }

        return [.. all.Where(b => DueAt(b, now) <= now)];
    }

    /// <summary>Records a finished probe of <paramref name="backend"/>, whose health it has just set.</summary>
    public void Probed(Backend backend, DateTimeOffset now)
    {
        TimeSpan? retry = null;
        if (!backend.Healthy)
        {
            var previous = _last.TryGetValue(backend, out var last) ? last.Retry : null;
            retry = previous is { } p ? Min(p * 2, interval) : Min(FirstRetry, interval);
        }

        _last[backend] = (now, retry);
    }

    /// <summary>How long until the next probe is due (zero when one is due now).</summary>
    public TimeSpan UntilNext(IReadOnlyList<Backend> all, DateTimeOffset now)
    {
        var next = interval;
        foreach (var backend in all)
        {
            next = Min(next, DueAt(backend, now) - now);
        }

        return next < TimeSpan.Zero ? TimeSpan.Zero : next;
    }

    private DateTimeOffset DueAt(Backend backend, DateTimeOffset now)
    {
        if (!_last.TryGetValue(backend, out var last))
        {
            return now;
        }

        // Health set elsewhere since (a reload's probe) counts: an unhealthy backend is retried soon.
        return last.Probed + (backend.Healthy ? interval : last.Retry ?? Min(FirstRetry, interval));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
