namespace QuantumEdge.Federation.Aggregates;

/// <summary>A source of standard normal samples N(0, 1).</summary>
public interface IGaussianNoise
{
    double Next();
}
