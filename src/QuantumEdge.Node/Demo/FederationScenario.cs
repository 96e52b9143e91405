using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Witness;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Node.Federation;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Demo;

/// <summary>
/// The demo's federation: the three hospitals trust each other's keys, gossip signed envelopes on
/// loopback, and the report shows what federation gives them — per-model insights from their
/// peers' DP releases with how many peers contributed, a forged and a replayed envelope refused,
/// and every node's audit heads witnessed by its peers and verified against its own chain.
/// </summary>
internal sealed class FederationScenario
{
    private const string FederationId = "demo-health-net";
    // The largest allowed, so a demo hospital's handful of users shows through the noise at all; the product's default is 0.5.
    private const double DemoEpsilonPerRelease = 10;
    private readonly Dictionary<string, (string KeyDir, byte[] PublicKey, int Port)> _members;

    private FederationScenario(Dictionary<string, (string KeyDir, byte[] PublicKey, int Port)> members)
    {
        _members = members;
    }

    /// <summary>Fast rounds, so the demo converges in seconds.</summary>
    public static GossipOptions Gossip { get; } = new()
    {
        Interval = TimeSpan.FromMilliseconds(200),
        InitialBackoff = TimeSpan.FromMilliseconds(200),
        MaxBackoff = TimeSpan.FromSeconds(2),
    };

    /// <summary>A key pair and a listener port per hospital (keys under <paramref name="dataRoot"/>).</summary>
    public static FederationScenario Prepare(IEnumerable<string> nodeIds, string dataRoot)
    {
        var members = new Dictionary<string, (string, byte[], int)>(StringComparer.Ordinal);
        foreach (var id in nodeIds)
        {
            var keyDir = Path.Combine(dataRoot, "keys-" + id);
            Directory.CreateDirectory(keyDir);
            using var identity = NodeIdentity.Generate();
            identity.Save(keyDir);
            members[id] = (keyDir, identity.PublicKeyBytes, LoopbackPorts.BelowEphemeralRange());
        }

        return new FederationScenario(members);
    }

    /// <summary>The node's configuration with its key and a <c>federation</c> block trusting the other hospitals.</summary>
    public NodeConfiguration Configure(NodeConfiguration config)
    {
        var self = config.Node.Id;
        return config with
        {
            Storage = config.Storage with { NodeKeyDir = _members[self].KeyDir },
            Federation = new FederationSettings
            {
                Enabled = true,
                FederationId = FederationId,
                ListenUrl = $"http://127.0.0.1:{_members[self].Port}",
                Peers = _members.Where(m => m.Key != self).Select(m => new FederationPeerSettings
                {
                    Id = m.Key,
                    Url = new Uri($"http://127.0.0.1:{m.Value.Port}"),
                    PublicKey = FederationPublicKey.Format(m.Value.PublicKey),
                    PublicKeyBytes = m.Value.PublicKey,
                }).ToList(),
                // One release at start and one after the workload (published by the scenario), none in between.
                ReleaseIntervalSeconds = 3600,
                EpsilonPerRelease = DemoEpsilonPerRelease,
                MaxEpsilonPerDay = 100,
                Models = ["clinical-7b", "embed-small"],
            },
        };
    }

    /// <summary>Publishes each node's observations, waits for the gossip to converge, and reports; false when something failed.</summary>
    public async Task<bool> RunAsync(IReadOnlyList<GatewayNode> nodes, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"\nFederation: {nodes.Count} hospitals in '{FederationId}', signed envelopes gossiped peer to peer on loopback (no central server)");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  each node releases its observations per (model, category) with Gaussian noise at ε={DemoEpsilonPerRelease} per release (demo setting; default 0.5)"));
        var ok = true;
        foreach (var node in nodes)
        {
            var loop = node.Services.GetRequiredService<FederationLoop>();
            if (await loop.PublishAsync().ConfigureAwait(false) is not { } published)
            {
                output.WriteLine($"  {node.Config.Node.Id}: publishing failed");
                return false;
            }

            output.WriteLine($"  {node.Config.Node.Id}: published envelope {published.Envelope} ({(published.Released ? "with a DP release" : "no release: budget spent")}, audit head {published.Envelope.Payload.AuditHead?.Seq})");
        }

        var converged = await WaitAsync(() => Task.FromResult(Converged(nodes)), TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        output.WriteLine(converged
            ? "  converged: every hospital holds every hospital's newest envelope"
            : "  NOT converged within 30 s");
        ok &= converged;

        PrintInsights(nodes[0], output);
        ok &= await RefusalsAsync(nodes, output, ct).ConfigureAwait(false);
        ok &= await WitnessesAsync(nodes, output, ct).ConfigureAwait(false);
        return ok;
    }

    private static bool Converged(IReadOnlyList<GatewayNode> nodes)
    {
        var digests = nodes.Select(n => n.Federation!.Member.Digest()).ToList();
        return digests.All(d => d.Count == nodes.Count && d.All(p => digests.All(o => o.TryGetValue(p.Key, out var e) && e.Seq == p.Value.Seq)));
    }

