namespace QuantumEdge.Federation.Aggregates;

/// <summary>
/// Fixed latency bucket edges in milliseconds, part of schema 1. Bucket i holds values in
/// [edge[i-1], edge[i]); the first bucket starts at 0 and the last is open-ended, so a histogram
/// has one more bucket than edges. Releases carry the edges so a reader can refuse to mix others.
/// </summary>
internal static class HistogramEdges
{
    /// <summary>Time to first token.</summary>
    public static IReadOnlyList<double> TtftMs { get; } = [50, 100, 200, 400, 800, 1600, 3200, 6400];

    /// <summary>Total request time.</summary>
    public static IReadOnlyList<double> TotalMs { get; } = [250, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000];

    /// <summary>The bucket that holds <paramref name="valueMs"/> (negative and NaN values count as 0).</summary>
    public static int Bucket(IReadOnlyList<double> edges, double valueMs)
    {
        ArgumentNullException.ThrowIfNull(edges);
        if (double.IsNaN(valueMs) || valueMs < 0)
        {
            valueMs = 0;
        }

        for (var i = 0; i < edges.Count; i++)
        {
            if (valueMs < edges[i])
            {
                return i;
            }
        }

        return edges.Count;
    }

    internal static bool SameAs(IReadOnlyList<double> a, IReadOnlyList<double> b) => a.Count == b.Count && a.SequenceEqual(b);
}
