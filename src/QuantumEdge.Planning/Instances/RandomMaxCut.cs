using QuantumEdge.Planning.Ising;

namespace QuantumEdge.Planning.Instances;

/// <summary>Seeded random MaxCut instances for tests and benchmarks: mixed ±1 and small integer weights.</summary>
internal static class RandomMaxCut
{
    /// <summary>A MaxCut on <paramref name="n"/> nodes where each pair is an edge with probability <paramref name="density"/>, with its Ising model.</summary>
    public static (IsingModel Model, MaxCutInstance Cut) Generate(int seed, int n, double density = 0.5)
    {
        var rng = new Random(seed);
        var edges = new List<WeightedEdge>();
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                if (rng.NextDouble() < density)
                {
                    edges.Add(new WeightedEdge(i, j, rng.Next(2) == 0 ? 1 : rng.Next(-3, 6)));
                }
            }
        }

        var cut = new MaxCutInstance(n, edges);
        return (cut.ToIsing(), cut);
    }
}
