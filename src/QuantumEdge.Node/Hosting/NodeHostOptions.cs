using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Routing;

namespace QuantumEdge.Node.Hosting;

/// <summary>How a <see cref="GatewayNode"/> is hosted: by <c>serve</c>, by the demo, or by tests.</summary>
internal sealed record NodeHostOptions
{
    /// <summary>Report to the service manager, systemd or Windows' (serve only).</summary>
    public bool Systemd { get; init; }
    /// <summary>Export .NET process metrics (serve only; the demo runs several nodes in one process).</summary>
    public bool ProcessMetrics { get; init; }
    /// <summary>No console logging (demo, tests).</summary>
    public bool Quiet { get; init; }
    /// <summary>Serve local admin commands (backup, verify, export, report) on a Unix socket in the data dir.</summary>
    public bool LocalAdminSocket { get; init; }
    public IRoutePlanner? Planner { get; init; }
    public IReadOnlyList<IRequestGate> Gates { get; init; } = [];
    public Func<string, string?>? Environment { get; init; }
    /// <summary>The HTTP handler each backend's transport uses (tests: in-memory); default: pooled sockets.</summary>
    public BackendHandlerFactory? BackendHandlers { get; init; }
    /// <summary>HTTP client for OIDC discovery (tests point it at a local authority).</summary>
    public HttpClient? OidcMetadataClient { get; init; }
    /// <summary>Gossip timings of the federation (tests shorten the rounds); default: the protocol's.</summary>
    public QuantumEdge.Federation.Gossip.GossipOptions? FederationGossip { get; init; }
    /// <summary>Time between periodic writes of the planner's quantum state (null: every 5 minutes).</summary>
    public TimeSpan? QuantumStateInterval { get; init; }
    /// <summary>Retry and watch timings of compliance notifications (tests shorten them); default: 1 s backoff base, 5 s watch.</summary>
    public Compliance.ComplianceTimings? Compliance { get; init; }
    /// <summary>The clock batch deadlines and file timestamps are read from (tests move it past a completion window); default: the system clock.</summary>
    public TimeProvider? BatchClock { get; init; }
}
