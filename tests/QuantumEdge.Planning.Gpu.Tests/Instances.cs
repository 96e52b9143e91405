using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;

namespace QuantumEdge.Planning.Gpu.Tests;

internal static class Instances
{
    /// <summary>A random MaxCut on n nodes with mixed ±1 and integer weights, as an Ising model.</summary>
    public static (IsingModel Model, MaxCutInstance Cut) MaxCut(int seed, int n, double density = 0.5) =>
        RandomMaxCut.Generate(seed, n, density);

    /// <summary>The lowest energy by enumeration (n ≤ 20).</summary>
    public static double BruteForceEnergy(IsingModel model)
    {
        var n = model.Size;
        var spins = new sbyte[n];
        var best = double.PositiveInfinity;
        for (var mask = 0L; mask < 1L << n; mask++)
        {
            for (var i = 0; i < n; i++)
            {
                spins[i] = ((mask >> i) & 1) == 0 ? (sbyte)-1 : (sbyte)1;
            }

            best = Math.Min(best, model.Energy(spins));
        }

        return best;
    }
}
