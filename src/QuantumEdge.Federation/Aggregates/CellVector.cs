namespace QuantumEdge.Federation.Aggregates;

/// <summary>The coordinates of one cell in the release vector, in a fixed order.</summary>
internal static class CellVector
{
    public const int Users = 0;
    public const int Requests = 1;
    public const int Errors = 2;
    public const int Timeouts = 3;
    public const int FeedbackSum = 4;
    public const int FeedbackCount = 5;
    public const int TtftStart = 6;

    public static int TtftBuckets => HistogramEdges.TtftMs.Count + 1;

    public static int TotalStart => TtftStart + TtftBuckets;

    public static int TotalBuckets => HistogramEdges.TotalMs.Count + 1;

    public static int Length => TotalStart + TotalBuckets;
}
