using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.State;
using QuantumEdge.Federation.Store;
using QuantumEdge.Federation.Verification;
using QuantumEdge.Federation.Witness;

namespace QuantumEdge.Federation.Tests.Verification;

/// <summary>hospital-a's intake over a temp directory, trusting hospital-b and hospital-c.</summary>
internal sealed class IntakeFixture : IDisposable
{
    private readonly TempDirectory _dir = new();

    public IntakeFixture(int storePerOrigin = 64)
    {
        Trust = new TrustList("hospital-a", Self.PublicKey,
        [
            new TrustedPeer("hospital-b", B.PublicKey.ToArray(), null),
            new TrustedPeer("hospital-c", C.PublicKey.ToArray(), null),
        ]);
        StorePerOrigin = storePerOrigin;
        Reopen();
    }

    public Ed25519Signer Self { get; } = Samples.Key(1);

    public Ed25519Signer B { get; } = Samples.Key(2);

    public Ed25519Signer C { get; } = Samples.Key(3);

    public Ed25519Signer Stranger { get; } = Samples.Key(9);

    public TrustList Trust { get; }

    public ManualClock Clock { get; } = new(Samples.Now);

    public int StorePerOrigin { get; }

    public string Directory => _dir.Path;

    public EnvelopeStore Store { get; private set; } = null!;

    public EnvelopeIntake Intake { get; private set; } = null!;

    /// <summary>A restart: new objects over the same files (nothing flushed or disposed first, as after kill -9).</summary>
    public void Reopen()
    {
        Store = new EnvelopeStore(StorePerOrigin);
        Intake = new EnvelopeIntake(Samples.FederationId, Trust, Self, HighWaterMarks.Open(Directory), Store, WitnessLog.Open(Directory), Clock);
    }

    /// <summary>Every state file's bytes, to show a refusal changed nothing.</summary>
    public string Snapshot() => string.Join("|", System.IO.Directory.GetFiles(Directory).Order(StringComparer.Ordinal)
        .Select(f => System.IO.Path.GetFileName(f) + ":" + Convert.ToHexString(File.ReadAllBytes(f))))
        + "|" + string.Join(",", Intake.Digest().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))
        + "|" + Store.Count;

    public Envelope FromB(long seq, byte[]? prev = null, long epoch = 1, long auditSeq = 7, byte fill = 0xab, DateTimeOffset? createdAt = null) =>
        Samples.Envelope(B, "hospital-b", seq, prev, Samples.Payload(auditSeq, fill), epoch, createdAt);

    /// <summary>hospital-b's envelopes 1..count, chained.</summary>
    public List<Envelope> ChainFromB(int count, long firstAuditSeq = 10)
    {
        var list = new List<Envelope>();
        var prev = EnvelopeCodec.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var e = Samples.Envelope(B, "hospital-b", i, prev, Samples.Payload(firstAuditSeq + i, (byte)i));
            list.Add(e);
            prev = e.Hash;
        }

        return list;
    }

    public void Dispose()
    {
        Self.Dispose();
        B.Dispose();
        C.Dispose();
        Stranger.Dispose();
        _dir.Dispose();
    }
}
