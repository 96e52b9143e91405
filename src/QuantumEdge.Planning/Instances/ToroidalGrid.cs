using System.Globalization;
using System.Text;

namespace QuantumEdge.Planning.Instances;

/// <summary>
/// Rudy-style toroidal 2D grids with ±1 weights (the class of Gset's G11–G13 and G32–G34):
/// node (r, c) is numbered r·columns + c and joined to its right and lower neighbours with
/// wrap-around, so every node has degree 4 and there are 2·rows·columns edges. Each weight is
/// +1 or −1 with equal probability from a SplitMix64 stream, so a seed names one instance on
/// every platform and runtime (unlike <see cref="Random"/>, whose sequence is not a contract).
/// </summary>
internal static class ToroidalGrid
{
    /// <summary>The grid of <paramref name="rows"/> × <paramref name="columns"/> nodes drawn from <paramref name="seed"/>.</summary>
    public static MaxCutInstance Generate(int rows, int columns, ulong seed)
    {
        // Below 3 a wrap-around edge would repeat an edge or be a self-loop.
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 3);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)rows * columns, 10_000_000L, nameof(rows));
        var state = seed;
        var edges = new List<WeightedEdge>(2 * rows * columns);
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var node = (r * columns) + c;
                edges.Add(new WeightedEdge(node, (r * columns) + ((c + 1) % columns), Sign(ref state)));
                edges.Add(new WeightedEdge(node, (((r + 1) % rows) * columns) + c, Sign(ref state)));
            }
        }

        return new MaxCutInstance(rows * columns, edges);
    }

    /// <summary>The instance in Gset format (`n m`, then `i j w`, 1-based), as <see cref="GsetParser"/> reads it.</summary>
    public static string ToGset(MaxCutInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{instance.NodeCount} {instance.Edges.Count}\n");
        foreach (var e in instance.Edges)
        {
            text.Append(CultureInfo.InvariantCulture, $"{e.I + 1} {e.J + 1} {e.Weight}\n");
        }

        return text.ToString();
    }

    private static int Sign(ref ulong state)
    {
        // SplitMix64 (Steele, Lea, Flood 2014); the top bit picks the sign.
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 63) == 0 ? 1 : -1;
    }
}
