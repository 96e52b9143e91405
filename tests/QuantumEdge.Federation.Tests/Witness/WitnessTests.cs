using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;
using QuantumEdge.Federation.Tests.Verification;
using QuantumEdge.Federation.Witness;

namespace QuantumEdge.Federation.Tests.Witness;

public sealed class WitnessTests
{
    [Fact]
    public void Every_distinct_head_is_kept_in_order_and_survives_a_restart()
    {
        using var f = new IntakeFixture();
        foreach (var e in f.ChainFromB(3))
        {
            Assert.True(f.Intake.Submit(e.CanonicalBytes).IsAccepted);
        }

        f.Reopen();
        Assert.Equal([11L, 12L, 13L], f.Intake.WitnessedHeads("hospital-b").Select(h => h.Head.Seq));
        Assert.Equal(3, f.Intake.WitnessedHeads("hospital-b")[2].EnvelopeSeq);
    }

    [Fact]
    public void Two_heads_for_one_seq_are_fork_evidence_and_quarantine_the_origin()
    {
        using var f = new IntakeFixture();
        var first = f.FromB(1, auditSeq: 50, fill: 1);
        Assert.True(f.Intake.Submit(first.CanonicalBytes).IsAccepted);
        var rewritten = f.FromB(2, first.Hash, auditSeq: 50, fill: 2);
        var before = f.Intake.Digest();

        var result = f.Intake.Submit(rewritten.CanonicalBytes);
        Assert.Equal(409, result.Status);
        Assert.Equal(RefusalReason.AuditFork, result.Refusal!.Reason);
        Assert.Contains("rewritten", result.Refusal.Detail, StringComparison.Ordinal);
        Assert.Equal(before["hospital-b"], f.Intake.Digest()["hospital-b"]);

        var q = Assert.Single(f.Intake.Quarantined());
        Assert.Equal(RefusalReason.AuditFork, q.Reason);
        Assert.Equal(2, q.Evidence.Count);
        Assert.Contains(q.Evidence, e => e.AsSpan().SequenceEqual(first.CanonicalBytes));
        Assert.Contains(q.Evidence, e => e.AsSpan().SequenceEqual(rewritten.CanonicalBytes));
        Assert.Equal(RefusalReason.Quarantined, f.Intake.Submit(f.FromB(3, first.Hash, auditSeq: 60).CanonicalBytes).Refusal!.Reason);
    }

    [Fact]
    public void A_head_going_backwards_is_fork_evidence_even_after_a_restart()
    {
        using var f = new IntakeFixture();
        var first = f.FromB(1, auditSeq: 50);
        Assert.True(f.Intake.Submit(first.CanonicalBytes).IsAccepted);
        f.Reopen();
        var rolledBack = f.FromB(2, first.Hash, auditSeq: 40);
        var result = f.Intake.Submit(rolledBack.CanonicalBytes);
        Assert.Equal(RefusalReason.AuditFork, result.Refusal!.Reason);
        Assert.Contains("rolled back", result.Refusal.Detail, StringComparison.Ordinal);
        f.Reopen();
        Assert.Equal("hospital-b", Assert.Single(f.Intake.Quarantined()).Origin);
    }

    [Fact]
    public void The_same_head_repeated_is_not_a_fork()
    {
        using var f = new IntakeFixture();
        var first = f.FromB(1, auditSeq: 50);
        Assert.True(f.Intake.Submit(first.CanonicalBytes).IsAccepted);
        Assert.True(f.Intake.Submit(f.FromB(2, first.Hash, auditSeq: 50).CanonicalBytes).IsAccepted);
        Assert.Single(f.Intake.WitnessedHeads("hospital-b"));
    }

    [Fact]
    public void Heads_per_origin_are_bounded_newest_kept()
    {
        using var dir = new TempDirectory();
        using var key = Samples.Key(2);
        var log = WitnessLog.Open(dir.Path, headsPerOrigin: 3);
        for (var i = 1; i <= 5; i++)
        {
            log.Record("hospital-b", new AuditHead(i, new byte[32]), Samples.Envelope(key, "hospital-b", i), Samples.Now);
        }

        Assert.Equal([3L, 4L, 5L], WitnessLog.Open(dir.Path, 3).Heads("hospital-b").Select(h => h.Head.Seq));
    }

