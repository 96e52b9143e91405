using System.Net;
using System.Net.Sockets;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Demo;

/// <summary>
/// The demo's capacity-lending act: hospital-b (lending) and hospital-c (borrowing) federate on
/// loopback; hospital-c's own backend is fully busy (its slots are held for the scenario, as if a
/// long batch ran on it), so its public requests are served by hospital-b while its phi requests
/// wait for its own backend and are never lent. Prints what went where and what hospital-b audited.
/// </summary>
internal static class LendingScenario
{
    private const int PerClass = 4;

    /// <summary>Runs the act; marks <paramref name="report"/> failed when something went where it must not.</summary>
    public static async Task RunAsync(DemoOptions options, string secret, string dataRoot, TextWriter output, DemoReport report, CancellationToken ct)
    {
        output.WriteLine("\nCapacity lending: hospital-c borrows from hospital-b for public work while its own backend is busy...");
        var root = Path.Combine(dataRoot, "lending");
        var ids = new[] { "hospital-b", "hospital-c" };
        var keys = new Dictionary<string, byte[]>();
        var ports = new Dictionary<string, int>();
        foreach (var id in ids)
        {
            using var identity = NodeIdentity.Generate();
            identity.Save(Path.Combine(root, id, "keys"));
            keys[id] = identity.PublicKeyBytes;
            ports[id] = LoopbackPorts.BelowEphemeralRange();
        }

        var sims = new List<SimulatedBackend>();
        var nodes = new List<GatewayNode>();
        try
        {
            foreach (var id in ids)
            {
                var lender = id == "hospital-b";
                var simName = lender ? "b-lend" : "c-local";
                var sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions
                {
                    Name = simName,
                    Models = ["clinical-7b"],
                    MaxConcurrency = 8,
                    TimeScale = options.TimeScale,
                }, ct: ct).ConfigureAwait(false);
                sims.Add(sim);
                var peer = lender ? "hospital-c" : "hospital-b";
                var config = new NodeConfiguration
                {
                    Source = "demo",
                    Node = new NodeSettings { Id = id, Name = id, DataDir = Path.Combine(root, id, "data") },
                    Server = new ServerSettings { Urls = "http://127.0.0.1:0", MetricsUrl = "http://127.0.0.1:0", HealthProbeIntervalSeconds = 3600, QueueTimeoutMs = 30_000 },
                    Auth = new AuthSettings { JwtSecret = secret },
                    Backends =
                    [
                        new BackendSettings
                        {
                            Id = simName,
                            Url = new Uri(sim.BaseUrl + "/"),
                            Models = ["clinical-7b"],
                            MaxConcurrency = 2,
                            AllowedClassifications = [DataClassification.Restricted, DataClassification.Confidential, DataClassification.Internal, DataClassification.Public],
                            TimeoutSeconds = 30,
                        },
                    ],
                    MasterKey = secret,
                    Storage = new StorageSettings { KdfMemoryKib = 8192, KdfPasses = 1, NodeKeyDir = Path.Combine(root, id, "keys") },
                    Federation = new FederationSettings
                    {
                        Enabled = true,
                        FederationId = "regional-health-net",
                        ListenUrl = $"http://127.0.0.1:{ports[id]}",
                        Peers = [new FederationPeerSettings { Id = peer, Url = new Uri($"http://127.0.0.1:{ports[peer]}"), PublicKey = FederationPublicKey.Format(keys[peer]), PublicKeyBytes = keys[peer] }],
                        ReleaseIntervalSeconds = 3600,
                        Models = ["clinical-7b"],
                        Lending = lender ? new LendingSettings { Offer = true, MaxConcurrencyPerPeer = 8 } : new LendingSettings { Borrow = true },
                    },
                };
                var node = GatewayNode.Create(config, new NodeHostOptions { Quiet = true });
                nodes.Add(node);
                await node.StartAsync(ct).ConfigureAwait(false);
            }

            var (b, c) = (nodes[0], nodes[1]);
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                deadline.CancelAfter(TimeSpan.FromSeconds(60));
                while (c.Federation!.LendingNode!.Offers.Offering("hospital-b", "clinical-7b") is null)
                {
                    await Task.Delay(50, deadline.Token).ConfigureAwait(false);
                }
            }

