using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Keeps refusals of unauthenticated callers from flooding the durable audit trail: per source
/// address and interval, the first <see cref="IndividualPerInterval"/> are audited one by one and
/// the rest are counted and written as one summary record when the interval ends. Memory is
/// bounded: past <see cref="MaxAddresses"/> addresses, new ones share one overflow entry.
/// Authenticated decisions never pass through here; each of them is audited on its own.
/// </summary>
public sealed class UnauthenticatedRefusals(GatewayMetrics metrics, TimeProvider time, TimeSpan interval)
{
    /// <summary>Refusals per address per interval that get their own audit record.</summary>
    public const int IndividualPerInterval = 5;
    /// <summary>Addresses tracked at once.</summary>
    public const int MaxAddresses = 4096;
    /// <summary>The address that stands for all addresses beyond <see cref="MaxAddresses"/>.</summary>
    public const string OverflowAddress = "(other addresses)";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>A summary of one address's refusals that were counted instead of audited.</summary>
    /// <param name="Address">The source address (or <see cref="OverflowAddress"/>).</param>
    /// <param name="Suppressed">Refusals counted without their own record.</param>
    /// <param name="From">Start of the interval.</param>
    /// <param name="To">End of the interval.</param>
    /// <param name="Route">Route of the last counted refusal.</param>
    public readonly record struct Summary(string Address, long Suppressed, DateTimeOffset From, DateTimeOffset To, InferenceRoute Route);

    public TimeSpan Interval => interval;

    /// <summary>
    /// Notes one refusal. True when it should be audited on its own; false when it was counted
    /// into its address's summary. <paramref name="ended"/> is set when this address's previous
    /// interval is over and its summary must be written now.
    /// </summary>
    public bool Note(string? address, InferenceRoute route, out Summary? ended)
    {
        ended = null;
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var key = address ?? "(unknown)";
            if (!_windows.TryGetValue(key, out var window))
            {
                if (_windows.Count >= MaxAddresses)
                {
                    key = OverflowAddress;
                    _windows.TryGetValue(key, out window);
                }

                if (window is null)
                {
                    window = new Window(now);
                    _windows[key] = window;
                }
            }

            if (now - window.Start >= interval)
            {
                ended = window.ToSummary(key, now);
                window.Restart(now);
            }

            window.Route = route;
            if (window.Audited < IndividualPerInterval)
            {
                window.Audited++;
                return true;
            }

            window.Suppressed++;
            metrics.RefusalsAggregated.Inc();
            return false;
        }
    }

    /// <summary>Removes and returns the summaries of intervals that are over (all of them when <paramref name="all"/>, at shutdown).</summary>
    public List<Summary> TakeEnded(bool all = false)
    {
        var now = time.GetUtcNow();
        var result = new List<Summary>();
        lock (_lock)
        {
            foreach (var (key, window) in _windows)
            {
                if (all || now - window.Start >= interval)
                {
                    if (window.ToSummary(key, now) is { } summary)
                    {
                        result.Add(summary);
                    }

                    _windows.Remove(key);
                }
            }
        }

        return result;
    }

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; private set; } = start;
        public int Audited { get; set; }
        public long Suppressed { get; set; }
        public InferenceRoute Route { get; set; }

        public Summary? ToSummary(string address, DateTimeOffset now) =>
            Suppressed == 0 ? null : new Summary(address, Suppressed, Start, now, Route);

        public void Restart(DateTimeOffset now)
        {
            Start = now;
            Audited = 0;
            Suppressed = 0;
        }
    }
}
