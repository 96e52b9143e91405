using QuantumEdge.Gateway.Benchmarks.Load;

namespace QuantumEdge.Gateway.Benchmarks;

/// <summary>Group commits and operations the node's ledger did during one pass.</summary>
internal readonly record struct LedgerActivity(long Commits, long Operations)
{
    public double MeanBatch => Commits > 0 ? (double)Operations / Commits : 0;
}

/// <summary>Every pass of one benchmark run.</summary>
internal sealed record GatewayRunResults(
    PassResult OpenDirect,
    PassResult OpenPublic,
    PassResult OpenPhi,
    PassResult ClosedDirect,
    PassResult ClosedPublic,
    PassResult ClosedPhi,
    PassResult StreamDirect,
    PassResult StreamGateway,
    LedgerActivity OpenPublicLedger,
    LedgerActivity OpenPhiLedger,
    LedgerActivity ClosedPhiLedger)
{
    /// <summary>The bare YARP proxy at the open-loop rate.</summary>
    public required PassResult OpenYarp { get; init; }
    /// <summary>The bare YARP proxy at saturation: the baseline for the gateway's throughput ratio.</summary>
    public required PassResult ClosedYarp { get; init; }
    /// <summary>One connection, one request at a time, straight to the backend.</summary>
    public required PassResult SingleDirect { get; init; }
    public required PassResult SingleYarp { get; init; }
    public required PassResult SinglePublic { get; init; }
}
