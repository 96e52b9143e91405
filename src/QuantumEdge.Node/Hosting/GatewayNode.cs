using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Prometheus;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Routing;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// One running node: the API server, the separate metrics server, and the background work
/// (health probing). Everything is instance-scoped so that the demo can run three in one process.
/// </summary>
public sealed class GatewayNode : IAsyncDisposable
{
    private readonly WebApplication _api;
    private readonly WebApplication _metricsApp;
    private readonly CancellationTokenSource _stopping = new();
    private readonly BackendHealthMonitor _monitor;
    private Task _monitorLoop = Task.CompletedTask;

    private GatewayNode(NodeConfiguration config, WebApplication api, WebApplication metricsApp, BackendRegistry backends, GatewayMetrics metrics, BackendHealthMonitor monitor)
    {
        Config = config;
        _api = api;
        _metricsApp = metricsApp;
        Backends = backends;
        Metrics = metrics;
        _monitor = monitor;
    }

    public NodeConfiguration Config { get; }
    public BackendRegistry Backends { get; }
    public GatewayMetrics Metrics { get; }
    /// <summary>The API's base address once started, e.g. <c>http://127.0.0.1:8080</c>.</summary>
    public string ApiAddress { get; private set; } = "";
    public string MetricsAddress { get; private set; } = "";
    public IServiceProvider Services => _api.Services;

    /// <summary>Builds the node; configuration errors surface here, before anything listens.</summary>
    public static GatewayNode Create(NodeConfiguration config, NodeHostOptions? options = null)
    {
        options ??= new NodeHostOptions();
        var authenticator = new JwtAuthenticator(config.Auth, options.OidcMetadataClient);
        var registry = new CollectorRegistry();
        if (options.ProcessMetrics)
        {
            DotNetStats.Register(registry);
        }

        var metrics = new GatewayMetrics(registry);
        var backends = new BackendRegistry(config, options.Environment);
        var builder = WebApplication.CreateSlimBuilder();
        NodeLogging.Configure(builder.Logging, config.Logging, options.Quiet);
        builder.WebHost.UseUrls(config.Server.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // The gateway enforces server.max_request_body_bytes itself so that the refusal is an OpenAI-shaped 413.
            k.Limits.MaxRequestBodySize = null;
        });
        if (options.Systemd)
        {
            builder.Services.AddSystemd();
        }

        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(authenticator);
        builder.Services.AddSingleton(new RolePermissions(config.Security));
        builder.Services.AddSingleton(new ClassificationResolver(config.Compliance));
        builder.Services.AddSingleton(backends);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton<IRoutePlanner>(options.Planner ?? new LeastLoadedPlanner());
        builder.Services.AddSingleton<IReadOnlyList<IRequestGate>>(options.Gates);
        builder.Services.AddSingleton<InferenceProxy>();
        builder.Services.AddSingleton(new NodeClock(Stopwatch.GetTimestamp()));
        var api = builder.Build();
        ApiEndpoints.Map(api);

        var metricsBuilder = WebApplication.CreateSlimBuilder();
        metricsBuilder.Logging.ClearProviders();
        metricsBuilder.WebHost.UseUrls(config.Server.MetricsUrl);
        metricsBuilder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        var metricsApp = metricsBuilder.Build();
        metricsApp.MapGet("/metrics", async ctx =>
        {
            ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await registry.CollectAndExportAsTextAsync(ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
        });

        var monitor = new BackendHealthMonitor(backends, metrics, TimeSpan.FromSeconds(config.Server.HealthProbeIntervalSeconds),
            api.Services.GetRequiredService<ILoggerFactory>().CreateLogger<BackendHealthMonitor>());
        return new GatewayNode(config, api, metricsApp, backends, metrics, monitor);
    }

    public async Task StartAsync(CancellationToken ct = default)
    {
        if (Config.Server.Workers > 0)
        {
            ThreadPool.GetMinThreads(out _, out var io);
            ThreadPool.SetMinThreads(Config.Server.Workers, io);
        }

        await _metricsApp.StartAsync(ct).ConfigureAwait(false);
        await _api.StartAsync(ct).ConfigureAwait(false);
        ApiAddress = FirstAddress(_api);
        MetricsAddress = FirstAddress(_metricsApp);
        _monitorLoop = Task.Run(() => RunMonitorAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl+C, systemd stop).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _api.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _monitorLoop.ConfigureAwait(false);
        await _api.StopAsync().ConfigureAwait(false);
        await _metricsApp.StopAsync().ConfigureAwait(false);
        await _api.DisposeAsync().ConfigureAwait(false);
        await _metricsApp.DisposeAsync().ConfigureAwait(false);
        Backends.Dispose();
        _stopping.Dispose();
    }

    private async Task RunMonitorAsync(CancellationToken ct)
    {
        try
        {
            await _monitor.RunAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static string FirstAddress(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
}
