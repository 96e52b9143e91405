using System.Net;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Gateway.Benchmarks.Hosting;

/// <summary>
/// The system under test, in this process: one simulated backend that answers at once
/// (TimeScale 0, so only the gateway's own cost shows) and one gateway node in front of it, with
/// a real ledger in a temporary directory on disk, plus the callers' tokens.
/// </summary>
internal sealed class BenchStack : IAsyncDisposable
{
    public const string Model = "clinical-7b";
    private const string Secret = "benchmark-secret-that-is-long-enough-for-hs256-0123456789";

    private BenchStack(SimulatedBackend sim, BareYarpProxy yarp, GatewayNode node, string dataDir, IReadOnlyList<string> tokens)
    {
        Sim = sim;
        Yarp = yarp;
        Node = node;
        DataDir = dataDir;
        Tokens = tokens;
        DirectClient = CreateClient();
        GatewayClient = CreateClient();
        YarpClient = CreateClient();
    }

    public SimulatedBackend Sim { get; }
    /// <summary>The baseline: a bare YARP proxy in front of the same backend.</summary>
    public BareYarpProxy Yarp { get; }
    public GatewayNode Node { get; }
    public string DataDir { get; }
    /// <summary>One token per distinct user (doctors in one department).</summary>
    public IReadOnlyList<string> Tokens { get; }
    public HttpClient DirectClient { get; }
    public HttpClient GatewayClient { get; }
    public HttpClient YarpClient { get; }
    public Uri DirectChat => new(Sim.BaseUrl + "/chat/completions");
    public Uri GatewayChat => new(Node.ApiAddress + "/v1/chat/completions");
    public Uri YarpChat => new(Yarp.Address + "/v1/chat/completions");

    /// <param name="users">Distinct callers; each gets a token and its own privacy budget.</param>
    /// <param name="backendConcurrency">The gateway's per-backend limit; set above the offered concurrency so it never queues.</param>
    /// <param name="auditCommitLingerMs">The node's <c>storage.audit_commit_linger_ms</c>; null: the product's default.</param>
    public static async Task<BenchStack> StartAsync(int users, int backendConcurrency, int? auditCommitLingerMs = null)
    {
        var sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions
        {
            Name = "sim",
            TimeScale = 0,
            MaxConcurrency = 100_000,
            MaxWaiting = 100_000,
            Models = [Model],
        }).ConfigureAwait(false);

        var dataDir = Path.Combine(Path.GetTempPath(), "qe-gateway-bench-" + Guid.NewGuid().ToString("N"));
        var config = new NodeConfiguration
        {
            Source = "gateway benchmark",
            Node = new NodeSettings { Id = "bench-node", DataDir = dataDir },
            Server = new ServerSettings { Urls = "http://127.0.0.1:0", MetricsUrl = "http://127.0.0.1:0", HealthProbeIntervalSeconds = 3600 },
            Auth = new AuthSettings { JwtSecret = Secret },
            Backends =
            [
                new BackendSettings
                {
                    Id = "sim",
                    Url = new Uri(sim.BaseUrl + "/"),
                    Models = [Model],
                    AllowedClassifications = [DataClassification.Restricted, DataClassification.Confidential, DataClassification.Internal, DataClassification.Public],
                    MaxConcurrency = backendConcurrency,
                    TimeoutSeconds = 30,
                },
            ],
            // Big budgets so that every phi request is admitted: the benchmark measures the charge, not a refusal.
            Privacy = new PrivacySettings { MaxBudgetPerUser = 1e6 },
            MasterKey = "benchmark-master-key",
            // Cheap Argon2: only the ledger's open pays it; the request path does not.
            Storage = new StorageSettings
            {
                KdfMemoryKib = 8192,
                KdfPasses = 1,
                AuditCommitLingerMs = auditCommitLingerMs ?? new StorageSettings().AuditCommitLingerMs,
            },
        };

        GatewayNode? node = null;
        BareYarpProxy? yarp = null;
        try
        {
            yarp = await BareYarpProxy.StartAsync(sim.Address).ConfigureAwait(false);
            node = GatewayNode.Create(config, new NodeHostOptions { Quiet = true });
            await node.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            if (node is not null)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }

            if (yarp is not null)
            {
                await yarp.DisposeAsync().ConfigureAwait(false);
            }

            await sim.DisposeAsync().ConfigureAwait(false);
            TryDelete(dataDir);
            throw;
        }

        var auth = new JwtAuthenticator(config.Auth);
        var tokens = Enumerable.Range(0, users)
            .Select(i => auth.Issue($"bench.user{i:D4}", "doctor", "emergency", TimeSpan.FromHours(2)))
            .ToArray();
        return new BenchStack(sim, yarp, node, dataDir, tokens);
    }

    public async ValueTask DisposeAsync()
    {
        DirectClient.Dispose();
        GatewayClient.Dispose();
        YarpClient.Dispose();
        await Node.DisposeAsync().ConfigureAwait(false);
        await Yarp.DisposeAsync().ConfigureAwait(false);
        await Sim.DisposeAsync().ConfigureAwait(false);
        TryDelete(DataDir);
    }

    private static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestVersion = HttpVersion.Version11,
    };

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }
}
