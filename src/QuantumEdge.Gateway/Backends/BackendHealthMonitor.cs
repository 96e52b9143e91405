using Microsoft.Extensions.Logging;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Backends;

/// <summary>
/// Probes every backend's <c>GET /models</c> on a fixed interval and scrapes its vLLM-style
/// <c>/metrics</c> when configured. A failed probe takes the backend out of rotation until the
/// next successful one.
/// </summary>
public sealed class BackendHealthMonitor(BackendRegistry registry, GatewayMetrics metrics, TimeSpan interval, ILogger logger)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await ProbeAllAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Probing must outlive a surprise; the next tick tries again.
                logger.LogError("backend health probing failed: {ExceptionType}: {Message}", e.GetType().Name, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }

    public Task ProbeAllAsync(CancellationToken ct)
    {
        var tasks = new Task[registry.All.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = ProbeAsync(registry.All[i], ct);
        }

        return Task.WhenAll(tasks);
    }

    private async Task ProbeAsync(Backend backend, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        var wasHealthy = backend.Healthy;
        try
        {
            using var response = await backend.Client.GetAsync("models", timeout.Token).ConfigureAwait(false);
            backend.Healthy = response.IsSuccessStatusCode;
            backend.HealthDetail = response.IsSuccessStatusCode ? "ok" : $"GET /models answered {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            backend.Healthy = false;
            // /health is unauthenticated: say what failed, not the backend's address; the log has the details.
            backend.HealthDetail = e is OperationCanceledException ? "GET /models timed out" : "unreachable";
            if (wasHealthy)
            {
                logger.LogWarning("backend {Backend} probe error: {Error}", backend.Id, e.Message);
            }
        }

        if (backend.Settings.MetricsUrl is { } metricsUrl && backend.Healthy)
        {
            try
            {
                var text = await backend.Client.GetStringAsync(metricsUrl, timeout.Token).ConfigureAwait(false);
                backend.ExternalLoad = VllmMetricsParser.Parse(text, DateTimeOffset.UtcNow);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                backend.ExternalLoad = null;
            }
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
}
