namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>One section of the report: a markdown heading and body; <see cref="Passed"/> is false when its check failed or it broke.</summary>
internal sealed record BenchSection(string Title, string Body, bool Passed = true)
{
    public string Markdown => $"## {Title}\n\n{Body.TrimEnd()}\n";
}
