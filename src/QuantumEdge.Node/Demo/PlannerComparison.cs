using System.Globalization;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Planning;
using QuantumEdge.Gateway.Routing;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Demo;

/// <summary>
/// The demo's second phase: the same bursts of shared-prefix conversations sent through a node
/// routing greedily (least loaded) and through a node planning each micro-batch jointly, each
/// with fresh, identical simulated backends. Time to first token and SLA misses are measured
/// by the client, not assumed.
/// </summary>
internal static class PlannerComparison
{
    /// <summary>A request meets its SLA when its first token arrives within this time (simulated time x1).</summary>
    public const double SlaFirstTokenMs = 120;

    public sealed record Outcome(string Router, List<double> FirstTokenMs, int SlaMisses, long PrefixHits, long Requests, PlannerStatus? Planner);

    public static async Task<IReadOnlyList<Outcome>> RunAsync(DemoOptions options, string secret, string dataRoot, CancellationToken ct)
    {
        var outcomes = new List<Outcome>();
        foreach (var router in new[] { "least_loaded", "quantum" })
        {
            outcomes.Add(await RunOneAsync(router, options, secret, Path.Combine(dataRoot, "compare-" + router), ct).ConfigureAwait(false));
        }

        return outcomes;
    }

    private static async Task<Outcome> RunOneAsync(string router, DemoOptions options, string secret, string dataDir, CancellationToken ct)
    {
        var sims = new List<SimulatedBackend>();
        GatewayNode? node = null;
        try
        {
            var backends = new List<BackendSettings>();
            for (var i = 1; i <= 2; i++)
            {
                var sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions
                {
                    Name = $"ward-vllm-{i}",
                    Profile = SimulationProfile.Vllm,
                    Models = ["clinical-7b"],
                    MaxConcurrency = 8,
                    MaxWaiting = 16,
                    TimeScale = options.TimeScale,
                }, ct: ct).ConfigureAwait(false);
                sims.Add(sim);
                backends.Add(new BackendSettings
                {
                    Id = $"ward-vllm-{i}",
                    Url = new Uri(sim.BaseUrl + "/"),
                    Models = ["clinical-7b"],
                    MaxConcurrency = 8,
                    AllowedClassifications = [DataClassification.Restricted, DataClassification.Confidential, DataClassification.Internal, DataClassification.Public],
                    TimeoutSeconds = 30,
                });
            }

            var config = new NodeConfiguration
            {
                Source = "demo",
                Node = new NodeSettings { Id = "compare-" + router, DataDir = dataDir },
                Server = new ServerSettings { Urls = "http://127.0.0.1:0", MetricsUrl = "http://127.0.0.1:0", HealthProbeIntervalSeconds = 60 },
                Auth = new AuthSettings { JwtSecret = secret },
                Backends = backends,
                MasterKey = secret,
                Storage = new StorageSettings { KdfMemoryKib = 8192, KdfPasses = 1 },
                QuantumPlanning = new QuantumPlanningSettings { Router = router },
                Resources = new ResourceSettings { MaxSuperpositions = 32 },
            };
            node = GatewayNode.Create(config, new NodeHostOptions { Quiet = true });
            await node.StartAsync(ct).ConfigureAwait(false);

            var auth = new JwtAuthenticator(new AuthSettings { JwtSecret = secret });
            var token = auth.Issue("dr.rounds", "doctor", "emergency", TimeSpan.FromHours(1));
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };
            var rng = new Random(options.Seed);
            var firstToken = new List<double>();
            var user = new DemoUser("dr.rounds", "doctor", "emergency");
            var index = 0;
            for (var burst = 0; burst < 10; burst++)
            {
                // Four new conversations per burst, each a long shared note (the KV-cache-worthy prefix) and four questions about it.
                var requests = new List<DemoRequest>();
                for (var session = 0; session < 4; session++)
                {
                    var note = Note(rng, burst, session);
                    for (var q = 0; q < 4; q++)
                    {
                        requests.Add(new DemoRequest(index++, config.Node.Id, user, "clinical_notes", $"burst{burst}-s{session}",
                            note + $" Question {q}: what should the team check next?", true, "chat"));
                    }
                }

                var results = await Task.WhenAll(requests.Select(r => DemoRunner.SendAsync(http, node.ApiAddress, r, token, ct))).ConfigureAwait(false);
                firstToken.AddRange(results.Where(r => r.Status == 200).Select(r => r.FirstByteMs));
            }

            var sla = SlaFirstTokenMs * options.TimeScale;
            var planner = node.Services.GetRequiredService<IRoutePlanner>() is QuantumRoutePlanner quantum ? quantum.Status() : null;
            return new Outcome(router, firstToken, firstToken.Count(t => t > sla), sims.Sum(s => s.PrefixHits), sims.Sum(s => s.Succeeded), planner);
        }
        finally
        {
            if (node is not null)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var sim in sims)
            {
                await sim.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public static IEnumerable<string> Report(IReadOnlyList<Outcome> outcomes, double timeScale)
    {
        yield return "";
        yield return string.Create(CultureInfo.InvariantCulture,
            $"Joint planning vs greedy: 10 bursts x 4 new conversations x 4 streamed questions on a long shared note, 2 identical backends (SLA: first token within {SlaFirstTokenMs * timeScale:F0} ms)");
        yield return "  router          requests  first token p50 ms  p95 ms  SLA misses  prefix-cache hits";
        foreach (var o in outcomes)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  {o.Router,-15} {o.Requests,8} {DemoReport.P(o.FirstTokenMs, 50),19:F1} {DemoReport.P(o.FirstTokenMs, 95),7:F1} {o.SlaMisses,11} {o.PrefixHits,18}");
        }

        if (outcomes.Count == 2)
        {
            var (greedy, joint) = (outcomes[0], outcomes[1]);
            var p50 = DemoReport.P(greedy.FirstTokenMs, 50);
            var gain = p50 > 0 ? (p50 - DemoReport.P(joint.FirstTokenMs, 50)) / p50 : 0;
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  measured: joint planning changed first-token p50 by {-gain:P1} and SLA misses from {greedy.SlaMisses} to {joint.SlaMisses}");
        }

        if (outcomes.LastOrDefault()?.Planner is { } p)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  planner: {p.Batches} batches (largest {p.LargestBatch}), {p.FastPathTasks} fast-path tasks, mean coherence {p.MeanCoherence:F2}, mean gain over greedy objective {p.MeanGain:P2}, entanglement strength {p.MeanEntanglementStrength:F2}");
        }
    }

    private static string Note(Random rng, int burst, int session)
    {
        var sb = new System.Text.StringBuilder(6200);
        sb.Append(CultureInfo.InvariantCulture, $"Emergency department note, burst {burst}, bay {session}. ");
        string[] lines =
        [
            "Triage: chest discomfort radiating to the left arm, onset two hours ago, diaphoretic. ",
            "Vitals: heart rate 104, blood pressure 148 over 92, saturation 95 percent on room air. ",
            "ECG: sinus tachycardia, no ST elevation, T-wave flattening in the lateral leads. ",
            "Labs: first troponin pending, potassium 4.1, creatinine 88, haemoglobin 131. ",
            "History: hypertension, type 2 diabetes on metformin, former smoker, no known allergies. ",
        ];
        while (sb.Length < 6000)
        {
            sb.Append(lines[rng.Next(lines.Length)]);
        }

        return sb.ToString();
    }
}
