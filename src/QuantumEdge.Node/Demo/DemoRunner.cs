using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Demo;

/// <summary>
/// Starts three hospital nodes (A, B, C), each with simulated backends on free loopback ports,
/// drives the clinical workload through them over HTTP, and prints the report.
/// </summary>
internal static class DemoRunner
{
    private sealed record SimSpec(string Id, SimulationProfile Profile, int Concurrency, DataClassification[] Allowed);

    private static readonly (string Node, SimSpec[] Sims)[] Topology =
    [
        ("hospital-a", [
            new("a-vllm", SimulationProfile.Vllm, 8, [DataClassification.Restricted, DataClassification.Confidential, DataClassification.Internal, DataClassification.Public]),
            new("a-llamacpp", SimulationProfile.LlamaCpp, 4, [DataClassification.Internal, DataClassification.Public]),
        ]),
        ("hospital-b", [
            new("b-vllm-1", SimulationProfile.Vllm, 6, [DataClassification.Restricted, DataClassification.Confidential, DataClassification.Internal, DataClassification.Public]),
            new("b-vllm-2", SimulationProfile.Vllm, 6, [DataClassification.Restricted, DataClassification.Confidential, DataClassification.Internal, DataClassification.Public]),
        ]),
        ("hospital-c", [
            new("c-ollama", SimulationProfile.Ollama, 6, [DataClassification.Internal, DataClassification.Public]),
        ]),
    ];

    public static async Task<DemoReport> RunAsync(DemoOptions options, TextWriter output, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var dataRoot = Path.Combine(Path.GetTempPath(), $"quantumedge-demo-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48]);
        var sims = new List<SimulatedBackend>();
        var nodes = new List<GatewayNode>();
        try
        {
            output.WriteLine("QuantumEdge demo: three hospital nodes with simulated LLM backends on loopback");
            var federation = FederationScenario.Prepare(Topology.Select(t => t.Node), dataRoot);
            foreach (var (nodeId, specs) in Topology)
            {
                var backends = new List<BackendSettings>();
                foreach (var spec in specs)
                {
                    var sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions
                    {
                        Name = spec.Id,
                        Profile = spec.Profile,
                        Models = ["clinical-7b", "embed-small"],
                        MaxConcurrency = spec.Concurrency,
                        MaxWaiting = spec.Concurrency,
                        TimeScale = options.TimeScale,
                    }, ct: ct).ConfigureAwait(false);
                    sims.Add(sim);
                    backends.Add(new BackendSettings
                    {
                        Id = spec.Id,
                        Url = new Uri(sim.BaseUrl + "/"),
                        Models = ["clinical-7b", "embed-small"],
                        MaxConcurrency = spec.Concurrency,
                        AllowedClassifications = spec.Allowed,
                        MetricsUrl = spec.Profile.MetricsStyle == "vllm" ? new Uri(sim.Address + "/metrics") : null,
                        TimeoutSeconds = 30,
                    });
                    output.WriteLine($"  {nodeId}: backend {spec.Id,-11} {spec.Profile.Name,-8} at {sim.BaseUrl}  allows {string.Join(",", spec.Allowed.Select(a => a.Name()))}");
                }

                var config = new NodeConfiguration
                {
                    Source = "demo",
                    Node = new NodeSettings { Id = nodeId, Name = nodeId, DataDir = Path.Combine(dataRoot, nodeId) },
                    Server = new ServerSettings { Urls = "http://127.0.0.1:0", MetricsUrl = "http://127.0.0.1:0", HealthProbeIntervalSeconds = 2 },
                    Auth = new AuthSettings { JwtSecret = secret },
                    Backends = backends,
                    MasterKey = secret,
                    // The deployment guide's department budgets, with research tightened so that the report shows budget refusals.
                    Privacy = new PrivacySettings
                    {
                        DepartmentBudgets = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase)
                        {
                            ["emergency"] = 20.0,
                            ["icu"] = 15.0,
                            ["surgery"] = 12.0,
                            ["general"] = 8.0,
                            ["research"] = 0.25,
                        },
                    },
                    Storage = new StorageSettings { KdfMemoryKib = 8192, KdfPasses = 1 },
                };
                var node = GatewayNode.Create(federation.Configure(config), new NodeHostOptions { Quiet = true, FederationGossip = FederationScenario.Gossip });
                await node.StartAsync(ct).ConfigureAwait(false);
                nodes.Add(node);
                output.WriteLine($"  {nodeId}: API {node.ApiAddress}, metrics {node.MetricsAddress}/metrics");
            }

            var auth = new JwtAuthenticator(new AuthSettings { JwtSecret = secret });
            var workload = DemoWorkload.Generate(options.Requests, options.Seed, nodes.Select(n => n.Config.Node.Id).ToList());
            output.WriteLine();
            using var batch = await BatchScenario.SubmitAsync(nodes[0], auth, output, ct).ConfigureAwait(false);
            output.WriteLine($"Driving {workload.Count} requests (concurrency {options.Concurrency}, simulated time x{options.TimeScale})...");
            var results = await DriveAsync(workload, nodes, auth, options.Concurrency, ct).ConfigureAwait(false);
            var report = await DemoReport.BuildAsync(results, nodes, total.Elapsed).ConfigureAwait(false);
            report.Print(output);
            if (!await batch.FinishAsync(output, ct).ConfigureAwait(false))
            {
                report.MarkFailed();
            }
            output.WriteLine("\nComparing greedy routing with joint planning on bursts of shared-prefix conversations...");
            var comparison = await PlannerComparison.RunAsync(options, secret, dataRoot, ct).ConfigureAwait(false);
            foreach (var line in PlannerComparison.Report(comparison, options.TimeScale))
            {
                output.WriteLine(line);
            }

            report.PlannerComparison = comparison;
            if (!await federation.RunAsync(nodes, output, ct).ConfigureAwait(false))
            {
                report.MarkFailed();
            }

            await LendingScenario.RunAsync(options, secret, dataRoot, output, report, ct).ConfigureAwait(false);
            output.WriteLine(report.Failed ? "RESULT: FAILED" : "RESULT: OK");
            return report;
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var sim in sims)
            {
                await sim.DisposeAsync().ConfigureAwait(false);
            }

