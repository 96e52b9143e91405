using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Backends;

/// <summary>
/// Probes every backend's <c>GET /models</c> on the configured interval and scrapes its vLLM-style
/// <c>/metrics</c> when configured. A failed probe takes the backend out of rotation until the
/// next successful one, which comes sooner: an unhealthy backend is re-probed after about a second,
/// then at doubling waits up to the interval (<see cref="BackendProbeSchedule"/>). Runs as a hosted
/// service: a failed round is logged and the next one tries again. Every read is bounded in size
/// and time, whatever the backend sends.
/// </summary>
public sealed class BackendHealthMonitor(BackendRegistry registry, GatewayMetrics metrics, TimeSpan interval, ILogger<BackendHealthMonitor> logger,
    TimeProvider? time = null)
    : BackgroundService
{
    /// <summary>Time allowed for each probe and each metrics scrape, body included.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    /// <summary>Largest <c>GET /models</c> answer read; a bigger one fails the probe.</summary>
    public const int MaxModelsBytes = 1024 * 1024;
    /// <summary>Largest metrics page read; a bigger one is ignored (and counted).</summary>
    public const int MaxMetricsBytes = 4 * 1024 * 1024;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = new BackendProbeSchedule(interval);
        try
        {
            while (true)
            {
                // One snapshot per round: a configuration reload may swap the set while this runs.
                var due = schedule.Due(registry.All, _time.GetUtcNow());
                try
                {
                    await ProbeAsync(due, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Probing must outlive a surprise; the next round tries again.
                    logger.LogError("backend health probing failed: {ExceptionType}: {Message}", e.GetType().Name, e.Message);
                }

                var now = _time.GetUtcNow();
                foreach (var backend in due)
                {
                    schedule.Probed(backend, now);
                }

                await Task.Delay(schedule.UntilNext(registry.All, now), _time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Probes every configured backend now (a configuration reload does, before it reports).</summary>
    public Task ProbeAllAsync(CancellationToken ct) => ProbeAsync(registry.All, ct);

    private Task ProbeAsync(IReadOnlyList<Backend> all, CancellationToken ct)
    {
        var tasks = new Task[all.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = ProbeAsync(all[i], ct);
        }

        return Task.WhenAll(tasks);
    }

    private async Task ProbeAsync(Backend backend, CancellationToken ct)
    {
        var transport = registry.TransportOf(backend);
        var wasHealthy = backend.Healthy;
        if (transport.UnusableKeyDetail is { } detail)
        {
            SetHealth(backend, false, detail);
            metrics.BackendHealthy.WithLabels(backend.Id).Set(0);
            return;
        }

        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(ProbeTimeout);
            try
            {
                using var response = await transport.GetAsync("models", timeout.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    SetHealth(backend, false, $"GET /models answered {(int)response.StatusCode}");
                }
                else if (await BoundedBody.ReadAsync(response.Content, MaxModelsBytes, timeout.Token).ConfigureAwait(false) is null)
                {
                    metrics.BackendErrors.WithLabels(backend.Id, "probe_oversized").Inc();
                    SetHealth(backend, false, $"GET /models answer exceeds {MaxModelsBytes} bytes");
                }
                else
                {
                    SetHealth(backend, true, "ok");
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                // /health is unauthenticated: say what failed, not the backend's address; the log has the details.
                var timedOut = e is OperationCanceledException;
                metrics.BackendErrors.WithLabels(backend.Id, timedOut ? "probe_timeout" : "probe_connect").Inc();
                SetHealth(backend, false, timedOut ? $"GET /models did not finish within {ProbeTimeout.TotalSeconds:0.#} s" : "unreachable");
                if (wasHealthy)
                {
                    logger.LogWarning("backend {Backend} probe error: {Error}", backend.Id, e.Message);
                }
            }
        }

        if (backend.Settings.MetricsUrl is { } metricsUrl && backend.Healthy)
        {
            backend.ExternalLoad = await ScrapeAsync(backend, transport, metricsUrl, ct).ConfigureAwait(false);
        }

        metrics.BackendHealthy.WithLabels(backend.Id).Set(backend.Healthy ? 1 : 0);
        if (wasHealthy != backend.Healthy)
        {
            if (backend.Healthy)
            {
                logger.LogInformation("backend {Backend} is healthy again", backend.Id);
            }
            else
            {
                logger.LogWarning("backend {Backend} failed its health probe: {Detail}", backend.Id, backend.HealthDetail);
            }
        }
    }

    private async Task<BackendLoad?> ScrapeAsync(Backend backend, BackendTransport transport, Uri metricsUrl, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var response = await transport.GetAsync(metricsUrl, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                metrics.BackendErrors.WithLabels(backend.Id, "metrics_status").Inc();
                return null;
            }

            var body = await BoundedBody.ReadAsync(response.Content, MaxMetricsBytes, timeout.Token).ConfigureAwait(false);
            if (body is null)
            {
                metrics.BackendErrors.WithLabels(backend.Id, "metrics_oversized").Inc();
                logger.LogWarning("backend {Backend} metrics page exceeds {Limit} bytes; its load gauges are ignored", backend.Id, MaxMetricsBytes);
                return null;
            }

            return VllmMetricsParser.Parse(Encoding.UTF8.GetString(body), DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            metrics.BackendErrors.WithLabels(backend.Id, e is OperationCanceledException ? "metrics_timeout" : "metrics_connect").Inc();
            return null;
        }
    }

    private static void SetHealth(Backend backend, bool healthy, string detail)
    {
        backend.Healthy = healthy;
        backend.HealthDetail = detail;
        backend.Probed = true;
    }
}
