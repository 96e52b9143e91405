using QuantumEdge.Federation.Aggregates;

namespace QuantumEdge.Federation.Tests.Aggregates;

/// <summary>Reproducible N(0, 1) for statistical tests (Box–Muller over System.Random with a fixed seed).</summary>
internal sealed class SeededGaussianNoise(int seed) : IGaussianNoise
{
    private readonly Random _random = new(seed);

    public double Next()
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}

/// <summary>No noise at all: shows the clipped sums themselves.</summary>
internal sealed class ZeroNoise : IGaussianNoise
{
    public double Next() => 0;
}
