using System.Text;
using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.State;
using QuantumEdge.Federation.Store;

namespace QuantumEdge.Federation.Tests.Verification;

public sealed class IntakeTests
{
    private static (long Epoch, long Seq) Seq(DigestEntry entry) => (entry.Epoch, entry.Seq);

    private static void AssertRefused(IntakeFixture f, Envelope envelope, int status, string reason)
    {
        var before = f.Snapshot();
        var result = f.Intake.Submit(envelope.CanonicalBytes);
        Assert.False(result.IsAccepted);
        Assert.Equal(status, result.Status);
        Assert.Equal(reason, result.Refusal!.Reason);
        Assert.Null(result.Receipt);
        if (reason is not (RefusalReason.Equivocation or RefusalReason.AuditFork))
        {
            Assert.Equal(before, f.Snapshot());
        }
    }

    [Fact]
    public void A_valid_envelope_is_accepted_stored_counted_and_receipted()
    {
        using var f = new IntakeFixture();
        var envelope = f.FromB(1);
        var result = f.Intake.Submit(envelope.CanonicalBytes);

        Assert.True(result.IsAccepted, result.Refusal?.ToString());
        Assert.Equal(202, result.Status);
        Assert.Equal((1L, 1L), Seq(f.Intake.Digest()["hospital-b"]));
        Assert.True(f.Store.TryGet("hospital-b", 1, 1, out var held));
        Assert.Equal(envelope.Hash, held.Hash);
        Assert.Equal(1, f.Intake.Counters.Accepted);
        var receipt = result.Receipt!;
        Assert.Equal("hospital-a", receipt.Witness);
        Assert.Equal("hospital-b", receipt.Origin);
        Assert.Equal(7, receipt.AuditSeq);
        Assert.True(receipt.Verify(f.Self.PublicKey.Span));
    }

    [Fact]
    public void A_forged_signature_is_401_and_changes_nothing()
    {
        using var f = new IntakeFixture();
        // Signed by a stranger's key but claiming to be hospital-b.
        AssertRefused(f, Samples.Envelope(f.Stranger, "hospital-b", 1), 401, RefusalReason.BadSignature);
        Assert.Equal(1, f.Intake.Counters.RefusedByReason[RefusalReason.BadSignature]);
    }

    [Fact]
    public void A_tampered_envelope_is_401()
    {
        using var f = new IntakeFixture();
        var json = Encoding.UTF8.GetString(f.FromB(1).CanonicalBytes).Replace("\"requests\":140.5", "\"requests\":99999", StringComparison.Ordinal);
        var before = f.Snapshot();
        var result = f.Intake.Submit(Encoding.UTF8.GetBytes(json));
        Assert.Equal(RefusalReason.BadSignature, result.Refusal!.Reason);
        Assert.Equal(before, f.Snapshot());
    }

    [Fact]
    public void An_unknown_origin_is_401_even_with_a_valid_signature_of_its_own()
    {
        using var f = new IntakeFixture();
        AssertRefused(f, Samples.Envelope(f.Stranger, "hospital-z", 1), 401, RefusalReason.UnknownOrigin);
    }

    [Fact]
    public void Another_federation_is_401()
    {
        using var f = new IntakeFixture();
        var envelope = EnvelopeCodec.Create(f.B, "hospital-b", "other-net", 1, 1, EnvelopeCodec.GenesisHash, Samples.Now, Samples.Payload());
        AssertRefused(f, envelope, 401, RefusalReason.WrongFederation);
    }

    [Fact]
    public void Malformed_bytes_are_400_and_change_nothing()
    {
        using var f = new IntakeFixture();
        var before = f.Snapshot();
        var result = f.Intake.Submit("{\"origin\":\"hospital-b\"}"u8);
        Assert.Equal(400, result.Status);
        Assert.Equal(RefusalReason.MissingField, result.Refusal!.Reason);
        Assert.Equal(before, f.Snapshot());
    }

    [Fact]
    public void A_replayed_envelope_is_409_replay_and_changes_nothing()
    {
        using var f = new IntakeFixture();
        var envelope = f.FromB(1);
        Assert.True(f.Intake.Submit(envelope.CanonicalBytes).IsAccepted);
        AssertRefused(f, envelope, 409, RefusalReason.Replay);
    }

    [Fact]
    public void An_older_envelope_no_longer_held_is_409_stale()
    {
        using var f = new IntakeFixture(storePerOrigin: 2);
        var chain = f.ChainFromB(5);
        foreach (var e in chain)
        {
            Assert.True(f.Intake.Submit(e.CanonicalBytes).IsAccepted);
        }

        AssertRefused(f, chain[0], 409, RefusalReason.Stale);
        AssertRefused(f, chain[4], 409, RefusalReason.Replay);
    }

    [Fact]
    public void A_replay_is_still_refused_after_a_restart()
    {
        using var f = new IntakeFixture();
        var chain = f.ChainFromB(3);
        foreach (var e in chain)
        {
            Assert.True(f.Intake.Submit(e.CanonicalBytes).IsAccepted);
        }

        f.Reopen();
        AssertRefused(f, chain[2], 409, RefusalReason.Replay);
        AssertRefused(f, chain[1], 409, RefusalReason.Stale);
        Assert.Equal((1L, 3L), Seq(f.Intake.Digest()["hospital-b"]));
        Assert.True(f.Intake.Submit(f.ChainFromB(4)[3].CanonicalBytes).IsAccepted);
    }

