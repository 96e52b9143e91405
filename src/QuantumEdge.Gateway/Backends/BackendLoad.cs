namespace QuantumEdge.Gateway.Backends;

/// <summary>What a backend's vLLM-style <c>/metrics</c> said at the last scrape.</summary>
public readonly record struct BackendLoad(double Running, double Waiting, double KvCacheUsage, DateTimeOffset ReadAt);
