using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Federation;

/// <summary>Several in-process nodes on loopback, each with its own key and federation listener, all trusting each other.</summary>
internal sealed class FederatedNodes : IAsyncDisposable
{
    public const string FederationId = "regional-health-net";
    private readonly List<string> _keyDirs;

    private FederatedNodes(List<TestNode> nodes, List<string> keyDirs)
    {
        Nodes = nodes;
        _keyDirs = keyDirs;
        Listener = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    }

    public List<TestNode> Nodes { get; }

    /// <summary>Each node's key directory, in the order of <see cref="Nodes"/>.</summary>
    public IReadOnlyList<string> KeyDirs => _keyDirs;

    /// <summary>A client for the nodes' federation listeners.</summary>
    public HttpClient Listener { get; }

    /// <param name="count">How many nodes (hospital-a, hospital-b, …).</param>
    /// <param name="sims">Node index → its backends (default: one simulated "gpu" cleared for internal and public).</param>
    /// <param name="configure">Node index → a change to its configuration (e.g. its lending settings).</param>
    public static async Task<FederatedNodes> StartAsync(int count, Func<int, IEnumerable<TestNode.Sim>>? sims = null,
        Func<int, NodeConfiguration, NodeConfiguration>? configure = null)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"hospital-{(char)('a' + i)}").ToList();
        var keyDirs = new List<string>();
        var keys = new List<byte[]>();
        foreach (var _ in ids)
        {
            var dir = Directory.CreateTempSubdirectory("qe-fed-key-").FullName;
            using var identity = NodeIdentity.Generate();
            identity.Save(dir);
            keyDirs.Add(dir);
            keys.Add(identity.PublicKeyBytes);
        }

        var ports = ids.Select(_ => QuantumEdge.Tests.Shared.ReservedLoopbackPorts.Take()).ToList();
        var gossip = new GossipOptions { Interval = TimeSpan.FromMilliseconds(100), InitialBackoff = TimeSpan.FromMilliseconds(200), MaxBackoff = TimeSpan.FromSeconds(1) };
        var nodes = new List<TestNode>();
        for (var i = 0; i < count; i++)
        {
            var self = i;
            var peers = Enumerable.Range(0, count).Where(j => j != self).Select(j => new FederationPeerSettings
            {
                Id = ids[j],
                Url = new Uri($"http://127.0.0.1:{ports[j]}"),
                PublicKey = FederationPublicKey.Format(keys[j]),
                PublicKeyBytes = keys[j],
            }).ToList();
            nodes.Add(await TestNode.StartAsync(sims?.Invoke(self) ?? [new TestNode.Sim("gpu", TestNode.OpenLevels)], configure: c => (configure ?? ((_, x) => x))(self, c with
            {
                Node = c.Node with { Id = ids[self] },
                Storage = c.Storage with { NodeKeyDir = keyDirs[self] },
                Federation = new FederationSettings
                {
                    Enabled = true,
                    FederationId = FederationId,
                    ListenUrl = $"http://127.0.0.1:{ports[self]}",
                    Peers = peers,
                    // One release at start; the state then stays put, so tests can compare it before and after.
                    ReleaseIntervalSeconds = 3600,
                    Models = ["clinical-7b"],
                },
            }), gossip: gossip));
        }

        return new FederatedNodes(nodes, keyDirs);
    }

    public static string ListenUrl(TestNode node) => node.Node.Federation!.ListenAddress;

    public async Task<JsonElement> GetAsync(TestNode node, string pathAndQuery)
    {
        // Signed as hospital-a, which every node trusts (itself included).
        var text = await SignedRequests.GetStringAsync(Listener, ListenUrl(node) + pathAndQuery, "hospital-a", _keyDirs[0]);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>True when every node holds every node's newest envelope (the same seq of each origin everywhere).</summary>
    public async Task<bool> ConvergedAsync()
    {
        var digests = new List<Dictionary<string, long>>();
        foreach (var node in Nodes)
        {
            var digest = await GetAsync(node, "/federation/v1/digest");
            digests.Add(digest.GetProperty("origins").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("seq").GetInt64()));
        }

        return digests.All(d => d.Count == Nodes.Count
            && d.All(p => digests.All(other => other.TryGetValue(p.Key, out var seq) && seq == p.Value)));
    }

    /// <summary>Polls (with a deadline, never a guessed sleep) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            try
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"within 60 s: {what}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Listener.Dispose();
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        foreach (var dir in _keyDirs)
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
