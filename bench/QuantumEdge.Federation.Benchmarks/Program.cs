using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using QuantumEdge.Federation;
using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Benchmarks;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Http;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;

// Federation figures for the closing note: gossip rounds to convergence (3 and 10 nodes, in-process
// GossipEngine over an in-memory transport), bytes per envelope (by release size), and process CPU
// time per release (Publish: DP release with calibrated noise, Ed25519 signature, durable state
// files). Counts and CPU time, not wall time. Usage: [--trials N] [--releases N] [--dir PATH]
var inv = CultureInfo.InvariantCulture;
var trials = Arg("--trials", 20);
var releases = Arg("--releases", 200);
var root = Path.Combine(ArgText("--dir") ?? Path.GetTempPath(), "qe-fed-bench-" + Guid.NewGuid().ToString("N")[..8]);
Console.WriteLine("QuantumEdge federation figures");
Console.WriteLine($"  {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} logical CPUs; state in {root}");
try
{
    Console.WriteLine();
    Console.WriteLine("Gossip rounds to convergence (every node publishes one envelope, then rounds run until every node holds every");
    Console.WriteLine($"node's envelope; a round = each node in turn runs one exchange with up to 3 random peers, so later nodes");
    Console.WriteLine($"already relay what earlier ones pulled; in-memory transport, no HTTP; {trials} seeds):");
    foreach (var n in new[] { 3, 10 })
    {
        var rounds = new List<int>();
        long bytes = 0;
        for (var t = 0; t < trials; t++)
        {
            var (r, b) = await RoundsToConvergeAsync(n, t);
            rounds.Add(r);
            bytes += b;
        }

        rounds.Sort();
        Console.WriteLine(string.Create(inv,
            $"  {n,2} nodes: median {rounds[rounds.Count / 2]} rounds, min {rounds[0]}, max {rounds[^1]}; {bytes / trials / 1024.0:F1} KiB exchanged per convergence"));
    }

    Console.WriteLine();
    Console.WriteLine("Bytes per envelope (canonical JSON as stored, relayed and pushed; audit head + lending offer + DP release):");
    var sizes = new List<(int Cells, int Bytes)>();
    foreach (var models in new[] { 0, 1, 2, 10, 50 })
    {
        using var member = Open(Path.Combine(root, $"bytes-{models}"), "node-00", Math.Max(1, models), 3, []);
        var privacy = member.Member.Options.Privacy;
        if (models > 0)
        {
            // 40 users per cell, 2 requests each: every cell clears the k-threshold after noise.
            foreach (var model in privacy.Models)
            {
                foreach (var category in privacy.Categories)
                {
                    for (var u = 0; u < 40; u++)
                    {
                        for (var r = 0; r < 2; r++)
                        {
                            member.Member.Observations.RecordRequest($"{model}/{category}/user-{u}", model, category, RequestOutcome.Ok, 180 + u, 2400 + (50 * u));
                        }
                    }
                }
            }
        }

        var envelope = member.Member.Publish(new AuditHead(1234, new byte[AuditHead.HashSize]), new LendingOffer(true, 8, privacy.Models)).Envelope;
        var cells = envelope.Payload.Release?.Cells.Count ?? 0;
        sizes.Add((cells, envelope.CanonicalBytes.Length));
        Console.WriteLine(models == 0
            ? string.Create(inv, $"  nothing observed, 1 model x 3 categories ({cells} cells released on noise alone): {envelope.CanonicalBytes.Length,6} bytes")
            : string.Create(inv, $"  {models,2} models x 3 categories = {models * 3,3} cells, {cells,3} released: {envelope.CanonicalBytes.Length,6} bytes"));
    }

    // Which cells clear k after noise varies, so the size per released cell is the slope between the two largest releases.
    var (c1, b1) = sizes[^2];
    var (c2, b2) = sizes[^1];
    Console.WriteLine(string.Create(inv, $"  => about {(b2 - b1) / (double)Math.Max(1, c2 - c1):F0} bytes per released cell on top of {b1 - ((b2 - b1) / (double)Math.Max(1, c2 - c1) * c1):F0} bytes"));

    Console.WriteLine();
    Console.WriteLine($"Process CPU time per release ({releases} publishes of a 2 x 3-cell release after 200 observed requests each; includes noise,");
    Console.WriteLine("  signing and the fsync'd state files' CPU share, not the time waiting for the disk):");
    using (var member = Open(Path.Combine(root, "cpu"), "node-00", 2, 3, []))
    {
        var models = member.Member.Options.Privacy.Models;
        var categories = member.Member.Options.Privacy.Categories;
        var random = new Random(7);
        var cpu = TimeSpan.Zero;
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < releases; i++)
        {
            for (var r = 0; r < 200; r++)
            {
                member.Member.Observations.RecordRequest("user-" + random.Next(60).ToString(inv), models[random.Next(models.Count)],
                    categories[random.Next(categories.Count)], RequestOutcome.Ok, random.Next(30, 3000), random.Next(200, 60000));
            }

            var before = Process.GetCurrentProcess().TotalProcessorTime;
            member.Member.Publish(new AuditHead(i + 1, new byte[AuditHead.HashSize]), null);
            cpu += Process.GetCurrentProcess().TotalProcessorTime - before;
        }

        Console.WriteLine(string.Create(inv, $"  {cpu.TotalMilliseconds / releases:F2} ms CPU per release (total {cpu.TotalMilliseconds:F0} ms over {releases})"));
    }
}
finally
{
    if (Directory.Exists(root))
    {
        Directory.Delete(root, recursive: true);
    }
}

