namespace QuantumEdge.Gateway.Planning;

/// <summary>Expected timings of one request on one backend, in milliseconds.</summary>
internal readonly record struct RouteEstimate(double WaitMs, double FirstTokenMs, double DecodeMs)
{
    /// <summary>Time the request occupies a slot once it has one.</summary>
    public double ServiceMs => FirstTokenMs + DecodeMs;

    /// <summary>Wait for a slot, then service.</summary>
    public double CompletionMs => WaitMs + ServiceMs;
}
