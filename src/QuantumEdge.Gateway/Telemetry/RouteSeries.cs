using System.Collections.Concurrent;
using System.Globalization;
using Prometheus;

namespace QuantumEdge.Gateway.Telemetry;

/// <summary>
/// One inference route's children of the request counter and duration histogram, looked up once
/// per status instead of through <c>WithLabels</c> on every request (see <see cref="BackendSeries"/>).
/// </summary>
internal sealed class RouteSeries(GatewayMetrics metrics, string route)
{
    private readonly ConcurrentDictionary<int, Counter.Child> _requests = new();
    private Histogram.Child? _duration;

    public Histogram.Child Duration => _duration ??= metrics.RequestDuration.WithLabels(route);

    public Counter.Child Requests(int status) =>
        _requests.TryGetValue(status, out var child) ? child : _requests.GetOrAdd(status, metrics.Requests.WithLabels(route, StatusLabel(status)));

    private static string StatusLabel(int status) => status switch
    {
        200 => "200",
        400 => "400",
        401 => "401",
        403 => "403",
        404 => "404",
        413 => "413",
        429 => "429",
        499 => "499",
        503 => "503",
        504 => "504",
        _ => status.ToString(CultureInfo.InvariantCulture),
    };
}
