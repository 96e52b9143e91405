using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;

namespace QuantumEdge.Federation.Tests;

/// <summary>Shared test data: deterministic keys, a realistic release, envelopes.</summary>
internal static class Samples
{
    public const string FederationId = "regional-health-net";
    public static readonly DateTimeOffset Now = new(2026, 11, 29, 5, 0, 0, TimeSpan.Zero);

    public static Ed25519Signer Key(int n)
    {
        var seed = new byte[32];
        seed[0] = (byte)n;
        seed[31] = 0x5a;
        return Ed25519Signer.FromSeed(seed);
    }

    public static AggregateRelease Release(int models = 2, int categories = 3, double scale = 1)
    {
        var cells = new List<ReleaseCell>();
        for (var m = 0; m < models; m++)
        {
            for (var c = 0; c < categories; c++)
            {
                cells.Add(new ReleaseCell($"model-{m}", $"category-{c}", 12.25 * scale, 140.5 * scale, 3.125 * scale, 1.5 * scale,
                    20.75 * scale, 30 * scale,
                    Enumerable.Range(0, HistogramEdges.TtftMs.Count + 1).Select(i => (i + 0.5) * scale).ToArray(),
                    Enumerable.Range(0, HistogramEdges.TotalMs.Count + 1).Select(i => (10 - i) * 1.25 * scale).ToArray()));
            }
        }

        return new AggregateRelease(Now.AddMinutes(-1), Now, 0.5, 1e-6, 42.125, HistogramEdges.TtftMs, HistogramEdges.TotalMs, cells);
    }

    public static FederationPayload Payload(long auditSeq = 7, byte fill = 0xab) =>
        new(new AuditHead(auditSeq, Enumerable.Repeat(fill, 32).ToArray()), Release(), new LendingOffer(true, 8, ["model-0"]));

    public static Envelope Envelope(Ed25519Signer key, string origin, long seq, byte[]? prevHash = null, FederationPayload? payload = null,
        long epoch = 1, DateTimeOffset? createdAt = null) =>
        EnvelopeCodec.Create(key, origin, FederationId, epoch, seq, prevHash ?? EnvelopeCodec.GenesisHash, createdAt ?? Now, payload ?? Payload());
}
