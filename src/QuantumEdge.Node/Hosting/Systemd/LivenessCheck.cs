namespace QuantumEdge.Node.Hosting.Systemd;

/// <summary>One thing the watchdog asks before it tells systemd the node works; throws (or never completes) when it does not.</summary>
internal sealed record LivenessCheck(string Name, Func<CancellationToken, Task> Probe);
