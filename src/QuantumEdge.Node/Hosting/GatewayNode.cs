using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Prometheus;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Planning;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Gateway.Routing;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Node.Federation;
using QuantumEdge.Node.Hosting.Systemd;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Remote;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// One running node: the API server, the separate metrics server, and the background work
/// (health probing and refusal summaries run as hosted services of the API host). Everything is instance-scoped so that the demo can run three in one process.
/// </summary>
internal sealed class GatewayNode : IAsyncDisposable
{
    private readonly WebApplication _api;
    private readonly WebApplication _metricsApp;
    private readonly CancellationTokenSource _stopping = new();
    private readonly LocalAdminServer? _localAdmin;
    private readonly SystemdSupervision? _supervision;
    private int _disposed;

    private GatewayNode(NodeConfiguration config, WebApplication api, WebApplication metricsApp, BackendRegistry backends, GatewayMetrics metrics,
        IPrivacyLedger ledger, LocalAdminServer? localAdmin, FederationNode? federation, SystemdSupervision? supervision, Reload.ConfigurationReloader reloader)
    {
        Reloader = reloader;
        _supervision = supervision;
        Federation = federation;
        Config = config;
        _api = api;
        _metricsApp = metricsApp;
        Backends = backends;
        Metrics = metrics;
        Ledger = ledger;
        _localAdmin = localAdmin;
    }

    public NodeConfiguration Config { get; }
    public BackendRegistry Backends { get; }
    public GatewayMetrics Metrics { get; }
    public IPrivacyLedger Ledger { get; }
    /// <summary>The node's federation membership, when <c>federation.enabled</c>.</summary>
    public FederationNode? Federation { get; }
    /// <summary>Path of the local admin socket, when the node serves one.</summary>
    public string? LocalAdminSocket => _localAdmin?.SocketPath;
    /// <summary>The API's base address once started, e.g. <c>http://127.0.0.1:8080</c>.</summary>
    public string ApiAddress { get; private set; } = "";
    public string MetricsAddress { get; private set; } = "";
    public IServiceProvider Services => _api.Services;
    /// <summary>Re-reads the configuration file and applies what can change in place (SIGHUP).</summary>
    public Reload.ConfigurationReloader Reloader { get; }

    /// <summary>Builds the node; configuration errors surface here, before anything listens.</summary>
    public static GatewayNode Create(NodeConfiguration config, NodeHostOptions? options = null)
    {
        options ??= new NodeHostOptions();
        var emergency = new QuantumEdge.Gateway.Emergency.EmergencyControls(config.Security.SecurityLockdown);
        var authenticator = new JwtAuthenticator(config.Auth, options.OidcMetadataClient, revocation: emergency);
        var registry = new CollectorRegistry();
        if (options.ProcessMetrics)
        {
            DotNetStats.Register(registry);
        }

        var metrics = new GatewayMetrics(registry);
        var ledger = LedgerFactory.Open(config);
        try
        {
            return Build(config, options, authenticator, emergency, registry, metrics, ledger);
        }
        catch
        {
            ledger.Dispose();
            throw;
        }
    }