    private static void PrintInsights(GatewayNode node, TextWriter output)
    {
        var insights = node.Federation!.Member.Insights();
        output.WriteLine($"  {node.Config.Node.Id}'s federation insights (robust median over its peers' noisy releases; contributors: {string.Join(", ", insights.Contributors)}):");
        output.WriteLine("    model         category      peers  requests  ttft p50 ms  error rate");
        foreach (var c in insights.Cells)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {c.Model,-13} {c.Category,-13} {c.Peers,5}  {c.Requests.Median,8:F1}  {Figure(c.TtftP50Ms, "F0"),11}  {Figure(c.ErrorRate, "P1"),10}"));
        }

        foreach (var model in node.Config.Federation.Models)
        {
            var peers = insights.Priors.FirstOrDefault(p => p.Model == model)?.Peers ?? 0;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    per model {model}: {peers} peers contributed; planner prior {(peers >= 3 ? "in use" : "needs 3 peers")}"));
        }

        // Nine demo users per hospital are very few for differential privacy: cells whose noisy user count is below k are left out.
        output.WriteLine("    (a cell is released only when its noisy user count reaches k=5; with the demo's nine users many are not)");
    }

    private static string Figure(QuantumEdge.Federation.Robust.RobustFigure? f, string format) =>
        f is null ? "-" : f.Median.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A tampered copy of hospital-b's newest envelope, then the genuine one again, posted to hospital-a's listener.</summary>
    private static async Task<bool> RefusalsAsync(IReadOnlyList<GatewayNode> nodes, TextWriter output, CancellationToken ct)
    {
        var target = nodes[0].Federation!;
        var origin = nodes[1].Config.Node.Id;
        var genuine = Encoding.UTF8.GetString(nodes[1].Federation!.Member.Store.Latest(origin)!.CanonicalBytes);
        var seqAt = genuine.LastIndexOf("\"seq\":", StringComparison.Ordinal) + "\"seq\":".Length;
        var seqEnd = genuine.IndexOfAny([',', '}'], seqAt);
        var seq = long.Parse(genuine[seqAt..seqEnd], CultureInfo.InvariantCulture);
        var forged = genuine[..seqAt] + (seq + 1000).ToString(CultureInfo.InvariantCulture) + genuine[seqEnd..];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var (forgedStatus, forgedReason) = await PostAsync(http, target.ListenAddress, forged, ct).ConfigureAwait(false);
        output.WriteLine($"  forged envelope ({origin}'s, seq changed to {seq + 1000} after signing) -> {forgedStatus} {forgedReason}");
        var (replayStatus, replayReason) = await PostAsync(http, target.ListenAddress, genuine, ct).ConfigureAwait(false);
        output.WriteLine($"  replayed envelope ({origin}'s seq {seq}, already held) -> {replayStatus} {replayReason}");
        return forgedStatus == 401 && replayStatus == 409;
    }

    private static async Task<(int Status, string Reason)> PostAsync(HttpClient http, string listener, string body, CancellationToken ct)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(listener + "/federation/v1/envelopes", content, ct).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false));
        var reason = doc.RootElement.TryGetProperty("error", out var e) ? e.GetProperty("reason").GetString() ?? "" : "accepted";
        return ((int)response.StatusCode, reason);
    }

    /// <summary>What <c>audit verify --witnesses</c> checks, on the running nodes: peers' signed receipts against each local chain.</summary>
    private static async Task<bool> WitnessesAsync(IReadOnlyList<GatewayNode> nodes, TextWriter output, CancellationToken ct)
    {
        // Receipts come back with pushes and digests; wait until every node holds one from each peer.
        var peersWitnessed = await WaitAsync(() => Task.FromResult(nodes.All(n =>
            n.Federation!.Member.Receipts.All.Select(r => r.Witness).Distinct(StringComparer.Ordinal).Count() == nodes.Count - 1)),
            TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        var ok = peersWitnessed;
        output.WriteLine("  witnessed audit heads (audit verify --witnesses):");
        foreach (var node in nodes)
        {
            var member = node.Federation!.Member;
            var receipts = member.Receipts.All;
            var (head, _) = await node.Ledger.AuditHeadAsync(ct).ConfigureAwait(false);
            var hashes = new Dictionary<long, byte[]?>();
            foreach (var seq in receipts.Select(r => r.AuditSeq).Where(s => s >= 1 && s <= head).Distinct())
            {
                var records = await node.Ledger.ReadAuditAsync(seq - 1, 1, ct).ConfigureAwait(false);
                hashes[seq] = records.Count == 1 && records[0].Seq == seq ? Convert.FromHexString(records[0].Hash) : null;
            }

            var report = WitnessCheck.Verify(node.Config.Node.Id, member.Trust, receipts, head, s => hashes.GetValueOrDefault(s));
            var witnesses = string.Join(", ", receipts.Select(r => r.Witness).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            output.WriteLine(report.Ok && report.Verified > 0
                ? $"    {node.Config.Node.Id}: {report.Verified} receipts from {witnesses} verify against the local chain (head seq {head})"
                : $"    {node.Config.Node.Id}: FAILED: {report.Contradictions.Count} contradictions, {report.Verified} verified");
            ok &= report.Ok && report.Verified > 0;
        }

        return ok;
    }

    private static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan limit, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limit);
        while (!await condition().ConfigureAwait(false))
        {
            try
            {
                await Task.Delay(50, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return false;
            }
        }

        return true;
    }
}
