namespace QuantumEdge.Node.Demo;

/// <summary>Size and seed of the demo run.</summary>
internal sealed record DemoOptions(int Requests = 600, int Seed = 42, double TimeScale = 0.25, int Concurrency = 24);