    [Fact]
    public void A_corrupt_witness_log_is_a_named_error()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, WitnessLog.FileName), "{\"heads\":{\"hospital-b\":[{\"seq\":2}]},\"quarantined\":{}}");
        var ex = Assert.Throws<QuantumEdge.Federation.State.FederationStateException>(() => WitnessLog.Open(dir.Path));
        Assert.Contains(WitnessLog.FileName, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_receipt_round_trips_and_a_tampered_one_does_not_verify()
    {
        using var key = Samples.Key(2);
        var receipt = WitnessReceipt.Create(key, "hospital-b", "hospital-a", new AuditHead(99, Enumerable.Repeat((byte)5, 32).ToArray()), Samples.Now);
        Assert.True(WitnessReceipt.TryRead(receipt.ToJson(), out var read, out var problem), problem);
        Assert.True(read.Verify(key.PublicKey.Span));
        Assert.False((read with { AuditSeq = 100 }).Verify(key.PublicKey.Span));
        using var other = Samples.Key(3);
        Assert.False(read.Verify(other.PublicKey.Span));
    }

    [Fact]
    public void Receipts_are_kept_durably_one_per_head_and_witness()
    {
        using var dir = new TempDirectory();
        using var key = Samples.Key(2);
        var log = ReceiptLog.Open(dir.Path);
        var r1 = WitnessReceipt.Create(key, "hospital-b", "hospital-a", new AuditHead(1, new byte[32]), Samples.Now);
        var r2 = WitnessReceipt.Create(key, "hospital-b", "hospital-a", new AuditHead(2, new byte[32]), Samples.Now);
        Assert.True(log.Add(r1));
        Assert.False(log.Add(r1 with { WitnessedAt = Samples.Now.AddMinutes(1) }));
        Assert.True(log.Add(r2));
        var reopened = ReceiptLog.Open(dir.Path).All;
        Assert.Equal([1L, 2L], reopened.Select(r => r.AuditSeq));
        Assert.True(reopened[1].Verify(key.PublicKey.Span));
    }

    private sealed class LocalChain
    {
        public Dictionary<long, byte[]> Hashes { get; } = [];

        public long Head => Hashes.Count == 0 ? 0 : Hashes.Keys.Max();

        public static LocalChain Build(int length, byte salt = 0)
        {
            var chain = new LocalChain();
            for (var i = 1; i <= length; i++)
            {
                chain.Hashes[i] = System.Security.Cryptography.SHA256.HashData(new byte[] { (byte)i, salt });
            }

            return chain;
        }
    }

    [Fact]
    public void The_witness_check_verifies_matching_heads_and_names_rollbacks_rewrites_pruning_and_bad_receipts()
    {
        using var self = Samples.Key(1);
        using var b = Samples.Key(2);
        using var c = Samples.Key(3);
        using var stranger = Samples.Key(9);
        var trust = new TrustList("hospital-a", self.PublicKey,
            [new TrustedPeer("hospital-b", b.PublicKey.ToArray(), null), new TrustedPeer("hospital-c", c.PublicKey.ToArray(), null)]);
        var original = LocalChain.Build(100);
        WitnessReceipt Receipt(Ed25519Signer key, string witness, long seq) =>
            WitnessReceipt.Create(key, witness, "hospital-a", new AuditHead(seq, original.Hashes[seq]), Samples.Now);

        var receipts = new[] { Receipt(b, "hospital-b", 50), Receipt(c, "hospital-c", 90), Receipt(b, "hospital-b", 100) };

        // The untouched chain: every head verifies.
        var ok = WitnessCheck.Verify("hospital-a", trust, receipts, original.Head, s => original.Hashes.GetValueOrDefault(s));
        Assert.True(ok.Ok);
        Assert.Equal(3, ok.Verified);

        // Rolled back to an older backup: 80 records left.
        var rolledBack = LocalChain.Build(80);
        var rb = WitnessCheck.Verify("hospital-a", trust, receipts, rolledBack.Head, s => rolledBack.Hashes.GetValueOrDefault(s));
        Assert.False(rb.Ok);
        Assert.Equal([90L, 100L], rb.Contradictions.Where(x => x.Kind == WitnessFindingKind.RolledBack).Select(x => x.Receipt.AuditSeq));
        Assert.Contains("ends at seq 80", rb.Contradictions[0].Detail, StringComparison.Ordinal);

        // Rewritten: same length, other hashes from seq 60 on (a hash chain changes every later hash).
        var rewritten = LocalChain.Build(100);
        for (var s = 60; s <= 100; s++)
        {
            rewritten.Hashes[s] = new byte[32];
        }

        var rw = WitnessCheck.Verify("hospital-a", trust, receipts, rewritten.Head, s => rewritten.Hashes.GetValueOrDefault(s));
        Assert.Equal([90L, 100L], rw.Contradictions.Where(x => x.Kind == WitnessFindingKind.Rewritten).Select(x => x.Receipt.AuditSeq));
        Assert.Equal(1, rw.Verified);

        // Pruned by retention: not a contradiction.
        var pruned = WitnessCheck.Verify("hospital-a", trust, receipts, original.Head, s => s < 60 ? null : original.Hashes[s]);
        Assert.True(pruned.Ok);
        Assert.Single(pruned.Findings, x => x.Kind == WitnessFindingKind.Pruned);

        // Forged receipts: a stranger's key, a receipt claiming to be from b but signed by c, and one from ourselves.
        var forged = new[] { Receipt(stranger, "hospital-z", 50), Receipt(c, "hospital-b", 50), Receipt(self, "hospital-a", 50) };
        var bad = WitnessCheck.Verify("hospital-a", trust, forged, original.Head, s => original.Hashes.GetValueOrDefault(s));
        Assert.False(bad.Ok);
        Assert.All(bad.Findings, x => Assert.Equal(WitnessFindingKind.InvalidReceipt, x.Kind));
        Assert.Equal(3, bad.Findings.Count);
    }
}