    [Fact]
    public void Two_envelopes_with_one_seq_are_equivocation_the_origin_is_quarantined_with_both_as_evidence()
    {
        using var f = new IntakeFixture();
        var first = f.FromB(1, fill: 1);
        var second = f.FromB(1, fill: 2);
        Assert.True(f.Intake.Submit(first.CanonicalBytes).IsAccepted);
        AssertRefused(f, second, 409, RefusalReason.Equivocation);

        var q = Assert.Single(f.Intake.Quarantined());
        Assert.Equal("hospital-b", q.Origin);
        Assert.Equal(RefusalReason.Equivocation, q.Reason);
        Assert.Contains(q.Evidence, e => e.AsSpan().SequenceEqual(first.CanonicalBytes));
        Assert.Contains(q.Evidence, e => e.AsSpan().SequenceEqual(second.CanonicalBytes));

        // Its next, otherwise valid envelope is refused; other origins are unaffected.
        AssertRefused(f, f.FromB(2, first.Hash), 409, RefusalReason.Quarantined);
        Assert.True(f.Intake.Submit(Samples.Envelope(f.C, "hospital-c", 1).CanonicalBytes).IsAccepted);

        // Quarantine is durable.
        f.Reopen();
        AssertRefused(f, f.FromB(2, first.Hash), 409, RefusalReason.Quarantined);
        Assert.True(f.Intake.LiftQuarantine("hospital-b"));
        Assert.True(f.Intake.Submit(f.FromB(2, first.Hash).CanonicalBytes).IsAccepted);
    }

    [Fact]
    public void Equivocation_at_the_high_water_mark_is_seen_after_a_restart_with_an_empty_store()
    {
        using var f = new IntakeFixture();
        Assert.True(f.Intake.Submit(f.FromB(1, fill: 1).CanonicalBytes).IsAccepted);
        f.Reopen();
        AssertRefused(f, f.FromB(1, fill: 2), 409, RefusalReason.Equivocation);
    }

    [Fact]
    public void A_successor_naming_another_predecessor_is_equivocation()
    {
        using var f = new IntakeFixture();
        Assert.True(f.Intake.Submit(f.FromB(1).CanonicalBytes).IsAccepted);
        AssertRefused(f, f.FromB(2, Enumerable.Repeat((byte)9, 32).ToArray()), 409, RefusalReason.Equivocation);
    }

    [Fact]
    public void A_gap_in_the_sequence_is_accepted()
    {
        using var f = new IntakeFixture();
        var chain = f.ChainFromB(4);
        Assert.True(f.Intake.Submit(chain[0].CanonicalBytes).IsAccepted);
        Assert.True(f.Intake.Submit(chain[3].CanonicalBytes).IsAccepted);
        AssertRefused(f, chain[1], 409, RefusalReason.Stale);
    }

    [Fact]
    public void Epochs_only_move_forward()
    {
        using var f = new IntakeFixture();
        Assert.True(f.Intake.Submit(f.FromB(3, epoch: 5).CanonicalBytes).IsAccepted);
        AssertRefused(f, f.FromB(9, epoch: 4), 409, RefusalReason.StaleEpoch);
        Assert.True(f.Intake.Submit(f.FromB(1, epoch: 6, auditSeq: 8).CanonicalBytes).IsAccepted);
        Assert.Equal((6L, 1L), Seq(f.Intake.Digest()["hospital-b"]));
    }

    [Fact]
    public void Clock_skew_within_the_tolerance_is_accepted_beyond_it_refused_until_the_clock_catches_up()
    {
        using var f = new IntakeFixture();
        Assert.True(f.Intake.Submit(f.FromB(1, createdAt: Samples.Now.AddMinutes(2)).CanonicalBytes).IsAccepted);
        var ahead = f.FromB(2, f.FromB(1, createdAt: Samples.Now.AddMinutes(2)).Hash, createdAt: Samples.Now.AddMinutes(10));
        AssertRefused(f, ahead, 409, RefusalReason.ClockSkew);
        f.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(f.Intake.Submit(ahead.CanonicalBytes).IsAccepted);
        // An envelope from a clock far behind is fine: age does not make it invalid.
        Assert.True(f.Intake.Submit(Samples.Envelope(f.C, "hospital-c", 1, createdAt: Samples.Now.AddHours(-3)).CanonicalBytes).IsAccepted);
    }

    [Fact]
    public void Concurrent_submissions_of_one_envelope_accept_it_exactly_once()
    {
        using var f = new IntakeFixture();
        var bytes = f.FromB(1).CanonicalBytes;
        var results = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, 16, _ => results.Add(f.Intake.Submit(bytes).Status));
        Assert.Equal(1, results.Count(s => s == 202));
        Assert.Equal(15, results.Count(s => s == 409));
    }

    [Fact]
    public void A_corrupt_high_water_mark_file_is_a_named_error()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, HighWaterMarks.FileName), "{\"origins\":{\"hospital-b\":{\"epoch\":1,");
        var ex = Assert.Throws<FederationStateException>(() => HighWaterMarks.Open(dir.Path));
        Assert.Contains(HighWaterMarks.FileName, ex.Message, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(dir.Path, HighWaterMarks.FileName), "{\"origins\":{\"hospital-b\":{\"epoch\":1,\"seq\":\"x\",\"hash\":\"00\"}}}");
        Assert.Throws<FederationStateException>(() => HighWaterMarks.Open(dir.Path));
    }
}
