using System.Net.Http.Headers;
using System.Text;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>A node on loopback with simulated backends, for end-to-end tests over real HTTP.</summary>
internal sealed class TestNode : IAsyncDisposable
{
    public const string Secret = "test-secret-that-is-long-enough-for-hs256-0123456789";
    public static readonly DataClassification[] AllLevels =
        [DataClassification.Restricted, DataClassification.Confidential, DataClassification.Internal, DataClassification.Public];
    public static readonly DataClassification[] OpenLevels = [DataClassification.Internal, DataClassification.Public];

    private TestNode(GatewayNode node, List<SimulatedBackend> sims)
    {
        Node = node;
        Sims = sims;
        Http = new HttpClient { BaseAddress = new Uri(node.ApiAddress), Timeout = TimeSpan.FromSeconds(30) };
        Auth = new JwtAuthenticator(new AuthSettings { JwtSecret = Secret });
    }

    public GatewayNode Node { get; }
    public List<SimulatedBackend> Sims { get; }
    public HttpClient Http { get; }
    public JwtAuthenticator Auth { get; }
    /// <summary>Leave the data directory behind on dispose (a test that restarts a node on it deletes it itself).</summary>
    public bool KeepDataDirectory { get; set; }

    /// <param name="Dead">Start the simulated server, then stop it, so the backend points at a closed port.</param>
    /// <param name="Url">A backend the test runs itself (a <see cref="HostileBackend"/>): no simulated server is started.</param>
    /// <param name="MetricsUrl">The backend's metrics page, when it has one.</param>
    /// <param name="MaxAnswerSeconds">The backend's max_answer_seconds.</param>
    public sealed record Sim(string Id, DataClassification[] Allowed, SimulatedBackendOptions? Options = null, double TimeoutSeconds = 10, string? ApiKeyEnv = null, bool Dead = false,
        Uri? Url = null, Uri? MetricsUrl = null, double MaxAnswerSeconds = BackendSettings.DefaultMaxAnswerSeconds);

