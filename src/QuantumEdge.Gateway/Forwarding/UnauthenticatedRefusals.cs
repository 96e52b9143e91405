using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Keeps refusals of unauthenticated callers from flooding the durable audit trail: per source
/// address and interval, the first <see cref="IndividualPerInterval"/> are audited one by one and
/// the rest are counted and written as one summary record when the interval ends; across all
/// addresses no more than <see cref="MaxIndividualPerInterval"/> are audited one by one, so a caller
/// with many addresses cannot multiply the allowance without bound. Memory is bounded: past
/// <see cref="MaxAddresses"/> addresses, new ones share one overflow entry. An address is what
/// <see cref="RefusalSource"/> makes of it (an IPv6 caller counts by its /64). One
/// allowance per address covers every endpoint (inference, admin, privacy, batch): a caller spraying
/// tokens across paths gets no more individual records than one hammering a single path.
/// Authenticated decisions never pass through here; each of them is audited on its own.
/// </summary>
public sealed class UnauthenticatedRefusals(GatewayMetrics metrics, TimeProvider time, TimeSpan interval)
{
    /// <summary>Refusals per address per interval that get their own audit record.</summary>
    public const int IndividualPerInterval = 5;
    /// <summary>Refusals per interval, across all addresses, that get their own audit record.</summary>
    public const int MaxIndividualPerInterval = 1000;
    /// <summary>Addresses tracked at once.</summary>
    public const int MaxAddresses = 4096;
    /// <summary>The address that stands for all addresses beyond <see cref="MaxAddresses"/>.</summary>
    public const string OverflowAddress = "(other addresses)";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private DateTimeOffset _allStart = DateTimeOffset.MinValue;
    private int _allAudited;

    /// <summary>A summary of one address's refusals that were counted instead of audited.</summary>
    /// <param name="Address">The source address (or <see cref="OverflowAddress"/>).</param>
    /// <param name="Suppressed">Refusals counted without their own record.</param>
    /// <param name="From">Start of the interval.</param>
    /// <param name="To">End of the interval.</param>
    /// <param name="LastEndpoint">Method and route of the last counted refusal (<c>POST /admin/halt</c>).</param>
    public readonly record struct Summary(string Address, long Suppressed, DateTimeOffset From, DateTimeOffset To, string LastEndpoint);

    public TimeSpan Interval => interval;

    /// <summary>
    /// Notes one refusal. True when it should be audited on its own; false when it was counted
    /// into its address's summary. <paramref name="ended"/> is set when this address's previous
    /// interval is over and its summary must be written now.
    /// </summary>
    /// <param name="address">Whom the refusal counts against (<see cref="RefusalSource.Of"/>).</param>
    /// <param name="endpoint">Method and route pattern refused (<c>POST /v1/chat/completions</c>), never a query string.</param>
    /// <param name="ended">The summary of this address's previous interval, when it just ended.</param>
    public bool Note(string address, string endpoint, out Summary? ended)
    {
        ended = null;
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var key = address;
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

            if (now - _allStart >= interval)
            {
                _allStart = now;
                _allAudited = 0;
            }

            window.Endpoint = endpoint;
            if (window.Audited < IndividualPerInterval && _allAudited < MaxIndividualPerInterval)
            {
                window.Audited++;
                _allAudited++;
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
        public string Endpoint { get; set; } = "";

        public Summary? ToSummary(string address, DateTimeOffset now) =>
            Suppressed == 0 ? null : new Summary(address, Suppressed, Start, now, Endpoint);

        public void Restart(DateTimeOffset now)
        {
            Start = now;
            Audited = 0;
            Suppressed = 0;
        }
    }
}