return 0;

async Task<(int Rounds, long Bytes)> RoundsToConvergeAsync(int n, int seed)
{
    var dir = Path.Combine(root, $"gossip-{n}-{seed}");
    var keys = Enumerable.Range(0, n).Select(i => Ed25519Signer.FromSeed(Seed(i))).ToList();
    var ids = Enumerable.Range(0, n).Select(i => $"node-{i:00}").ToList();
    var members = new List<BenchMember>();
    try
    {
        for (var i = 0; i < n; i++)
        {
            var peers = Enumerable.Range(0, n).Where(j => j != i)
                .Select(j => new TrustedPeer(ids[j], keys[j].PublicKey.ToArray(), new Uri($"http://{ids[j]}.test"))).ToList();
            members.Add(Open(Path.Combine(dir, ids[i]), ids[i], 1, 3, peers, keys[i]));
        }

        var transport = new InMemoryTransport(members.ToDictionary(m => m.Member.NodeId, m => m.Endpoints));
        var engines = members.Select((m, i) => new GossipEngine(m.Member, transport, new GossipOptions(), new Random((seed * 1000) + i))).ToList();
        foreach (var m in members)
        {
            m.Member.Publish(new AuditHead(1, new byte[AuditHead.HashSize]), null);
        }

        for (var round = 1; round <= 100; round++)
        {
            foreach (var engine in engines)
            {
                await engine.RunRoundAsync(CancellationToken.None);
            }

            if (members.All(m => m.Member.Digest().Count == n))
            {
                return (round, transport.Bytes);
            }
        }

        throw new InvalidOperationException($"{n} nodes did not converge within 100 rounds");
    }
    finally
    {
        foreach (var m in members)
        {
            m.Dispose();
        }

        foreach (var k in keys)
        {
            k.Dispose();
        }
    }
}

BenchMember Open(string dir, string id, int models, int categories, IReadOnlyList<TrustedPeer> peers, Ed25519Signer? key = null)
{
    Directory.CreateDirectory(dir);
    var signer = key ?? Ed25519Signer.FromSeed(Seed(99));
    var member = FederationMember.Open(new FederationMemberOptions
    {
        NodeId = id,
        FederationId = "bench-net",
        DataDirectory = dir,
        Peers = peers,
        Privacy = new DpReleaseOptions
        {
            Models = Enumerable.Range(0, models).Select(m => $"model-{m:00}").ToList(),
            Categories = new[] { "chat", "completions", "embeddings" }.Take(categories).ToList(),
            MaxEpsilonPerDay = 1000,
        },
    }, signer);
    return new BenchMember(member, new FederationEndpoints(member), key is null ? signer : null);
}

static byte[] Seed(int i)
{
    var seed = new byte[32];
    BitConverter.TryWriteBytes(seed, i + 1);
    return seed;
}

int Arg(string name, int fallback) => ArgText(name) is { } text ? int.Parse(text, inv) : fallback;

string? ArgText(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>A member, its handlers, and the key it owns (disposed with it).</summary>
internal sealed record BenchMember(FederationMember Member, FederationEndpoints Endpoints, Ed25519Signer? OwnedKey) : IDisposable
{
    public void Dispose() => OwnedKey?.Dispose();
}
