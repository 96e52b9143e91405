using System.Diagnostics;
using System.Text;
using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Http;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;
using Xunit.Abstractions;

namespace QuantumEdge.Federation.Tests.Gossip;

public sealed class GossipTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_nodes_converge_share_insights_and_witness_each_others_heads()
    {
        using var cluster = new TestCluster(3, privacy: TestCluster.Privacy with { EpsilonPerRelease = 4, MaxEpsilonPerDay = 40, MaxRequestsPerUser = 2, MaxFeedbackPerUser = 2 });
        cluster.PublishAll();
        var rounds = await cluster.RoundsUntilAsync(cluster.Converged);
        output.WriteLine($"3 nodes, fan-out 3: converged in {rounds} round(s); {cluster.Network.Requests} requests, {cluster.Network.Bytes} bytes");
        Assert.True(rounds <= 2);

        foreach (var m in cluster.Members)
        {
            var insights = m.Member.Insights();
            Assert.Equal(2, insights.Contributors.Count);
            Assert.DoesNotContain(m.Id, insights.Contributors);
            Assert.Contains(insights.Cells, c => c.Model == "llama-3.1-8b" && c.Category == "qa" && c.Peers == 2);
            // Every other node witnessed this node's audit head and returned a signed receipt.
            await cluster.RoundAsync();
            Assert.Equal(2, m.Member.Receipts.All.Select(r => r.Witness).Distinct().Count());
            Assert.All(m.Member.Receipts.All, r => Assert.Equal(m.AuditSeq, r.AuditSeq));
        }
    }

    [Fact]
    public async Task Ten_nodes_converge_in_a_few_rounds_whatever_the_random_choices()
    {
        var byFanOut = new Dictionary<int, List<int>>();
        foreach (var fanOut in new[] { 1, 2, 3 })
        {
            byFanOut[fanOut] = [];
            for (var seed = 1; seed <= (fanOut == 3 ? 10 : 5); seed++)
            {
                using var cluster = new TestCluster(10, seed, new GossipOptions { FanOut = fanOut, ExchangeTimeout = TimeSpan.FromSeconds(30) });
                cluster.PublishAll(users: 10);
                byFanOut[fanOut].Add(await cluster.RoundsUntilAsync(cluster.Converged, max: 20));
            }

            var r = byFanOut[fanOut];
            output.WriteLine($"10 nodes, fan-out {fanOut}: rounds to convergence over {r.Count} seeds: min {r.Min()}, mean {r.Average():F1}, max {r.Max()} [{string.Join(",", r)}]");
        }

        Assert.True(byFanOut[3].Max() <= 4);
        Assert.True(byFanOut[1].Max() <= 10);
    }

    [Fact]
    public async Task A_node_learns_of_a_peer_it_cannot_reach_through_relay()
    {
        using var cluster = new TestCluster(3);
        cluster.Network.Cut(cluster[0].Id, cluster[2].Id);
        cluster.PublishAll();
        await cluster.RoundsUntilAsync(cluster.Converged);
        Assert.True(cluster[2].Member.Store.TryGet(cluster[0].Id, cluster[0].Member.Epoch, 1, out var relayed));
        Assert.True(EnvelopeCodec.VerifySignature(relayed, cluster[0].Key.PublicKey.Span));
        Assert.Contains(cluster[0].Id, cluster[2].Member.Insights().Contributors);
        Assert.False(cluster[2].Member.PeerStates.All.Single(p => p.Id == cluster[0].Id).Reachable);
    }

    [Fact]
    public async Task A_partition_converges_on_each_side_and_everything_after_it_heals()
    {
        using var cluster = new TestCluster(6);
        int[] left = [0, 1, 2], right = [3, 4, 5];
        foreach (var l in left)
        {
            foreach (var r in right)
            {
                cluster.Network.Cut(cluster[l].Id, cluster[r].Id);
            }
        }

        cluster.PublishAll();
        await cluster.RoundsUntilAsync(() => cluster.Converged(left, left) && cluster.Converged(right, right));
        for (var i = 0; i < 3; i++)
        {
            await cluster.RoundAsync();
        }

        Assert.False(cluster.Converged(left, right));
        Assert.False(cluster.Converged(right, left));

        cluster.Network.Heal();
        cluster.PublishAll();
        // Peers that failed while cut are backing off; the backoff (≤ 2.4 s after a few failures) passes within a few rounds.
        var rounds = await cluster.RoundsUntilAsync(cluster.Converged);
        output.WriteLine($"6 nodes, partition healed: converged in {rounds} round(s)");
    }

    [Fact]
    public async Task A_stopped_node_does_not_hold_the_others_back_and_catches_up_after_a_kill9_restart()
    {
        using var cluster = new TestCluster(5);
        cluster.PublishAll();
        await cluster.RoundsUntilAsync(cluster.Converged);
        var stopped = cluster[4];
        var seqBefore = stopped.Member.Digest()[stopped.Id].Seq;
        cluster.Network.Stopped[stopped.Id] = true;

        int[] others = [0, 1, 2, 3];
        cluster.PublishAll(only: others);
        cluster.PublishAll(only: others);
        var rounds = await cluster.RoundsUntilAsync(() => cluster.Converged(others, others), only: others);
        output.WriteLine($"one of 5 nodes stopped: the other 4 converged in {rounds} round(s)");
        // Peers are chosen at random, so not every node has tried the stopped one yet; every node that did sees it down.
        var tried = others.Select(o => cluster[o].Member.PeerStates.All.Single(p => p.Id == stopped.Id)).Where(s => s.LastFailure is not null).ToList();
        Assert.NotEmpty(tried);
        Assert.All(tried, s => Assert.False(s.Reachable));
        Assert.All(tried, s => Assert.Contains("refused", s.LastError, StringComparison.Ordinal));

        // kill -9: the process state is gone; reopen over the same files.
        cluster.Open(stopped);
        cluster.Network.Stopped.TryRemove(stopped.Id, out _);
        cluster.PublishAll(only: [4]);
        Assert.Equal(seqBefore + 1, stopped.Member.Digest()[stopped.Id].Seq);
        await cluster.RoundsUntilAsync(cluster.Converged);
    }

    [Fact]
    public async Task A_hanging_peer_times_out_without_delaying_the_round_beyond_the_exchange_timeout()
    {
        using var cluster = new TestCluster(4, gossip: new GossipOptions { FanOut = 3, ExchangeTimeout = TimeSpan.FromSeconds(1) });
        cluster.Network.Hanging[cluster[3].Id] = true;
        cluster.PublishAll(only: [0, 1, 2]);
        await cluster.RoundsUntilAsync(() => cluster.Converged([0, 1, 2], [0, 1, 2]), only: [0, 1, 2]);
        Assert.Contains([0, 1, 2], i => cluster[i].Member.PeerStates.All.Single(p => p.Id == cluster[3].Id).LastError?.Contains("timed out", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Clock_skew_within_tolerance_is_harmless_beyond_it_the_envelopes_wait_until_clocks_agree()
    {
        using var cluster = new TestCluster(3);
        cluster[1].Clock.Advance(TimeSpan.FromMinutes(2));
        cluster[2].Clock.Advance(TimeSpan.FromMinutes(10));
        cluster.PublishAll();
        await cluster.RoundsUntilAsync(() => cluster.Converged([0, 1, 2], [0, 1]));
        await cluster.RoundAsync();
        Assert.False(cluster.Converged([0], [2]));
        Assert.True(cluster[0].Member.Intake.Counters.RefusedByReason.GetValueOrDefault(RefusalReason.ClockSkew) > 0);

        // Node 0's and 1's clocks catch up (or node 2's is fixed): the same envelopes are now accepted.
        cluster[0].Clock.Advance(TimeSpan.FromMinutes(6));
        cluster[1].Clock.Advance(TimeSpan.FromMinutes(6));
        await cluster.RoundsUntilAsync(cluster.Converged);
    }

    [Fact]
    public async Task A_newer_minor_schema_is_accepted_and_relayed_byte_for_byte()
    {
        using var cluster = new TestCluster(3);
        cluster.Network.Cut(cluster[0].Id, cluster[2].Id);
        var json = "{\"origin\":\"node-00\",\"federation_id\":\"regional-health-net\",\"epoch\":1,\"seq\":1," +
            $"\"prev_hash\":\"{new string('0', 64)}\",\"created_at\":\"2026-11-29T05:00:00.000Z\",\"schema_version\":\"1.4\"," +
            "\"payload\":{\"audit_head\":{\"seq\":3,\"hash\":\"" + new string('a', 64) + "\"},\"carbon\":{\"grams\":1.5}},\"trace_hint\":\"v1.4\"}";
        var bytes = EnvelopeForge.Sign(json, cluster[0].Key);
        Assert.True(cluster[1].Member.Intake.Submit(bytes).IsAccepted);
        await cluster.RoundsUntilAsync(() => cluster[2].Member.Digest().ContainsKey("node-00"));
        Assert.True(cluster[2].Member.Store.TryGet("node-00", 1, 1, out var relayed));
        Assert.Equal(bytes, relayed.CanonicalBytes);
        Assert.Contains("\"trace_hint\":\"v1.4\"", Encoding.UTF8.GetString(relayed.CanonicalBytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_equivocating_origin_is_quarantined_across_the_federation_and_left_out_of_insights()
    {
        using var cluster = new TestCluster(4);
        cluster.PublishAll();
        await cluster.RoundsUntilAsync(cluster.Converged);
        var liar = cluster[0];
        var next = liar.Member.Digest()[liar.Id].Seq + 1;
        var prev = liar.Member.Store.Latest(liar.Id)!.Hash;
        var one = EnvelopeCodec.Create(liar.Key, liar.Id, Samples.FederationId, liar.Member.Epoch, next, prev, Samples.Now,
            new FederationPayload(new AuditHead(1000, new byte[32]), Samples.Release(), null));
        var other = EnvelopeCodec.Create(liar.Key, liar.Id, Samples.FederationId, liar.Member.Epoch, next, prev, Samples.Now,
            new FederationPayload(new AuditHead(1000, Enumerable.Repeat((byte)1, 32).ToArray()), Samples.Release(), null));
        Assert.True(cluster[1].Member.Intake.Submit(one.CanonicalBytes).IsAccepted);
        Assert.True(cluster[2].Member.Intake.Submit(other.CanonicalBytes).IsAccepted);

        await cluster.RoundsUntilAsync(() => cluster.Members.Skip(1).Count(m => m.Member.Intake.Quarantined().Any(q => q.Origin == liar.Id)) >= 2);
        var witness = cluster.Members.Skip(1).First(m => m.Member.Intake.Quarantined().Any(q => q.Origin == liar.Id));
        var record = witness.Member.Intake.Quarantined().Single(q => q.Origin == liar.Id);
        Assert.Equal(RefusalReason.Equivocation, record.Reason);
        Assert.Equal(2, record.Evidence.Count);
        Assert.DoesNotContain(liar.Id, witness.Member.Insights().Contributors);
        var status = Encoding.UTF8.GetString(witness.Endpoints.GetStatus().Body);
        Assert.Contains("\"quarantined\":[{\"origin\":\"node-00\",\"reason\":\"equivocation\"", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forged_replayed_and_unknown_origin_envelopes_from_a_malicious_peer_are_refused_and_change_nothing()
    {
        using var malloryKey = Samples.Key(66);
        var mallory = new TrustedPeer("mallory", malloryKey.PublicKey.ToArray(), new Uri("http://mallory.test/"));
        using var cluster = new TestCluster(3, extraPeers: [mallory]);
        cluster.PublishAll();
        await cluster.RoundsUntilAsync(cluster.Converged);
        var victim = cluster[1];
        var realFirst = cluster[0].Member.Store.After(cluster[0].Id, null, 0, 1, int.MaxValue)[0];

        // Mallory claims node-00 is far ahead, and serves a forgery (node-00's name, Mallory's key),
        // a replay of a genuine envelope, and an envelope of an origin nobody trusts.
        using var strangerKey = Samples.Key(77);
        var forged = Samples.Envelope(malloryKey, cluster[0].Id, 99, payload: new FederationPayload(new AuditHead(1, new byte[32]), null, null), epoch: cluster[0].Member.Epoch);
        var unknown = Samples.Envelope(strangerKey, "hospital-z", 1);
        cluster.Network.Attach("mallory", (method, path, query, body) => (method, path) switch
        {
            ("GET", "/federation/v1/digest") => new FederationResponse(200, Encoding.UTF8.GetBytes(
                $"{{\"origins\":{{\"{cluster[0].Id}\":{{\"epoch\":{cluster[0].Member.Epoch},\"seq\":99}},\"hospital-z\":{{\"epoch\":1,\"seq\":1}}}}}}")),
            ("GET", "/federation/v1/envelopes") => new FederationResponse(200, Encoding.UTF8.GetBytes(
                "{\"envelopes\":[" + string.Join(",", new[] { realFirst, forged, unknown }.Select(e => Encoding.UTF8.GetString(e.CanonicalBytes))) + "]}")),
            _ => new FederationResponse(202, "{\"status\":\"accepted\"}"u8.ToArray()),
        });

        var before = victim.Member.Digest()[cluster[0].Id];
        foreach (var m in cluster.Members)
        {
            m.Clock.Advance(TimeSpan.FromMinutes(10)); // past the backoff Mallory earned while it was not yet listening
        }

        var engine = new GossipEngine(victim.Member, cluster.Network.TransportFor(victim.Id), new GossipOptions { FanOut = 10 }, new Random(1));
        await engine.RunRoundAsync(CancellationToken.None);

        Assert.Equal(before, victim.Member.Digest()[cluster[0].Id]);
        Assert.False(victim.Member.Digest().ContainsKey("hospital-z"));
        var refused = victim.Member.Intake.Counters.RefusedByReason;
        output.WriteLine("refused: " + string.Join(", ", refused.Select(p => $"{p.Key}={p.Value}")));
        Assert.True(refused.GetValueOrDefault(RefusalReason.BadSignature) >= 1);
        Assert.True(refused.GetValueOrDefault(RefusalReason.Stale) + refused.GetValueOrDefault(RefusalReason.Replay) >= 1);
        Assert.Empty(victim.Member.Intake.Quarantined());

        // Pushed straight at the listener: the same answers, with their status codes.
        Assert.Equal(401, victim.Endpoints.PostEnvelope(forged.CanonicalBytes).Status);
        Assert.Equal(401, victim.Endpoints.PostEnvelope(unknown.CanonicalBytes).Status);
        var latest = victim.Member.Store.Latest(cluster[0].Id)!;
        var replay = victim.Endpoints.PostEnvelope(latest.CanonicalBytes);
        Assert.Equal(409, replay.Status);
        Assert.Contains("\"reason\":\"replay\"", Encoding.UTF8.GetString(replay.Body), StringComparison.Ordinal);
        Assert.Equal(400, victim.Endpoints.PostEnvelope("{\"origin\":1}"u8).Status);

        // The honest federation carries on.
        cluster.PublishAll();
        await cluster.RoundsUntilAsync(cluster.Converged);
    }

    [Fact]
    public void Measured_bytes_per_envelope_and_cpu_per_release()
    {
        using var cluster = new TestCluster(1);
        var m = cluster[0];
        var cells = TestCluster.Privacy.Models.Count * TestCluster.Privacy.Categories.Count;
        // Enough users in every cell that no cell is suppressed (a full-size envelope).
        for (var u = 0; u < 3000; u++)
        {
            foreach (var model in TestCluster.Privacy.Models)
            {
                m.Member.Observations.RecordRequest($"u{u}", model, TestCluster.Privacy.Categories[u % 6], RequestOutcome(u), 200, 1500);
            }
        }

        var sizes = new List<int>();
        var cpu = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var process = Process.GetCurrentProcess();
            var before = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var outcome = m.Member.Publish(new AuditHead(i + 1, new byte[32]), new LendingOffer(true, 8, ["llama-3.1-8b"]));
            wall.Stop();
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - before).TotalMilliseconds);
            sizes.Add(outcome.Envelope.CanonicalBytes.Length);
            output.WriteLine($"release {i + 1}: {outcome.Envelope.Payload.Release?.Cells.Count ?? 0} of {cells} cells, {outcome.Envelope.CanonicalBytes.Length} bytes, wall {wall.Elapsed.TotalMilliseconds:F2} ms");
        }

        var heartbeat = EnvelopeCodec.Create(m.Key, m.Id, Samples.FederationId, 1, 99, EnvelopeCodec.GenesisHash, Samples.Now,
            new FederationPayload(new AuditHead(99, new byte[32]), null, new LendingOffer(true, 8, ["llama-3.1-8b"])));
        output.WriteLine($"bytes per envelope with a full release ({cells} cells): {sizes.Max()}; gzip not applied");
        output.WriteLine($"bytes per envelope without a release (audit head + lending offer, budget spent): {heartbeat.CanonicalBytes.Length}");
        output.WriteLine($"CPU per release (noise, rounding, JCS, sign, verify, two fsyncs): median {cpu.Order().ElementAt(cpu.Count / 2):F2} ms (process CPU, includes fsync syscalls)");
        Assert.All(sizes, s => Assert.True(s < FederationWire.MaxPullBytes));

        // Receiving side: parse, verify the signature, check, fsync the mark and the head, store.
        using var peerCluster = new TestCluster(2);
        var receiver = peerCluster[1].Member;
        var incoming = new List<byte[]>();
        var prev = EnvelopeCodec.GenesisHash;
        for (var i = 1; i <= 200; i++)
        {
            var e = EnvelopeCodec.Create(peerCluster[0].Key, peerCluster[0].Id, Samples.FederationId, 1, i, prev, Samples.Now,
                new FederationPayload(new AuditHead(i, new byte[32]), Samples.Release(4, 6), null));
            prev = e.Hash;
            incoming.Add(e.CanonicalBytes);
        }

        Assert.True(receiver.Intake.Submit(incoming[0]).IsAccepted); // warm-up (JIT)
        incoming.RemoveAt(0);
        var proc = Process.GetCurrentProcess();
        var cpuBefore = proc.TotalProcessorTime;
        foreach (var bytes in incoming)
        {
            Assert.True(receiver.Intake.Submit(bytes).IsAccepted);
        }

        proc.Refresh();
        output.WriteLine($"CPU per received envelope of {incoming[0].Length} bytes (parse, Ed25519 verify, checks, two state-file writes on tmpfs): {(proc.TotalProcessorTime - cpuBefore).TotalMilliseconds / incoming.Count:F2} ms");

        static QuantumEdge.Federation.Aggregates.RequestOutcome RequestOutcome(int u) => u % 25 == 0 ? QuantumEdge.Federation.Aggregates.RequestOutcome.Error : QuantumEdge.Federation.Aggregates.RequestOutcome.Ok;
    }
}
