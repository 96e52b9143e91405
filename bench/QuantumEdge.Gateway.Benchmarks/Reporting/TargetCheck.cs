namespace QuantumEdge.Gateway.Benchmarks.Reporting;

/// <summary>One product target next to what this run measured. A measurement, never an assertion.</summary>
internal sealed record TargetCheck(string What, string Target, string Measured, bool Met)
{
    public string Verdict => Met ? "PASS" : "MISS";
}