    public static async Task<TestNode> StartAsync(
        IEnumerable<Sim> sims,
        Func<ServerSettings, ServerSettings>? server = null,
        Func<string, string?>? environment = null,
        Func<NodeConfiguration, NodeConfiguration>? configure = null,
        QuantumEdge.Federation.Gossip.GossipOptions? gossip = null,
        bool localAdminSocket = false,
        string? dataDir = null,
        QuantumEdge.Node.Compliance.ComplianceTimings? compliance = null,
        TimeProvider? batchClock = null,
        bool quiet = true)
    {
        var started = new List<SimulatedBackend>();
        var backends = new List<BackendSettings>();
        var live = new List<string>();
        foreach (var s in sims)
        {
            var url = s.Url;
            if (url is null)
            {
                var sim = await SimulatedBackend.StartAsync(s.Options ?? new SimulatedBackendOptions { Name = s.Id, TimeScale = 0 });
                url = new Uri(sim.BaseUrl + "/");
                if (s.Dead)
                {
                    await sim.DisposeAsync();
                }
                else
                {
                    started.Add(sim);
                    live.Add(s.Id);
                }
            }

            backends.Add(new BackendSettings
            {
                Id = s.Id,
                Url = url,
                MetricsUrl = s.MetricsUrl,
                Models = (s.Options?.Models ?? ["clinical-7b"]).ToList(),
                AllowedClassifications = s.Allowed,
                MaxConcurrency = 8,
                TimeoutSeconds = s.TimeoutSeconds,
                MaxAnswerSeconds = s.MaxAnswerSeconds,
                ApiKeyEnv = s.ApiKeyEnv,
            });
        }

        var serverSettings = new ServerSettings { Urls = "http://127.0.0.1:0", MetricsUrl = "http://127.0.0.1:0", HealthProbeIntervalSeconds = 3600 };
        var config = new NodeConfiguration
        {
            Source = "test",
            Node = new NodeSettings { Id = "test-node", DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "qe-test-" + Guid.NewGuid().ToString("N")) },
            Server = server?.Invoke(serverSettings) ?? serverSettings,
            Auth = new AuthSettings { JwtSecret = Secret },
            Backends = backends,
            MasterKey = "test-master-key",
            Storage = new StorageSettings { KdfMemoryKib = 8192, KdfPasses = 1 },
        };
        var node = GatewayNode.Create(configure?.Invoke(config) ?? config, new NodeHostOptions { Quiet = quiet, Environment = environment, FederationGossip = gossip, LocalAdminSocket = localAdminSocket, Compliance = compliance, BatchClock = batchClock });
        await node.StartAsync();
        await WaitUntilProbedHealthyAsync(node, live);
        return new TestNode(node, started);
    }

    /// <summary>
    /// Waits until every running simulated backend has passed a health probe, so that no test depends
    /// on the first probe (which a loaded host can time out) and none sees 503 no_backend_available
    /// from a probe still in flight. A backend that stays unhealthy fails the start, naming it.
    /// </summary>
    private static async Task WaitUntilProbedHealthyAsync(GatewayNode node, List<string> live)
    {
        var waiting = node.Backends.All.Where(b => live.Contains(b.Id) && node.Backends.TransportOf(b).UnusableKeyDetail is null).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (waiting.Any(b => !(b.Probed && b.Healthy)))
        {
            if (DateTime.UtcNow > deadline)
            {
                await node.DisposeAsync();
                throw new TimeoutException("simulated backend(s) never passed a health probe: " +
                    string.Join(", ", waiting.Where(b => !(b.Probed && b.Healthy)).Select(b => $"{b.Id} ({b.HealthDetail})")));
            }

            await Task.Delay(20); // Poll interval, bounded by the deadline above.
        }
    }

    public string Token(string role = "doctor", string department = "emergency", string sub = "dr.test") =>
        Auth.Issue(sub, role, department, TimeSpan.FromMinutes(10));

    public HttpRequestMessage Chat(string? token, string? classification = "public", string model = "clinical-7b", bool stream = false, string content = "Summarise the handover.")
    {
        var body = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{content}}"}],"stream":{{(stream ? "true" : "false")}}}""";
        return Raw("/v1/chat/completions", body, token, classification);
    }

    public static HttpRequestMessage Raw(string path, string body, string? token, string? classification = "public")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (classification is not null)
        {
            request.Headers.Add("X-Data-Classification", classification);
        }

        return request;
    }

    /// <summary>
    /// Makes the ledger's storage fail the way a failed fsync does: a non-empty directory takes the head
    /// file's place, so the next commit cannot write it and the ledger stops taking writes (fail-stop).
    /// Returns once a write has failed so.
    /// </summary>
    public async Task FailLedgerStorageAsync()
    {
        var head = new QuantumEdge.Ledger.LiteDb.LedgerPaths(Node.Config.Storage.ResolveLedgerDir(Node.Config.Node)).Head;
        await Node.Ledger.FlushAsync();
        // The node's own records (start-up, probes) may commit, and rewrite the head, between the delete and the create.
        for (var attempt = 0; !Directory.Exists(head); attempt++)
        {
            try
            {
                File.Delete(head);
                Directory.CreateDirectory(head);
            }
            catch (IOException) when (attempt < 100)
            {
                // The head was written again in between: delete it again.
            }
        }

        await File.WriteAllTextAsync(Path.Combine(head, "occupied"), "x");
        await Xunit.Assert.ThrowsAsync<QuantumEdge.Ledger.LedgerDurabilityException>(() => Node.Ledger.RecordAsync(
            new QuantumEdge.Ledger.Audit.AuditEntry { RequestId = "storage-failure", UserId = "dr-storage", HttpStatus = 200 }));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Node.DisposeAsync();
        if (!KeepDataDirectory)
        {
            Directory.Delete(Node.Config.Node.DataDir, recursive: true);
        }

        foreach (var sim in Sims)
        {
            await sim.DisposeAsync();
        }
    }
}
