using System.Globalization;
using QuantumEdge.Planning.Instances;

namespace QuantumEdge.Planning.Benchmarks;

/// <summary>
/// <c>--toroidal-generate DIR</c>: writes the toroidal ±1 grid instances of tests/data/toroidal.
/// Their best-known cuts come from long <c>--gset</c> runs (see that folder's README).
/// </summary>
internal static class ToroidalRun
{
    /// <summary>Name, rows, columns, seed: G11–G13-sized (800) and G32–G34-sized (2,000) grids.</summary>
    public static readonly (string Name, int Rows, int Columns, ulong Seed)[] Instances =
    [
        ("T800-1", 20, 40, 1), ("T800-2", 20, 40, 2), ("T800-3", 20, 40, 3),
        ("T2000-1", 40, 50, 1), ("T2000-2", 40, 50, 2), ("T2000-3", 40, 50, 3),
    ];

    public static int Generate(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, rows, columns, seed) in Instances)
        {
            var path = Path.Combine(directory, name + ".txt");
            File.WriteAllText(path, ToroidalGrid.ToGset(ToroidalGrid.Generate(rows, columns, seed)));
            Console.WriteLine($"{path}: {rows}x{columns} torus, seed {seed}");
        }

        return 0;
    }
}