            try
            {
                if (Directory.Exists(dataRoot))
                {
                    Directory.Delete(dataRoot, recursive: true);
                }
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<List<DemoResult>> DriveAsync(List<DemoRequest> workload, List<GatewayNode> nodes, JwtAuthenticator auth, int concurrency, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };
        var tokens = new Dictionary<DemoUser, string?>();
        foreach (var user in workload.Select(w => w.User).Distinct())
        {
            tokens[user] = user.Kind switch
            {
                "missing" => null,
                "expired" => auth.Issue(user.Subject, user.Role, user.Department, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow.AddHours(-2)),
                _ => auth.Issue(user.Subject, user.Role, user.Department, TimeSpan.FromHours(1)),
            };
        }

        var byId = nodes.ToDictionary(n => n.Config.Node.Id);
        var results = new DemoResult[workload.Count];
        using var gate = new SemaphoreSlim(concurrency);
        var tasks = workload.Select(async w =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                results[w.Index] = await SendAsync(http, byId[w.Node].ApiAddress, w, tokens[w.User], ct).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return [.. results];
    }

    internal static async Task<DemoResult> SendAsync(HttpClient http, string api, DemoRequest w, string? token, CancellationToken ct)
    {
        var (path, body) = w.Endpoint switch
        {
            "chat" => ("/v1/chat/completions", ChatBody(w)),
            "completions" => ("/v1/completions", Json(o =>
            {
                o.WriteString("model", "clinical-7b");
                o.WriteString("prompt", w.Prompt);
                o.WriteNumber("max_tokens", 48);
                o.WriteBoolean("stream", w.Stream);
            })),
            _ => ("/v1/embeddings", Json(o =>
            {
                o.WriteString("model", "embed-small");
                o.WriteString("input", w.Prompt);
            })),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, api + path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (w.Classification.Length > 0)
        {
            request.Headers.Add("X-Data-Classification", w.Classification);
        }

        if (w.SessionId is { } session)
        {
            request.Headers.Add("X-Session-Id", session);
        }

        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        double? firstByte = null;
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = new byte[8192];
        using var all = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            firstByte ??= Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            all.Write(buffer, 0, read);
        }

        var latency = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        string? code = null;
        if (!response.IsSuccessStatusCode)
        {
            try
            {
                using var doc = JsonDocument.Parse(all.ToArray());
                code = doc.RootElement.GetProperty("error").GetProperty("code").GetString();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                code = "unparsable_error";
            }
        }

        var backend = response.Headers.TryGetValues("X-QuantumEdge-Backend", out var b) ? b.First() : null;
        return new DemoResult(w, (int)response.StatusCode, latency, firstByte ?? latency, backend, code);
    }

    private static byte[] ChatBody(DemoRequest w) => Json(o =>
    {
        o.WriteString("model", "clinical-7b");
        o.WriteStartArray("messages");
        o.WriteStartObject();
        o.WriteString("role", "user");
        o.WriteString("content", w.Prompt);
        o.WriteEndObject();
        o.WriteEndArray();
        o.WriteNumber("max_tokens", 48);
        o.WriteBoolean("stream", w.Stream);
    });

    private static byte[] Json(Action<Utf8JsonWriter> fields)
    {
        using var ms = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ms))
        {
            writer.WriteStartObject();
            fields(writer);
            writer.WriteEndObject();
        }

        return ms.ToArray();
    }

}