            output.WriteLine("  hospital-c holds hospital-b's signed lending offer (from its envelope)");
            var local = c.Backends.All[0];
            var held = 0;
            while (held < local.Settings.MaxConcurrency && await local.TryAcquireAsync(TimeSpan.Zero, ct).ConfigureAwait(false))
            {
                held++;
            }

            output.WriteLine($"  hospital-c's backend {local.Id} is fully busy: its {held} slots are held for this act");
            var auth = new JwtAuthenticator(new AuthSettings { JwtSecret = secret });
            var user = new DemoUser("dr.moreau", "doctor", "general");
            var token = auth.Issue(user.Subject, user.Role, user.Department, TimeSpan.FromMinutes(10));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            DemoRequest Request(int i, string classification, string prompt) => new(i, "hospital-c", user, classification, null, prompt, i % 2 == 0, "chat");
            var publicTasks = Enumerable.Range(0, PerClass)
                .Select(i => DemoRunner.SendAsync(http, c.ApiAddress, Request(i, "public", "Draft a visiting-hours notice for ward 4."), token, ct)).ToList();
            var phiTasks = Enumerable.Range(0, PerClass)
                .Select(i => DemoRunner.SendAsync(http, c.ApiAddress, Request(PerClass + i, "phi", "Summarise the discharge plan for the patient in bed 4."), token, ct)).ToList();
            var publicResults = await Task.WhenAll(publicTasks).ConfigureAwait(false);
            for (var i = 0; i < held; i++)
            {
                local.Release();
            }

            var phiResults = await Task.WhenAll(phiTasks).ConfigureAwait(false);
            var borrowed = publicResults.Count(r => r.Status == 200 && r.Backend == "peer:hospital-b");
            var phiHome = phiResults.Count(r => r.Status == 200 && r.Backend == local.Id);
            var phiLent = phiResults.Count(r => r.Backend?.StartsWith("peer:", StringComparison.Ordinal) == true);
            output.WriteLine($"  public x{PerClass} (half streamed): {borrowed} served by peer:hospital-b, {publicResults.Count(r => r.Backend == local.Id)} at home");
            output.WriteLine($"  phi    x{PerClass}: {phiHome} served at home by {local.Id} once its slots freed, {phiLent} lent");
            // Outcome records are queued as answers complete: read until all are in (or a deadline passes).
            var lent = await LentRecordsAsync(b, borrowed, ct).ConfigureAwait(false);
            var counters = b.Federation!.LendingNode!.Counters;
            output.WriteLine($"  hospital-b's backend received {sims[0].Received} requests; its audit holds {lent.Count} lent exchanges, "
                + $"user '{string.Join(",", lent.Select(r => r.Entry.UserId).Distinct())}', classes {string.Join(",", lent.Select(r => r.Entry.Classification).Distinct())}; "
                + $"served {counters.ServedByPeer.GetValueOrDefault("hospital-c")}, refused {counters.RefusedByReason.Values.Sum()}");
            var ok = borrowed == PerClass && phiHome == PerClass && phiLent == 0 && sims[0].Received == PerClass
                && lent.All(r => r.Entry.UserId == "peer:hospital-c" && r.Entry.Classification == "public");
            output.WriteLine(ok ? "  lending: OK (public overflow borrowed, phi stayed home)" : "  lending: UNEXPECTED (see the lines above)");
            if (!ok)
            {
                report.Fail();
            }
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
        }
    }

    private static async Task<List<QuantumEdge.Ledger.Audit.AuditRecord>> LentRecordsAsync(GatewayNode lender, int expected, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var lent = (await lender.Ledger.ReadAuditAsync(0, 100_000).ConfigureAwait(false))
                .Where(r => r.Entry.RequestId.StartsWith("lend:", StringComparison.Ordinal)).ToList();
            if (lent.Count >= expected || DateTime.UtcNow > deadline)
            {
                return lent;
            }

            await Task.Delay(20, ct).ConfigureAwait(false);
        }
    }
}
