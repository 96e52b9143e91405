using QuantumEdge.Gateway.Benchmarks.Load;

namespace QuantumEdge.Gateway.Benchmarks;

/// <summary>Group commits and operations the node's ledger did during one pass.</summary>
internal readonly record struct LedgerActivity(long Commits, long Operations)
{
    public double MeanBatch => Commits > 0 ? (double)Operations / Commits : 0;

    public static LedgerActivity operator +(LedgerActivity a, LedgerActivity b) => new(a.Commits + b.Commits, a.Operations + b.Operations);
}

/// <summary>Every pass of one benchmark run; a group that was not run (<c>--passes</c>) is null.</summary>
internal sealed record GatewayRunResults(OpenResults? Open, SaturationResults? Saturation, SingleResults? Single, StreamResults? Stream)
{
    public IEnumerable<PassResult> All() =>
        (Open is { } o ? new[] { o.Direct, o.Yarp, o.Public, o.Phi } : [])
        .Concat(Saturation is { } s ? new[] { s.Direct, s.Yarp, s.Public, s.Phi } : [])
        .Concat(Single is { } g ? g.Direct.Concat(g.Yarp).Concat(g.Public) : [])
        .Concat(Stream is { } t ? new[] { t.Direct, t.Gateway } : []);
}

/// <summary>Open loop at a fixed rate.</summary>
internal sealed record OpenResults(PassResult Direct, PassResult Yarp, PassResult Public, PassResult Phi, LedgerActivity PublicLedger, LedgerActivity PhiLedger);

/// <summary>Closed loop at saturation; the bare YARP proxy is the baseline for the gateway's throughput ratio.</summary>
internal sealed record SaturationResults(PassResult Direct, PassResult Yarp, PassResult Public, PassResult Phi, LedgerActivity PublicLedger, LedgerActivity PhiLedger);

/// <summary>One connection, one request at a time: each path's repetitions, in run order, and the ledger's work during the gateway's.</summary>
internal sealed record SingleResults(IReadOnlyList<PassResult> Direct, IReadOnlyList<PassResult> Yarp, IReadOnlyList<PassResult> Public, LedgerActivity PublicLedger);

/// <summary>Streaming at a fixed rate, direct and through the gateway.</summary>
internal sealed record StreamResults(PassResult Direct, PassResult Gateway);