    private static GatewayNode Build(NodeConfiguration config, NodeHostOptions options, JwtAuthenticator authenticator, QuantumEdge.Gateway.Emergency.EmergencyControls emergency,
        CollectorRegistry registry, GatewayMetrics metrics, IPrivacyLedger ledger)
    {
        var privacyMetrics = new PrivacyMetrics(registry, ledger.Policy);
        var backends = new BackendRegistry(config, options.Environment, options.BackendHandlers);
        var builder = QuantumEdge.Gateway.Hosting.SlimHostDefaults.CreateBuilder();
        NodeLogging.Configure(builder.Logging, config.Logging, options.Quiet, registry);
        builder.WebHost.UseUrls(config.Server.Urls);
        var tls = TlsListeners.Create(config.Server);
        TlsListeners.Use(builder.WebHost, tls.Api);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // The gateway enforces server.max_request_body_bytes itself so that the refusal is an OpenAI-shaped 413.
            k.Limits.MaxRequestBodySize = null;
        });
        if (options.Systemd)
        {
            ServiceManagers.Add(builder.Services);
        }

        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(authenticator);
        builder.Services.AddSingleton(new RolePermissions(config.Security));
        builder.Services.AddSingleton(new ClassificationResolver(config.Compliance, config.Security.MinimumClassification));
        builder.Services.AddSingleton(backends);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(options.Planner ?? CreatePlanner(config, metrics));
        builder.Services.AddSingleton(sp => new LedgerAvailability(ledger, config.Storage.PostgreSql.ServeFreeRequestsWhileUnavailable, registry,
            sp.GetRequiredService<ILogger<LedgerAvailability>>()));
        builder.Services.AddSingleton(sp => new PrivacyLedgerGate(ledger, privacyMetrics, TimeProvider.System, sp.GetRequiredService<ILogger<PrivacyLedgerGate>>(),
            sp.GetRequiredService<LedgerAvailability>()));
        var federation = config.Federation.Enabled ? FederationNode.Create(config, ledger, registry, options.FederationGossip) : null;
        var lending = federation is null ? null : LendingNode.Create(federation, config, ledger, backends, registry);
        if (lending?.Borrowing is { } borrowing)
        {
            builder.Services.AddSingleton(borrowing);
        }

        IRequestGate[] federationGates = federation is null ? [] : [federation.ObservationGate];
        var completions = new Feedback.CompletionBook(ledger);
        builder.Services.AddSingleton(completions);
        builder.Services.AddSingleton<IReadOnlyList<IRequestGate>>(sp =>
            [.. options.Gates, sp.GetRequiredService<PrivacyLedgerGate>(), .. federationGates, new Feedback.CompletionBookGate(completions)]);
        if (federation is not null)
        {
            builder.Services.AddSingleton(federation);
            builder.Services.AddSingleton<QuantumEdge.Gateway.Planning.IFirstTokenPriors>(new FederationFirstTokenPriors(federation.Member.Insights, federation.Member.Clock));
            builder.Services.AddSingleton(sp => federation.CreateLoop(ledger, config, sp.GetRequiredService<ILogger<FederationLoop>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<FederationLoop>());
        }

        builder.Services.AddSingleton(ledger);
        Emergency.EmergencyComposition.Add(builder.Services, config, emergency, ledger, options.Environment ?? System.Environment.GetEnvironmentVariable,
            () => privacyMetrics.Violations.Value, () => federation?.Member.Intake.Quarantined().Count ?? 0, options.Compliance, registry);
        builder.Services.AddHostedService(sp => new LedgerVerificationService(ledger, sp.GetRequiredService<ILogger<LedgerVerificationService>>()));
        builder.Services.AddHostedService(sp => RetentionService.For(ledger, TimeSpan.FromHours(config.Storage.RetentionIntervalHours),
            sp.GetRequiredService<ILogger<RetentionService>>()));
        builder.Services.AddSingleton(privacyMetrics);
        builder.Services.AddSingleton<QuantumEdge.Gateway.Classification.PhiDetection.PhiScreen>();
        builder.Services.AddSingleton<InferencePipeline>();
        builder.Services.AddSingleton(QuantumEdge.Gateway.Memory.RequestBodyBudget.ForMemoryLimit(MemoryUtilization.ParseQuantity(config.Resources.MemoryLimit)));
        builder.Services.AddSingleton<InferenceHttpAdapter>();
        builder.Services.AddSingleton(new UnauthenticatedRefusals(metrics, TimeProvider.System, TimeSpan.FromMinutes(1)));
        builder.Services.AddSingleton<RefusalSummaryWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RefusalSummaryWriter>());
        builder.Services.AddSingleton(sp => new BackendHealthMonitor(backends, metrics, TimeSpan.FromSeconds(config.Server.HealthProbeIntervalSeconds),
            sp.GetRequiredService<ILogger<BackendHealthMonitor>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BackendHealthMonitor>());
        builder.Services.AddSingleton(new NodeClock(Stopwatch.GetTimestamp()));
        builder.Services.AddSingleton(sp => new QuantumEdge.Gateway.Planning.State.QuantumStatePersistence(
            QuantumEdge.Gateway.Planning.State.QuantumStateFile.PathFor(config), backends, sp.GetRequiredService<IRoutePlanner>(),
            options.QuantumStateInterval ?? QuantumEdge.Gateway.Planning.State.QuantumStatePersistence.DefaultInterval,
            sp.GetRequiredService<ILogger<QuantumEdge.Gateway.Planning.State.QuantumStatePersistence>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<QuantumEdge.Gateway.Planning.State.QuantumStatePersistence>());
        Batch.BatchComposition.Add(builder.Services, config, registry, options.BatchClock ?? TimeProvider.System);
        var api = builder.Build();
        LedgerOutageResponses.Use(api, api.Services.GetRequiredService<LedgerAvailability>());
        RepeatedQueryParameters.Use(api);
        lending?.MapLender(api.Services);
        ApiEndpoints.Map(api);
        ReadinessEndpoints.Map(api);
        PrivacyEndpoints.Map(api);
        DataSubjectEndpoints.Map(api);
        QuantumStatusEndpoints.Map(api);
        FederationInsightsEndpoint.Map(api);
        Feedback.FeedbackEndpoint.Map(api);
        Batch.BatchComposition.Map(api);
        Emergency.EmergencyEndpoints.MapAdmin(api);
        Incident.IncidentEndpoints.MapAdmin(api);
        var logger = api.Services.GetRequiredService<ILoggerFactory>().CreateLogger("QuantumEdge.Node");
        tls.Logger = logger;
        if (ledger.GeneratedNodeKeyDirectory is { } generatedKeyDir)
        {
            logger.LogWarning("no node key configured (storage.node_key_dir): generated one under {Dir}; use 'quantumedge keygen' and storage.node_key_dir in production",
                generatedKeyDir);
        }

        foreach (var backend in backends.All)
        {
            if (backends.TransportOf(backend).UnusableKeyDetail is { } keyProblem)
            {
                logger.LogError("backend {Backend} is unhealthy: {Problem}; no request is sent to it until the node restarts with a usable key",
                    backend.Id, keyProblem);
            }
        }

        if (ledger.ReadOnlyReason is { } readOnly)
        {
            logger.LogCritical("ledger is read-only because tampering was detected: {Reason}; run 'quantumedge audit verify'", readOnly);
        }

        var metricsBuilder = QuantumEdge.Gateway.Hosting.SlimHostDefaults.CreateBuilder();
        metricsBuilder.Logging.ClearProviders();
        metricsBuilder.WebHost.UseUrls(config.Server.MetricsUrl);
        TlsListeners.Use(metricsBuilder.WebHost, tls.Metrics, tls.MetricsClientAuthorities);
        metricsBuilder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        var metricsApp = metricsBuilder.Build();
        var memory = new MemoryUtilization(registry, config.Resources.MemoryLimit);
        var gcPauses = new GcPauseTime(registry);
        var operational = new OperationalMetrics(registry, ledger, backends, api.Services.GetRequiredService<IRoutePlanner>());
        var bodies = new RequestBodyBudgetMetrics(registry, api.Services.GetRequiredService<QuantumEdge.Gateway.Memory.RequestBodyBudget>());
        var memoryLimitBytes = MemoryUtilization.ParseQuantity(config.Resources.MemoryLimit);
        var scaling = config.Performance.EnableAutoScaling
            ? new Scaling.ScalingSignals(registry, config.Performance.ScalingPolicies, () => Environment.WorkingSet / memoryLimitBytes, api.Services.GetRequiredService<IRoutePlanner>())
            : null;
        metricsApp.MapGet("/metrics", async ctx =>
        {
            memory.Update();
            gcPauses.Update();
            operational.Update();
            bodies.Update();
            scaling?.Update();
            ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await registry.CollectAndExportAsTextAsync(ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
        });

        var localAdmin = options.LocalAdminSocket ? new LocalAdminServer(config, ledger, api.Services.GetRequiredService<Emergency.EmergencyActions>(),
            api.Services.GetRequiredService<Incident.IncidentBundle>(), api.Services.GetRequiredService<QuantumEdge.Gateway.Planning.State.QuantumStatePersistence>(),
            api.Services.GetRequiredService<LedgerAvailability>()) : null;
        var environment = options.Environment ?? Environment.GetEnvironmentVariable;
        var supervision = options.Systemd ? SystemdSupervision.Create(environment, ledger, tls.Api, logger) : null;
        var healthMonitor = api.Services.GetRequiredService<BackendHealthMonitor>();
        var reloader = new Reload.ConfigurationReloader(config, environment, backends, api.Services.GetRequiredService<RolePermissions>(), tls, ledger,
            privacyMetrics, healthMonitor.ProbeAllAsync, logger);
        return new GatewayNode(config, api, metricsApp, backends, metrics, ledger, localAdmin, federation, supervision, reloader);
    }

    public async Task StartAsync(CancellationToken ct = default)
    {
        if (Config.Server.Workers > 0)
        {
            ThreadPool.GetMinThreads(out _, out var io);
            ThreadPool.SetMinThreads(Config.Server.Workers, io);
        }

        await _api.Services.GetRequiredService<Emergency.EmergencyActions>().PersistDistrustedStartAsync(ct).ConfigureAwait(false);
        await _metricsApp.StartAsync(ct).ConfigureAwait(false);
        if (_localAdmin is not null)
        {
            await _localAdmin.StartAsync(ct).ConfigureAwait(false);
        }

        if (Federation is not null)
        {
            await Federation.StartAsync(ct).ConfigureAwait(false);
        }

        await _api.StartAsync(ct).ConfigureAwait(false);
        ApiAddress = FirstAddress(_api);
        MetricsAddress = FirstAddress(_metricsApp);
        if (_supervision is not null)
        {
            _api.Lifetime.ApplicationStopping.Register(_supervision.Stopping);
            await _supervision.ReadyAsync(ApiAddress, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl+C, systemd stop).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _api.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            if (_supervision is not null)
            {
                await _supervision.DisposeAsync().ConfigureAwait(false);
            }

            await _api.StopAsync().ConfigureAwait(false);
            if (_api.Services.GetRequiredService<IRoutePlanner>() is IAsyncDisposable planner)
            {
                await planner.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            try
            {
                // Outcome audit records are queued as answers complete; make them durable before the
                // ledger closes, whatever failed while stopping.
                await _api.Services.GetRequiredService<PrivacyLedgerGate>().DrainAsync().ConfigureAwait(false);
                await _metricsApp.StopAsync().ConfigureAwait(false);
                if (Federation is not null)
                {
                    await Federation.DisposeAsync().ConfigureAwait(false);
                    // The listener is stopped: no lending request can be admitted after the window is saved.
                    Federation.LendingNode?.SuspendReplayHistory(_api.Services.GetRequiredService<ILogger<LendingNode>>());
                }

                if (_localAdmin is not null)
                {
                    await _localAdmin.DisposeAsync().ConfigureAwait(false);
                }

                await _api.DisposeAsync().ConfigureAwait(false);
                await _metricsApp.DisposeAsync().ConfigureAwait(false);
                Backends.Dispose();
            }
            finally
            {
                // Last: in-flight requests finished above, so every acknowledged write is already durable.
                await Ledger.DisposeAsync().ConfigureAwait(false);
                _stopping.Dispose();
            }
        }
    }

    /// <summary>The router named by <c>quantum_planning.router</c>.</summary>
    private static IRoutePlanner CreatePlanner(NodeConfiguration config, GatewayMetrics metrics)
    {
        var q = config.QuantumPlanning;
        return q.Router == "least_loaded"
            ? new LeastLoadedPlanner()
            : new QuantumRoutePlanner(q, config.Resources, new PlannerOptions
            {
                BatchWindow = TimeSpan.FromMicroseconds(q.BatchWindowMicroseconds),
                MaxBatch = q.MaxBatchSize,
                SolveBudget = TimeSpan.FromMilliseconds(q.SolveBudgetMs),
            }, metrics, TimeProvider.System, offload: GpuOffload(config, metrics));
    }

    /// <summary>
    /// Large solves go to the GPU planner process unless <c>resources.gpu_limit</c> is 0; when the
    /// process is absent the CPU solver answers and the breaker keeps the socket out of the path.
    /// </summary>
    private static Func<IAssignmentSolver, IAssignmentSolver>? GpuOffload(NodeConfiguration config, GatewayMetrics metrics)
    {
        if (!config.Resources.AllowsGpuPlanner)
        {
            return null;
        }

        var gpu = config.QuantumPlanning.Gpu;
        var stats = new PlannerClientStats();
        GpuPlannerMetrics.Register(metrics.Registry, stats);
        return cpu => new RemoteAssignmentSolver(gpu.ResolveSocketPath(config.Node), gpu.MinVariables, cpu, stats, TimeProvider.System);
    }

    private static string FirstAddress(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
}
