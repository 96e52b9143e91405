using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Payloads;
using QuantumEdge.Federation.State;

namespace QuantumEdge.Federation.Tests.State;

public sealed class OwnSequenceTests
{
    private static readonly ManualClock Clock = new(Samples.Now);

    private static Envelope Publish(OwnSequence sequence, Identity.Ed25519Signer key) =>
        sequence.Publish(key, "hospital-a", Samples.FederationId, Samples.Now, FederationPayload.Empty);

    [Fact]
    public void Seqs_count_up_and_each_names_its_predecessor()
    {
        using var dir = new TempDirectory();
        using var key = Samples.Key(1);
        var sequence = OwnSequence.Open(dir.Path, Clock);
        var a = Publish(sequence, key);
        var b = Publish(sequence, key);
        Assert.Equal(Samples.Now.ToUnixTimeSeconds(), a.Epoch);
        Assert.Equal([1L, 2L], [a.Seq, b.Seq]);
        Assert.Equal(EnvelopeCodec.GenesisHash, a.PrevHash);
        Assert.Equal(a.Hash, b.PrevHash);
        Assert.True(EnvelopeCodec.VerifySignature(b, key.PublicKey.Span));
    }

    [Fact]
    public void After_a_crash_the_sequence_continues_and_never_reuses_a_seq()
    {
        using var dir = new TempDirectory();
        using var key = Samples.Key(1);
        var before = OwnSequence.Open(dir.Path, Clock);
        Publish(before, key);
        var last = Publish(before, key);

        // No dispose, no flush: what is on disk is all a restarted process has.
        var after = OwnSequence.Open(dir.Path, new ManualClock(Samples.Now.AddDays(1)));
        var next = Publish(after, key);
        Assert.Equal(last.Epoch, next.Epoch);
        Assert.Equal(3, next.Seq);
        Assert.Equal(last.Hash, next.PrevHash);
    }

    [Fact]
    public void A_seq_reserved_but_never_signed_is_skipped_not_reused()
    {
        using var dir = new TempDirectory();
        using var key = Samples.Key(1);
        var sequence = OwnSequence.Open(dir.Path, Clock);
        var signed = Publish(sequence, key);
        // The state a kill -9 leaves between reserving seq 2 and signing it.
        File.WriteAllText(Path.Combine(dir.Path, OwnSequence.FileName),
            $"{{\"epoch\":{signed.Epoch},\"reserved_seq\":2,\"signed_seq\":1,\"last_hash\":\"{Convert.ToHexStringLower(signed.Hash)}\"}}");

        var next = Publish(OwnSequence.Open(dir.Path, Clock), key);
        Assert.Equal(3, next.Seq);
        Assert.Equal(signed.Hash, next.PrevHash);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"epoch\":1}")]
    [InlineData("{\"epoch\":1,\"reserved_seq\":1,\"signed_seq\":2,\"last_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\"}")]
    [InlineData("{\"epoch\":0,\"reserved_seq\":1,\"signed_seq\":1,\"last_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\"}")]
    [InlineData("{\"epoch\":1,\"reserved_seq\":1,\"signed_seq\":1,\"last_hash\":\"zz\"}")]
    public void A_corrupt_sequence_file_is_a_named_error_not_a_fresh_start(string content)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, OwnSequence.FileName), content);
        var ex = Assert.Throws<FederationStateException>(() => OwnSequence.Open(dir.Path, Clock));
        Assert.Contains(OwnSequence.FileName, ex.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_temp_file_is_left_behind()
    {
        using var dir = new TempDirectory();
        using var key = Samples.Key(1);
        Publish(OwnSequence.Open(dir.Path, Clock), key);
        Assert.Equal([OwnSequence.FileName], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
