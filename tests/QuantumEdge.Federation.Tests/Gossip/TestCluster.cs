using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Http;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;
using QuantumEdge.Federation.Tests.Aggregates;

namespace QuantumEdge.Federation.Tests.Gossip;

/// <summary>One node of a test cluster: its key, clock, member, endpoints and gossip engine.</summary>
internal sealed class TestMember
{
    public required string Id { get; init; }

    public required Ed25519Signer Key { get; init; }

    public required ManualClock Clock { get; init; }

    public required string Directory { get; init; }

    public required FederationMember Member { get; set; }

    public required FederationEndpoints Endpoints { get; set; }

    public required GossipEngine Engine { get; set; }

    public long AuditSeq { get; set; }
}

/// <summary>n nodes that all trust each other, on an <see cref="InMemoryNetwork"/>.</summary>
internal sealed class TestCluster : IDisposable
{
    public static readonly DpReleaseOptions Privacy = new()
    {
        EpsilonPerRelease = 0.5,
        MaxEpsilonPerDay = 10,
        Models = ["llama-3.1-8b", "mistral-7b", "qwen2.5-14b", "phi-3-mini"],
        Categories = ["summarization", "coding", "qa", "triage", "extraction", "translation"],
    };

    private readonly TempDirectory _dir = new(inMemory: true);
    private readonly Dictionary<string, TrustedPeer> _peers = new(StringComparer.Ordinal);
    private readonly int _seed;

    private readonly DpReleaseOptions _privacy;

    public TestCluster(int n, int seed = 1, GossipOptions? gossip = null, IEnumerable<TrustedPeer>? extraPeers = null, DpReleaseOptions? privacy = null)
    {
        _seed = seed;
        _privacy = privacy ?? Privacy;
        Gossip = gossip ?? new GossipOptions { FanOut = 3, ExchangeTimeout = TimeSpan.FromSeconds(30) };
        var keys = Enumerable.Range(0, n).Select(i => (Id: $"node-{i:00}", Key: Samples.Key(i + 1))).ToList();
        foreach (var (id, key) in keys)
        {
            _peers[id] = new TrustedPeer(id, key.PublicKey.ToArray(), new Uri($"http://{id}.test:7443/"));
        }

        ExtraPeers = extraPeers?.ToList() ?? [];
        foreach (var (id, key) in keys)
        {
            var member = new TestMember
            {
                Id = id,
                Key = key,
                Clock = new ManualClock(Samples.Now),
                Directory = Path.Combine(_dir.Path, id),
                Member = null!,
                Endpoints = null!,
                Engine = null!,
            };
            Members.Add(member);
            Open(member);
        }
    }

    public InMemoryNetwork Network { get; } = new();

    public GossipOptions Gossip { get; }

    public List<TestMember> Members { get; } = [];

    public IReadOnlyList<TrustedPeer> ExtraPeers { get; }

    public TestMember this[int i] => Members[i];

    public TrustedPeer PeerOf(int i) => _peers[Members[i].Id];

    /// <summary>(Re)opens a member over its directory: at start, and as a restart after kill -9.</summary>
    public void Open(TestMember m)
    {
        var options = new FederationMemberOptions
        {
            NodeId = m.Id,
            FederationId = Samples.FederationId,
            DataDirectory = m.Directory,
            Peers = [.. _peers.Values.Where(p => p.Id != m.Id), .. ExtraPeers],
            Privacy = _privacy,
        };
        m.Member = FederationMember.Open(options, m.Key, m.Clock, new SeededGaussianNoise(_seed + m.Id.GetHashCode(StringComparison.Ordinal)));
        m.Endpoints = new FederationEndpoints(m.Member);
        m.Engine = new GossipEngine(m.Member, Network.TransportFor(m.Id), Gossip, new Random(_seed * 1000 + Members.IndexOf(m)));
        var endpoints = m.Endpoints;
        Network.Attach(m.Id, (method, path, query, body) => endpoints.Dispatch(method, path, query, body));
    }

    /// <summary>Every running node records some traffic and publishes an envelope (release + a new audit head).</summary>
    public void PublishAll(int users = 40, IEnumerable<int>? only = null)
    {
        foreach (var i in only ?? Enumerable.Range(0, Members.Count))
        {
            var m = Members[i];
            if (Network.Stopped.ContainsKey(m.Id))
            {
                continue;
            }

            for (var u = 0; u < users; u++)
            {
                m.Member.Observations.RecordRequest($"user-{u}", "llama-3.1-8b", "qa", u % 20 == 0 ? RequestOutcome.Error : RequestOutcome.Ok, 150 + (i * 30), 900 + (i * 100));
                m.Member.Observations.RecordFeedback($"user-{u}", "llama-3.1-8b", "qa", 0.5);
            }

            m.AuditSeq += 10;
            m.Member.Publish(new AuditHead(m.AuditSeq, System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(m.AuditSeq * 31 + i))),
                new LendingOffer(true, 8, ["llama-3.1-8b"]));
        }
    }

    /// <summary>One round: a gossip interval passes on every clock, then every running node gossips once, all at the same time.</summary>
    public async Task RoundAsync(IEnumerable<int>? only = null)
    {
        foreach (var m in Members)
        {
            m.Clock.Advance(Gossip.Interval);
        }

        var running = (only ?? Enumerable.Range(0, Members.Count)).Select(i => Members[i]).Where(m => !Network.Stopped.ContainsKey(m.Id));
        await Task.WhenAll(running.Select(m => Task.Run(() => m.Engine.RunRoundAsync(CancellationToken.None))));
    }

    /// <summary>True when each of <paramref name="nodes"/> holds every one of <paramref name="origins"/> at that origin's own newest seq.</summary>
    public bool Converged(IEnumerable<int> nodes, IEnumerable<int> origins)
    {
        var originList = origins.ToList();
        var newest = originList.ToDictionary(o => Members[o].Id, o => Members[o].Member.Digest()[Members[o].Id]);
        return nodes.All(n =>
        {
            var digest = Members[n].Member.Digest();
            return newest.All(p => digest.TryGetValue(p.Key, out var held) && held == p.Value);
        });
    }

    public bool Converged() => Converged(Enumerable.Range(0, Members.Count), Enumerable.Range(0, Members.Count));

    /// <summary>Runs rounds until <paramref name="done"/> holds; returns how many it took (fails past <paramref name="max"/>).</summary>
    public async Task<int> RoundsUntilAsync(Func<bool> done, int max = 30, IEnumerable<int>? only = null)
    {
        var list = only?.ToList();
        for (var round = 1; round <= max; round++)
        {
            await RoundAsync(list);
            if (done())
            {
                return round;
            }
        }

        Assert.Fail($"not converged after {max} rounds");
        return max;
    }

    public void Dispose()
    {
        foreach (var m in Members)
        {
            m.Key.Dispose();
        }

        _dir.Dispose();
    }
}
